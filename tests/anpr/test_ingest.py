"""Posting reads: idempotency, partial bulk, one token per camera, rate limit, clear errors."""

import base64
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from anpr.models import Camera, MatchState, PlateRead, Recognition
from tests import files
from tests.anpr.conftest import camera_client

SINGLE = "/api/anpr/reads/"
BULK = "/api/anpr/reads/bulk/"
JPEG = files.jpeg((640, 480))  # a real photo: the API reads its header


pytestmark = pytest.mark.django_db


def test_it_stores_a_read_with_its_canonical_plate(bzg_camera, recent):
    resp = camera_client(bzg_camera).post(
        SINGLE,
        {"captured_at": recent.isoformat(), "plate": "۱۲ ب ۳۴۵ ایران ۶۷", "confidence": 93},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    read = PlateRead.objects.get(pk=resp.json()["id"])
    assert read.plate == "12ب34567"
    assert read.plate_raw == "۱۲ ب ۳۴۵ ایران ۶۷"
    assert read.office_id == bzg_camera.office_id
    assert read.engine == "camera" and read.recognition == Recognition.CAMERA
    assert read.confidence == pytest.approx(0.93)
    assert read.captured_at == recent
    bzg_camera.refresh_from_db()
    assert bzg_camera.last_read_at == recent


def test_it_stores_a_resent_event_once_by_client_event_id(bzg_camera, recent):
    client = camera_client(bzg_camera)
    body = {"captured_at": recent.isoformat(), "plate": "12ب34567", "client_event_id": "evt-1"}
    first = client.post(SINGLE, body, format="json")
    again = client.post(SINGLE, body, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "duplicate": True}
    assert PlateRead.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"plate": "13ج45678"}, {"client_event_id", "plate"}),
        ({"seconds": 2}, {"client_event_id", "captured_at"}),  # a corrected clock is another time too
        ({"plate": "13ج45678", "seconds": 2}, {"client_event_id", "plate", "captured_at"}),
    ],
)
def test_a_resent_event_id_with_other_content_is_a_conflict_naming_the_stored_read(bzg_camera, recent, change, fields):
    """It answered 200 duplicate and the new plate or time was lost silently."""
    client = camera_client(bzg_camera)
    body = {"captured_at": recent.isoformat(), "plate": "12ب34567", "client_event_id": "evt-1"}
    first = client.post(SINGLE, body, format="json").json()["id"]
    other = {
        **body,
        "plate": change.get("plate", body["plate"]),
        "captured_at": (recent + dt.timedelta(seconds=change.get("seconds", 0))).isoformat(),
    }
    refused = client.post(SINGLE, other, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "conflict" and set(error["fields"]) == fields
    assert f"read {first} " in error["message"]
    read = PlateRead.objects.get()
    assert (read.pk, read.plate_raw, read.captured_at) == (first, "12ب34567", recent)

    resp = client.post(BULK, {"reads": [body, {**other, "client_event_id": "evt-1"}]}, format="json")
    out = resp.json()
    assert (resp.status_code, out["stored"], out["duplicates"], out["rejected"]) == (200, 0, 1, 1)
    assert out["results"] == [{"index": 0, "id": first, "duplicate": True}]
    assert out["errors"][0]["index"] == 1 and out["errors"][0]["code"] == "conflict"
    assert set(out["errors"][0]["fields"]) == fields
    assert PlateRead.objects.count() == 1


def test_it_stores_a_resent_event_once_by_time_and_plate(bzg_camera, recent):
    client = camera_client(bzg_camera)
    body = {"captured_at": recent.isoformat(), "plate": "12ب34567"}
    ids = {client.post(SINGLE, body, format="json").json()["id"] for _ in range(3)}
    assert len(ids) == 1 and PlateRead.objects.count() == 1


def test_it_keeps_the_same_sighting_from_two_cameras_apart(bzg_camera, thr_camera, recent):
    body = {"captured_at": recent.isoformat(), "plate": "12ب34567"}
    camera_client(bzg_camera).post(SINGLE, body, format="json")
    camera_client(thr_camera).post(SINGLE, body, format="json")
    assert PlateRead.objects.count() == 2


def test_it_stores_the_good_items_of_a_bulk_and_reports_the_bad_by_index(bzg_camera, recent):
    items = [
        {"captured_at": recent.isoformat(), "plate": "12ب34567", "client_event_id": "a"},
        {"captured_at": "yesterday", "plate": "12ب34567"},
        {"captured_at": (recent + dt.timedelta(seconds=1)).isoformat(), "plate": "13ج45678"},
        {"captured_at": recent.isoformat()},
        {"captured_at": recent.isoformat(), "plate": "12ب34567", "client_event_id": "a"},
        {"captured_at": recent.isoformat(), "plate": "99د99999", "camera": "THR-1"},
        {"captured_at": recent.isoformat(), "photo_base64": "not base64!"},
        "not an object",
    ]
    resp = camera_client(bzg_camera).post(BULK, {"reads": items}, format="json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["stored"], body["duplicates"], body["rejected"]) == (2, 1, 5)
    bad = {e["index"]: e for e in body["errors"]}
    assert set(bad) == {1, 3, 5, 6, 7}
    assert "captured_at" in bad[1]["fields"]
    assert "plate" in bad[3]["fields"]
    assert bad[5]["code"] == "forbidden" and "camera" in bad[5]["fields"]
    assert "photo_base64" in bad[6]["fields"]
    results = {r["index"]: r for r in body["results"]}
    assert results[4] == {"index": 4, "id": results[0]["id"], "duplicate": True}
    assert set(PlateRead.objects.values_list("plate", flat=True)) == {"12ب34567", "13ج45678"}


def test_it_rejects_a_bulk_over_the_limit_whole(bzg_camera, recent, settings):
    settings.ANPR_BULK_MAX = 3
    items = [{"captured_at": recent.isoformat(), "plate": f"12ب345{i:02d}"} for i in range(4)]
    resp = camera_client(bzg_camera).post(BULK, {"reads": items}, format="json")
    assert resp.status_code == 400
    assert "reads" in resp.json()["error"]["fields"]
    assert PlateRead.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plate": "12ب34567"}, "captured_at"),
        ({"captured_at": "2999-01-01T00:00:00Z", "plate": "12ب34567"}, "captured_at"),
        ({"captured_at": "2020-01-01T00:00:00Z", "plate": "12ب34567"}, "captured_at"),
        ({"captured_at": "NOW", "plate": "12ب34567"}, "captured_at"),
        ({"captured_at": "2026-01-01T00:00:00Z", "plate": "x" * 40}, "plate"),
        ({"captured_at": "2026-01-01T00:00:00Z", "plate": "12ب34567", "confidence": 140}, "confidence"),
        ({"captured_at": "2026-01-01T00:00:00Z", "plate": "12ب34567", "country": "Turkey"}, "country"),
    ],
)
def test_it_names_the_bad_field(bzg_camera, body, field):
    resp = camera_client(bzg_camera).post(SINGLE, body, format="json")
    assert resp.status_code == 400
    assert field in resp.json()["error"]["fields"], resp.json()
    assert PlateRead.objects.count() == 0


