"""Import of ICS exports: idempotency, reconciliation, and bad rows named by number and field."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from accounts.offices_data import ensure_offices
from declarations.importer import COLUMNS, ImportFileError, import_file, import_records
from declarations.models import (
    DeclarationEvent,
    GoodsItem,
    ImportBatch,
    Source,
    Status,
    TransitDeclaration,
    UnsettledReason,
)


@pytest.fixture
def offices(db):
    return ensure_offices()


def row(serial="T140400000001", **kw):
    base = {
        "serial": serial,
        "declared_at": "1404/05/12 10:30",
        "origin": "BZG",
        "destination": "THR",
        "route": "BZG|TBZ|THR",
        "plate": "۵۹ د ۱۶۹ ایران ۱۳",
        "plate_country": "IR",
        "driver_name": "علی رضایی",
        "driver_national_id": "0013542419",
        "company_name": "ترابر",
        "company_reg_no": "C1",
        "waybill_no": "WB1",
        "seals": "S1|S2",
        "guarantee_amount": "1000000",
        "status": "registered",
        "goods_line": "1",
        "hs_code": "8517.13",
        "description": "گوشی",
        "quantity": "10",
        "unit": "عدد",
        "gross_weight_kg": "20",
        "value": "3000",
        "goods_serials": "490154203237518|490154203237526",
    }
    if kw.get("status") in ("arrived", "settled", "unsettled"):
        base["departed_at"] = "1404/05/12 12:00"  # as ICS gives it: the arrival is measured from it
    base.update(kw)
    return base


def to_csv(rows) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS)
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, "") for k in COLUMNS})
    return out.getvalue().encode("utf-8")


def to_xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for r in rows:
        ws.append([r.get(k, "") for k in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_it_imports_a_csv_with_goods_and_canonical_plate(offices):
    data = to_csv([row(), row(goods_line="2", hs_code="6403", description="کفش", goods_serials="")])
    s = import_file(data, "export.csv")
    assert (s.created, s.rejected) == (1, [])
    d = TransitDeclaration.objects.get(serial="T140400000001")
    assert d.vehicle.plate == "59د16913"
    assert d.route == ["BZG", "TBZ", "THR"]
    assert d.goods.count() == 2 and d.goods_serials.count() == 2
    assert d.status_source == Source.ICS and "export.csv" in d.status_source_ref
    assert DeclarationEvent.objects.filter(declaration=d, kind="import").exists()


def test_reimporting_the_same_file_changes_nothing(offices):
    data = to_csv([row(), row(serial="T140400000002", waybill_no="WB2", plate="12ب34511")])
    import_file(data, "a.csv")
    before = list(TransitDeclaration.objects.order_by("id").values())
    s = import_file(data, "a.csv")
    assert (s.created, s.updated, s.unchanged, s.rejected) == (0, 0, 2, [])
    assert list(TransitDeclaration.objects.order_by("id").values()) == before
    assert GoodsItem.objects.count() == 2
    assert ImportBatch.objects.count() == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_each_format_gives_the_same_declarations(offices, fmt):
    rows = [row(), row(serial="T140400000002", waybill_no="WB2")]
    if fmt == "csv":
        data = to_csv(rows)
    elif fmt == "xlsx":
        data = to_xlsx(rows)
    else:
        data = json.dumps([{**{k: v for k, v in r.items() if k not in ("goods_line",)}} for r in rows]).encode()
    s = import_file(data, f"x.{fmt}")
    assert s.created == 2, s.as_dict()
    assert set(TransitDeclaration.objects.values_list("serial", flat=True)) == {"T140400000001", "T140400000002"}


def test_a_bad_row_is_named_and_the_others_are_stored(offices):
    rows = [
        row(serial="T140400000001"),
        row(serial="T140400000002", origin="XXX"),
        row(serial="T140400000003", plate="not a plate"),
        row(serial="T140400000004", declared_at="1404/13/40"),
        row(serial="T140400000005", quantity="-3"),
        row(serial="T140400000006", driver_national_id="1234567890"),
        row(serial="T140400000007", destination="BZG"),
        row(serial="T140400000008", declared_at="1350/01/01"),
        row(serial="T140400000009"),
    ]
    s = import_file(to_csv(rows), "mixed.csv")
    assert s.created == 2
    got = {(e.row, e.field) for e in s.rejected}
    assert got == {
        (3, "origin"),
        (4, "plate"),
        (5, "declared_at"),
        (6, "quantity"),
        (7, "driver_national_id"),
        (8, "destination"),
        (9, "declared_at"),
    }
    assert "XXX" in next(e.message for e in s.rejected if e.field == "origin")
    # nothing half-written: rejected serials left no goods behind
    assert GoodsItem.objects.count() == 2


def test_a_stored_serial_with_different_content_is_rejected_not_overwritten(offices):
    import_file(to_csv([row()]), "a.csv")
    s = import_file(to_csv([row(destination="SRK")]), "b.csv")
    assert s.rejected and s.rejected[0].field == "destination"
    assert TransitDeclaration.objects.get().destination.code == "THR"


def test_a_later_export_moves_status_forward_through_the_services(offices):
    import_file(to_csv([row()]), "a.csv")
    s = import_file(to_csv([row(status="settled", status_at="1404/05/14 09:00")]), "b.csv")
    assert s.updated == 1
    d = TransitDeclaration.objects.get()
    assert d.status == Status.SETTLED and d.arrival.source == Source.ICS
    kinds = list(DeclarationEvent.objects.filter(declaration=d).order_by("id").values_list("kind", flat=True))
    assert kinds == ["import", "depart", "confirm_arrival", "settle"]


def test_an_export_behind_us_is_a_reconciliation_exception(offices):
    import_file(to_csv([row(status="arrived", status_at="1404/05/13 10:00")]), "a.csv")
    s = import_file(to_csv([row(status="in_transit", status_at="1404/05/13 10:00")]), "b.csv")
    assert s.updated == 0 and len(s.exceptions) == 1
    assert s.exceptions[0].ours == "arrived" and s.exceptions[0].theirs == "in_transit"
    assert TransitDeclaration.objects.get().status == Status.ARRIVED


def test_an_export_saying_closed_never_closes_what_we_hold_in_transit(offices):
    """Closing here follows a judicial case we hold: an export saying «closed» is an exception to reconcile."""
    import_file(to_csv([row(status="in_transit", status_at="1404/05/12 12:00")]), "a.csv")
    s = import_file(to_csv([row(status="closed", status_at="1404/05/13 10:00")]), "b.csv")
    assert s.updated == 0 and len(s.exceptions) == 1
    assert s.exceptions[0].ours == "in_transit" and s.exceptions[0].theirs == "closed"
    d = TransitDeclaration.objects.get()
    assert d.status == Status.IN_TRANSIT and d.closed_at is None


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "e.csv", "empty"),
        ("serial,origin\n".encode("utf-16"), "x.csv", "UTF-8"),
        (b"\xff\xfe\x00garbage", "x.csv", "UTF-8"),
        (b"a,b,c\n1,2,3\n", "x.csv", "lacks the column"),
        (b"PK\x03\x04broken zip", "x.xlsx", "XLSX"),
        (b"[{bad json", "x.json", "JSON"),
        (b"serial,origin,destination,plate\n", "x.xlsx", "does not contain"),
    ],
)
def test_unreadable_files_are_refused_whole(offices, data, name, message):
    with pytest.raises(ImportFileError) as exc:
        import_file(data, name)
    assert message in str(exc.value)
    assert not TransitDeclaration.objects.exists()


def test_a_huge_file_is_refused(offices, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportFileError, match="limit"):
        import_file(b"x" * 2000, "big.csv")


def test_duplicate_waybill_and_imei_are_flagged(offices):
    import_records(
        [
            {
                **row(serial="T140400000001"),
                "goods": [
                    {"hs_code": "851713", "description": "گوشی", "quantity": "1", "serials": ["490154203237518"]}
                ],
            },
            {
                **row(serial="T140400000002", plate="12ب34511"),
                "goods": [
                    {"hs_code": "851713", "description": "گوشی", "quantity": "1", "serials": ["490154203237518"]}
                ],
            },
        ]
    )
    assert TransitDeclaration.objects.filter(dup_waybill=True).count() == 2
    assert TransitDeclaration.objects.filter(dup_goods_serial=True).count() == 2


def test_the_command_prints_the_summary(offices, tmp_path, capsys):
    f = tmp_path / "e.csv"
    f.write_bytes(to_csv([row(), row(serial="T140400000002", origin="NOPE")]))
    call_command("import_ics", str(f))
    out = capsys.readouterr().out
    assert "created 1" in out and "rejected 1" in out and "row 3: origin" in out


@pytest.mark.persian
def test_the_upload_page_imports_and_shows_rejected_rows(client, offices, origin_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.csv", to_csv([row(), row(serial="T140400000002", plate="bad")]))
    response = client.post(reverse("declarations:import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="created">۱<' in body and "bad" in body
    assert TransitDeclaration.objects.filter(serial="T140400000001").exists()
    assert ImportBatch.objects.get().by == origin_clerk


def test_the_upload_page_refuses_an_unreadable_file_with_a_400(client, offices, origin_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.xlsx", b"PK\x03\x04not really")
    response = client.post(reverse("declarations:import"), {"file": upload})
    assert response.status_code == 400 and "XLSX" in response.content.decode()
    assert not TransitDeclaration.objects.exists()


def test_an_inspector_may_not_import(client, offices, inspector):
    from django.urls import reverse

    client.force_login(inspector)
    assert client.get(reverse("declarations:import")).status_code == 403


def test_an_unknown_unsettled_reason_is_rejected_naming_the_column_and_the_allowed_values(offices):
    at = {"status": "unsettled", "status_at": "1404/05/14 09:00"}
    rows = [
        row(serial="T140400000001", unsettled_reason="foo_bar", **at),
        row(serial="T140400000002", waybill_no="WB2", unsettled_reason="Seal_Discrepancy", **at),
    ]
    s = import_file(to_csv(rows), "reasons.csv")
    assert s.created == 1
    [error] = s.rejected
    assert (error.row, error.field) == (2, "unsettled_reason")
    assert "foo_bar" in error.message
    assert all(value in error.message for value in UnsettledReason.values)
    assert not TransitDeclaration.objects.filter(serial="T140400000001").exists()
    assert TransitDeclaration.objects.get(serial="T140400000002").unsettled_reason == "seal_discrepancy"


def test_an_unknown_reason_on_a_later_export_is_rejected_and_changes_nothing(offices):
    import_file(to_csv([row(status="arrived", status_at="1404/05/13 10:00")]), "a.csv")
    s = import_file(
        to_csv([row(status="unsettled", status_at="1404/05/14 09:00", unsettled_reason="foo_bar")]), "b.csv"
    )
    assert [(e.row, e.field) for e in s.rejected] == [(2, "unsettled_reason")]
    d = TransitDeclaration.objects.get()
    assert (d.status, d.unsettled_reason) == (Status.ARRIVED, "")


def _cell(column: str, sheet_row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(COLUMNS.index(column) + 1)}{sheet_row}"


def test_an_xlsx_formula_cell_is_refused_naming_the_cell_not_stored_empty(offices):
    rows = [
        row(serial="T140400000001"),
        row(serial="T140400000002", waybill_no="=1+1"),
        # the second goods line of T140400000003 holds a formula: the whole declaration waits
        row(serial="T140400000003", waybill_no="WB3"),
        row(serial="T140400000003", waybill_no="WB3", goods_line="2", hs_code="6403", quantity="=2*3"),
    ]
    s = import_file(to_xlsx(rows), "formulas.xlsx")
    assert s.created == 1, s.as_dict()
    got = {(e.row, e.field): e.message for e in s.rejected}
    assert set(got) == {(3, "waybill_no"), (4, "quantity")}
    assert f"{_cell('waybill_no', 3)} holds a formula" in got[(3, "waybill_no")]
    assert f"{_cell('quantity', 5)} holds a formula" in got[(4, "quantity")]
    assert set(TransitDeclaration.objects.values_list("serial", flat=True)) == {"T140400000001"}
    assert GoodsItem.objects.count() == 1


def test_every_formula_cell_of_an_xlsx_row_is_named_under_its_column_with_the_rows_other_mistakes(offices):
    """Of a row with three formula cells only the first was named, and its other bad cells not at all: the
    sheet came back three times or more. Each is now named under its column, as any other bad cell."""
    rows = [
        row(
            waybill_no="=1+1",
            company_name='=HYPERLINK("http://x","y")',
            driver_national_id="123",  # a bad value, no formula
            goods_serials="",
            quantity="=2*3",
        )
    ]
    s = import_file(to_xlsx(rows), "formulas.xlsx")
    assert s.created == 0
    got = {(e.row, e.field): e.message for e in s.rejected}
    assert set(got) == {(2, "waybill_no"), (2, "company_name"), (2, "quantity"), (2, "driver_national_id")}
    for column in ("waybill_no", "company_name", "quantity"):
        assert got[(2, column)].startswith(f"{_cell(column, 2)} holds a formula"), got
    assert "formula" not in got[(2, "driver_national_id")]
    assert not TransitDeclaration.objects.exists()


def test_an_xlsx_whose_serial_is_a_formula_is_refused_whole(offices):
    data = to_xlsx([row(), row(goods_line="2", hs_code="6403", serial="=A2")])
    with pytest.raises(ImportFileError, match=f"{_cell('serial', 3)} holds a formula"):
        import_file(data, "serial-formula.xlsx")
    assert not TransitDeclaration.objects.exists()


@pytest.mark.parametrize(
    "column,value,limit",
    [
        ("description", "ک" * 5000, "300"),
        ("company_name", "C" * 201, "200"),
        ("driver_name", "D" * 151, "150"),
        ("waybill_no", "W" * 41, "40"),
        ("unsettled_note", "N" * 501, "500"),
        ("unit", "U" * 17, "16"),
        ("goods_serials", "490154203237518|" + "S" * 41, "40"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_an_over_long_value_is_rejected_naming_the_field_and_its_limit(offices, column, value, limit):
    s = import_file(to_csv([row(**{column: value}), row(serial="T140400000002", waybill_no="WB2")]), "long.csv")
    assert s.created == 1
    [error] = s.rejected
    assert (error.row, error.field) == (2, column)
    assert limit in error.message
    assert not TransitDeclaration.objects.filter(serial="T140400000001").exists()


def test_a_goods_serial_no_maker_prints_is_rejected_naming_the_row_and_the_value(offices):
    s = import_file(
        to_csv([row(goods_serials="490154203237518|SN<script>"), row(serial="T140400000002", waybill_no="WB2")]),
        "x.csv",
    )
    assert s.created == 1
    [error] = s.rejected
    assert (error.row, error.field) == (2, "goods_serials")
    assert "SN<script>" in error.message and "is not a serial" in error.message
    assert not TransitDeclaration.objects.filter(serial="T140400000001").exists()


@pytest.mark.parametrize(
    "column,value,words",
    [
        ("quantity", "123456789012345", "11"),  # 14 digits, 3 of them decimals
        ("value", "10.125", "2"),
        ("guarantee_amount", "1000000.5", "whole number"),
        ("gross_weight_kg", "1e20", "11"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_a_number_that_does_not_fit_is_rejected_not_rounded(offices, column, value, words):
    s = import_file(to_csv([row(**{column: value})]), "numbers.csv")
    assert s.created == 0
    [error] = s.rejected
    assert error.field == column and words in error.message


def test_a_deeply_nested_json_file_is_refused_with_a_message(offices):
    with pytest.raises(ImportFileError, match="nested"):
        import_file(b"[" * 100_000 + b"]" * 100_000, "deep.json")
    with pytest.raises(ImportFileError, match="nested"):
        import_file(b'{"declarations": ' + b"[" * 100_000, "deep.json")


def test_json_values_that_are_not_text_or_goods_lines_that_are_not_objects_are_rejected(offices):
    nested = {"a": 1}
    for _ in range(400):
        nested = {"a": nested}
    records = [
        {**row(serial="T140400000001"), "waybill_no": nested},
        {**row(serial="T140400000002", waybill_no="WB2"), "goods": ["not a goods line"]},
        {**row(serial="T140400000003", waybill_no="WB3"), "seals": ["S1", ["S2"]]},
        row(serial="T140400000004", waybill_no="WB4"),
    ]
    s = import_file(json.dumps(records).encode(), "values.json")
    assert s.created == 1
    assert {(e.row, e.field) for e in s.rejected} == {(1, "waybill_no"), (2, "goods"), (3, "seals")}


def test_the_upload_page_answers_a_deeply_nested_json_with_a_400(client, offices, origin_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("deep.json", b"[" * 100_000 + b"]" * 100_000)
    response = client.post(reverse("declarations:import"), {"file": upload})
    assert response.status_code == 400 and "nested" in response.content.decode()


def test_an_existing_serial_outside_the_importers_scope_is_neither_confirmed_nor_compared(offices, origin_clerk):
    """Bazargan staff probing a Tehran→Sarakhs serial learn nothing of it: whatever the row says
    (other content, a later, an earlier or the same status), the answer is the same refusal."""
    outside = {"serial": "T140400000001", "origin": "THR", "destination": "SRK", "route": ""}
    import_file(to_csv([row(**outside, status="arrived", status_at="1404/05/13 10:00")]), "ics.csv")
    probes = [
        row(serial="T140400000001"),  # other content (a BZG→THR declaration)
        row(**outside, status="settled", status_at="1404/05/14 09:00"),
        row(**outside, status="in_transit", status_at="1404/05/13 09:00"),
        row(**outside, status="arrived", status_at="1404/05/13 10:00"),
    ]
    answers = []
    for probe in probes:
        s = import_file(to_csv([probe]), "probe.csv", by=origin_clerk)
        assert (s.created, s.updated, s.unchanged, s.exceptions) == (0, 0, 0, [])
        [error] = s.rejected
        answers.append((error.row, error.field, error.message))
    # One message whatever is stored; its column from the row alone: the serial where the row's own offices
    # are the importer's (a serial of others), the origin where they are not (what to correct).
    assert len({message for _row, _field, message in answers}) == 1
    assert [field for _row, field, _message in answers] == ["serial", "origin", "origin", "origin"]
    _row, field, message = answers[0]
    assert "outside your scope" in message
    for hint in ("THR", "SRK", "stored", "arrived", "destination", "waybill"):
        assert hint not in message
    d = TransitDeclaration.objects.get()
    assert (d.status, d.origin.code) == (Status.ARRIVED, "THR")


@pytest.mark.persian
def test_the_persian_upload_page_gives_row_errors_in_persian(client, offices, origin_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(origin_clerk)
    rows = [
        row(serial="T140400000001", origin="SRK", destination="YZD", route=""),
        row(serial="T140400000002", status="unsettled", status_at="1404/05/14 09:00", unsettled_reason="foo_bar"),
        row(serial="T140400000003", description="ک" * 301),
        row(serial="T140400000004", origin="XXX"),
    ]
    upload = SimpleUploadedFile("export.csv", to_csv(rows))
    body = client.post(reverse("declarations:import"), {"file": upload}).content.decode()
    assert "در حوزه دسترسی شما نیست" in body and "گمرک شما" in body
    assert "از مقادیر مجاز نیست" in body and "seal_discrepancy" in body
    assert "حداکثر ۳۰۰ نویسه؛ ۳۰۱ نوشته شد." in body
    assert "کد گمرک" in body and "شناخته نیست" in body
    assert "is outside your scope" not in body and "characters long" not in body


@pytest.mark.persian
def test_the_import_that_set_a_status_is_named_in_persian_on_the_page_and_stored_as_written(offices, client, hq):
    s = import_file(to_csv([row()]), "export.csv")
    d = TransitDeclaration.objects.get(serial="T140400000001")
    assert d.status_source_ref.startswith(f"import batch {s.batch_id}: ICS export export.csv imported 1")  # as written
    client.force_login(hq)
    page = client.get(f"/declarations/{d.pk}/").content.decode()
    digits = str(s.batch_id).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"دسته ورود اطلاعات {digits}: خروجی سامانه جامع گمرکی \u2066export.csv\u2069 واردشده در ۱۴" in page
    assert "import batch" not in page and "ICS export" not in page


@pytest.mark.persian
def test_a_change_of_the_status_source_names_the_import_batch_in_persian(offices):
    from declarations.audit_text import ChangeWriter

    s = import_file(to_csv([row()]), "export.csv")
    ref = TransitDeclaration.objects.get(serial="T140400000001").status_source_ref
    shown = ChangeWriter().value(TransitDeclaration._meta.get_field("status_source_ref"), ref)
    assert shown.startswith("دسته ورود اطلاعات ") and "import batch" not in shown
    assert str(s.batch_id).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in shown


def test_a_serial_written_once_in_persian_digits_and_once_in_latin_is_one_declaration(offices):
    rows = [
        row(serial="T۱۴۰۴۰۰۰۰۰۰۰۱"),
        row(serial="T140400000001", goods_line="2", hs_code="6403", description="کفش", goods_serials=""),
    ]
    s = import_file(to_csv(rows), "export.csv")
    assert (s.created, s.rejected) == (1, [])
    assert TransitDeclaration.objects.get(serial="T140400000001").goods.count() == 2


def test_goods_lines_repeating_plate_and_date_in_persian_and_latin_digits_are_one_declaration(offices):
    """Row 2 in Persian digits, row 3 in Latin: the same plate and date, not «… differs between the goods lines»."""
    persian = {"plate": "۴۴د۵۵۵۶۶", "declared_at": "۱۴۰۴/۰۹/۱۵ ۰۸:۰۰", "waybill_no": "WB-۱۲", "origin": "bzg"}
    latin = {"plate": "44د55566", "declared_at": "1404/09/15 08:00", "waybill_no": "WB-12"}
    rows = [
        row(**persian),
        row(**latin, goods_line="2", hs_code="6403", description="کفش", goods_serials=""),
    ]
    s = import_file(to_csv(rows), "export.csv")
    assert (s.created, s.rejected) == (1, [])
    d = TransitDeclaration.objects.get(serial="T140400000001")
    assert (d.vehicle.plate, d.goods.count()) == ("44د55566", 2)


def test_goods_lines_with_two_different_plates_are_still_refused(offices):
    rows = [row(plate="44د55566"), row(plate="44د55567", goods_line="2", hs_code="6403", goods_serials="")]
    s = import_file(to_csv(rows), "export.csv")
    assert s.created == 0 and [e.field for e in s.rejected] == ["plate"]


def test_a_refused_value_is_quoted_isolated_in_its_own_order(offices):
    """A value with Latin text or digits inside a sentence of the other direction kept its order only by chance."""
    rows = [
        row(serial="T140400000001", quantity="۱۲ kg"),
        row(serial="T140400000002", waybill_no="WB2", hs_code="85AB"),
        row(serial="T140400000003", waybill_no="WB3", origin="X1"),
        row(serial="T140400000004", waybill_no="WB4", goods_line="0"),
    ]
    s = import_file(to_csv(rows), "export.csv")
    messages = {e.field: e.message for e in s.rejected}
    assert messages["quantity"] == "'\u2066۱۲ kg\u2069' is not a number"
    assert messages["hs_code"] == "'\u206685AB\u2069' is not an HS code (4–12 digits)"
    assert messages["origin"] == "unknown office code '\u2066X1\u2069'"
    assert messages["goods_line"] == "'\u20660\u2069' is not a line number"


@pytest.mark.persian
def test_the_persian_upload_page_quotes_a_refused_value_isolated(client, offices, origin_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.csv", to_csv([row(quantity="12 کیلو")]))
    body = client.post(reverse("declarations:import"), {"file": upload}).content.decode()
    assert "«\u206612 کیلو\u2069» عدد نیست" in body


def test_an_export_dated_hours_ahead_is_rejected_naming_the_column(offices):
    """As a move's time is (``services.check_time``): more than the clock skew ahead; it allowed a day."""
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    rows = [row(declared_at=later), row(serial="T140400000002", status="in_transit", status_at=later)]
    s = import_file(to_csv(rows), "ahead.csv")
    assert {(e.row, e.field) for e in s.rejected} == {(2, "declared_at"), (3, "status_at")}
    assert "is in the future: it is now" in s.rejected[0].message
    assert not TransitDeclaration.objects.exists()


