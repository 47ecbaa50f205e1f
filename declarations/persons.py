"""One file per person (AML executive regulation, Arts. 12-13 and 34, by analogy): everything the
app holds about a person, found by the identifiers the regulation names: national ID (drivers),
legal-entity national ID (transport companies), foreign-national number (drivers) and postal code
(either).

``person_file(text, user)`` matches the identifier exactly (digits in any script, spaces and
dashes ignored) against every one of those columns (each indexed), then gathers the declarations
linked to the matched companies (as carrier company or as the truck's owner) and drivers, within
the user's scope (``for_user``). A person is shown to a user who is not national only when at
least one of its declarations is in that user's scope: a search must not confirm that somebody
exists elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

from core.dates import ascii_digits

from .models import Driver, TransitDeclaration, TransportCompany

LIMIT = 200  # declarations listed; the count says how many in all


def normalise(text: str) -> str:
    return re.sub(r"[\s\-_/.]", "", ascii_digits(str(text or ""))).upper()


@dataclass
class PersonFile:
    query: str
    companies: list[TransportCompany] = field(default_factory=list)
    drivers: list[Driver] = field(default_factory=list)
    declarations: list[TransitDeclaration] = field(default_factory=list)
    total: int = 0

    @property
    def found(self) -> bool:
        return bool(self.companies or self.drivers)


def person_file(text: str, user) -> PersonFile:
    q = normalise(text)
    out = PersonFile(query=q)
    if len(q) < 5:  # no partial identifiers: a search by a fragment is a fishing trip
        return out
    companies = list(TransportCompany.objects.filter(Q(national_id=q) | Q(postal_code=q) | Q(registration_no=q))[:50])
    drivers = list(
        Driver.objects.filter(Q(national_id=q) | Q(foreign_national_no=q) | Q(postal_code=q) | Q(passport_no=q))[:50]
    )
    if not companies and not drivers:
        return out
    linked = Q(pk__in=[])
    if companies:
        linked |= Q(company__in=companies) | Q(vehicle__company__in=companies)
    if drivers:
        linked |= Q(driver__in=drivers)
    scoped = TransitDeclaration.objects.for_user(user).filter(linked)
    rows = list(
        scoped.select_related("origin", "destination", "vehicle", "driver", "company").order_by("-declared_at", "-pk")[
            :LIMIT
        ]
    )
    out.total = len(rows) if len(rows) < LIMIT else scoped.count()
    if not getattr(user, "is_national", False):
        # Only the persons behind what the user may see.
        seen_companies = {d.company_id for d in rows} | {d.vehicle.company_id for d in rows}
        seen_drivers = {d.driver_id for d in rows}
        companies = [c for c in companies if c.pk in seen_companies]
        drivers = [d for d in drivers if d.pk in seen_drivers]
    out.companies, out.drivers, out.declarations = companies, drivers, rows
    return out
