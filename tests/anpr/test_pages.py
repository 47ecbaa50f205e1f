"""Photos never leave the scope; plate search, reports and exports; what anpr adds to declarations' pages."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from anpr import ingest, panels, services, sightings
from anpr.models import PlateRead
from declarations.models import TransitDeclaration
from declarations.services import declaration_confirm_arrival
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _read(camera, plate, *, hours_ago=1.0, photo=JPEG, match=True):
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate, photo=photo)])
    if match:
        sightings.reads_match(read_ids=[r.id])
    return PlateRead.objects.get(pk=r.id)


def test_it_serves_a_photo_to_the_office_and_its_inspector(client, origin_clerk, inspector, bzg_camera, truck):
    read = _read(bzg_camera, truck.plate)
    for user in (origin_clerk, inspector):
        client.force_login(user)
        resp = client.get(f"/anpr/reads/{read.pk}/photo/")
        assert resp.status_code == 200 and b"".join(resp.streaming_content) == JPEG
        assert resp["Content-Type"] == "image/jpeg" and resp["Cache-Control"] == "no-store"


def test_it_hides_a_photo_from_another_province(client, outsider, bzg_camera, truck):
    read = _read(bzg_camera, truck.plate)
    client.force_login(outsider)
    assert client.get(f"/anpr/reads/{read.pk}/photo/").status_code == 404
    assert client.get(f"/api/anpr/reads/{read.pk}/photo/").status_code == 404
    assert client.get(f"/api/anpr/reads/{read.pk}/").status_code == 404


def test_it_shows_the_origin_read_to_the_destination_of_a_matched_declaration(client, dest_clerk, bzg_camera, truck):
    matched = _read(bzg_camera, truck.plate, hours_ago=5)
    unmatched = _read(bzg_camera, "77ی77777", hours_ago=4)
    client.force_login(dest_clerk)
    assert client.get(f"/anpr/reads/{matched.pk}/photo/").status_code == 200
    assert client.get(f"/anpr/reads/{unmatched.pk}/photo/").status_code == 404


def test_a_read_whose_match_a_person_rejected_is_no_longer_the_destinations(
    client, origin_clerk, dest_clerk, inspector, bzg_camera, truck
):
    """Bazargan's camera reads the truck bound for Tehran: Tehran sees the read through the declaration. Once a
    person at Bazargan reads the photo as another truck (the match rejected), Tehran no longer sees it; Bazargan
    and its province's inspector, whose camera took it, still do."""
    from anpr import review
    from anpr.models import MatchReview

    read = _read(bzg_camera, truck.plate)
    client.force_login(dest_clerk)
    assert client.get(f"/anpr/reads/{read.pk}/photo/").status_code == 200
    assert client.get(f"/api/anpr/reads/{read.pk}/").status_code == 200
    review.read_label(read=read, by=origin_clerk, plate="77ق88899")
    assert read.matches.get().review == MatchReview.REJECTED
    assert client.get(f"/anpr/reads/{read.pk}/photo/").status_code == 404
    assert client.get(f"/api/anpr/reads/{read.pk}/").status_code == 404
    assert client.get(f"/api/anpr/reads/{read.pk}/photo/").status_code == 404
    assert client.get("/anpr/plates/", {"q": "77ق88899"}).content.decode().count(f"/anpr/reads/{read.pk}/") == 0
    for user in (origin_clerk, inspector):
        client.force_login(user)
        assert client.get(f"/anpr/reads/{read.pk}/photo/").status_code == 200
        assert client.get(f"/api/anpr/reads/{read.pk}/").status_code == 200
        assert f"/anpr/reads/{read.pk}/" in client.get("/anpr/plates/", {"q": "77ق88899"}).content.decode()


def test_a_gate_read_a_person_rejected_offers_its_photo_only_to_those_who_still_see_the_read(
    client, origin_clerk, dest_clerk, tehran, truck, declaration
):
    """Tehran's camera reads the truck at its destination; a person at Tehran reads the photo as another truck.
    The declaration's page still lists the gate read as rejected, to Bazargan (its origin) too, but offers
    Bazargan no photo it may no longer open; Tehran, whose camera took it, keeps the photo."""
    from anpr import review

    camera, _ = services.camera_register(office=tehran, code="THR-9", direction="in", lane="1")
    read = _read(camera, truck.plate)
    photo = f"/anpr/reads/{read.pk}/photo/"
    client.force_login(origin_clerk)
    assert photo in client.get(f"/declarations/{declaration.pk}/").content.decode()
    review.read_label(read=read, by=dest_clerk, plate="77ق88899")
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert 'data-review="rejected"' in page
    assert photo not in page and client.get(photo).status_code == 404
    client.force_login(dest_clerk)
    assert photo in client.get(f"/declarations/{declaration.pk}/").content.decode()