def test_a_row_marked_unsettled_without_a_reason_is_rejected_naming_the_column(offices):
    at = {"status": "unsettled", "status_at": "1404/05/14 09:00"}
    s = import_file(to_csv([row(**at)]), "noreason.csv")
    assert [(e.row, e.field) for e in s.rejected] == [(2, "unsettled_reason")]
    assert not TransitDeclaration.objects.exists()
    import_file(to_csv([row(status="arrived", status_at="1404/05/13 10:00")]), "a.csv")
    s = import_file(to_csv([row(**at)]), "b.csv")
    assert [(e.row, e.field) for e in s.rejected] == [(2, "unsettled_reason")]
    assert TransitDeclaration.objects.get().status == Status.ARRIVED


def test_a_row_imported_closed_ends_at_its_own_status_time_in_the_monthly_return(offices):
    """ICS says closed: the row had no «closed at», so the return held it open month after month."""
    from core.dates import TEHRAN, jalali_month_bounds
    from reports import returns

    s = import_file(to_csv([row(status="closed", status_at="1404/05/13 10:00")]), "ics.csv")
    assert s.created == 1, s.rejected
    d = TransitDeclaration.objects.get()
    at = dt.datetime(2025, 8, 4, 10, 0, tzinfo=TEHRAN)  # 1404/05/13 10:00
    assert (d.status, d.closed_at, d.departed_at, d.status_changed_at) == (Status.CLOSED, at, at, at)
    figures = returns.balance(*jalali_month_bounds(1404, 5))
    assert (figures["new"], figures["closed_after_case"], figures["closing"]) == (1, 1, 0)


