"""Uploading scans through the page (the script posts one file per request) and the API."""

import datetime as dt
import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from core.dates import format_jalali
from scans.models import Scan, ScanComparison
from tests.scans import images
from tests.scans.conftest import stored_files

pytestmark = pytest.mark.django_db

HOSTILE = images.hostile_files()


def post_scan(client, declaration, data: bytes, name: str, stage="origin", json=True, **extra):
    form = {
        "stage": stage,
        "scanner_id": "NUC-7",
        "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "files": SimpleUploadedFile(name, data),
        **extra,
    }
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(reverse("scans:upload", args=[declaration.pk]), form, **headers)


@pytest.mark.parametrize(("case", "name", "data", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_it_refuses_hostile_files_and_stores_nothing(
    client, settings, declaration, origin_clerk, case, name, data, code
):
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, data, name)
    assert 400 <= response.status_code < 500, case
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message"] and "files" in body["fields"]
    assert Scan.objects.count() == 0
    assert stored_files(settings) == []
    declaration.refresh_from_db()
    assert declaration.origin_scan_at is None


def test_it_refuses_a_file_over_the_size_cap_with_413(client, settings, declaration, origin_clerk):
    settings.SCANS_MAX_UPLOAD_BYTES = 20_000
    big = images.encode(np.random.default_rng(0).integers(0, 255, (200, 200), dtype=np.uint8), "PNG")
    assert len(big) > 20_000
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, big, "big.png")
    assert response.status_code == 413
    assert "too large" in response.json()["error"]["message"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []


def test_it_refuses_more_pixels_than_the_setting_allows(client, settings, declaration, origin_clerk):
    settings.SCANS_MAX_PIXELS = 10_000  # the 360x140 test scan has 50,400
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, images.png(), "scan.png")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_pixels"
    assert Scan.objects.count() == 0


def test_it_stores_nothing_when_one_of_several_files_is_bad(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    files = [SimpleUploadedFile("a.png", images.png(1)), SimpleUploadedFile("b.png", images.png(2) + b"PK\x03\x04")]
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "X1",
            "captured_at": format_jalali(timezone.now() - dt.timedelta(hours=1), persian=False),
            "files": files,
        },
    )
    assert response.status_code == 400
    assert "b.png" in response.content.decode()
    assert Scan.objects.count() == 0 and stored_files(settings) == []


def test_it_stores_several_files_from_the_plain_form(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    files = [SimpleUploadedFile("a.png", images.png(1)), SimpleUploadedFile("b.jpg", images.jpeg(2))]
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "X1",
            "captured_at": format_jalali(timezone.now() - dt.timedelta(hours=1)),
            "files": files,
        },
    )
    assert response.status_code == 302
    scans = list(Scan.objects.order_by("id"))
    assert [s.format for s in scans] == ["PNG", "JPEG"]
    assert all(s.office_id == declaration.origin_id and s.uploaded_by == origin_clerk for s in scans)
    declaration.refresh_from_db()
    assert declaration.origin_scan_at == scans[0].captured_at
    assert len(stored_files(settings)) == 2
    page = client.get(reverse("scans:declaration", args=[declaration.pk])).content.decode()
    assert scans[0].sha256 in page and "X1" in page


def test_it_names_the_field_when_the_capture_time_is_missing(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, images.png(), "scan.png", captured_at="")
    assert response.status_code == 400
    assert "captured_at" in response.json()["error"]["fields"]
    assert Scan.objects.count() == 0