def test_it_does_not_serve_photos_by_media_url(client, hq, bzg_camera, truck):
    read = _read(bzg_camera, truck.plate)
    client.force_login(hq)
    assert client.get(f"/media/{read.photo.name}").status_code == 404


def test_it_requires_a_login_for_photos(client, bzg_camera, truck):
    read = _read(bzg_camera, truck.plate)
    resp = client.get(f"/anpr/reads/{read.pk}/photo/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_it_finds_a_plate_typed_in_persian_digits_with_its_history(
    client, inspector, bzg_camera, thr_camera, truck, declaration
):
    _read(bzg_camera, truck.plate, hours_ago=10)
    _read(thr_camera, truck.plate, hours_ago=2)
    client.force_login(inspector)
    typed = truck.plate.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    resp = client.get("/anpr/plates/", {"q": f"{typed[:2]} {typed[2]} {typed[3:6]} ایران {typed[6:]}"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert f'data-plate="{truck.plate}"' in html
    assert html.count("data-read=") == 2
    assert f'href="/declarations/{declaration.pk}/"' in html


def test_it_names_the_bad_field_of_a_plate_search(client, inspector):
    client.force_login(inspector)
    resp = client.get("/anpr/plates/", {"q": "not a plate", "from": "1404/13/40"})
    assert resp.status_code == 400
    assert "is-invalid" in resp.content.decode()


def test_a_plate_search_for_no_plate_quotes_it_isolated_beside_the_box(client, inspector):
    client.force_login(inspector)
    resp = client.get("/anpr/plates/", {"q": "AB ۱۲ ?"})
    assert resp.status_code == 400
    assert "&#x27;\u2066AB ۱۲ ?\u2069&#x27; is not a plate." in resp.content.decode()


def test_it_exports_the_plate_history_as_csv_and_xlsx(client, hq, thr_camera, truck):
    _read(thr_camera, truck.plate)
    client.force_login(hq)
    resp = download(client, "/anpr/plates/", {"q": truck.plate, "format": "csv"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert resp["Content-Type"].startswith("text/csv") and len(rows) == 2 and rows[1][1] == "THR"
    resp = download(client, "/anpr/plates/", {"q": truck.plate, "format": "xlsx"})
    rows = table(sheet(resp))
    assert len(rows) == 2 and rows[1][2].value == "THR-1"


def test_it_reports_reads_per_office_per_day_within_the_scope(client, inspector, bzg_camera, thr_camera, truck):
    _read(bzg_camera, truck.plate, hours_ago=1)
    _read(bzg_camera, "77ی77777", hours_ago=1.5, match=False)
    _read(thr_camera, truck.plate, hours_ago=1)
    client.force_login(inspector)
    resp = download(client, "/anpr/reports/anpr-reads-per-office-day/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))[1:]
    assert {r[1] for r in rows} == {"BZG"}  # Tehran's reads are not the inspector's
    assert sum(int(r[3]) for r in rows) == 2 and sum(int(r[4]) for r in rows) == 1


def test_it_reports_the_share_of_arrivals_with_plate_evidence(client, dest_clerk, thr_camera, truck, declaration):
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(dest_clerk)
    page = client.get("/anpr/reports/anpr-arrival-evidence/")
    assert page.status_code == 200 and 'data-report="anpr-arrival-evidence"' in page.content.decode()
    before = table(sheet(download(client, page.request["PATH_INFO"], {"format": "xlsx"})))
    assert [c.value for c in before[1]][2:] == [1, 0, 0]  # the office in one cell, then whether it has a camera
    _read(thr_camera, truck.plate, hours_ago=1.5)
    after = table(sheet(download(client, page.request["PATH_INFO"], {"format": "xlsx"})))
    assert [c.value for c in after[1]][2:] == [1, 1, 100]


def test_it_refuses_a_backwards_report_period(client, hq):
    client.force_login(hq)
    resp = client.get("/anpr/reports/anpr-reads-per-office-day/", {"from": "1404/05/10", "to": "1404/05/01"})
    assert resp.status_code == 400


def test_it_adds_reads_to_the_declaration_timeline(
    dest_clerk, bzg_camera, truck, declaration, django_assert_num_queries
):
    from anpr.models import Camera
    from tests.factories import OfficeFactory

    # One indexed query even with no sighting: a read whose match was rejected leaves none, and is still listed.
    with django_assert_num_queries(1):
        assert panels.timeline_items(declaration, dest_clerk) == []
    _read(bzg_camera, truck.plate, hours_ago=10)
    qzv, _ = services.camera_register(office=OfficeFactory(code="QZV"), code="QZV-1", direction="in")
    _read(qzv, truck.plate, hours_ago=5, photo=None)
    declaration.refresh_from_db()
    items = panels.timeline_items(declaration, dest_clerk)
    assert [i.kind for i in items] == ["plate_read", "plate_read"]
    assert items[0].url.endswith("/photo/") and items[1].url == ""
    assert items[1].severity == "danger"  # off the route
    assert Camera.objects.count() == 2


def test_it_shows_the_vehicle_panel_in_scope_only(rf, inspector, outsider, bzg_camera, truck):
    from django.template.loader import render_to_string

    _read(bzg_camera, truck.plate)
    request = rf.get("/")
    request.user = inspector
    panel = panels.vehicle_reads_panel(request, truck)
    assert len(panel.context["plate_reads"]) == 1
    html = render_to_string(panel.template, panel.context, request=request)
    assert "/photo/" in html
    request.user = outsider
    assert panels.vehicle_reads_panel(request, truck).context["plate_reads"] == []


def test_it_lists_cameras_and_pages_in_scope(client, inspector, outsider, bzg_camera, thr_camera, srk_camera):
    client.force_login(inspector)
    html = client.get("/anpr/cameras/").content.decode()
    assert 'data-camera="BZG-1"' in html and "THR-1" not in html and "SRK-1" not in html
    assert client.get(f"/anpr/cameras/{thr_camera.pk}/").status_code == 404
    assert client.get(f"/anpr/cameras/{bzg_camera.pk}/").status_code == 200
    assert client.get("/anpr/").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/anpr/cameras/{bzg_camera.pk}/").status_code == 404


def test_it_searches_reads_through_the_api_in_scope(client, inspector, outsider, bzg_camera, truck):
    _read(bzg_camera, truck.plate)
    client.force_login(inspector)
    body = client.get("/api/anpr/reads/search/", {"plate": truck.plate}).json()["results"]
    assert len(body) == 1 and body[0]["matches"][0]["exact"] is True
    client.force_login(outsider)
    assert client.get("/api/anpr/reads/search/", {"plate": truck.plate}).json()["results"] == []
    assert client.get("/api/anpr/reads/search/", {"plate": "nonsense"}).status_code == 400


def test_it_keeps_the_timeline_scoped_through_the_declaration(dest_clerk, bzg_camera, truck, declaration):
    TransitDeclaration.objects.filter(pk=declaration.pk)  # the clerk at Tehran sees Bazargan's read of the truck
    read = _read(bzg_camera, truck.plate)
    assert PlateRead.objects.for_user(dest_clerk).filter(pk=read.pk).exists()


@pytest.mark.persian
def test_a_report_period_that_is_no_date_is_refused_in_the_pages_language(client, inspector):
    client.force_login(inspector)
    resp = client.get("/anpr/reports/anpr-reads-per-office-day/", {"from": "1405/13/40", "to": "1405/09/01"})
    html = resp.content.decode()
    assert resp.status_code == 400
    assert "«\u20661405/13/40\u2069» تاریخ شمسی نیست" in html and "is not a Jalali date" not in html


def test_english_pages_name_offices_in_english_in_reads_and_arrival_evidence(
    client, inspector, dest_clerk, bzg_camera, thr_camera, truck, declaration
):
    """On English pages /anpr/ and its two office reports named every office «گمرک بازرگان»."""
    _read(bzg_camera, truck.plate, hours_ago=0.01)
    client.force_login(inspector)
    page = client.get("/anpr/").content.decode()
    assert "<td>Bazargan</td>" in page and "گمرک بازرگان" not in page
    report = client.get("/anpr/reports/anpr-reads-per-office-day/").content.decode()
    assert "Bazargan" in report and "گمرک بازرگان" not in report
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(dest_clerk)
    evidence = client.get("/anpr/reports/anpr-arrival-evidence/").content.decode()
    assert "Tehran" in evidence and "گمرک تهران" not in evidence


@pytest.mark.persian
def test_persian_pages_keep_the_offices_persian_names(client, inspector, bzg_camera, truck):
    _read(bzg_camera, truck.plate, hours_ago=0.01)
    client.force_login(inspector)
    assert "<td>گمرک بازرگان</td>" in client.get("/anpr/").content.decode()
