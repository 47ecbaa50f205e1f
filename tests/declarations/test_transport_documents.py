"""Art. 12 and note 1 of the anti-smuggling rules: a transport document whose origin, destination, route,
goods description or quantity differs from the load is a violation. The app records the document (by
hand, API, CSV), finds the differences itself when it is saved, and proposes «document discrepancy» as
the reason the declaration cannot settle, with them as its evidence; a person accepts the proposal.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import date_example, persian_digits
from core.errors import IllegalTransition, NotAllowed
from declarations import detection, transport_docs
from declarations.models import DeclarationEvent, Status, TransitDeclaration, TransportDocument, UnsettledReason
from tests.factories import GoodsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(declaration):
    """BZG → THR with 100 phones of 250 kg."""
    GoodsFactory(declaration=declaration, line_no=1, description="گوشی تلفن همراه", quantity=Decimal(100))
    return declaration


def _record(declaration, by, **changes):
    fields = {
        "number": "CMR-1",
        "issued_on": dt.date(2025, 8, 1),
        "origin": "BZG",
        "destination": "THR",
        "route": [],
        "goods_description": "گوشی تلفن همراه",
        "quantity": Decimal(100),
        "gross_weight_kg": Decimal(250),
    }
    fields.update(changes)
    return transport_docs.transport_document_record(declaration=declaration, by=by, **fields)


def test_a_document_that_agrees_has_no_differences_and_proposes_nothing(loaded, origin_clerk):
    document = _record(loaded, origin_clerk, origin="گمرک بازرگان", goods_description="گوشي تلفن همراه")
    assert document.differences == []  # the office's name counts; Arabic ي reads as Persian ی
    assert not [p for p in detection.propose_reasons(loaded) if p.reason == UnsettledReason.DOCUMENT_DISCREPANCY]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"origin": "SRK"}, "origin"),
        ({"destination": "MSH"}, "destination"),
        ({"route": ["BZG", "TBZ", "THR"]}, "route"),
        ({"goods_description": "لوازم یدکی خودرو"}, "goods_description"),
        ({"quantity": Decimal(120)}, "quantity"),
        ({"gross_weight_kg": Decimal(300)}, "gross_weight_kg"),
    ],
)
def test_each_difference_from_the_declaration_is_a_document_discrepancy(loaded, origin_clerk, changes, field):
    document = _record(loaded, origin_clerk, **changes)
    assert [d["field"] for d in document.differences] == [field]
    proposed = [p for p in detection.propose_reasons(loaded) if p.reason == UnsettledReason.DOCUMENT_DISCREPANCY]
    assert len(proposed) == 1 and "CMR-1" in proposed[0].evidence
    event = DeclarationEvent.objects.get(declaration=loaded, kind="transport_document_discrepancy")
    assert event.actor == origin_clerk


def test_the_weight_has_the_weighbridge_tolerance(loaded, origin_clerk):
    assert _record(loaded, origin_clerk, gross_weight_kg=Decimal(254)).differences == []


def test_a_newer_document_supersedes_the_old_one(loaded, origin_clerk):
    _record(loaded, origin_clerk, origin="SRK")
    _record(loaded, origin_clerk, number="CMR-1b")
    assert transport_docs.latest(loaded).number == "CMR-1b"
    assert TransportDocument.objects.count() == 2  # the first one is kept
    assert not [p for p in detection.propose_reasons(loaded) if p.reason == UnsettledReason.DOCUMENT_DISCREPANCY]


def test_only_the_offices_of_the_declaration_record_it_while_it_is_open(loaded, dest_clerk, outsider):
    with pytest.raises(NotAllowed):
        _record(loaded, outsider)
    TransitDeclaration.objects.filter(pk=loaded.pk).update(status=Status.SETTLED)
    with pytest.raises(IllegalTransition):
        _record(loaded, dest_clerk)


def test_the_page_shows_the_discrepancy_and_the_destination_accepts_the_proposed_reason(client, loaded, dest_clerk):
    _record(loaded, dest_clerk, destination="MSH")
    TransitDeclaration.objects.filter(pk=loaded.pk).update(
        status=Status.ARRIVED, departed_at=timezone.now() - dt.timedelta(days=1), arrived_at=timezone.now()
    )
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[loaded.pk])).content.decode()
    assert 'data-differs="yes"' in page and "Document discrepancy" in page
    assert 'data-proposed="document_discrepancy"' in page
    accept = page.split('id="accept-1"', 1)[1].split("</form>", 1)[0]
    assert 'value="document_discrepancy"' in accept
    note = accept.split('name="record_unsettled-note" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        reverse("declarations:action", args=[loaded.pk, "record_unsettled"]),
        {"record_unsettled-reason": "document_discrepancy", "record_unsettled-note": note},
    )
    assert response.status_code == 302
    loaded.refresh_from_db()
    assert loaded.status == Status.UNSETTLED and loaded.unsettled_reason == UnsettledReason.DOCUMENT_DISCREPANCY
    assert "CMR-1" in loaded.unsettled_note


def test_the_origin_records_it_by_hand_on_the_page(client, loaded, origin_clerk):
    client.force_login(origin_clerk)
    url = reverse("declarations:transport-document", args=[loaded.pk])
    refused = client.post(url, {"document-number": "", "document-issued_on": "1404/05/10"})
    assert refused.status_code == 400 and 'id="document-form"' in refused.content.decode()
    data = {
        "document-number": "CMR-9",
        "document-issued_on": "۱۴۰۴/۰۵/۱۰",
        "document-origin": "BZG",
        "document-destination": "THR",
        "document-route": "BZG; THR",
        "document-goods_description": "گوشی تلفن همراه",
        "document-quantity": "90",
    }
    assert client.post(url, data).status_code == 302
    document = TransportDocument.objects.get()
    assert document.issued_on == dt.date(2025, 8, 1) and [d["field"] for d in document.differences] == ["quantity"]


def test_the_api_records_a_document_and_answers_its_differences(client, loaded, origin_clerk, api_token_for):
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(origin_clerk)}"}
    body = {
        "number": "CMR-API",
        "issued_on": "1404/05/10",
        "origin": "BZG",
        "destination": "THR",
        "goods_description": "گوشی تلفن همراه",
        "quantity": "100",
        "route": ["BZG", "URM", "THR"],
    }
    url = reverse("api-declaration-transport-document", args=[loaded.pk])
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    assert [d["field"] for d in response.json()["differences"]] == ["route"]
    assert TransportDocument.objects.get().source == "api"


def test_a_csv_of_documents_is_recorded_row_by_row(client, loaded, origin_clerk, sarakhs):
    from tests.factories import DeclarationFactory

    elsewhere = DeclarationFactory(origin=sarakhs, destination=loaded.destination)
    csv = (
        "serial,number,issued_on,origin,destination,route,goods_description,quantity,gross_weight_kg\n"
        f"{loaded.serial},CMR-A,1404/05/10,BZG,THR,,گوشی تلفن همراه,100,250\n"
        f"{loaded.serial},CMR-B,1404/05/11,BZG,THR,,لاستیک,100,250\n"
        f"{elsewhere.serial},CMR-C,1404/05/11,SRK,THR,,x,1,1\n"
        f"{loaded.serial},,1404/05/11,BZG,THR,,x,1,1\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(origin_clerk)
    url = reverse("declarations:transport-documents-import")
    response = client.post(url, {"file": SimpleUploadedFile("docs.csv", csv.encode())})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-summary"' in html
    assert set(TransportDocument.objects.values_list("number", flat=True)) == {"CMR-A", "CMR-B"}
    assert TransportDocument.objects.get(number="CMR-B").differences[0]["field"] == "goods_description"
    summary = transport_docs.import_csv(
        csv.encode(), by=origin_clerk, visible=TransitDeclaration.objects.for_user(origin_clerk)
    )
    assert [r["row"] for r in summary.rejected] == [4, 5]  # outside the scope; no number


@pytest.mark.persian
def test_a_csv_row_is_told_every_bad_cell_each_under_its_column(client, loaded, origin_clerk):
    """A row was told its first mistake only (the date), and the next import its next (the number), one
    at a time; now each bad cell is a row of the result under its column, as the declaration importer does."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "serial,number,issued_on,origin,destination,route,goods_description,quantity,gross_weight_kg\n"
        f"{loaded.serial},,1404/13/40,BZG,,,گوشی تلفن همراه,-5,سنگین\n"
        "T-NOWHERE,CMR-9,1404/05/10,BZG,THR,,,100,250\n"
        f"{loaded.serial},CMR-OK,1404/05/10,BZG,THR,,گوشی تلفن همراه,100,250\n"
    )
    client.force_login(origin_clerk)
    url = reverse("declarations:transport-documents-import")
    response = client.post(url, {"file": SimpleUploadedFile("docs.csv", csv.encode())})
    assert response.status_code == 200
    table = response.content.decode().split('id="import-summary"', 1)[1]
    rows = re.findall(r'<tr><td>([^<]*)</td><td data-field="([^"]*)">[^<]*</td><td>([^<]*)</td></tr>', table)
    assert [(row, field) for row, field, _message in rows] == [
        ("۲", "number"),
        ("۲", "issued_on"),
        ("۲", "destination"),
        ("۲", "quantity"),
        ("۲", "gross_weight_kg"),
        ("۳", "serial"),
        ("۳", "goods_description"),
    ]
    messages = {(row, field): message for row, field, message in rows}
    assert persian_digits(date_example()) in messages[("۲", "issued_on")]
    assert messages[("۲", "quantity")] != messages[("۲", "gross_weight_kg")]  # negative; not a number
    assert list(TransportDocument.objects.values_list("number", flat=True)) == ["CMR-OK"]


