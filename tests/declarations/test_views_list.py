"""The declaration list: filters, search, keyset pages, capped count, exports."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import dates
from declarations import selectors
from declarations.filters import DEFAULT_SORT
from declarations.models import Status, TransitDeclaration
from declarations.paging import PAGE_SIZE, keyset_page
from tests.export_jobs import exported
from tests.factories import CompanyFactory, DeclarationFactory, VehicleFactory
from tests.sheets import table, table_values, title_block

LIST = reverse("declarations:list")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _serials(response):
    html = response.content.decode()
    return {chunk.split('"', 1)[0] for chunk in html.split('data-serial="')[1:]}


def test_it_filters_to_overdue_in_the_inspectors_scope(client, inspector, bazargan, tehran, sarakhs):
    now = timezone.now()
    late = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=now - dt.timedelta(hours=1)
    )
    DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=now + dt.timedelta(1))
    DeclarationFactory(origin=sarakhs, destination=tehran, status=Status.IN_TRANSIT, deadline=now - dt.timedelta(1))
    client.force_login(inspector)
    response = client.get(LIST, {"signal": "overdue"})
    assert response.status_code == 200
    assert _serials(response) == {late.serial}
    assert 'data-count="1"' in response.content.decode()


def test_it_filters_by_office_role_status_company_nationality_and_jalali_dates(client, hq, bazargan, tehran):
    company = CompanyFactory(name="ترابر پارس", registration_no="R998877")
    foreign = VehicleFactory(plate="AB1234", country="TR")
    a = DeclarationFactory(origin=bazargan, destination=tehran, company=company, status=Status.ARRIVED)
    b = DeclarationFactory(origin=tehran, destination=bazargan, vehicle=foreign, vehicle_country="TR")
    old = DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=dt.datetime(2024, 3, 25, 12, tzinfo=dt.UTC)
    )  # 1403/01/06
    client.force_login(hq)
    assert _serials(client.get(LIST, {"origin": "BZG"})) == {a.serial, old.serial}
    assert _serials(client.get(LIST, {"destination": "BZG"})) == {b.serial}
    assert _serials(client.get(LIST, {"office": "BZG"})) == {a.serial, b.serial, old.serial}
    assert _serials(client.get(LIST, {"status": "arrived"})) == {a.serial}
    assert _serials(client.get(LIST, {"company": "R998877"})) == {a.serial}
    assert _serials(client.get(LIST, {"nationality": "foreign"})) == {b.serial}
    assert _serials(client.get(LIST, {"date_from": "۱۴۰۳/۰۱/۰۶", "date_to": "1403/01/06"})) == {old.serial}
    assert _serials(client.get(LIST, {"province": tehran.province.code, "origin": "THR"})) == {b.serial}


def test_it_searches_serial_waybill_seal_and_a_plate_written_any_way(client, hq, bazargan, tehran):
    truck = VehicleFactory(plate="12ع34567")
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck, waybill_no="WB-77", seal_numbers=["S9"])
    DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    for text in [d.serial, "WB-77", "S9", "۱۲ ع ۳۴۵ ایران ۶۷", "12ع34567"]:
        assert _serials(client.get(LIST, {"q": text})) == {d.serial}, text


def test_it_pages_by_cursor_forward_and_back(client, hq, bazargan, tehran):
    now = timezone.now()
    made = [
        DeclarationFactory(origin=bazargan, destination=tehran, declared_at=now - dt.timedelta(minutes=i))
        for i in range(PAGE_SIZE + 5)
    ]
    client.force_login(hq)
    first = client.get(LIST)
    html = first.content.decode()
    assert len(_serials(first)) == PAGE_SIZE
    after = html.split('rel="next" href="?after=', 1)[1].split('"', 1)[0]
    second = client.get(LIST, {"after": after})
    assert _serials(second) == {d.serial for d in made[PAGE_SIZE:]}
    before = second.content.decode().split('rel="prev" href="?before=', 1)[1].split('"', 1)[0]
    assert _serials(client.get(LIST, {"before": before})) == _serials(first)
    assert client.get(LIST, {"after": "not-a-cursor"}).status_code == 400


def test_a_list_on_one_page_counts_its_rows_exactly(client, hq, bazargan, tehran):
    for _ in range(5):
        DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    html = client.get(LIST).content.decode()
    assert 'data-count="5"' in html and "5 declarations" in html


def test_it_caps_the_count_when_the_filter_is_not_selective(client, hq, bazargan, tehran, settings):
    settings.LIST_COUNT_CAP = 3
    for _ in range(PAGE_SIZE + 2):
        DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    html = client.get(LIST).content.decode()
    if connection.vendor == "postgresql":  # the planner's estimate, said to be one
        assert "(estimated)" in html
    else:
        assert 'data-count="3"' in html and "More than 3" in html


@pytest.mark.postgres
def test_a_long_list_shows_the_planners_estimate_rounded(hq, bazargan, tehran, monkeypatch):
    for _ in range(40):
        DeclarationFactory(origin=bazargan, destination=tehran)
    with connection.cursor() as cur:
        cur.execute("ANALYZE declarations_transitdeclaration")
    every, none = TransitDeclaration.objects.all(), TransitDeclaration.objects.filter(serial="none")
    count = selectors.list_count(every, keyset_page(every, DEFAULT_SORT, size=5), cap=10)
    assert count.estimated and not count.capped and count.value >= 10
    assert selectors.list_count(none, keyset_page(none, DEFAULT_SORT, size=5), cap=10) == selectors.CappedCount(
        0, False
    )


def test_it_rejects_a_bad_filter_with_a_message(client, hq, declaration):
    client.force_login(hq)
    response = client.get(LIST, {"date_from": "1404/13/40"})
    assert response.status_code == 400
    assert "1404/13/40\u2069 is not a Jalali date: there is no such day." in response.content.decode()
    response = client.get(LIST, {"date_from": "1404/13"})
    assert response.status_code == 400
    assert dates.date_example() in response.content.decode()


@pytest.mark.parametrize("export", ["declarations:export-csv", "declarations:export-xlsx"])
def test_an_export_asked_with_a_bad_filter_shows_the_list_page_with_the_error_beside_it(
    client, hq, declaration, export
):
    client.force_login(hq)
    response = client.get(reverse(export), {"date_from": "1404/13/40", "status": "arrived"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # the app's page, not a bare line of text
    html = response.content.decode()
    assert "<html" in html and 'name="date_from"' in html and "there is no such day" in html
    assert declaration.serial not in html  # and no rows, filtered or not


def test_a_broken_page_link_shows_the_list_page_saying_so(client, hq, declaration):
    client.force_login(hq)
    response = client.get(LIST, {"after": "not-a-cursor"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and "The page link is broken: start again from the first page." in html


def test_htmx_gets_only_the_results(client, hq, declaration):
    client.force_login(hq)
    response = client.get(LIST, {"status": "registered"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and declaration.serial in html


def test_it_exports_the_filtered_list_as_csv_and_xlsx(client, hq, bazargan, tehran):
    a = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED)
    DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    text = exported(client, reverse("declarations:export-csv"), {"status": "arrived"}).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and rows[1][0] == a.serial and rows[1][2] == "BZG"
    # each office's name follows its code
    assert rows[0][2:6] == ["Origin office", "Origin office name", "Destination office", "Destination office name"]
    assert rows[1][3:6] == [bazargan.name_en, "THR", tehran.name_en]
    xlsx = exported(client, reverse("declarations:export-xlsx"), {"status": "arrived"})
    sheet_rows = table_values(xlsx)
    assert len(sheet_rows) == 2 and sheet_rows[1][0] == a.serial
    english = exported(client, reverse("declarations:export-xlsx"))
    assert not load_workbook(io.BytesIO(english)).worksheets[0].sheet_view.rightToLeft


@pytest.mark.persian
def test_a_persian_export_is_a_right_to_left_sheet(client, hq, bazargan, tehran):
    a = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED)
    client.force_login(hq)
    xlsx = exported(client, reverse("declarations:export-xlsx"), {"status": "arrived"})
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert sheet.sheet_view.rightToLeft
    header, row = table(sheet)[:2]
    assert header[0].value == "شماره سریال" and row[0].value == a.serial
    assert row[0].alignment.readingOrder == 1  # the serial itself reads left to right
    assert (header[2].value, row[2].value) == ("گمرک مبدأ", "گمرک بازرگان (BZG)")  # its name, then its code


def test_the_export_keeps_to_the_users_scope(client, outsider, declaration):
    client.force_login(outsider)
    text = exported(client, reverse("declarations:export-csv")).decode("utf-8-sig")
    assert declaration.serial not in text


def test_a_cached_list_page_follows_a_transition_at_once(
    client, hq, declaration, origin_clerk, django_capture_on_commit_callbacks
):
    from declarations import services

    client.force_login(hq)
    url = LIST + "?status=in_transit"
    assert declaration.serial not in client.get(url).content.decode()
    assert declaration.serial not in client.get(url).content.decode()  # served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.declaration_depart(declaration=declaration, by=origin_clerk)
    assert declaration.serial in client.get(url).content.decode()


def test_a_cached_list_page_shows_evidence_within_its_life_not_at_every_read(
    client, hq, bazargan, tehran, settings, django_capture_on_commit_callbacks
):
    # Cameras move evidence every second at a busy border: a list page is not re-rendered for each
    # read, but shows it once the page is LIST_CACHE_SECONDS old (a transition shows at once, above).
    from declarations import evidence

    settings.DASHBOARD_RECOUNT_SECONDS = 0
    now = timezone.now()
    arrived = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.ARRIVED,
        departed_at=now - dt.timedelta(days=1),
        arrived_at=now,
    )
    client.force_login(hq)
    url = LIST + "?signal=arrival_without_read"
    assert arrived.serial in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        evidence.note_plate_read(declaration_id=arrived.pk, office_id=tehran.pk, at=now, on_route=True)
    assert arrived.serial in client.get(url).content.decode()  # the page of a moment ago
    settings.LIST_CACHE_SECONDS = 0  # ...until its life is over
    assert arrived.serial not in client.get(url).content.decode()


def test_a_broken_page_link_on_a_truck_starts_again_from_its_first_page(client, hq, declaration):
    client.force_login(hq)
    url = reverse("declarations:vehicle", args=[declaration.vehicle_id])
    response = client.get(url, {"after": "not-a-cursor"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "The page link is broken: start again from the first page." in html and declaration.serial in html


def test_the_xlsx_opens_with_its_title_filters_and_maker_above_the_table_as_the_other_exports_do(
    client, hq, bazargan, tehran
):
    a = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED)
    DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    before = dates.format_jalali(timezone.now(), persian=False)
    ws = load_workbook(
        io.BytesIO(exported(client, reverse("declarations:export-xlsx"), {"status": "arrived", "q": a.serial}))
    ).worksheets[0]
    block = title_block(ws)
    assert block[0] == ["Declarations"] and ws.cell(1, 1).font.b
    assert ["Search", a.serial] in block and ["Status", "arrived"] in block
    search = block.index(["Search", a.serial]) + 1
    assert ws.cell(search, 2).alignment.horizontal == "left"  # the serial reads left to right, as in the table
    assert block[-2][0] == "made at" and block[-2][1] in {before, dates.format_jalali(timezone.now(), persian=False)}
    assert block[-1] == ["made by", hq.get_full_name() or hq.username]
    header, row = table(ws)
    assert header[0].value == "Serial" and row[0].value == a.serial

    unfiltered = load_workbook(io.BytesIO(exported(client, reverse("declarations:export-xlsx")))).worksheets[0]
    assert title_block(unfiltered)[1] == ["filters", "none"]


def test_on_a_phone_the_list_shows_the_serial_the_truck_and_the_status(client, inspector, bazargan, tehran):
    """An outside walk: on a 390 px screen the declarations list scrolled sideways. A phone shows the serial
    (the link to the declaration), the truck and the status; dates and offices from a tablet up."""
    import re

    d = DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(inspector)
    html = client.get(reverse("declarations:list")).content.decode()
    table = html.split("<table", 1)[1].split("</table>", 1)[0]

    def on_a_phone(row: str) -> list[str]:
        cells = re.findall(r"<t[hd]([^>]*)>(.*?)</t[hd]>", row, re.S)
        return [re.sub(r"<[^>]+>", "", body).strip() for attrs, body in cells if "d-none" not in attrs]

    assert on_a_phone(table.split("</thead>", 1)[0]) == ["Serial", "Truck", "Status"]
    row = on_a_phone(table.split(f'data-serial="{d.serial}"', 1)[1].split("</tr>", 1)[0])
    assert len(row) == 3 and d.serial in row[0]
    assert table.split("</thead>", 1)[0].count("</th>") == 7  # every column from a tablet up
