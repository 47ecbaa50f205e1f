"""The audit page names a plate match, a person's reading of a plate, an inspection's follow-up action, a monthly
return, a training run of the plate reader, a goods item and an official holiday as a person knows them, in the
reader's language and digits, with identifiers isolated, not by the text stored when the entry was written («17 →
321 (0.93)», «IR v2», «training run 4 (queued)», «2026-12-24 تعطیلی», an office's row id …)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anpr import services as anpr_services
from anpr.models import PlateLabel, PlateMatch, PlateRead, TrainingRun
from core.dates import format_jalali
from core.models import Holiday
from core.text import FSI, LRI, PDI, RLI
from reports.models import Inspection, InspectionAction, MonthlyReturn
from tests.factories import GoodsFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

PLATE = f"{RLI}۱۲ ب ۳۴۵ - ایران ۶۷{PDI}"


def _subject(page: str, row) -> str:
    entry = LogEntry.objects.get_for_object(row).get()
    found = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    subject = found[: found.index("</tr>")].split("<td>")[6]
    return subject[: subject.index("</td>")]


def test_each_row_is_named_as_a_person_knows_it(client, declaration, bazargan, tehran, west_az, inspector, hq):
    now = timezone.now().replace(microsecond=0)
    camera, _token = anpr_services.camera_register(office=tehran, code="THR-CAM-1", direction="in")
    read = PlateRead.objects.create(
        camera=camera, office=tehran, captured_at=now, received_at=now, plate="12ب34567", recognition="camera"
    )
    match = PlateMatch.objects.create(
        read=read, declaration=declaration, vehicle_plate="12ب34567", score=0.93, exact=False, on_route=True,
        at_destination=True,
    )  # fmt: skip
    label = PlateLabel.objects.create(
        read=read, camera=camera, office=tehran, captured_at=now, plate="12ب34567", country="IR", corrected=False,
        reason="other", by=inspector,
    )  # fmt: skip
    inspection = Inspection.objects.create(
        office=bazargan, inspector=inspector, inspected_on=now.date(), origin_scans_uploaded="yes",
        destination_checks_done="yes", anpr_working="no", arrivals_timely="yes", security_measures="yes",
    )  # fmt: skip
    due = dt.date(2026, 12, 20)
    action = InspectionAction.objects.create(
        inspection=inspection, description="دوربین ورودی تعمیر شود", responsible_office=bazargan, due_on=due
    )
    national = MonthlyReturn.objects.create(year=1405, month=8, version=2, sha256="a" * 64)
    provincial = MonthlyReturn.objects.create(year=1405, month=8, province=west_az, version=1, sha256="b" * 64)
    run = TrainingRun.objects.create()
    goods = GoodsFactory(declaration=declaration, line_no=3, hs_code="851713", description="گوشی تلفن همراه")
    holiday = Holiday.objects.create(date=dt.date(2026, 12, 24), name="تعطیلی به دستور دولت")

    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    serial = f'<span class="ident">{LRI}{declaration.serial}{PDI}</span>'

    shown = _subject(page, match)
    assert f'<span class="ident">{PLATE}</span> · {serial}' in shown and "→" not in shown and "0.93" not in shown
    shown = _subject(page, label)
    assert (
        f'<span class="ident">{PLATE}</span> · <span class="ident">{LRI}THR-CAM-1{PDI}</span> · {format_jalali(now)}'
        in shown
    )
    assert f"{read.pk}:" not in shown
    shown = _subject(page, action)
    assert f"{FSI}گمرک بازرگان{FSI}" not in shown  # one isolate, not two
    assert f"{FSI}گمرک بازرگان{PDI} · {format_jalali(due)} · {FSI}دوربین ورودی تعمیر شود{PDI}" in shown
    assert f"{bazargan.pk} " not in shown
    assert "گزارش ماهانه آبان ۱۴۰۵ کشوری، نسخهٔ ۲" in _subject(page, national)
    assert f"گزارش ماهانه آبان ۱۴۰۵ {FSI}آذربایجان غربی{PDI}، نسخهٔ ۱" in _subject(page, provincial)
    assert "WAZ" not in _subject(page, provincial)
    shown = _subject(page, run)
    assert format_jalali(run.created_at) in shown and "training run" not in shown and "queued" not in shown
    shown = _subject(page, goods)
    assert f"{serial} · ردیف ۳ · {FSI}گوشی تلفن همراه{PDI}" in shown and "851713" not in shown
    shown = _subject(page, holiday)
    assert f"۱۴۰۵/۱۰/۰۳ · {FSI}تعطیلی به دستور دولت{PDI}" in shown and "2026-12-24" not in shown