def test_rows_imported_settled_closed_cancelled_or_unsettled_without_a_status_time_end_when_imported(offices):
    """No «status_at» in the row: each time its status implies is the import's, not none (closed, departed,
    reason recorded) nor the declaration's own date (settled, cancelled: ended the day it was declared)."""
    from core.dates import jalali_month_bounds, jalali_month_of
    from reports import returns

    rows = [
        row(serial="T140400000001", status="settled"),
        row(serial="T140400000002", status="closed", waybill_no="WB2"),
        row(serial="T140400000003", status="cancelled", waybill_no="WB3"),
        row(serial="T140400000004", status="unsettled", waybill_no="WB4", unsettled_reason="document_discrepancy"),
    ]
    before = timezone.now()
    assert import_file(to_csv(rows), "ics.csv").created == 4
    after = timezone.now()
    got = {d.status: d for d in TransitDeclaration.objects.all()}
    ends = {
        Status.SETTLED: ("arrived_at", "settled_at"),  # it left when the row says (``departed_at``)
        Status.CLOSED: ("departed_at", "closed_at"),
        Status.CANCELLED: ("cancelled_at",),
        Status.UNSETTLED: ("arrived_at", "unsettled_at"),
    }
    for status, fields in ends.items():
        for name in (*fields, "status_changed_at"):
            value = getattr(got[status], name)
            assert value is not None and before <= value <= after, (status, name, value)
    assert got[Status.CANCELLED].departed_at is None
    assert got[Status.CLOSED].deadline is not None  # its transit clock ran from its departure
    # This month's return: open when it began, three ended in it, the unsettled one still open.
    figures = returns.balance(*jalali_month_bounds(*jalali_month_of(timezone.now())))
    assert (figures["opening"], figures["settled"], figures["closed_after_case"], figures["cancelled"]) == (4, 1, 1, 1)
    assert figures["closing"] == 1 and figures["unsettled_by_reason"]["document_discrepancy"] == 1
