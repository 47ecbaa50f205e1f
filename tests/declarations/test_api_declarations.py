"""The REST API: list with the page's filters and cursor, detail, transitions, import, offices,
vehicles, token auth, one error body, the OpenAPI schema and docs served without a CDN."""

import datetime as dt

import jdatetime
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import services
from declarations.models import Source, Status, TransitDeclaration
from tests.factories import DeclarationFactory, OfficeFactory


@pytest.fixture
def api():
    return APIClient()


def test_it_lists_with_filters_and_pages_by_cursor(api, hq, bazargan, tehran):
    now = timezone.now()
    for i in range(5):
        DeclarationFactory(origin=bazargan, destination=tehran, declared_at=now - dt.timedelta(minutes=i))
    DeclarationFactory(origin=tehran, destination=bazargan)
    api.force_authenticate(hq)
    body = api.get("/api/declarations/", {"origin": "BZG", "page_size": 3}).json()
    assert body["count"] == 5 and body["count_capped"] is False
    assert len(body["results"]) == 3 and body["previous"] is None
    rest = api.get(body["next"]).json()
    assert len(rest["results"]) == 2 and rest["next"] is None
    assert {r["serial"] for r in body["results"]}.isdisjoint({r["serial"] for r in rest["results"]})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, params, ok",
    [
        ("/api/declarations/", {"limit": "10"}, {"page_size": "10"}),
        ("/api/declarations/", {"staus": "settled"}, {"status": "settled"}),
        ("/api/anpr/reads/search/", {"plates": "12"}, {"plate": "12ب34511"}),
        ("/api/scans/", {"decl": "1"}, {"declaration": "1"}),
        ("/api/casework/inbox/", {"overdue_only": "1"}, {"overdue": "1"}),
        ("/api/reports/trend/", {"provinec": "WAZ"}, {"province": "WAZ"}),
        ("/api/reports/problems/", {"tab": "open"}, {"status": "open"}),
        ("/api/reports/inspection-actions/", {"status": "open"}, {"state": "open"}),
        ("/api/permits/", {"valid": "1"}, {"validity": "valid"}),
    ],
)
def test_a_parameter_an_endpoint_does_not_take_is_named_not_ignored(api, hq, west_az, path, params, ok):
    # Ignored, a misspelt filter would answer with every row as if it had been applied.
    api.force_authenticate(hq)
    response = api.get(path, params)
    assert response.status_code == 400, response.content
    (name,) = params
    error = response.json()["error"]
    assert name in error["fields"] and "unknown parameter" in error["message"]
    assert (next(iter(ok))) in error["fields"][name][0]  # says what it takes instead
    assert api.get(path, ok).status_code == 200
    assert api.get(path, {**ok, "format": "json"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.persian
@pytest.mark.parametrize(
    "path, params, words",
    [
        ("/api/casework/inbox/", {"status": "x"}, "یکی از sent"),
        ("/api/reports/problems/", {"status": "x"}, "یکی از open"),
        ("/api/reports/inspection-actions/", {"state": "x"}, "یکی از open"),
        ("/api/permits/", {"validity": "x"}, "یکی از valid"),
        ("/api/vehicles/", {"plate": "x<b"}, "پلاک نیست"),
    ],
)
def test_a_bad_filter_value_is_named_in_the_requests_language(api, hq, path, params, words):
    """The integration client asking in Persian read English-only "status: one of sent, answered,
    all" or "'x<b' is not a plate"."""
    api.force_authenticate(hq)
    response = api.get(path, params)
    assert response.status_code == 400, response.content
    (name,) = params
    error = response.json()["error"]
    assert list(error["fields"]) == [name] and words in error["fields"][name][0], error


def test_a_bad_filter_or_cursor_is_a_400_with_the_one_error_body(api, hq, declaration):
    api.force_authenticate(hq)
    body = api.get("/api/declarations/", {"status": "flying"}).json()
    assert body["error"]["code"] == "invalid" and "status" in body["error"]["fields"]
    assert api.get("/api/declarations/", {"after": "zzz"}).status_code == 400


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/declarations/", "after"),
        ("/api/declarations/", "before"),
        ("/api/vehicles/{vehicle}/declarations/", "after"),
    ],
)
def test_a_bad_cursor_names_the_parameter_it_came_in(api, hq, declaration, path, param):
    """It named a field "cursor", which no client sends: the schema's parameters are after and before."""
    api.force_authenticate(hq)
    response = api.get(path.format(vehicle=declaration.vehicle_id), {param: "zzz"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [param]


def test_the_detail_carries_goods_signals_and_allowed_actions(api, dest_clerk, declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    api.force_authenticate(dest_clerk)
    body = api.get(f"/api/declarations/{declaration.pk}/").json()
    assert body["serial"] == declaration.serial and body["status"] == "in_transit"
    assert "confirm_arrival" in body["allowed_actions"]
    assert body["goods"] == [] and isinstance(body["signals"], list)


def test_transitions_run_the_lifecycle_and_map_errors(api, origin_clerk, dest_clerk, declaration):
    api.force_authenticate(origin_clerk)
    left = (timezone.now() - dt.timedelta(hours=2)).isoformat()  # an arrival follows the trip's time
    assert api.post(f"/api/declarations/{declaration.pk}/depart/", {"at": left}, format="json").json()["status"] == (
        "in_transit"
    )
    response = api.post(f"/api/declarations/{declaration.pk}/confirm-arrival/", {}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/declarations/{declaration.pk}/settle/", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "illegal_transition"
    body = api.post(
        f"/api/declarations/{declaration.pk}/confirm-arrival/",
        {"seal_numbers_found": ["S100200"], "unseen_reason": "camera under repair"},
        format="json",
    ).json()
    assert body["status"] == "arrived"
    response = api.post(f"/api/declarations/{declaration.pk}/record-reason/", {"reason": "other"}, format="json")
    assert response.status_code == 400 and "note" in response.json()["error"]["fields"]
    response = api.post(
        f"/api/declarations/{declaration.pk}/record-reason/", {"reason": "duplicate_waybill"}, format="json"
    )
    assert response.json()["status"] == "unsettled"
    assert api.post(f"/api/declarations/{declaration.pk}/settle/", {}, format="json").json()["status"] == "settled"
    declaration.refresh_from_db()
    assert declaration.status == Status.SETTLED and declaration.status_changed_by == dest_clerk
    assert declaration.status_source == Source.API  # made through the API, not typed on a page


def test_it_imports_a_json_list_of_records(api, origin_clerk, bazargan, tehran):
    record = {
        "serial": "T140499990001",
        "declared_at": "1404/05/01 10:00",
        "origin": "BZG",
        "destination": "THR",
        "plate": "۱۲ ع ۳۴۵ ایران ۶۷",
        "waybill_no": "WB-API-1",
        "goods": [
            {"hs_code": "851713", "description": "گوشی", "quantity": "10", "unit": "عدد", "gross_weight_kg": "5"}
        ],
    }
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/import/", [record, {"serial": ""}], format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 1 and body["rejected"] and body["rejected"][0]["row"] == 2
    assert TransitDeclaration.objects.get(serial="T140499990001").waybill_no == "WB-API-1"
    again = api.post("/api/declarations/import/", [record], format="json").json()
    assert again["created"] == 0 and again["unchanged"] == 1


def test_an_inspector_may_not_import(api, inspector):
    api.force_authenticate(inspector)
    assert api.post("/api/declarations/import/", [{}], format="json").status_code == 403


def test_token_authentication_and_its_scope(api, api_token_for, dest_clerk, declaration, sarakhs, tehran):
    mashhad = OfficeFactory(code="MSH", name_fa="گمرک مشهد", name_en="Mashhad", province=sarakhs.province)
    outside = DeclarationFactory(origin=sarakhs, destination=mashhad)
    key = api_token_for(dest_clerk)
    assert api.get("/api/declarations/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    serials = {r["serial"] for r in api.get("/api/declarations/").json()["results"]}
    assert serials == {declaration.serial}
    assert api.get(f"/api/declarations/{outside.pk}/").status_code == 404


def test_offices_and_vehicles(api, inspector, outsider, declaration):
    api.force_authenticate(inspector)
    assert [o["code"] for o in api.get("/api/offices/").json()] == ["BZG"]
    plate = declaration.vehicle.plate
    found = api.get("/api/vehicles/", {"plate": plate}).json()
    assert [v["id"] for v in found] == [declaration.vehicle_id]
    body = api.get(f"/api/vehicles/{declaration.vehicle_id}/declarations/").json()
    assert [r["serial"] for r in body["results"]] == [declaration.serial]
    api.force_authenticate(outsider)
    assert api.get("/api/vehicles/", {"plate": plate}).json() == []
    assert api.get(f"/api/vehicles/{declaration.vehicle_id}/").status_code == 404


def test_the_schema_and_docs_are_served_locally_to_signed_in_users_only(client, hq):
    assert client.get("/api/schema/").status_code in (401, 403)  # no credentials: refused
    assert client.get("/api/docs/").status_code in (401, 403)
    client.force_login(hq)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/declarations/{id}/confirm-arrival/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "<script>" not in docs


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"records": ' + b"[" * 100_000, b"[{bad json", b"\xff\xfe[]"],
    ids=["deep", "deep-unclosed", "broken", "not-utf8"],
)
def test_a_malformed_or_deeply_nested_import_body_is_a_400_with_a_message(api, origin_clerk, body):
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/import/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_a_nested_error_is_named_by_its_path_in_the_message(api, origin_clerk, bazargan, tehran):
    api.force_authenticate(origin_clerk)
    base = {"serial": "T140499990002", "declared_at": "1404/05/01 10:00", "origin": "BZG", "destination": "THR"}
    body = api.post("/api/declarations/", {**base, "plate": "12ع34567", "goods": "x"}, format="json").json()
    assert "ErrorDetail" not in body["error"]["message"] and "{" not in body["error"]["message"]
    assert body["error"]["message"].startswith("goods items: ")
    goods = [{"hs_code": "851713", "description": "گوشی", "quantity": "ten", "unit": "عدد", "gross_weight_kg": "5"}]
    body = api.post("/api/declarations/", {**base, "plate": "12ع34567", "goods": goods}, format="json").json()
    assert "goods items, item 1, quantity: " in body["error"]["message"], body
    assert body["error"]["fields"]["goods"][0]["quantity"]  # the fields keep their structure


@pytest.mark.persian
def test_the_apis_own_refusals_are_in_the_clients_language(api, origin_clerk, inspector):
    """An integrator asking in Persian got «records: send a non-empty JSON list…» and «plate: required»."""
    api.force_authenticate(origin_clerk)
    fa = {"HTTP_ACCEPT_LANGUAGE": "fa"}
    body = api.post("/api/declarations/import/", {}, format="json", **fa).json()["error"]
    assert body["fields"] == {"records": ["فهرستی غیرخالی از رکوردهای اظهارنامه به صورت JSON بفرستید"]}
    body = api.get("/api/vehicles/", **fa).json()["error"]
    assert body["fields"] == {"plate": ["این مقدار لازم است."]}
    body = api.get("/api/declarations/", {"page_size": "x"}, **fa).json()["error"]
    assert body["fields"] == {"page_size": ["باید عدد صحیح باشد"]}
    body = api.get("/api/anpr/reads/search/", {"plate": "??"}, **fa).json()["error"]
    assert body["fields"] == {"plate": ["«??» پلاک نیست"]}
    api.force_authenticate(inspector)
    body = api.post("/api/declarations/import/", [{}], format="json", **fa).json()["error"]
    assert body["message"] == "نقش شما اجازهٔ ورود اظهارنامه‌ها را ندارد."


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("abc", "must be a whole number"),
        ("0", "must be from 1 to 200"),
        ("201", "must be from 1 to 200"),
        ("-3", "must be from 1 to 200"),
    ],
)
def test_a_page_size_that_is_not_one_is_a_400_naming_it(api, hq, bazargan, tehran, value, error):
    """``?page_size=9999`` answered 200 rows and ``=0`` one, as though the size had been taken."""
    DeclarationFactory(origin=bazargan, destination=tehran)
    api.force_authenticate(hq)
    response = api.get("/api/declarations/", {"page_size": value})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page_size": [error]} and "results" not in response.json()
    for ok in ("", "200", "۲"):  # empty is the default; any digit script
        assert api.get("/api/declarations/", {"page_size": ok}).status_code == 200


def test_the_schema_gives_the_page_size_and_permit_validity_their_values():
    from drf_spectacular.generators import SchemaGenerator

    from declarations.paging import PAGE_SIZE

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    def param(path: str, name: str) -> dict:
        return next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)["schema"]

    assert param("/api/declarations/", "page_size") == {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "default": PAGE_SIZE,
    }
    assert param("/api/permits/", "validity")["enum"] == ["exited", "expired", "expiring", "valid"]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/offices/", "province"),
        ("/api/reports/returns/", "province"),
        ("/api/reports/problems/counts/", "office"),
        ("/api/anpr/cameras/", "page_size"),  # it takes ?office= (tests/anpr/test_cameras_api_filter.py)
        ("/api/anpr/installation/", "province"),
    ],
)
def test_a_list_that_takes_no_filter_names_one_sent_to_it(api, hq, bazargan, path, param):
    """``/api/offices/?province=BZG`` answered every office, as though the list had been filtered."""
    api.force_authenticate(hq)
    response = api.get(path, {param: "BZG"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == [param] and "unknown parameter" in error["message"]
    assert api.get(path).status_code == 200 and api.get(path, {"format": "json"}).status_code == 200


def test_the_schema_gives_a_list_that_takes_no_filter_its_400():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in ("/api/offices/", "/api/reports/returns/", "/api/anpr/cameras/", "/api/anpr/installation/"):
        assert "400" in paths[path]["get"]["responses"], path


# --- the API takes the list page's filters, with their meaning (one DeclarationFilter) -----------------


@pytest.fixture
def filter_rows(bazargan, tehran, sarakhs):
    """Rows each filter below picks differently, some outside West Azerbaijan (the inspector's scope)."""
    from declarations.models import UnsettledReason

    now = timezone.now()
    bazargan.has_scanner = True
    bazargan.scanner_since = None
    bazargan.save()
    day = dt.timedelta(days=1)

    def make(origin=bazargan, destination=tehran, **fields):
        return DeclarationFactory(origin=origin, destination=destination, **fields).pk

    return {
        "late3": make(status=Status.IN_TRANSIT, deadline=now - 3 * day, departed_at=now - 5 * day),
        "late10": make(status=Status.IN_TRANSIT, deadline=now - 10 * day, departed_at=now - 12 * day),
        "late10_out": make(sarakhs, status=Status.IN_TRANSIT, deadline=now - 10 * day, departed_at=now - 12 * day),
        "late50": make(status=Status.IN_TRANSIT, deadline=now - 50 * day, departed_at=now - 55 * day),
        "scanned": make(
            status=Status.IN_TRANSIT, deadline=now + day, departed_at=now - 2 * day, origin_scan_at=now - 2 * day
        ),
        "seal": make(status=Status.UNSETTLED, unsettled_reason=UnsettledReason.SEAL_DISCREPANCY),
        "seal_out": make(sarakhs, status=Status.UNSETTLED, unsettled_reason=UnsettledReason.SEAL_DISCREPANCY),
        "other": make(status=Status.UNSETTLED, unsettled_reason=UnsettledReason.OTHER),
        "registered": make(),
    }


def _window(days_ago: int) -> str:
    from core.dates import format_jalali

    return format_jalali(timezone.now() - dt.timedelta(days=days_ago), persian=False)


@pytest.mark.parametrize(
    ("user", "query", "expected"),
    [
        ("inspector", {"age": "d0_7"}, {"late3"}),
        ("inspector", {"age": "d8_28"}, {"late10"}),
        ("hq", {"age": "d8_28"}, {"late10", "late10_out"}),
        ("inspector", {"age": "over_40", "sort": "deadline"}, {"late50"}),
        ("inspector", {"reason": "seal_discrepancy"}, {"seal"}),
        ("hq", {"reason": "seal_discrepancy", "status": "unsettled"}, {"seal", "seal_out"}),
        ("hq", {"compliance": "departed", "origin": "BZG", "window_from": _window(7)}, {"late3", "scanned"}),
        ("inspector", {"compliance": "not_scanned_in_time", "window_from": _window(20)}, {"late3", "late10"}),
        ("inspector", {"compliance": "scanned_in_time", "window_to": _window(0)}, {"scanned"}),
        ("inspector", {"signal": "overdue", "age": "d8_28"}, {"late10"}),
        ("inspector", {"sort": "deadline"}, {"late3", "late10", "late50"}),
    ],
)
def test_the_api_answers_the_rows_the_list_page_shows_for_the_same_filters(
    api, client, request, filter_rows, user, query, expected
):
    """``?age=``, ``?reason=`` and ``?compliance=`` (the dashboard's ageing and scan compliance links) were
    unknown parameters to the API: a client could not ask it for the rows the page shows."""
    from django.core.cache import cache

    from tests.declarations.test_views_list import LIST, _serials

    cache.clear()
    who = request.getfixturevalue(user)
    client.force_login(who)
    page = client.get(LIST, query)
    assert page.status_code == 200
    page_ids = set(TransitDeclaration.objects.filter(serial__in=_serials(page)).values_list("pk", flat=True))
    api.force_authenticate(who)
    response = api.get("/api/declarations/", query)
    assert response.status_code == 200, response.content
    api_ids = {row["id"] for row in response.json()["results"]}
    assert api_ids == page_ids == {filter_rows[name] for name in expected}


def test_the_new_filters_page_by_cursor(api, hq, filter_rows):
    api.force_authenticate(hq)
    seen, url, params = [], "/api/declarations/", {"age": "d8_28", "sort": "deadline", "page_size": 1}
    while url:
        body = api.get(url, params).json()
        assert body["count"] == 2
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    assert seen == [filter_rows["late10"], filter_rows["late10_out"]] or seen == [
        filter_rows["late10_out"],
        filter_rows["late10"],
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"age": "d41"},
        {"reason": "lost"},
        {"compliance": "scanned"},
        {"window_from": "1404/13/40", "compliance": "departed"},
        {"window_to": "tomorrow", "compliance": "arrived"},
        {"sort": "deadline_desc"},
        {"signal": "late"},
    ],
)
def test_a_bad_value_of_a_page_filter_is_a_400_naming_it(api, hq, declaration, params):
    api.force_authenticate(hq)
    response = api.get("/api/declarations/", params)
    assert response.status_code == 400, response.content
    name = next(k for k in params if k != "compliance" or len(params) == 1)
    error = response.json()["error"]
    assert list(error["fields"]) == [name] and "unknown parameter" not in error["message"], error


