"""Every list of the API that grows is given a page at a time, as /api/declarations/ is: ``count``, a ``next``
link a client follows to the end, ``page_size`` 1..200. The plate reads' search gave the newest 500 reads, and
the scans and permits their 500 newest, as plain arrays: the rest could not be reached, and nothing said so."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import ingest
from anpr import services as anpr_services
from declarations import permits, services
from scans.models import Stage
from tests.factories import DeclarationFactory, VehicleFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


def _walk(api, url, **params):
    """The ids of every row, following ``next`` from the first page; and the first page's count."""
    page = api.get(url, {**params, "page_size": 2})
    assert page.status_code == 200, page.content
    count, ids = page.json()["count"], []
    while True:
        body = page.json()
        assert len(body["results"]) <= 2
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return count, ids
        page = api.get(body["next"])
        assert page.status_code == 200, page.content


@pytest.fixture
def api(hq):
    client = APIClient()
    client.force_authenticate(hq)
    return client


def test_the_plate_reads_search_is_walked_page_by_page(api, bazargan):
    camera, _token = anpr_services.camera_register(office=bazargan, code="BZG-1", direction="out")
    now = timezone.now()
    items = [ingest.ReadInput(captured_at=now - dt.timedelta(minutes=n), plate_raw="12ب34511") for n in range(1, 6)]
    stored = [r.id for r in ingest.reads_ingest(camera=camera, items=items)]
    assert _walk(api, "/api/anpr/reads/search/") == (5, stored)  # newest first, each once
    assert _walk(api, "/api/anpr/reads/search/", plate="12ب34511") == (5, stored)


def test_the_scans_are_walked_page_by_page(api, declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    scans = [upload(declaration, Stage.ORIGIN, origin_clerk, images.png(seed)) for seed in range(60, 65)]
    assert _walk(api, "/api/scans/") == (5, [s.pk for s in reversed(scans)])
    assert _walk(api, "/api/scans/", declaration=declaration.pk)[0] == 5


def test_the_permits_are_walked_page_by_page(api, bazargan, tehran):
    made = []
    for n in range(5):
        d = DeclarationFactory(
            origin=bazargan, destination=tehran, vehicle=VehicleFactory(country="TR"), vehicle_country="TR"
        )
        made.append(
            permits.traffic_permit_record(
                declaration=d,
                permit_no=f"P-{n}",
                entry_office=bazargan,
                exit_office=tehran,
                allowed_hours=240,
                issued_at=timezone.now() - dt.timedelta(hours=10 - n),
            )
        )
    assert _walk(api, "/api/permits/") == (5, [p.pk for p in reversed(made)])
    assert _walk(api, "/api/permits/", validity="valid")[0] == 5


@pytest.mark.parametrize("url", ["/api/anpr/reads/search/", "/api/scans/", "/api/permits/"])
def test_a_page_size_out_of_bounds_is_named(api, url):
    response = api.get(url, {"page_size": 201})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["page_size"]


def test_the_schema_gives_each_list_its_pages(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/anpr/reads/search/", "/api/scans/", "/api/permits/", "/api/declarations/"):
        get = schema["paths"][path]["get"]
        assert {"after", "before", "page_size"} <= {p["name"] for p in get["parameters"]}, path
        ok = get["responses"]["200"]["content"]["application/json"]["schema"]
        page = schema["components"]["schemas"][ok["$ref"].rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(page["properties"]), path