def test_it_accepts_a_16_bit_tiff_and_keeps_its_pixels(
    client, settings, declaration, origin_clerk, django_capture_on_commit_callbacks
):
    data, arr = images.tiff16()
    client.force_login(origin_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_scan(client, declaration, data, "scanner-output.tiff")
    assert response.status_code == 201, response.content
    scan = Scan.objects.get()
    assert (scan.format, scan.bit_depth, scan.mode) == ("TIFF", 16, "I;16")
    assert (scan.width, scan.height) == (arr.shape[1], arr.shape[0])
    with scan.original.open("rb") as fh:
        stored = np.array(Image.open(io.BytesIO(fh.read())))
    assert stored.dtype == np.uint16 and np.array_equal(stored, arr)
    assert scan.preview_status == Scan.PreviewStatus.READY
    with scan.web_image.open("rb") as fh:
        web = Image.open(io.BytesIO(fh.read()))
        assert web.format == "JPEG" and web.size == (arr.shape[1], arr.shape[0])


def test_it_strips_metadata_but_not_pixels(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    png = images.png_with_text({"Author": "secret-operator", "Location": "gate-3"})
    jpg = images.jpeg_with_exif("secret-operator")
    for data, name in ((png, "a.png"), (jpg, "b.jpg")):
        assert post_scan(client, declaration, data, name).status_code == 201
    for scan, sent in zip(Scan.objects.order_by("id"), (png, jpg)):
        with scan.original.open("rb") as fh:
            stored = fh.read()
        assert b"secret-operator" not in stored and b"gate-3" not in stored
        assert b"secret-operator" in sent
        stored_img = Image.open(io.BytesIO(stored))
        assert not {"Author", "Location", "exif", "comment"} & set(stored_img.info)
        assert np.array_equal(np.array(stored_img), np.array(Image.open(io.BytesIO(sent))))
        import hashlib

        assert scan.sha256 == hashlib.sha256(stored).hexdigest()
        assert scan.received_sha256 == hashlib.sha256(sent).hexdigest() != scan.sha256


def test_it_keeps_originals_under_media_with_unguessable_names(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    post_scan(client, declaration, images.png(), "TRUCK-12345.png")
    scan = Scan.objects.get()
    path = scan.original.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
    assert "TRUCK" not in scan.original.name and declaration.serial not in scan.original.name
    assert len(scan.original.name.rsplit("/", 1)[-1].split(".")[0]) == 32


def test_only_the_stages_own_office_may_upload(client, declaration, dest_clerk, inspector, outsider, origin_clerk):
    client.force_login(dest_clerk)
    assert post_scan(client, declaration, images.png(), "a.png", stage="origin").status_code in (400, 403)
    client.force_login(inspector)
    assert post_scan(client, declaration, images.png(), "a.png").status_code == 403
    client.force_login(outsider)
    assert post_scan(client, declaration, images.png(), "a.png").status_code == 404
    # Destination scans wait for departure.
    client.force_login(dest_clerk)
    response = post_scan(client, declaration, images.png(), "a.png", stage="destination")
    assert response.status_code == 400 and "registered" in response.json()["error"]["message"]
    assert Scan.objects.count() == 0


def test_the_page_offers_upload_only_to_the_stage_offices(client, declaration, origin_clerk, inspector):
    url = reverse("scans:declaration", args=[declaration.pk])
    client.force_login(origin_clerk)
    assert 'id="scan-upload-form"' in client.get(url).content.decode()
    client.force_login(inspector)
    page = client.get(url)
    assert page.status_code == 200 and 'id="scan-upload-form"' not in page.content.decode()


# --- API -----------------------------------------------------------------------------------


def api_post(user, declaration, data: bytes, name="scan.png", stage="origin"):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(
        "/api/scans/",
        {
            "declaration": declaration.pk,
            "stage": stage,
            "scanner_id": "NUC-7",
            "captured_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "file": SimpleUploadedFile(name, data),
        },
        format="multipart",
    )


def test_the_api_stores_a_scan_and_returns_its_hash(declaration, origin_clerk):
    response = api_post(origin_clerk, declaration, images.jpeg())
    assert response.status_code == 201, response.content
    body = response.json()
    scan = Scan.objects.get()
    assert body["sha256"] == scan.sha256 and body["stage"] == "origin" and body["office"] == "BZG"


@pytest.mark.parametrize(("case", "name", "data", "code"), HOSTILE[::3], ids=[h[0] for h in HOSTILE[::3]])
def test_the_api_refuses_hostile_files(settings, declaration, origin_clerk, case, name, data, code):
    response = api_post(origin_clerk, declaration, data, name)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code
    assert Scan.objects.count() == 0 and stored_files(settings) == []


def test_the_api_hides_declarations_outside_the_scope(declaration, outsider):
    """A declaration named in the body, outside the scope or absent, is a 400 naming ``declaration``
    (it was a 404, which the schema gives this operation no place for and which named no field),
    the same answer both ways."""
    outside = api_post(outsider, declaration, images.png())
    declaration.pk = 987654321
    absent = api_post(outsider, declaration, images.png())
    for response in (outside, absent):
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == ["declaration"]
    assert outside.json() == absent.json()
    assert Scan.objects.count() == 0


def test_the_api_lists_only_scans_in_scope(declaration, origin_clerk, outsider, inspector):
    api_post(origin_clerk, declaration, images.png())
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get("/api/scans/").json()["results"] == []
    api.force_authenticate(inspector)
    assert len(api.get(f"/api/scans/?declaration={declaration.pk}").json()["results"]) == 1
    assert ScanComparison.objects.count() == 0


@pytest.mark.persian
@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "x"])
def test_a_declaration_filter_out_of_range_is_a_400_naming_it_in_persian(inspector, value):
    """``/api/scans/?declaration=99999999999999999999`` was a 500 (the id overflowed the column) and
    ``?declaration=-1`` an English-only "declaration: not an id"."""
    api = APIClient()
    api.force_authenticate(inspector)
    response = api.get("/api/scans/", {"declaration": value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["declaration"] and error["message"].startswith("اظهارنامه: ")
    assert any("\u0600" <= ch <= "\u06ff" for ch in error["message"]), error["message"]
    assert api.get("/api/scans/", {"declaration": "1"}).status_code == 200


# --- the same image twice ------------------------------------------------------------------


def test_the_same_scan_twice_is_refused_with_a_link_to_the_first(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    first = post_scan(client, declaration, images.png(), "scan.png")
    assert first.status_code == 201
    first_id = first.json()["scans"][0]["id"]
    files_before = stored_files(settings)

    again = post_scan(client, declaration, images.png(), "scan-again.png")
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate"
    first_scan = Scan.objects.get(pk=first_id)
    # The first upload as people know it: the declaration's serial, the side, who uploaded it and when.
    assert error["message"] == (
        f"\u2068scan-again.png\u2069 is the same image as the origin scan of \u2066{declaration.serial}\u2069 that "
        f"\u2068رضا احمدی\u2069 uploaded on {format_jalali(first_scan.uploaded_at, persian=False)}; "
        "it was not stored again."
    )
    assert error["duplicate_of"] == {"id": first_id, "url": reverse("scans:original", args=[first_id])}
    assert Scan.objects.count() == 1 and stored_files(settings) == files_before


def test_the_same_pixels_with_other_metadata_are_the_same_scan(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    assert post_scan(client, declaration, images.png_with_text({"Author": "a"}), "a.png").status_code == 201
    # Another export of the same image: different bytes as received, same image once metadata is removed.
    response = post_scan(client, declaration, images.png_with_text({"Author": "b"}), "b.png")
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate"
    assert Scan.objects.count() == 1


def test_the_plain_form_shows_the_duplicate_with_a_link(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    post_scan(client, declaration, images.png(), "scan.png")
    first = Scan.objects.get()
    response = post_scan(client, declaration, images.png(), "scan.png", json=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert f'href="{reverse("scans:original", args=[first.pk])}" data-duplicate-of="{first.pk}"' in html
    assert Scan.objects.count() == 1


def test_one_upload_with_the_same_file_twice_stores_nothing(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    files = [SimpleUploadedFile("a.png", images.png(1)), SimpleUploadedFile("copy.png", images.png(1))]
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "X1",
            "captured_at": format_jalali(timezone.now() - dt.timedelta(hours=1), persian=False),
            "files": files,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409 and "copy.png" in response.json()["error"]["message"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []


def test_the_api_refuses_the_same_scan_twice_naming_the_first(declaration, origin_clerk):
    first = api_post(origin_clerk, declaration, images.jpeg()).json()["id"]
    response = api_post(origin_clerk, declaration, images.jpeg())
    assert response.status_code == 409
    assert response.json()["error"]["duplicate_of"] == {"id": first, "url": f"/api/scans/{first}/"}
    assert Scan.objects.count() == 1


@pytest.mark.parametrize("scanner", ["\u202eSCN-7", "SCN\u20667", "SCN-7\u200b"], ids=["rlo", "lri", "zwsp"])
def test_a_scanner_id_with_hidden_characters_is_refused_beside_its_field(client, declaration, origin_clerk, scanner):
    """U+202E before "SCN-7" shows it as "7-NCS" on the scans page: an evidence record read backwards."""
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, images.png(), "scan.png", scanner_id=scanner)
    assert response.status_code == 400
    assert "scanner_id" in response.json()["error"]["fields"]
    page = post_scan(client, declaration, images.png(), "scan.png", json=False, scanner_id=scanner)
    assert page.status_code == 400 and "direction-changing" in page.content.decode()
    api = APIClient()
    api.force_authenticate(origin_clerk)
    via_api = api.post(
        reverse("scans-api-list"),
        {
            "declaration": declaration.pk,
            "stage": "origin",
            "scanner_id": scanner,
            "captured_at": "2020-01-01T10:00:00+03:30",
            "file": SimpleUploadedFile("scan.png", images.png()),
        },
        format="multipart",
    )
    assert via_api.status_code == 400 and "scanner_id" in via_api.json()["error"]["fields"]
    assert Scan.objects.count() == 0


def test_the_scanner_id_is_shown_isolated_from_the_text_around_it(client, departed, origin_clerk):
    from tests.scans.conftest import upload

    upload(departed, "origin", origin_clerk)
    client.force_login(origin_clerk)
    page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    assert '<bdi dir="ltr">NUC-7</bdi>' in page


def test_a_capture_time_outside_the_jalali_calendar_is_a_400_not_a_500(declaration, origin_clerk):
    """The refusal quoted ``0100-01-01`` in Jalali, which jdatetime cannot write: a 500 (fuzzing)."""
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(origin_clerk)
    body = {"declaration": declaration.pk, "stage": "origin", "scanner_id": "NUC-7", "captured_at": "0100-01-01T00:00Z"}
    response = api.post("/api/scans/", {**body, "file": SimpleUploadedFile("s.png", images.png())}, format="multipart")
    assert response.status_code == 400 and "captured_at" in response.json()["error"]["fields"]
    assert Scan.objects.count() == 0


def test_the_origins_image_given_as_the_destinations_scan_is_refused(
    client, settings, departed, origin_clerk, dest_clerk
):
    """The comparison would call the pair consistent though the truck was never scanned again."""
    from tests.scans.conftest import upload

    origin = upload(departed, "origin", origin_clerk, images.png(3))
    files_before = stored_files(settings)
    client.force_login(dest_clerk)
    response = post_scan(client, departed, images.png(3), "dest.png", stage="destination")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate"
    assert f"the origin scan of \u2066{departed.serial}\u2069 that" in error["message"]
    assert "its own scan" in error["message"] and f"no. {origin.pk}" not in error["message"]
    assert Scan.objects.filter(declaration=departed).count() == 1 and stored_files(settings) == files_before
    # The destination's own scan of the truck is stored.
    assert post_scan(client, departed, images.png(4), "dest.png", stage="destination").status_code == 201


@pytest.mark.persian
def test_a_refused_files_sizes_are_written_in_persian_digits(client, settings, declaration, origin_clerk):
    """«(2.5 مگابایت؛ سقف مجاز 2 مگابایت)» and «1234 بایت پس از پایان…» had Latin digits in the Persian sentence."""
    settings.SCANS_MAX_UPLOAD_BYTES = 2 * 2**20
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, images.png() + b"\0" * (2**20 // 2 + 2 * 2**20), "big.png")
    assert response.status_code == 413
    assert "(۲٫۵ مگابایت؛ سقف مجاز ۲ مگابایت)" in response.json()["error"]["message"]
    response = post_scan(client, declaration, images.png() + b"\0" * 1234, "scan.png")
    assert response.status_code == 400
    assert "۱٬۲۳۴ بایت پس از پایان تصویر PNG آمده است" in response.json()["error"]["message"]


def test_a_refused_files_sizes_are_written_the_english_way(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, images.png() + b"\0" * 1234, "scan.png")
    assert "1,234 bytes follow the end of the PNG image" in response.json()["error"]["message"]


@pytest.mark.persian
def test_the_same_scan_twice_names_the_first_as_people_know_it_in_persian(client, declaration, origin_clerk):
    """«… همان تصویر اسکن مبدأ شماره ۴۵۲ است»: a number nobody sees on a page. Now the declaration's serial, the
    side, the upload's Jalali time and who uploaded it."""
    client.force_login(origin_clerk)
    assert post_scan(client, declaration, images.png(), "scan.png").status_code == 201
    first = Scan.objects.get()
    response = post_scan(client, declaration, images.png(), "scan.png", json=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "اسکن مبدأ" in html and "رضا احمدی" in html and format_jalali(first.uploaded_at, persian=True) in html
    assert declaration.serial in html and "شماره" not in html.split("همان تصویر", 1)[1].split("</div>", 1)[0]
