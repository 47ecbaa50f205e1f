"""A photo posted without text is read by the OCR engine in a Celery task, then matched.

Images are drawn with the OCR engineer's renderer (anpr.training.render); the test
skips, saying why, when Persian fonts or the engine's weights are missing.
"""

import datetime as dt
import random

import pytest
from django.utils import timezone

from anpr import ingest, services
from anpr.models import MatchState, PlateMatch, PlateRead, Recognition
from declarations.models import TransitDeclaration
from tests.anpr.conftest import camera_client
from tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fonts():
    try:
        from anpr.training.render import find_fonts
    except ImportError as exc:
        pytest.skip(f"plate renderer not available: {exc}")
    found = find_fonts()
    if not found:
        pytest.skip("no Persian fonts installed (apt-get install fonts-farsiweb fonts-noto-core) — cannot render")
    return found


@pytest.fixture(scope="module")
def engine():
    from anpr.recognition import get_engine

    eng = get_engine()
    if not eng.available:
        pytest.skip(f"OCR engine unavailable: {eng.unavailable_reason}")
    return eng


def _scene_jpeg(text, fonts, seed):
    import cv2

    from anpr.training.render import render_scene

    img, box = render_scene(text, fonts, random.Random(seed))
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return enc.tobytes(), box


def test_it_reads_a_photo_without_text_and_matches_it(
    fonts, engine, declaration, thr_camera, django_capture_on_commit_callbacks
):
    plates = ["26ب36913", "45ج71248", "63ص52419"]
    declarations = {}
    for plate in plates:
        from tests.factories import DeclarationFactory

        d = DeclarationFactory(
            origin=declaration.origin, destination=declaration.destination, vehicle=VehicleFactory(plate=plate)
        )
        declarations[plate] = d
    TransitDeclaration.objects.filter(pk__in=[d.pk for d in declarations.values()]).update(status="in_transit")
    client = camera_client(thr_camera)
    at = timezone.now() - dt.timedelta(minutes=30)
    ids = {}
    for i, plate in enumerate(plates):
        jpeg, _ = _scene_jpeg(plate, fonts, seed=100 + i)
        import base64

        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post(
                "/api/anpr/reads/",
                {
                    "captured_at": (at + dt.timedelta(seconds=i)).isoformat(),
                    "photo_base64": base64.b64encode(jpeg).decode(),
                },
                format="json",
            )
        assert resp.status_code == 201, resp.content
        ids[plate] = resp.json()["id"]

    matched = 0
    for plate, read_id in ids.items():
        read = PlateRead.objects.get(pk=read_id)
        # Every read keeps the raw text, the canonical plate, the engine, the confidence and the crop.
        assert read.recognition in (Recognition.DONE, Recognition.UNREADABLE)
        assert read.engine == engine.name and read.confidence is not None
        if read.recognition == Recognition.DONE:
            assert read.ocr_raw and read.crop and read.crop.read(3) == b"\xff\xd8\xff"
        assert read.match_state != MatchState.PENDING
        matched += PlateMatch.objects.filter(read_id=read_id, declaration=declarations[plate]).exists()
    assert matched >= 2, [(PlateRead.objects.get(pk=i).ocr_raw, p) for p, i in ids.items()]


def test_it_records_why_an_unreadable_photo_failed(bzg_camera):
    at = timezone.now() - dt.timedelta(minutes=5)
    bogus = b"\xff\xd8\xff\xe0" + b"\x00" * 100  # JPEG magic, no image
    (r,) = ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, photo=bogus)])
    services.read_recognise(read_id=r.id)
    read = PlateRead.objects.get(pk=r.id)
    assert read.recognition == Recognition.FAILED and read.recognition_error
    assert read.match_state == MatchState.NO_PLATE
    # Running it again changes nothing.
    services.read_recognise(read_id=r.id)
    assert PlateRead.objects.get(pk=r.id).recognition_error == read.recognition_error


def test_it_records_an_unavailable_engine(bzg_camera, monkeypatch):
    class Missing:
        available, unavailable_reason, name = False, "weights not found", "plate_crnn"

    monkeypatch.setattr("anpr.recognition.get_engine", lambda *a, **k: Missing())
    at = timezone.now() - dt.timedelta(minutes=5)
    (r,) = ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, photo=b"\xff\xd8\xff")])
    services.read_recognise(read_id=r.id)
    read = PlateRead.objects.get(pk=r.id)
    assert (read.recognition, read.recognition_error) == (Recognition.FAILED, "weights not found")


def test_it_passes_the_cameras_fixed_region_to_the_engine(bzg_camera, monkeypatch):
    import cv2
    import numpy as np

    from anpr.recognition import Reading

    seen = {}

    class Spy:
        available, unavailable_reason, name = True, "", "spy"

        def read_image(self, img, region=None):
            seen["region"], seen["shape"] = region, img.shape
            return Reading("12ب34567", "12ب34567", 0.9, "spy", (1, 2, 3, 4), np.zeros((10, 30, 3), np.uint8))

    monkeypatch.setattr("anpr.recognition.get_engine", lambda *a, **k: Spy())
    type(bzg_camera).objects.filter(pk=bzg_camera.pk).update(region_x=10, region_y=20, region_w=300, region_h=100)
    ok, enc = cv2.imencode(".png", np.full((240, 320, 3), 200, np.uint8))
    at = timezone.now() - dt.timedelta(minutes=5)
    (r,) = ingest.reads_ingest(
        camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, photo=enc.tobytes(), photo_ext="png")]
    )
    services.read_recognise(read_id=r.id)
    read = PlateRead.objects.get(pk=r.id)
    assert seen == {"region": (10, 20, 300, 100), "shape": (240, 320, 3)}
    assert (read.plate, read.ocr_raw, read.engine, read.recognition) == ("12ب34567", "12ب34567", "spy", "done")
    assert read.match_state == MatchState.UNMATCHED


