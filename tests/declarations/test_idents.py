"""Identifiers shown in right-to-left text: one filter and one helper per kind (issue 11, item 20).

The order on screen is checked in a browser (tests/browser/test_identifiers_rtl.py); here the
markup and text the helpers give, and the PDFs read back with pdftotext (drawn order).
"""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from casework import services as casework
from casework.letters import render_letter_pdf
from core.text import LRI, PDI, RLI
from declarations import idents
from declarations.models import Status
from tests.factories import DeclarationFactory, VehicleFactory
from tests.pdftext import pdf_text

SERIAL = "1404-BZG-00010056"


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_each_kind_has_a_filter_that_isolates_it_left_to_right():
    assert render("{{ s|serial }}", s=SERIAL) == f'<bdi dir="ltr" class="ident ident-serial">{SERIAL}</bdi>'
    assert render("{{ w|waybill }}", w="WB-77/12") == '<bdi dir="ltr" class="ident ident-waybill">WB-77/12</bdi>'
    assert render("{{ m|mrn }}", m="24IR000000000001A1") == (
        '<bdi dir="ltr" class="ident ident-mrn">24IR000000000001A1</bdi>'
    )
    assert render("{{ c|container }}", c=["CSQU3054383", "MSKU1234565"]) == (
        '<bdi dir="ltr" class="ident ident-container">CSQU3054383</bdi>, '
        '<bdi dir="ltr" class="ident ident-container">MSKU1234565</bdi>'
    )
    assert render("{{ s|serial }}", s="<b>") == '<bdi dir="ltr" class="ident ident-serial">&lt;b&gt;</bdi>'
    assert render('{{ s|waybill|default:"—" }}', s="") == "—"


@pytest.mark.persian
def test_a_list_of_identifiers_is_joined_by_the_persian_comma_on_persian_pages():
    """English pages showed «CSQU3054383، MSKU1234565» and goods serials «A، B»: the comma is the page's."""
    assert render("{{ c|container }}", c=["CSQU3054383", "MSKU1234565"]) == (
        '<bdi dir="ltr" class="ident ident-container">CSQU3054383</bdi>، '
        '<bdi dir="ltr" class="ident ident-container">MSKU1234565</bdi>'
    )
    assert "</bdi>، <bdi" in render("{{ g|goods_serial }}", g=["351235950187127", "350091300717571"])


def test_a_list_of_goods_serials_is_joined_by_a_latin_comma_on_english_pages():
    assert "</bdi>, <bdi" in render("{{ g|goods_serial }}", g=["351235950187127", "350091300717571"])
    assert idents.container_text(["CSQU3054383", "MSKU1234565"]).count(", ") == 1


@pytest.mark.django_db
def test_an_iranian_plate_is_persian_and_a_foreign_plate_keeps_latin_digits():
    iranian = VehicleFactory(plate="36ت56358", country="IR")
    foreign = VehicleFactory(plate="CV29637", country="KZ")
    assert render("{{ v|plate }}", v=iranian) == '<bdi dir="rtl" class="ident ident-plate">۳۶ ت ۵۶۳ - ایران ۵۸</bdi>'
    assert render("{{ v|plate }}", v=foreign) == '<bdi dir="ltr" class="ident ident-plate">CV29637 (KZ)</bdi>'
    # A bare plate string: Iranian when it has a Persian letter, or when its nationality says so.
    assert render("{{ p|plate }}", p="36ت56358") == render("{{ v|plate }}", v=iranian)
    assert render("{{ p|plate:'KZ' }}", p="CV29637") == render("{{ v|plate }}", v=foreign)
    assert idents.plate_text(iranian) == f"{RLI}۳۶ ت ۵۶۳ - ایران ۵۸{PDI}"
    assert idents.plate_text(foreign) == f"{LRI}CV29637 (KZ){PDI}"


def test_an_iranian_plate_keeps_its_persian_digits_on_english_pages_in_html_and_in_text():
    """The plate as it is painted, its letter and digits together, whatever the page's language: an English gate
    read («Read ⁧۲۸ ک ۷۵۳ - ایران ۹۶⁩ → declared …») writes it as the plate filter does, not half in Latin."""
    from django.utils import translation

    with translation.override("en"):
        assert (
            render("{{ p|plate }}", p="28ک75396")
            == '<bdi dir="rtl" class="ident ident-plate">۲۸ ک ۷۵۳ - ایران ۹۶</bdi>'
        )
        assert idents.plate_text("28ک75396") == f"{RLI}۲۸ ک ۷۵۳ - ایران ۹۶{PDI}"
        assert idents.plate_text("34ABC123", "TR") == f"{LRI}34ABC123 (TR){PDI}"


def test_the_plain_text_helpers_put_identifiers_between_isolates():
    assert idents.serial_text(SERIAL) == f"{LRI}{SERIAL}{PDI}"
    assert idents.waybill_text("") == ""
    assert render("{{ s|isolate }}", s=SERIAL) == f"{LRI}{SERIAL}{PDI}"


@pytest.fixture
def sent_letter(bazargan, tehran, origin_clerk):
    now = timezone.now()
    d = DeclarationFactory(
        serial=SERIAL,
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate="36ت56358"),
        waybill_no="WB-77/12",
        status=Status.IN_TRANSIT,
        departed_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=10),
    )
    letter = casework.letter_draft(declaration=d, by=origin_clerk)
    return casework.letter_send(letter=letter, by=origin_clerk)


def test_a_letter_names_its_identifiers_isolated(sent_letter):
    assert f"{LRI}{SERIAL}{PDI}" in sent_letter.subject
    assert f"{LRI}{SERIAL}{PDI}" in sent_letter.body
    assert f"{LRI}WB-77/12{PDI}" in sent_letter.body
    assert f"{RLI}۳۶ ت ۵۶۳ - ایران ۵۸{PDI}" in sent_letter.body


def test_the_letter_pdf_draws_the_serial_in_order_and_the_plate_in_persian_digits(sent_letter):
    text = pdf_text(render_letter_pdf(sent_letter))
    assert text.count(SERIAL) == 2, text  # subject and body
    assert "BZG-00010056-1404" not in text
    assert "۵۶۳" in text and "563" not in text


def test_the_xlsx_export_keeps_identifiers_plain_and_reads_them_left_to_right(client, hq, bazargan, tehran):
    """Decision: an XLSX cell is read by machines too, so it holds the identifier alone (no
    isolate marks); the cell's reading order is left to right, so a right-to-left sheet shows
    it in order (an Iranian plate, in its Persian form, right to left)."""
    import io

    from openpyxl import load_workbook

    from tests.export_jobs import exported
    from tests.sheets import table

    DeclarationFactory(serial=SERIAL, origin=bazargan, destination=tehran, waybill_no="WB-77/12")
    client.force_login(hq)
    sheet = load_workbook(io.BytesIO(exported(client, "/declarations/export.xlsx"))).worksheets[0]
    header, row = table(sheet)[:2]  # below the title block
    names = [c.value for c in header]
    serial, plate, waybill = (row[names.index(n)] for n in ("Serial", "Plate", "Waybill number"))
    assert (serial.value, waybill.value) == (SERIAL, "WB-77/12")
    for cell in (serial, waybill):
        assert cell.alignment.readingOrder == 1 and cell.alignment.horizontal == "left", cell.coordinate
    # An Iranian plate as the pages show it, in its Persian form, read right to left as it is spoken.
    assert plate.alignment.readingOrder == 2 and " - ایران " in plate.value
    assert sheet["C2"].alignment.readingOrder == 0  # an office code: the sheet's own order
