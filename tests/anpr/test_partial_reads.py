"""A plate the reader does not give (refused by its checks) still shows the person who reads it the characters
it read steadily: stored with the read, never matched on, shown on the review page with "؟" for the others,
and the parts it read whole filled into the plate-entry form."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from anpr import ingest, services
from anpr.forms import PlateEntryForm
from anpr.models import MatchState, PlateMatch, PlateRead, Recognition
from anpr.recognition import Reading, engines
from anpr.recognition.decode import CHARSET, N_CLASSES, decode_plate
from anpr.recognition.nationality import NOT_IRANIAN_FORM, NUDGES
from declarations.idents import plate_display
from tests import files
from tests.factories import DeclarationFactory, VehicleFactory

PLATE = "59ب16913"


def _logp(text: str, peaks: list[float]) -> np.ndarray:
    """A CTC output reading ``text``: each character on its own frame at its peak probability, blanks between."""
    rows = []
    for ch, p in zip(text, peaks, strict=True):
        frame = np.full(N_CLASSES, (1 - p) / (N_CLASSES - 1))
        frame[1 + CHARSET.index(ch)] = p
        blank = np.full(N_CLASSES, 0.01 / (N_CLASSES - 1))
        blank[0] = 0.99
        rows += [frame, blank]
    return np.log(np.array(rows))


class _Model:
    """Stands in for the recogniser's network: each nudged framing reads ``nudged`` (one text per framing)."""

    def __init__(self, nudged: list[str]):
        self.nudged = nudged

    def logp(self, crops):
        return [_logp(t, [0.99] * len(t)) for t in self.nudged[: len(crops)]]


def _partial(text, peaks, nudged) -> str:
    eng = engines.PlateCRNNEngine.__new__(engines.PlateCRNNEngine)  # the rule alone, without loading weights
    eng.model = _Model(nudged)
    logp = _logp(text, peaks)
    read, _, read_peaks = decode_plate(logp)  # as read_crop reads the crop
    assert read == text
    return eng._partial(np.full((40, 180, 3), 200, np.uint8), logp, read, read_peaks, [])


def test_only_the_places_read_surely_and_the_same_in_every_framing_are_shown():
    steady = [PLATE] * len(NUDGES)
    assert _partial(PLATE, [0.99] * 8, steady) == PLATE
    # A faint first digit (peak 0.6) and a last digit one framing reads otherwise: both left to the person.
    unsure = [0.6, *[0.99] * 7]
    differs = [*steady[:-1], PLATE[:-1] + "8"]
    assert _partial(PLATE, unsure, differs) == "?9ب1691?"


def test_a_diplomatic_or_service_letter_is_never_shown_and_too_few_places_show_nothing():
    ds = "59S16913"
    assert _partial(ds, [0.99] * 8, [ds] * len(NUDGES)) == "59?16913"
    # Only three places steady: nothing is shown (a lamp or a badge, not a plate read in part).
    peaks = [0.99, 0.99, 0.99, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert _partial(PLATE, peaks, [PLATE] * len(NUDGES)) == ""


def test_a_plate_read_in_part_is_shown_in_its_persian_form_with_a_mark_for_each_place_not_read():
    assert plate_display("59?169??") == "۵۹ ؟ ۱۶۹ - ایران ؟؟"
    assert plate_display("?9ب16913") == "؟۹ ب ۱۶۹ - ایران ۱۳"
    assert plate_display(PLATE) == "۵۹ ب ۱۶۹ - ایران ۱۳"  # a whole plate unchanged
    initial = PlateEntryForm.initial_for_partial("59?169??")
    assert initial == {"kind": "IR", "two": "59", "three": "169"}


def _recognise(camera, monkeypatch, reading) -> PlateRead:
    class Stub:
        available, unavailable_reason, name = True, "", "plate_crnn"

        def read_image(self, img, region=None):
            return reading

    monkeypatch.setattr("anpr.recognition.get_engine", lambda *a, **k: Stub())
    at = timezone.now() - dt.timedelta(minutes=5)
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=files.jpeg((320, 240)))])
    services.read_recognise(read_id=r.id)
    return PlateRead.objects.get(pk=r.id)


@pytest.mark.django_db
@pytest.mark.persian
def test_the_person_reading_a_refused_plate_sees_its_steady_characters_and_the_whole_parts_filled_in(
    thr_camera, monkeypatch, dest_clerk, client, bazargan, tehran
):
    # Declarations arriving at the camera's office: two trucks whose plates fit the steady places (which must not
    # match the read), one whose plate does not, and a fitting one already settled.
    fits = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="59ب16913"))
    fits_too = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="59ج16977"))
    other = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="58ب16913"))
    settled = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="59د16911"), status="settled"
    )
    crop = np.full((40, 180, 3), 200, np.uint8)
    reading = Reading(
        "", "", 0.0, "plate_crnn", (1, 2, 180, 40), crop, not_iranian=NOT_IRANIAN_FORM, plate_type="ir",
        partial="59?169??",
    )  # fmt: skip
    read = _recognise(thr_camera, monkeypatch, reading)
    assert (read.plate, read.ocr_partial, read.recognition) == ("", "59?169??", Recognition.MANUAL)
    assert read.match_state == MatchState.NO_PLATE and not PlateMatch.objects.filter(read=read).exists()

    client.force_login(dest_clerk)
    page = client.get(f"/anpr/reads/{read.pk}/review/").content.decode()
    shown = page[page.index("data-read-partial") :]
    assert "۵۹ ؟ ۱۶۹ - ایران ؟؟" in shown[:300]
    assert 'name="two" id="id_two" value="۵۹"' in page and 'name="three" id="id_three" value="۱۶۹"' in page
    assert 'name="province" id="id_province" value=""' in page  # its digits were not read: left empty
    # The open declarations of this office whose truck fits are listed for the person to check the photo against.
    listed = page[page.index("data-partial-candidates") :]
    assert f'data-candidate="{fits.pk}"' in listed and f'data-candidate="{fits_too.pk}"' in listed
    assert f'data-candidate="{other.pk}"' not in listed and f'data-candidate="{settled.pk}"' not in listed
    # The API gives it apart from the plate, which stays empty.
    body = client.get(f"/api/anpr/reads/{read.pk}/").json()
    assert (body["plate"], body["ocr_partial"]) == ("", "59?169??")
    queue = client.get("/anpr/review/").content.decode()
    assert "۵۹ ؟ ۱۶۹ - ایران ؟؟" in queue


@pytest.mark.django_db
def test_a_plate_given_as_read_keeps_no_partial_read(thr_camera, monkeypatch):
    reading = Reading(PLATE, PLATE, 0.97, "plate_crnn", None, None, plate_type="ir", country="IR", partial="59?169??")
    read = _recognise(thr_camera, monkeypatch, reading)
    assert (read.plate, read.ocr_partial) == (PLATE, "")