COUNTRY_REFUSED = {
    "en": "must be a country's two-letter code (ISO 3166-1), such as IR or TR",
    "fa": "باید کد دوحرفی کشور (ISO 3166-1) باشد، مانند IR یا TR",
}


def _country_refused(camera, recent, country: str, language: str) -> None:
    """A read whose country is two letters but no country's code is refused, saying so beside ``country``, in
    the request's language, alone and in a batch; nothing is stored."""
    item = {"captured_at": recent.isoformat(), "plate": "34ABC123", "country": country}
    client = camera_client(camera)
    resp = client.post(SINGLE, item, format="json")
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["fields"] == {"country": [COUNTRY_REFUSED[language]]}
    assert error["message"] == f"{'کشور' if language == 'fa' else 'country'}: {COUNTRY_REFUSED[language]}"
    (bad,) = client.post(BULK, {"reads": [item]}, format="json").json()["errors"]
    assert bad["fields"] == {"country": [COUNTRY_REFUSED[language]]}
    assert PlateRead.objects.count() == 0


@pytest.mark.parametrize("country", ["ZZ", "XX", "UK"])
def test_a_country_that_is_no_iso_3166_code_is_refused(bzg_camera, recent, country):
    _country_refused(bzg_camera, recent, country, "en")


@pytest.mark.persian
def test_a_country_that_is_no_iso_3166_code_is_refused_in_persian(bzg_camera, recent):
    _country_refused(bzg_camera, recent, "ZZ", "fa")


