"""A province's return holds its offices' parts; the inspector and headquarters see it whole, office
staff not at all (decision on probe finding 12)."""

import datetime as dt

import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import returns, services
from tests.factories import DeclarationFactory, OfficeFactory

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def urmia(west_az):
    return OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)


@pytest.fixture
def built(bazargan, urmia, tehran, west_az, inspector):
    """West Azerbaijan's return with two unsettled declarations from Bazargan and three from Urmia."""
    for i, origin in enumerate([bazargan, bazargan, urmia, urmia, urmia]):
        DeclarationFactory(
            serial=f"{origin.code}-{i}",
            origin=origin,
            destination=tehran,
            declared_at=S - (20 + i) * DAY,
            deadline=S - (16 + i) * DAY,
            status=Status.UNSETTLED,
            unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
            unsettled_at=S - 10 * DAY,
        )
    return services.return_build(year=1404, month=5, province=west_az, by=inspector)


def _serials_in(text: str) -> set[str]:
    return {s for s in ("BZG-0", "BZG-1", "URM-2", "URM-3", "URM-4") if s in text}


def test_the_province_return_is_the_sum_of_its_office_parts(built):
    parts = built.figures["offices"]
    assert set(parts) == {"BZG", "URM"}
    for key in returns.BALANCE_KEYS:
        assert built.figures[key] == parts["BZG"][key] + parts["URM"][key], key
    assert (parts["BZG"]["closing"], parts["URM"]["closing"]) == (2, 3)


def test_office_staff_get_no_return_of_their_province(client, built, origin_clerk):
    """Returns are for headquarters, IT and the province's inspector (decision on probe finding 12):
    a clerk of one of the province's offices gets 404 on the return, every export and the API."""
    client.force_login(origin_clerk)  # Bazargan, in West Azerbaijan
    assert "/reports/returns/" not in client.get("/reports/").content.decode()
    for url in [
        f"/reports/returns/{built.pk}/",
        *(f"/reports/returns/{built.pk}/{f}/" for f in ("csv", "xlsx", "pdf")),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get("/api/reports/returns/").json() == []
    assert client.get(f"/api/reports/returns/{built.pk}/").status_code == 404
    assert client.get("/api/reports/trend/", {"province": "WAZ"}).json()["series"]["closing"] == []


def test_the_inspector_and_headquarters_get_the_whole_return(client, built, inspector, hq):
    for user in (inspector, hq):
        client.force_login(user)
        csv_text = b"".join(client.get(f"/reports/returns/{built.pk}/csv/").streaming_content).decode("utf-8-sig")
        assert len(_serials_in(csv_text)) == 5
        assert client.get(f"/api/reports/returns/{built.pk}/").json()["figures"]["closing"] == 5


def test_office_staff_of_another_province_see_nothing(client, built, dest_clerk):
    client.force_login(dest_clerk)  # Tehran
    assert client.get(f"/reports/returns/{built.pk}/").status_code == 404
    assert client.get(f"/reports/returns/{built.pk}/csv/").status_code == 404