@pytest.mark.persian
def test_the_import_page_says_what_each_column_holds_beside_its_code_and_names_bad_cells_in_words(
    client, loaded, origin_clerk
):
    """The page listed the columns only as the file's first line names them («serial,number,issued_on,…») and
    named a bad cell by its code; as the declarations' import page, it now says beside each code what the
    column holds and whether it is required, and names a bad cell's column in words."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(origin_clerk)
    url = reverse("declarations:transport-documents-import")
    page = client.get(url).content.decode()
    guide = page.split('id="import-columns"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-column="([a-z_]+)"', guide) == transport_docs.CSV_COLUMNS
    assert re.search(
        r'data-column="issued_on"><td><code dir="ltr">issued_on</code></td><td>بله</td><td>تاریخ صدور', guide
    )
    assert re.search(r'data-column="route"><td><code dir="ltr">route</code></td><td></td><td>کد گمرکات مسیر', guide)

    csv = (
        "serial,number,issued_on,origin,destination,route,goods_description,quantity,gross_weight_kg\n"
        f"{loaded.serial},CMR-1,1404/13/40,BZG,THR,,گوشی تلفن همراه,100,250\n"
    )
    result = client.post(url, {"file": SimpleUploadedFile("docs.csv", csv.encode())}).content.decode()
    assert '<td data-field="issued_on">تاریخ صدور</td>' in result


def test_a_csv_quantity_or_weight_of_nan_or_infinity_is_refused_under_its_column(loaded, origin_clerk):
    """Decimal reads «NaN» and «Infinity»: they were taken as a quantity and a weight, compared and stored."""
    csv = (
        "serial,number,issued_on,origin,destination,route,goods_description,quantity,gross_weight_kg\n"
        f"{loaded.serial},CMR-N,1404/05/10,BZG,THR,,گوشی تلفن همراه,NaN,Infinity\n"
    )
    summary = transport_docs.import_csv(
        csv.encode(), by=origin_clerk, visible=TransitDeclaration.objects.for_user(origin_clerk)
    )
    assert summary.recorded == 0 and [r["field"] for r in summary.rejected] == ["quantity", "gross_weight_kg"]
    assert not TransportDocument.objects.filter(number="CMR-N").exists()