def test_a_real_countrys_code_is_taken_in_any_case(bzg_camera, recent):
    client = camera_client(bzg_camera)
    assert (
        client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "34ABC123", "country": "tr"}).status_code
        == 201
    )
    assert PlateRead.objects.get().country == "TR"


def test_it_refuses_a_photo_that_is_not_an_image(bzg_camera, recent):
    resp = camera_client(bzg_camera).post(
        SINGLE,
        {"captured_at": recent.isoformat(), "photo_base64": base64.b64encode(b"MZ\x90\x00").decode()},
        format="json",
    )
    assert resp.status_code == 400 and "photo_base64" in resp.json()["error"]["fields"]


def test_it_refuses_a_token_posting_for_another_camera(bzg_camera, thr_camera, recent):
    resp = camera_client(bzg_camera).post(
        SINGLE, {"camera": "THR-1", "captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json"
    )
    assert resp.status_code == 403
    assert "camera" in resp.json()["error"]["fields"]
    assert PlateRead.objects.count() == 0


@pytest.mark.persian
def test_a_token_posting_for_another_camera_is_told_in_the_requests_language(bzg_camera, thr_camera, recent):
    """Its refusal was English whatever the request's language, unlike the API's other errors."""
    resp = camera_client(bzg_camera).post(
        SINGLE, {"camera": "THR-1", "captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json"
    )
    assert resp.json()["error"]["fields"]["camera"] == [
        f"این توکن فقط خوانش‌های دوربین {bzg_camera.code} را می‌تواند بفرستد"
    ]


@pytest.mark.persian
def test_a_token_posting_for_another_camera_is_told_without_the_fields_raw_name(bzg_camera, thr_camera, recent):
    """The summary began «camera: این توکن فقط…»: it names the field in words, as a refused field's is; the
    client still finds it under its key in ``fields``."""
    resp = camera_client(bzg_camera).post(
        SINGLE, {"camera": "THR-1", "captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json"
    )
    error = resp.json()["error"]
    assert error["message"].startswith("دوربین: این توکن فقط خوانش‌های دوربین")
    assert "camera" not in error["message"]
    assert list(error["fields"]) == ["camera"]


def test_a_token_posting_for_another_camera_is_told_in_english_words(bzg_camera, thr_camera, recent):
    resp = camera_client(bzg_camera).post(
        SINGLE, {"camera": "THR-1", "captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json"
    )
    assert resp.json()["error"]["message"].startswith("camera: this token may only post reads for camera")


def test_it_accepts_the_cameras_own_code(bzg_camera, recent):
    resp = camera_client(bzg_camera).post(
        SINGLE, {"camera": "bzg-1", "captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json"
    )
    assert resp.status_code == 201
    assert PlateRead.objects.get().camera_id == bzg_camera.pk


@pytest.mark.parametrize("header", [None, "Camera wrong-token", "Token abc", "Camera"])
def test_it_refuses_posts_without_a_valid_camera_token(bzg_camera, recent, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    resp = client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json")
    assert resp.status_code in (401, 403)
    assert PlateRead.objects.count() == 0


def test_it_refuses_a_staff_user_posting_reads(hq, recent):
    client = APIClient()
    client.force_authenticate(hq)
    resp = client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json")
    assert resp.status_code in (401, 403)


def test_it_refuses_a_retired_camera_and_an_old_token(bzg_camera, recent):
    from anpr.services import camera_rotate_token, camera_set_status

    body = {"captured_at": recent.isoformat(), "plate": "12ب34567"}
    old = camera_client(bzg_camera)
    assert old.post(SINGLE, body, format="json").status_code == 201  # the camera is now cached
    _, bzg_camera.token = camera_rotate_token(camera=bzg_camera)
    body["plate"] = "12ب34568"
    assert old.post(SINGLE, body, format="json").status_code == 401
    assert camera_client(bzg_camera).post(SINGLE, body, format="json").status_code == 201
    camera_set_status(camera=bzg_camera, status=Camera.Status.RETIRED)
    body["plate"] = "12ب34569"
    assert camera_client(bzg_camera).post(SINGLE, body, format="json").status_code == 401
    camera_set_status(camera=bzg_camera, status=Camera.Status.MAINTENANCE)
    assert camera_client(bzg_camera).post(SINGLE, body, format="json").status_code == 201
    assert PlateRead.objects.count() == 3


def test_a_camera_retired_by_another_worker_is_refused_at_once(bzg_camera, recent):
    """Another process's save bumps the cameras' version in the shared cache; this process's
    cached camera is dropped on the next request although no signal ran here."""
    from django.core.cache import cache

    from anpr.authentication import VERSION_KEY

    client = camera_client(bzg_camera)
    assert (
        client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json").status_code == 201
    )
    Camera.objects.filter(pk=bzg_camera.pk).update(status=Camera.Status.RETIRED)  # no signal in this process
    cache.set(VERSION_KEY, cache.get(VERSION_KEY, 0) + 1, None)  # what the other worker's signal does
    resp = client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34568"}, format="json")
    assert resp.status_code == 401
    assert "retired" in resp.json()["error"]["message"]


def test_it_rate_limits_each_camera_on_its_own(bzg_camera, thr_camera, recent, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 3
    client = camera_client(bzg_camera)
    codes = [
        client.post(
            SINGLE, {"captured_at": (recent + dt.timedelta(seconds=i)).isoformat(), "plate": "12ب34567"}, format="json"
        ).status_code
        for i in range(4)
    ]
    assert codes[:3] == [201, 201, 201] and codes[3] == 429
    other = camera_client(thr_camera).post(
        SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"}, format="json"
    )
    assert other.status_code == 201
    assert PlateRead.objects.filter(camera=bzg_camera).count() == 3
    # A bulk larger than what is left is refused whole, with Retry-After.
    resp = camera_client(thr_camera).post(
        BULK,
        {"reads": [{"captured_at": recent.isoformat(), "plate": f"12ب345{i:02d}"} for i in range(3)]},
        format="json",
    )
    assert resp.status_code == 429 and "Retry-After" in resp.headers
    assert PlateRead.objects.filter(camera=thr_camera).count() == 1


def test_it_queues_a_photo_without_text_for_recognition(
    bzg_camera, recent, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("anpr.tasks.recognise_read.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        resp = camera_client(bzg_camera).post(
            SINGLE, {"captured_at": recent.isoformat(), "photo_base64": base64.b64encode(JPEG).decode()}, format="json"
        )
    assert resp.status_code == 201
    read = PlateRead.objects.get()
    assert read.recognition == Recognition.PENDING and read.match_state == MatchState.PENDING
    assert read.photo.name.startswith(f"anpr/photos/{bzg_camera.pk}/") and read.photo.read() == JPEG
    assert queued == [read.pk]


def test_it_accepts_a_multipart_photo(bzg_camera, recent, monkeypatch):
    monkeypatch.setattr("anpr.tasks.recognise_read.delay", lambda pk: None)
    resp = camera_client(bzg_camera).post(
        SINGLE,
        {"captured_at": recent.isoformat(), "plate": "12ب34567", "photo": SimpleUploadedFile("a.jpg", JPEG)},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    read = PlateRead.objects.get()
    assert read.photo and read.recognition == Recognition.CAMERA


# --- decompression bombs: pixels counted on the header, before anything decodes or stores ---------


def test_a_photo_claiming_900_megapixels_is_refused_with_413_and_nothing_stored(bzg_camera, recent, settings):
    bomb = files.png_bomb(30_000, 30_000)  # a few hundred bytes; 2.7 GB once decoded in colour
    assert len(bomb) < 1000
    client = camera_client(bzg_camera)
    for body, fmt in (
        ({"captured_at": recent.isoformat(), "photo_base64": base64.b64encode(bomb).decode()}, "json"),
        ({"captured_at": recent.isoformat(), "photo": SimpleUploadedFile("p.png", bomb)}, "multipart"),
    ):
        resp = client.post(SINGLE, body, format=fmt)
        assert resp.status_code == 413, resp.content
        error = resp.json()["error"]
        assert error["code"] == "too_many_pixels" and "900,000,000" in error["message"]
        assert set(error["fields"]) <= {"photo", "photo_base64"} and error["fields"]
    assert PlateRead.objects.count() == 0
    root = settings.MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_the_photo_pixel_limit_is_a_setting(bzg_camera, recent, settings):
    settings.ANPR_MAX_PHOTO_PIXELS = 640 * 480 - 1
    resp = camera_client(bzg_camera).post(
        SINGLE, {"captured_at": recent.isoformat(), "photo_base64": base64.b64encode(JPEG).decode()}, format="json"
    )
    assert resp.status_code == 413 and PlateRead.objects.count() == 0


def test_a_bomb_in_a_bulk_post_is_refused_alone(bzg_camera, recent):
    bomb = base64.b64encode(files.png_bomb()).decode()
    reads = [
        {"captured_at": recent.isoformat(), "plate": "12ب34567"},
        {"captured_at": recent.isoformat(), "photo_base64": bomb},
    ]
    resp = camera_client(bzg_camera).post(BULK, {"reads": reads}, format="json")
    assert resp.status_code == 200
    body = resp.json()
    assert body["stored"] == 1 and body["rejected"] == 1
    (error,) = body["errors"]
    assert (error["index"], error["code"], list(error["fields"])) == (1, "too_many_pixels", ["photo_base64"])
    assert "pixels" in body["errors"][0]["fields"]["photo_base64"][0]
    assert PlateRead.objects.count() == 1


class _Deadlock(Exception):
    pgcode = "40P01"  # what psycopg2 reports for PostgreSQL's "deadlock detected"


@pytest.mark.django_db(transaction=True)
def test_a_batch_broken_off_by_a_deadlock_is_written_again_not_refused(truck, thr_camera, recent, monkeypatch):
    """PostgreSQL breaks off one of two transactions that wait for each other: the batch is run
    again and stored once, matched once, instead of a 500 that loses the camera's reads."""
    from django.db import OperationalError

    from anpr import sightings
    from anpr.models import PlateMatch

    save, calls = sightings._save_matches, []

    def deadlock_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return save(*args)

    monkeypatch.setattr(sightings, "_save_matches", deadlock_once)
    reads = [{"captured_at": (recent + dt.timedelta(seconds=i)).isoformat(), "plate": truck.plate} for i in range(3)]
    reads.append({"captured_at": recent.isoformat(), "plate": "77ی77777"})
    resp = camera_client(thr_camera).post(BULK, {"reads": reads}, format="json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["stored"], resp.json()["duplicates"]) == (4, 0)
    assert len(calls) == 2
    assert PlateRead.objects.count() == 4
    assert PlateRead.objects.filter(match_state=MatchState.MATCHED).count() == 3
    assert PlateMatch.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried(truck, thr_camera, recent, monkeypatch):
    from django.db import OperationalError

    from anpr import ingest, sightings

    calls = []

    def broken(*args):
        calls.append(1)
        raise OperationalError("disk full")

    monkeypatch.setattr(sightings, "_save_matches", broken)
    with pytest.raises(OperationalError):
        ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=recent, plate_raw=truck.plate)])
    assert len(calls) == 1 and not PlateRead.objects.exists()


@pytest.mark.persian
def test_the_rate_limit_is_told_in_the_requests_language(bzg_camera, recent, settings):
    """ "camera BZG-1 may post at most 1 reads a minute" was English whatever the request's language."""
    from django.core.cache import cache

    cache.clear()
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 1
    client = camera_client(bzg_camera)
    for i in range(2):
        resp = client.post(
            SINGLE, {"captured_at": (recent + dt.timedelta(seconds=i)).isoformat(), "plate": "12ب34567"}, format="json"
        )
    assert resp.status_code == 429
    # The camera's code isolated (it keeps its order in the Persian sentence), the limit in Persian digits.
    assert resp.json()["error"]["message"].startswith(
        f"دوربین {bzg_camera.code} در هر دقیقه حداکثر ۱ خوانش می‌تواند بفرستد"
    )


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_rate_limits_wait_is_written_in_the_readers_digits(bzg_camera, recent, settings, language):
    """DRF wrote «…در 37 ثانیه…» after the Persian sentence, and ran it on from the limit without a stop."""
    from django.core.cache import cache

    cache.clear()
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 1
    settings.LANGUAGE_CODE = language
    client = camera_client(bzg_camera)
    for i in range(2):
        resp = client.post(
            SINGLE, {"captured_at": (recent + dt.timedelta(seconds=i)).isoformat(), "plate": "12ب34567"}, format="json"
        )
    assert resp.status_code == 429
    wait = resp["Retry-After"]
    message = resp.json()["error"]["message"]
    if language == "fa":
        wait = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in wait)
        assert message.endswith(f"حداکثر ۱ خوانش می‌تواند بفرستد. انتظار می‌رود در {wait} ثانیه در دسترس باشد.")
    else:
        unit = "second" if wait == "1" else "seconds"
        assert message.endswith(f"at most 1 read a minute. Expected available in {wait} {unit}.")


@pytest.mark.parametrize(("limit", "said"), [(1, "at most 1 read a minute"), (2, "at most 2 reads a minute")])
def test_the_rate_limit_counts_its_reads_in_the_singular_or_the_plural(bzg_camera, recent, settings, limit, said):
    """«may post at most 1 reads a minute»: the limit of one read was written in the plural."""
    from django.core.cache import cache

    cache.clear()
    settings.ANPR_RATE_LIMIT_PER_MINUTE = limit
    client = camera_client(bzg_camera)
    for i in range(limit + 1):
        resp = client.post(
            SINGLE, {"captured_at": (recent + dt.timedelta(seconds=i)).isoformat(), "plate": "12ب34567"}, format="json"
        )
    assert resp.status_code == 429
    assert resp.json()["error"]["message"].startswith(f"camera {bzg_camera.code} may post {said}.")


@pytest.mark.parametrize(
    ("language", "too_many", "too_old"),
    [
        ("en", "at most 2 reads per request, 3 sent", "is older than 30 days"),
        ("fa", "در هر درخواست حداکثر ۲ خوانش پذیرفته می‌شود؛ ۳ خوانش فرستاده شد", "قدیمی‌تر از ۳۰ روز است"),
    ],
    ids=["en", "fa"],
)
def test_a_refused_read_is_told_in_the_requests_language_and_digits(
    bzg_camera, recent, settings, language, too_many, too_old
):
    """«at most 1000 reads per request, got 1200» and «is older than 30 days» were English whatever the language."""
    settings.LANGUAGE_CODE = language
    settings.ANPR_BULK_MAX = 2
    settings.ANPR_MAX_READ_AGE_DAYS = 30
    client = camera_client(bzg_camera)
    read = {"captured_at": recent.isoformat(), "plate": "12ب34567"}
    response = client.post(BULK, {"reads": [read] * 3}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"reads": [too_many]}
    old = {**read, "captured_at": (recent - dt.timedelta(days=31)).isoformat()}
    response = client.post(SINGLE, old, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"captured_at": [too_old]}
    assert not PlateRead.objects.exists()


def test_a_field_limit_is_told_in_each_requests_own_language(bzg_camera, recent, settings):
    """The reads' validator is kept per thread, and DRF writes a field's limit message once: the first
    request's language stuck, an English camera was told «مطمعن شوید طول این مقدار بیشتر از 2 نیست.»."""
    client = camera_client(bzg_camera)
    read = {"captured_at": recent.isoformat(), "plate": "34ABC123", "country": "Turkey"}
    said = {}
    for language in ("fa", "en"):
        settings.LANGUAGE_CODE = language
        response = client.post(SINGLE, read, format="json", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        said[language] = response.json()["error"]["fields"]["country"][0]
    assert said["fa"] == "مطمئن شوید طول این مقدار بیشتر از ۲ نویسه نیست."  # DRF's own: «مطمعن»
    assert said["en"] == "Ensure this field has no more than 2 characters."