def test_a_stored_bomb_is_refused_on_its_header_before_opencv_decodes_it(bzg_camera, monkeypatch):
    """A photo stored before the API counted pixels must not reach cv2.imdecode either."""
    import cv2

    from tests import files

    class Engine:
        available, unavailable_reason, name = True, "", "stub"

        def read_image(self, img, region=None):  # pragma: no cover - must not be reached
            raise AssertionError("the engine got the bomb")

    def imdecode(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("OpenCV was asked to decode a 900-megapixel photo")

    monkeypatch.setattr("anpr.recognition.get_engine", lambda *a, **k: Engine())
    monkeypatch.setattr(cv2, "imdecode", imdecode)
    at = timezone.now() - dt.timedelta(minutes=5)
    (r,) = ingest.reads_ingest(
        camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, photo=files.png_bomb(), photo_ext="png")]
    )
    services.read_recognise(read_id=r.id)
    read = PlateRead.objects.get(pk=r.id)
    assert read.recognition == Recognition.FAILED and "pixels" in read.recognition_error
    assert read.match_state == MatchState.NO_PLATE


def test_a_foreign_plate_photo_is_read_with_its_country_never_as_iranian(
    engine, thr_camera, django_capture_on_commit_callbacks
):
    import base64
    import random

    import cv2

    from anpr.training.render import render_scene
    from tests.anpr.foreign_plates import latin_font, latin_plate

    font = latin_font()
    if not font:
        pytest.skip("no Latin font installed (apt-get install fonts-dejavu-core) — cannot draw a foreign plate")
    scene, _ = render_scene("", [], random.Random(3), plate=latin_plate("34 ABC 123", "TR", font))
    ok, jpeg = cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, 92])
    at = timezone.now() - dt.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        resp = camera_client(thr_camera).post(
            "/api/anpr/reads/",
            {"captured_at": at.isoformat(), "photo_base64": base64.b64encode(jpeg.tobytes()).decode()},
            format="json",
        )
    assert resp.status_code == 201, resp.content
    read = PlateRead.objects.get(pk=resp.json()["id"])
    assert read.country != "IR" and read.crop
    if getattr(engine, "latin", None) is None:  # no Latin reader shipped: no text, a person reads it
        assert (read.plate, read.ocr_raw, read.recognition) == ("", "", Recognition.MANUAL)
        assert read.match_state == MatchState.NO_PLATE and not PlateMatch.objects.filter(read=read).exists()
    else:
        assert (read.plate, read.country, read.recognition) == ("34ABC123", "TR", Recognition.DONE)


def _recognise_with(bzg_camera, monkeypatch, reading):
    import cv2
    import numpy as np

    class Stub:
        available, unavailable_reason, name = True, "", "plate_crnn"

        def read_image(self, img, region=None):
            return reading

    monkeypatch.setattr("anpr.recognition.get_engine", lambda *a, **k: Stub())
    ok, enc = cv2.imencode(".png", np.full((240, 320, 3), 200, np.uint8))
    at = timezone.now() - dt.timedelta(minutes=5)
    (r,) = ingest.reads_ingest(
        camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, photo=enc.tobytes(), photo_ext="png")]
    )
    services.read_recognise(read_id=r.id)
    return PlateRead.objects.get(pk=r.id)


def test_a_foreign_read_is_stored_with_its_country_and_matched_by_its_plate(bzg_camera, monkeypatch, declaration):
    import numpy as np

    from anpr.recognition import Reading

    truck = VehicleFactory(plate="34ABC123", country="TR")
    TransitDeclaration.objects.filter(pk=declaration.pk).update(vehicle=truck, status="in_transit")
    crop = np.zeros((20, 90, 3), np.uint8)
    reading = Reading("34ABC123", "34ABC123", 0.93, "plate_crnn", (1, 2, 90, 20), crop, plate_type="TR", country="TR")
    read = _recognise_with(bzg_camera, monkeypatch, reading)
    assert (read.plate, read.country, read.recognition) == ("34ABC123", "TR", Recognition.DONE)
    assert read.match_state != MatchState.NO_PLATE  # looked up like any plate


def test_an_iranian_plate_of_another_layout_waits_for_a_person_with_its_type_named(
    thr_camera, monkeypatch, dest_clerk, client
):
    import numpy as np

    from anpr.recognition import Reading

    crop = np.zeros((40, 60, 3), np.uint8)
    reason = "Iranian motorcycle plate (two lines): not read by the reader, a person reads it"
    reading = Reading("", "", 0.0, "plate_crnn", (1, 2, 60, 40), crop, plate_type="ir_motorcycle", deferred=reason)
    read = _recognise_with(thr_camera, monkeypatch, reading)
    assert (read.plate, read.country, read.recognition) == ("", "", Recognition.MANUAL)
    assert "motorcycle" in read.recognition_error and read.match_state == MatchState.NO_PLATE
    assert read.crop  # the plate the person is to read
    # The office sees it in the queue of reads a person reads.
    client.force_login(dest_clerk)
    page = client.get("/anpr/").content.decode()
    queue = page[page.index('id="manual"') :]
    assert f'data-read="{read.pk}"' in queue and "to be read by a person" in queue
