"""Camera installation follow-up (directive point 3): per office in the user's scope, whether a
camera is planned (``CustomsOffice.has_anpr``), how many are registered, and how many read.

Two queries: the offices in scope and the cameras grouped by office and state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from accounts.models import CustomsOffice, Province, User
from declarations.selectors import scope_offices

from .models import Camera


@dataclass
class OfficeRow:
    office: CustomsOffice
    planned: bool
    registered: int = 0  # in service (active or under maintenance)
    reading: int = 0  # active and reading at the last health check
    silent: int = 0
    retired: int = 0

    @property
    def state(self) -> str:
        """``missing`` planned but no camera in service, ``not_reading`` registered but none
        reading, ``reading``, or ``unplanned`` (a camera at an office not on the plan)."""
        if not self.registered:
            return "missing"
        if not self.reading:
            return "not_reading"
        return "reading" if self.planned else "unplanned"


@dataclass
class ProvinceRow:
    province: Province
    offices: list[OfficeRow] = field(default_factory=list)

    @property
    def planned(self) -> int:
        return sum(r.planned for r in self.offices)

    @property
    def with_camera(self) -> int:
        return sum(bool(r.registered) for r in self.offices)

    @property
    def reading(self) -> int:
        return sum(bool(r.reading) for r in self.offices)


def installation(user: User) -> list[ProvinceRow]:
    """Provinces (by name) with their offices that are planned to have a camera or have one."""
    in_service = Q(status__in=[Camera.Status.ACTIVE, Camera.Status.MAINTENANCE])
    counts = {
        row["office_id"]: row
        for row in Camera.objects.for_user(user)
        .values("office_id")
        .annotate(
            registered=Count("pk", filter=in_service),
            reading=Count("pk", filter=Q(status=Camera.Status.ACTIVE, health=Camera.Health.OK)),
            silent=Count("pk", filter=Q(status=Camera.Status.ACTIVE, health=Camera.Health.SILENT)),
            retired=Count("pk", filter=Q(status=Camera.Status.RETIRED)),
        )
        .order_by()
    }
    provinces: dict[int, ProvinceRow] = {}
    grouped: dict[int, list[OfficeRow]] = defaultdict(list)
    for office in scope_offices(user):
        c = counts.get(office.pk)
        if not office.has_anpr and c is None:
            continue
        provinces.setdefault(office.province_id, ProvinceRow(office.province))
        grouped[office.province_id].append(
            OfficeRow(
                office=office,
                planned=office.has_anpr,
                registered=c["registered"] if c else 0,
                reading=c["reading"] if c else 0,
                silent=c["silent"] if c else 0,
                retired=c["retired"] if c else 0,
            )
        )
    for pid, rows in grouped.items():
        provinces[pid].offices = rows
    return sorted(provinces.values(), key=lambda p: p.province.name_fa)