def test_the_schema_lists_every_filter_of_the_page_with_its_values():
    """``status``, ``sort`` and ``signal`` were prose; ``age``, ``reason`` and ``compliance`` were missing."""
    from drf_spectacular.generators import SchemaGenerator

    from declarations import ageing, monitoring, scan_compliance
    from declarations.filters import SORTS, DeclarationFilter
    from declarations.models import UnsettledReason

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    params = {p["name"]: p for p in paths["/api/declarations/"]["get"]["parameters"]}
    assert set(DeclarationFilter().form.fields) | {"after", "before", "page_size"} == set(params)

    def enum(name):
        return params[name]["schema"]["enum"]

    assert enum("status") == list(Status.values)
    assert enum("sort") == list(SORTS)
    assert enum("signal") == list(monitoring.SIGNALS)
    assert enum("age") == ageing.KEYS == ["d0_7", "d8_28", "d29_40", "over_40"]
    assert enum("reason") == list(UnsettledReason.values)
    assert enum("compliance") == list(scan_compliance.FIGURES)
    for name in ("date_from", "date_to"):
        assert f"{jdatetime.date.today().year}/" in params[name]["description"] and "ISO" in params[name]["description"]
    for name in ("window_from", "window_to"):
        assert "10:30" in params[name]["description"] and "compliance" in params[name]["description"]
    assert params["sort"]["schema"].get("default") == "-declared_at"
