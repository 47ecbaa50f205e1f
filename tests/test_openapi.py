"""The OpenAPI schema: every endpoint with its request and response types, no warnings
(``manage.py spectacular --validate --fail-on-warn``, also run by ``make lint``)."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jdatetime
import yaml

from core import dates

ROOT = Path(__file__).resolve().parent.parent


def test_the_schema_generates_and_validates_without_a_warning(tmp_path):
    out = tmp_path / "schema.yml"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "transit_monitor.settings"}
    run = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    schema = yaml.safe_load(out.read_text())

    ops = [(p, m, op) for p, item in schema["paths"].items() for m, op in item.items()]
    ids = [op["operationId"] for _p, _m, op in ops]
    assert len(ids) == len(set(ids))

    def body(path: str, method: str, code: str) -> dict:
        return schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]

    # The reports endpoints, with what they take and give.
    assert body("/api/reports/returns/", "get", "200")["$ref"].endswith("/ReturnPage")
    assert body("/api/reports/returns/{id}/", "get", "200")["$ref"].endswith("/ReturnDetailOut")
    assert body("/api/reports/returns/build/", "post", "202")["$ref"].endswith("/TaskOut")
    build_in = schema["paths"]["/api/reports/returns/build/"]["post"]["requestBody"]["content"]["application/json"]
    assert build_in["schema"]["$ref"].endswith("/ReturnBuildIn")
    assert body("/api/reports/trend/", "get", "200")["$ref"].endswith("/TrendOut")
    assert body("/api/reports/problems/", "get", "200")["$ref"].endswith("/ProblemPage")
    assert body("/api/reports/problems/", "post", "201")["$ref"].endswith("/ProblemOut")
    components = schema["components"]["schemas"]
    assert {"provisional", "figures"} <= set(components["ReturnDetailOut"]["properties"])
    # Each choice set under one name.
    assert components["ReturnStatusEnum"]["enum"] == ["draft", "submitted", "replaced"]
    assert "submitted" not in components["DeclarationStatusEnum"]["enum"]
    assert not [name for name in components if re.fullmatch(r"Status[0-9a-f]{3}Enum", name)]  # named by hash


def test_an_uploaded_file_is_binary_in_the_schema():
    """A scan's ``file`` and a plate read's ``photo`` were ``{"type": "string", "format": "uri"}``: a client
    built from the schema (and schemathesis) sent a URL in the multipart part instead of the file."""
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert components["ScanUploadIn"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert components["ReadIn"]["properties"]["photo"]["format"] == "binary"


def test_every_post_documents_the_409_its_records_state_can_give():
    """POST /api/permits/ for a settled declaration (and /api/scans/ for a closed stage) answer 409: the
    schema gave 409 only to operations with a record in the path, so the answer was undocumented."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in ("/api/permits/", "/api/scans/", "/api/declarations/{id}/settle/"):
        assert "409" in paths[path]["post"]["responses"], path


def test_a_field_that_takes_jalali_is_a_string_with_both_forms_in_the_schema():
    """Every time field of a request that takes Jalali (``at``, ``new_deadline``, a permit's ``issued_at``, a
    letter's ``answered_at``, …) was ``format: date-time`` (or ``date``): a client held to the schema refused
    ``1404/05/12 10:30``, and a reader of it never learnt that the field takes it."""
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    # This Jalali year's (the examples said 1404 in 1405), whatever the year the test runs in.
    year = jdatetime.date.fromgregorian(date=dt.datetime.now(dates.TEHRAN).date()).year
    DAY, WHEN = f"{year}/05/12", f"{year}/05/12 10:30"
    jalali = {
        ("DepartIn", "at"): WHEN,
        ("SettleIn", "at"): WHEN,
        ("ExtendDeadlineIn", "new_deadline"): WHEN,
        ("RegisterIn", "declared_at"): WHEN,
        ("RegisterIn", "deadline"): WHEN,
        ("PermitIn", "issued_at"): WHEN,
        ("PermitIn", "fuel_receipt_date"): DAY,
        ("PermitExitIn", "at"): WHEN,
        ("AnswerIn", "answered_at"): WHEN,
        ("ProblemIn", "since"): WHEN,
        ("InspectionActionIn", "due_on"): DAY,
        ("ImeiCheckIn", "checked_on"): DAY,
        ("TransportDocumentIn", "issued_on"): DAY,
        ("ReadIn", "captured_at"): WHEN,
        ("ScanUploadIn", "captured_at"): WHEN,
    }
    for (component, name), example in jalali.items():
        field = components[component]["properties"][name]
        assert field["type"] == "string" and "format" not in field, (component, name, field)
        assert field["example"] == example, (component, name, field)
        assert f"Jalali {DAY}" in field["description"] and "ISO" in field["description"], (component, name)
    # No request field is ISO 8601 only: a camera's and a scanner's capture time take Jalali too.
    iso_only = {
        (component, name)
        for component, schema in components.items()
        if component.endswith("In")
        for name, field in schema.get("properties", {}).items()
        if field.get("format") in ("date", "date-time")
    }
    assert iso_only == set()


def test_no_jalali_example_of_the_schema_is_of_a_past_year():
    """Every «Jalali YYYY/MM/DD» of the schema (descriptions, parameters, examples) is of this Jalali year, and its
    ISO counterpart the same day: none stays behind as the years pass."""
    from drf_spectacular.generators import SchemaGenerator

    text = json.dumps(SchemaGenerator().get_schema(request=None, public=True), ensure_ascii=False)
    year = jdatetime.date.fromgregorian(date=dt.datetime.now(dates.TEHRAN).date()).year
    found = re.findall(r"Jalali (\d{4})/(\d\d)/(\d\d)", text)
    assert found and {int(y) for y, _m, _d in found} == {year}, sorted(set(found))
    iso = jdatetime.date(year, 5, 12).togregorian().isoformat()
    assert re.findall(r"ISO (?:8601 )?(\d{4}-\d\d-\d\d)", text) and set(
        re.findall(r"ISO (?:8601 )?(\d{4}-\d\d-\d\d)", text)
    ) == {iso}
