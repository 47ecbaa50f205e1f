"""The review queue: reads that need a person, the plate a person types, and what follows from it
(the label kept as a new record, the read matched again, the declaration's signals recomputed)."""

import datetime as dt
import html
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from anpr import ingest, review, sightings
from anpr.models import LabelReason, MatchReview, MatchState, PlateLabel, PlateMatch, PlateRead, Recognition
from declarations import monitoring
from declarations.models import DeclarationEvent, TransitDeclaration
from declarations.services import declaration_confirm_arrival, declaration_depart
from tests import files
from tests.export_jobs import download
from tests.factories import DeclarationFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db
DECLARED = "12ب34565"
MISREAD = "12پ34565"  # ب/پ: a similar plate, matched with score < 1
OTHER = "77ق88899"  # a plate no declaration has


@pytest.fixture
def on_the_road(bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    d.refresh_from_db()
    return d


def _read(camera, sent="", hours_ago=3.0, **fields) -> PlateRead:
    """A read as the camera sent it (``sent``: its text, or none), with ``fields`` as recognition left them."""
    at = (timezone.now() - dt.timedelta(hours=hours_ago)).replace(microsecond=0)
    item = ingest.ReadInput(captured_at=at, plate_raw=sent, photo=files.jpeg((320, 240)))
    (r,) = ingest.reads_ingest(camera=camera, items=[item])
    if fields:
        PlateRead.objects.filter(pk=r.id).update(**fields)
    sightings.reads_match(read_ids=[r.id])
    return PlateRead.objects.get(pk=r.id)


def _holds(declaration, key) -> bool:
    return monitoring.filter_signal(TransitDeclaration.objects.filter(pk=declaration.pk), key).exists()


def _entry(plate: str, **extra) -> dict:
    """The plate-entry widget's fields for an Iranian plate, typed in Persian digits."""
    fa = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    return {
        "kind": "IR",
        "two": plate[:2].translate(fa),
        "letter": plate[2],
        "three": plate[3:6].translate(fa),
        "province": plate[6:].translate(fa),
        **extra,
    }


def _queue_ids(client, kind=""):
    html = client.get(reverse("anpr:review-queue") + (f"?kind={kind}" if kind else "")).content.decode()
    table = html.split("data-review-queue", 1)[1].split("</table>", 1)[0]
    return {int(part.split('"', 1)[0]) for part in table.split('data-read="')[1:]}


def test_the_queue_holds_each_kind_of_read_that_needs_a_person(client, dest_clerk, on_the_road, thr_camera, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.8
    sure = _read(thr_camera, "55د12311", hours_ago=1)
    unsure = _read(thr_camera, "", hours_ago=1.5, plate="45ج71248", recognition=Recognition.DONE, confidence=0.41)
    foreign = _read(thr_camera, "", hours_ago=2, recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    fuzzy = _read(thr_camera, MISREAD)  # matched with score < 1, and it set the first read at the destination
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at == fuzzy.captured_at

    client.force_login(dest_clerk)
    assert _queue_ids(client, LabelReason.LOW_CONFIDENCE) == {unsure.pk}
    assert _queue_ids(client, LabelReason.NOT_IRANIAN) == {foreign.pk}
    assert _queue_ids(client, LabelReason.FUZZY_SIGNAL) == {fuzzy.pk}
    assert _queue_ids(client) == {unsure.pk, foreign.pk, fuzzy.pk}
    assert sure.pk not in _queue_ids(client)


def test_an_unmatched_read_near_an_unseen_arrival_contradicts_the_declaration(
    client, dest_clerk, on_the_road, thr_camera
):
    """The truck arrived (confirmed) but no read matched it; a read at the gate then is the truck or
    the declaration is wrong: a person reads it, and the right plate makes the truck seen."""
    arrived = timezone.now() - dt.timedelta(hours=2)
    declaration_confirm_arrival(declaration=on_the_road, by=dest_clerk, at=arrived, unseen_reason="camera misread")
    gate = _read(thr_camera, "12ب84365", hours_ago=2.2)  # too far from DECLARED for a fuzzy match
    far = _read(thr_camera, "12ب84365", hours_ago=9)  # not near the arrival
    assert gate.match_state == MatchState.UNMATCHED
    assert _holds(on_the_road, "arrival_without_read")
    client.force_login(dest_clerk)
    assert _queue_ids(client, LabelReason.NEAR_ARRIVAL) == {gate.pk}
    assert far.pk not in _queue_ids(client)

    response = client.post(reverse("anpr:read-review", args=[gate.pk]), _entry(DECLARED))
    assert response.status_code == 302
    match = PlateMatch.objects.get(read=gate)
    # an exact match, not reviewed: the clerk typed a plate, she chose no declaration
    assert (match.declaration_id, match.exact, match.review, match.reviewed_by) == (on_the_road.pk, True, "", None)
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at == gate.captured_at
    assert not _holds(on_the_road, "arrival_without_read")
    label = PlateLabel.objects.get(read=gate)
    assert label.reason == LabelReason.NEAR_ARRIVAL and label.corrected and label.plate_before == "12ب84365"
    assert gate.pk not in _queue_ids(client)  # read by a person: out of the queue


def test_correcting_a_fuzzy_read_rejects_its_match_and_clears_the_signal(
    client, dest_clerk, on_the_road, thr_camera, settings
):
    settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = 1
    read = _read(thr_camera, MISREAD, hours_ago=3)
    assert _holds(on_the_road, "read_without_arrival")  # a similar plate says the truck is at the gate

    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:read-review", args=[read.pk])).content.decode()
    assert 'data-signal="read_without_arrival"' in page  # the match's declaration and its signal
    assert reverse("anpr:crop", args=[read.pk]) in page or reverse("anpr:photo", args=[read.pk]) in page
    assert 'name="two" id="id_two" value="12"' in page  # the widget, filled with the read
    assert 'value="پ" selected' in page

    response = client.post(reverse("anpr:read-review", args=[read.pk]), _entry(OTHER, note="a different truck"))
    assert response.status_code == 302
    match = PlateMatch.objects.get(read=read)
    assert match.review == "rejected" and match.reviewed_by == dest_clerk
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at is None and on_the_road.last_read_at is None
    assert not _holds(on_the_road, "read_without_arrival")
    event = DeclarationEvent.objects.get(declaration=on_the_road, kind="plate_read_labelled")
    assert event.actor == dest_clerk and OTHER in event.message and event.data["match"] == "rejected"

    read.refresh_from_db()
    # The read is evidence: its text is as the camera sent it; only its match state follows.
    assert (read.plate_raw, read.match_state, read.vehicle_id) == (MISREAD, MatchState.UNMATCHED, None)
    label = PlateLabel.objects.get(read=read)
    assert (label.plate, label.country, label.by, label.corrected, label.note) == (
        OTHER,
        "IR",
        dest_clerk,
        True,
        "a different truck",
    )
    assert label.reason == LabelReason.FUZZY_SIGNAL
    assert LogEntry.objects.filter(object_pk=str(label.pk), actor=dest_clerk, action=LogEntry.Action.CREATE).exists()


def test_a_second_reading_is_a_new_label_and_the_latest_is_in_effect(dest_clerk, hq, on_the_road, thr_camera):
    read = _read(thr_camera, MISREAD)
    review.read_label(read=read, by=dest_clerk, plate=OTHER)
    review.read_label(read=read, by=hq, plate=DECLARED, note="checked the photo again")
    labels = list(PlateLabel.objects.filter(read=read).order_by("at", "id"))
    assert [(lb.plate, lb.by, lb.plate_before) for lb in labels] == [
        (OTHER, dest_clerk, MISREAD),
        (DECLARED, hq, OTHER),
    ]
    effective = PlateRead.objects.filter(pk=read.pk).with_label().get()
    assert (effective.label_plate, effective.label_country) == (DECLARED, "IR")
    match = PlateMatch.objects.get(read=read)
    assert match.review == "confirmed" and match.reviewed_by == hq  # the truck after all
    on_the_road.refresh_from_db()
    assert on_the_road.dest_first_read_at == read.captured_at
    read.refresh_from_db()
    assert read.match_state == MatchState.MATCHED and read.vehicle_id == on_the_road.vehicle_id


def test_confirming_the_read_plate_is_not_a_correction(dest_clerk, thr_camera, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.8
    read = _read(thr_camera, "", plate="45ج71248", recognition=Recognition.DONE, confidence=0.5)
    label = review.read_label(read=read, by=dest_clerk, plate="۴۵ج۷۱۲۴۸").label
    assert not label.corrected and label.reason == LabelReason.LOW_CONFIDENCE


def test_a_foreign_plate_is_read_with_its_country(client, dest_clerk, thr_camera):
    read = _read(thr_camera, "", recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    truck = VehicleFactory(plate="34ABC123", country="TR")
    d = DeclarationFactory(destination=thr_camera.office, vehicle=truck)
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    client.force_login(dest_clerk)
    data = {"kind": "foreign", "foreign_country": "tr", "foreign_text": "34 ABC 123"}
    assert client.post(reverse("anpr:read-review", args=[read.pk]), data).status_code == 302
    label = PlateLabel.objects.get(read=read)
    assert (label.plate, label.country, label.reason) == ("34ABC123", "TR", LabelReason.NOT_IRANIAN)
    assert PlateMatch.objects.filter(read=read, declaration=d, exact=True, review="").exists()


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("two", _entry(OTHER, two="۷")),
        ("letter", _entry(OTHER, letter="")),
        ("three", _entry(OTHER, three="88a")),
        ("province", _entry(OTHER, province="999")),
        ("foreign_country", {"kind": "foreign", "foreign_country": "IR", "foreign_text": "AB12"}),
        ("foreign_text", {"kind": "foreign", "foreign_country": "TR", "foreign_text": ""}),
        ("layout", {"kind": "other", "layout": "", "other_text": "ارس ۱۲۳۴۵"}),
        ("other_text", {"kind": "other", "layout": "ir_old", "other_text": "تهران"}),  # no number
        ("other_text", {"kind": "other", "layout": "ir_free_zone", "other_text": ""}),
        ("other_text", {"kind": "other", "layout": "ir_free_zone", "other_text": "ارس 1234567890123456"}),
    ],
)
def test_a_wrong_part_is_named_beside_its_field_and_nothing_is_stored(client, dest_clerk, thr_camera, field, data):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    beside = html.split(f'name="{field}"', 1)[1].split('<div class="part', 1)[0].split("</div>\n    </div>", 1)[0]
    assert "invalid-feedback" in beside
    assert not PlateLabel.objects.exists()


def test_who_may_read_a_plate(client, origin_clerk, outsider, inspector, hq, on_the_road, bzg_camera, thr_camera):
    read = _read(thr_camera, MISREAD)  # at Tehran, matched to a Bazargan → Tehran declaration
    url = reverse("anpr:read-review", args=[read.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert read.pk not in _queue_ids(client)
    client.force_login(origin_clerk)  # sees the read through the declaration, but it is not their camera
    assert client.get(url).status_code == 200
    assert client.post(url, _entry(OTHER)).status_code == 403
    client.force_login(inspector)  # West Azarbaijan: Tehran's camera is not in the province
    assert client.post(url, _entry(OTHER)).status_code in (403, 404)
    assert not PlateLabel.objects.exists()
    client.force_login(hq)
    assert client.post(url, _entry(OTHER)).status_code == 302
    assert PlateLabel.objects.get().by == hq


def test_the_camera_report_counts_corrections_from_the_labels(client, hq, dest_clerk, thr_camera, bzg_camera):
    reads = [_read(thr_camera, f"12ب3456{i}", hours_ago=1 + i / 10) for i in range(5)]
    _read(bzg_camera, "22د11122", hours_ago=1)
    review.read_label(read=reads[0], by=dest_clerk, plate=OTHER)  # corrected
    review.read_label(read=reads[1], by=dest_clerk, plate=reads[1].plate_raw)  # confirmed as read
    review.read_label(read=reads[2], by=dest_clerk, plate="12ب34562")  # same as read (no change)
    review.read_label(read=reads[2], by=hq, plate="13ب34562")  # then corrected: the latest label counts
    client.force_login(hq)
    url = reverse("anpr:report", args=["anpr-camera-corrections"])
    html = client.get(url + "?sort=5&dir=desc").content.decode()
    table = html.split('data-report="anpr-camera-corrections"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]
    assert "THR-1" in rows[0] and "BZG-1" in rows[1]  # the camera with most corrections first
    cells = [c.split("</td>", 1)[0] for c in rows[0].split("<td>")[1:]]
    # office, camera, reads, reviewed, corrected, % of reads, % of reviewed, by kind …
    assert cells[2:7] == ["5", "3", "2", "40", "66.7"]
    csv = download(client, url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "THR-1,5,3,2,40.0,66.7" in csv
    # An office clerk sees only their office's cameras.
    client.force_login(dest_clerk)
    html = client.get(url).content.decode()
    assert "THR-1" in html and "BZG-1" not in html


def test_a_cameras_own_unsure_read_with_its_photo_waits_for_a_person_one_without_a_photo_does_not(
    client, dest_clerk, thr_camera, settings
):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.9
    at = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    with_photo, text_only = ingest.reads_ingest(
        camera=thr_camera,
        items=[
            ingest.ReadInput(captured_at=at, plate_raw="55د12311", confidence=0.62, photo=files.jpeg((320, 240))),
            ingest.ReadInput(captured_at=at + dt.timedelta(seconds=5), plate_raw="45ج71248", confidence=0.6),
        ],
    )
    client.force_login(dest_clerk)
    assert _queue_ids(client, LabelReason.LOW_CONFIDENCE) == {with_photo.id}


@pytest.mark.persian
def test_the_review_page_says_who_read_the_plate_in_words(client, dest_clerk, on_the_road, thr_camera):
    read = _read(thr_camera, sent=MISREAD)
    assert read.engine == "camera"
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:read-review", args=[read.pk])).content.decode()
    assert '<dd class="col-7">خوانش خود دوربین' in page  # not the engine's code name, "camera"
    assert 'name="two" id="id_two" value="۱۲"' in page  # the plate's parts offered in Persian digits
    assert 'value="۳۴۵"' in page and 'value="345"' not in page
    # the diplomatic and service letters are named in the page's language
    assert '<option value="D">D (سیاسی)</option>' in page and '<option value="S">S (خدمت)</option>' in page
    assert "diplomatic" not in page


FREE_ZONE_DEFERRED = "Iranian free-zone plate: not read by the reader, a person reads it"


def test_a_plate_of_another_layout_is_written_as_it_stands_and_leaves_the_queue(
    client, dest_clerk, on_the_road, thr_camera, settings
):
    """A free-zone plate the reader deferred: the page offers the layout the reader named, the person
    writes the plate as it stands, and the read leaves the queue; its similar-plate match is rejected
    (a plate of another layout is no declared vehicle's) and nothing is matched in its place."""
    settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = 1
    deferred = _read(
        thr_camera,
        "",
        recognition=Recognition.MANUAL,
        match_state=MatchState.NO_PLATE,
        recognition_error=FREE_ZONE_DEFERRED,
    )
    fuzzy = _read(thr_camera, MISREAD, hours_ago=3)
    assert _holds(on_the_road, "read_without_arrival")
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[deferred.pk])
    page = client.get(url).content.decode()
    assert 'name="kind" id="id_kind_2" value="other" checked' in page
    assert '<option value="ir_free_zone" selected>' in page
    assert "e.g. \u2067اروند ۳۰۴۴۳۲\u2069." in page  # the Persian example isolated on an English page

    response = client.post(url, {"kind": "other", "layout": "ir_free_zone", "other_text": "ارس - ۱۲۳۴۵"})
    assert response.status_code == 302
    label = PlateLabel.objects.get(read=deferred)
    assert (label.plate, label.country, label.layout, label.by) == ("ارس 12345", "IR", "ir_free_zone", dest_clerk)
    assert deferred.pk not in _queue_ids(client)
    page = client.get(url).content.decode()
    labels = page.split("data-labels", 1)[1].split("</table>", 1)[0]
    assert "ارس ۱۲۳۴۵" in labels and "(Iranian free-zone plate)" in labels  # the label, with its layout named

    # the other-layout section filled in with the choice above it left at "Iranian plate"
    data = {"kind": "IR", "layout": "ir_old", "other_text": "ماکو ۴۵۶۷۸"}
    assert client.post(reverse("anpr:read-review", args=[fuzzy.pk]), data).status_code == 302
    assert PlateLabel.objects.get(read=fuzzy).layout == "ir_old"
    assert PlateMatch.objects.get(read=fuzzy).review == "rejected"
    assert not PlateMatch.objects.filter(read=fuzzy).exclude(review="rejected").exists()
    fuzzy.refresh_from_db()
    assert (fuzzy.match_state, fuzzy.vehicle_id) == (MatchState.UNMATCHED, None)
    assert not _holds(on_the_road, "read_without_arrival")

    # the reader reads the standard layout only: these labels are not training samples
    from anpr import retraining

    samples, left_out = retraining.reviewed_samples()
    assert samples == [] and left_out["other_layout"] == 2


def test_a_foreign_plate_read_with_low_confidence_opens_on_the_foreign_section_and_its_label_is_a_sighting(
    client, dest_clerk, thr_camera
):
    """The reader read a German plate but too unsure to give it: the reviewer finds the foreign section chosen,
    with the country and the text the reader made of it, and confirms it as a foreign label."""
    deferred = _read(
        thr_camera,
        "",
        recognition=Recognition.MANUAL,
        match_state=MatchState.NO_PLATE,
        recognition_error="foreign plate (DE) read as 'LI2222' with low confidence: a person confirms it",
        ocr_raw="3222",  # the Latin reader's characters before the country's forms
    )
    assert review.deferred_foreign(deferred) == ("DE", "LI2222")
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[deferred.pk])
    page = client.get(url).content.decode()
    read_as = page.split("data-read-as>", 1)[1].split("</dd>", 1)[0]
    assert "LI2222" in read_as and "3222<" not in read_as  # one reading on the page: the one the form holds
    assert 'value="foreign" checked' in page
    assert 'id="id_foreign_country" value="DE"' in page and 'id="id_foreign_text" value="LI2222"' in page
    assert '<details class="mb-2" data-opens-for="foreign" open>' in page  # the foreign section shown open
    response = client.post(url, {"kind": "foreign", "foreign_country": "DE", "foreign_text": "LI2223"})
    assert response.status_code == 302
    label = PlateLabel.objects.get(read=deferred)
    assert (label.plate, label.country) == ("LI2223", "DE")

    # The plate's sighting history finds the read by the plate a person read, marked as such, in the export too.
    search = reverse("anpr:plates")
    page = client.get(search, {"q": "LI2223"}).content.decode()
    sightings = page.split("anpr-reads", 1)[1].split("</table>", 1)[0]
    assert f'data-read="{deferred.pk}"' in sightings and "data-labelled" in sightings
    assert 'data-recognition="manual"' not in sightings  # read by a person: no longer "awaiting" one
    csv_text = download(client, search, {"q": "LI2223", "format": "csv"}).content.decode("utf-8-sig")
    assert "LI2223" in csv_text and thr_camera.code in csv_text
    # Read again otherwise, it leaves that plate's history: the label in effect is the latest.
    client.post(url, {"kind": "foreign", "foreign_country": "DE", "foreign_text": "LI2228"})
    page = client.get(search, {"q": "LI2223"}).content.decode()
    assert f'data-read="{deferred.pk}"' not in page.split("anpr-reads", 1)[1].split("</table>", 1)[0]
    page = client.get(search, {"q": "LI2228"}).content.decode()
    assert f'data-read="{deferred.pk}"' in page.split("anpr-reads", 1)[1].split("</table>", 1)[0]


def test_the_similar_reads_of_a_plate_are_listed_by_the_plate_a_person_read(client, hq, thr_camera):
    """Among the possible misreads of a plate, a read a person corrected is listed under the plate they read,
    marked as theirs: corrected to a near plate it is a near read; corrected to another plate, or to the plate
    searched, it is no near read (the latter is among the sightings)."""
    elsewhere = _read(thr_camera, MISREAD, recognition=Recognition.MANUAL)
    review.read_label(read=elsewhere, by=hq, plate=OTHER)
    near = _read(thr_camera, OTHER, hours_ago=2)
    review.read_label(read=near, by=hq, plate=MISREAD)
    searched = _read(thr_camera, MISREAD, hours_ago=1)
    review.read_label(read=searched, by=hq, plate=DECLARED)
    client.force_login(hq)
    page = client.get(reverse("anpr:plates"), {"q": DECLARED}).content.decode()
    sightings_table, similar = (part.split("</table>", 1)[0] for part in page.split("anpr-reads")[1:3])
    assert f'data-read="{near.pk}"' in similar and "data-labelled" in similar
    assert 'data-recognition="manual"' not in similar
    assert f'data-read="{elsewhere.pk}"' not in page
    assert f'data-read="{searched.pk}"' not in similar and f'data-read="{searched.pk}"' in sightings_table


@pytest.mark.persian
def test_the_camera_report_in_persian_keeps_each_camera_code_as_written(client, hq, thr_camera):
    """Numbers are shown in Persian digits, but a camera's code is an identifier the camera sends: it stays as
    written, left to right (before: THR-۱)."""
    _read(thr_camera, "12ب34560", hours_ago=1)
    client.force_login(hq)
    html = client.get(reverse("anpr:report", args=["anpr-camera-corrections"])).content.decode()
    table = html.split('data-report="anpr-camera-corrections"', 1)[1].split("</table>", 1)[0]
    assert '<bdi dir="ltr" class="ident ident-camera">THR-1</bdi>' in table and "THR-۱" not in table
    assert "<td>۱</td>" in table  # its one read, in Persian digits


@pytest.mark.parametrize(
    ("typed", "layout", "stored"),
    [
        ("۹۸۶ ۳۴۷۷۸", "ir_motorcycle", "986 34778"),  # two rows: the break between them stays
        ("۹۸۶\n۳۴۷۷۸", "ir_motorcycle", "986 34778"),
        (" ۹۸۶   ۳۴۷۷۸ ", "ir_motorcycle", "986 34778"),
        ("۹۸۶۳۴۷۷۸", "ir_motorcycle", "98634778"),  # typed on one row: kept so
        ("ارس - ۱۲۳۴۵", "ir_free_zone", "ارس 12345"),
        ("۱۲ ۳۴۵", "ir_old", "12345"),  # other layouts: one space between letters and digits only
    ],
)
def test_a_plate_of_another_layout_is_stored_as_its_rows_stand(typed, layout, stored):
    assert review.other_layout_text(typed, layout) == stored


def test_a_motorcycle_plates_rows_must_each_be_letters_and_digits():
    with pytest.raises(Exception, match="Letters and digits as on the plate"):
        review.other_layout_text("۹۸۶ <b>", "ir_motorcycle")


@pytest.mark.persian
def test_a_plate_parts_errors_read_right_to_left_on_a_persian_page(client, dest_clerk, thr_camera):
    """The widget lays its parts out left to right, as the plate stands; what is said under each part is
    a Persian sentence and reads right to left (its full stop at its end, «ایران» in its quotes)."""
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    empty = {"kind": "IR", "two": "", "letter": "", "three": "", "province": "۹"}  # a province typed wrong
    html = client.post(reverse("anpr:read-review", args=[read.pk]), empty).content.decode()
    for name in ("two", "letter", "three", "province"):
        part = html.split(f'<div class="part {name}', 1)[1].split(">", 1)[0]
        assert 'dir="rtl"' in part, name
    assert "زیر «ایران» است." in html and "دو رقم: این بخش لازم است." in html


def test_a_plate_parts_errors_read_left_to_right_on_an_english_page(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    html = client.post(reverse("anpr:read-review", args=[read.pk]), {"kind": "IR"}).content.decode()
    part = html.split('<div class="part two', 1)[1].split(">", 1)[0]
    assert 'dir="ltr"' in part


def _timeline_item(html: str, kind: str) -> str:
    """The entry's text, its identifiers held on one line (``.ident`` spans) or not."""
    item = html.split(f'data-kind="{kind}"', 1)[1].split("</li>", 1)[0]
    return re.sub(r'<span class="ident">(.*?)</span>', r"\1", item)


@pytest.mark.persian
def test_the_declarations_timeline_writes_the_plates_a_person_read_as_pages_write_plates(
    client, dest_clerk, hq, on_the_road, thr_camera
):
    """«۱۲ پ ۳۴۵ - ایران ۶۵ ← ۷۷ ق ۸۸۸ - ایران ۹۹», each plate isolated and the arrow in the reading
    direction, not «12پ34565 → 77ق88899 @ THR-1» jumbled by the right-to-left line around it."""
    from anpr.match_review import match_review
    from declarations.idents import plate_text

    judged, corrected = _read(thr_camera, MISREAD, hours_ago=4), _read(thr_camera, MISREAD, hours_ago=3)
    match_review(match=PlateMatch.objects.get(read=judged), by=hq, decision="rejected", note="another truck")
    review.read_label(read=corrected, by=dest_clerk, plate=OTHER)
    client.force_login(hq)
    html = client.get(reverse("declarations:detail", args=[on_the_road.pk])).content.decode()
    labelled = _timeline_item(html, "plate_read_labelled")
    assert f"{plate_text(MISREAD)} ← {plate_text(OTHER)} · گمرک تهران" in labelled  # the office by name, not «THR»
    assert OTHER not in labelled and "→" not in labelled
    rejected = _timeline_item(html, "plate_match_rejected")
    assert f"{plate_text(MISREAD)} ≈ {plate_text(DECLARED)} (" in rejected and "another truck" in rejected
    assert DECLARED not in rejected
    assert "· گمرک تهران" in rejected and "· THR" not in rejected


def test_an_english_timeline_names_the_office_of_a_plate_a_person_read_in_english(
    client, dest_clerk, hq, on_the_road, thr_camera
):
    """Plate-read entries ended with the office's code («… · THR»); other entries name the office."""
    read = _read(thr_camera, MISREAD, hours_ago=3)
    review.read_label(read=read, by=dest_clerk, plate=OTHER)
    client.force_login(hq)
    html = client.get(reverse("declarations:detail", args=[on_the_road.pk])).content.decode()
    labelled = _timeline_item(html, "plate_read_labelled")
    assert " · Tehran" in labelled and "· THR" not in labelled


def test_the_dashboard_counts_a_correction_at_once(
    client, dest_clerk, on_the_road, thr_camera, settings, django_capture_on_commit_callbacks
):
    """A person's reading is a person's change, like a transition: the reviewer who goes back to the
    dashboard sees the signal it cleared counted out, not the figures of before for another quarter minute."""
    from django.core.cache import cache

    settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = 1
    settings.DASHBOARD_RECOUNT_SECONDS = 600  # evidence alone would wait this long
    cache.clear()
    read = _read(thr_camera, MISREAD, hours_ago=3)
    client.force_login(dest_clerk)

    def count() -> int:
        html = client.get(reverse("home")).content.decode()
        return int(html.split('data-signal="read_without_arrival"', 1)[1].split('data-count="', 1)[1].split('"')[0])

    assert count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("anpr:read-review", args=[read.pk]), _entry(OTHER)).status_code == 302
    assert count() == 0
    cache.clear()


def test_a_second_reviewer_is_shown_the_first_reading_before_theirs_replaces_it(client, dest_clerk, hq, thr_camera):
    """Two people open the same read; the first saves. The second's save, from the page without that
    reading, is not written over it unseen: their page comes back (409) saying who read it as what, with
    what they typed kept; saving again from that page puts theirs in effect."""
    read = _read(thr_camera, MISREAD)
    url = reverse("anpr:read-review", args=[read.pk])
    client.force_login(dest_clerk)
    page = client.get(url).content.decode()
    assert 'name="seen" value=""' in page  # nobody has read it yet
    first = review.read_label(read=read, by=hq, plate=DECLARED).label

    response = client.post(url, _entry(OTHER, seen=""))
    assert response.status_code == 409
    html = response.content.decode()
    alert = html.split('class="alert alert-danger', 1)[1].split("</div>\n", 1)[0]
    from declarations.idents import plate_text

    assert f"\u2068{hq.username}\u2069 read this plate as {plate_text(DECLARED, nowrap=True)}" in alert
    assert f'name="seen" value="{first.pk}"' in html  # the page now shows that reading
    assert 'value="77"' in html or 'value="۷۷"' in html  # what they typed, kept
    assert list(PlateLabel.objects.filter(read=read)) == [first]

    assert client.post(url, _entry(OTHER, seen=str(first.pk))).status_code == 302
    assert review.latest_label(read).plate == OTHER and PlateLabel.objects.filter(read=read).count() == 2


def test_the_same_reading_sent_twice_is_kept_once(client, dest_clerk, thr_camera):
    """A double click or the back button and Save again: one label, and the reviewer moves on."""
    read = _read(thr_camera, MISREAD)
    url = reverse("anpr:read-review", args=[read.pk])
    client.force_login(dest_clerk)
    assert client.post(url, _entry(OTHER, seen="")).status_code == 302
    assert client.post(url, _entry(OTHER, seen="")).status_code == 302
    assert PlateLabel.objects.filter(read=read).count() == 1


def test_the_first_reviewers_latin_name_is_isolated_in_the_message(client, dest_clerk, thr_camera):
    john = UserFactory(username="jsmith", role=Role.HQ, first_name="John", last_name="Smith 2")
    read = _read(thr_camera, MISREAD)
    review.read_label(read=read, by=john, plate=DECLARED)
    client.force_login(dest_clerk)
    html = client.post(reverse("anpr:read-review", args=[read.pk]), _entry(OTHER, seen="")).content.decode()
    assert "\u2068John Smith 2\u2069 read this plate as" in html


@pytest.mark.persian
def test_a_second_reviewer_is_told_in_persian(client, dest_clerk, hq, thr_camera):
    read = _read(thr_camera, MISREAD)
    review.read_label(read=read, by=hq, plate=DECLARED)
    client.force_login(dest_clerk)
    html = client.post(reverse("anpr:read-review", args=[read.pk]), _entry(OTHER, seen="")).content.decode()
    assert "این پلاک را در ۱۴" in html and "دوباره ثبت کنید" in html


@pytest.mark.parametrize("kind", ["nonsense", "other", "LOW_CONFIDENCE"])
def test_a_queue_kind_that_is_no_tab_is_refused_beside_the_tabs_never_read_as_all(client, dest_clerk, thr_camera, kind):
    """A mistyped or stale link must not show every read in place of the kind asked for."""
    waiting = _read(thr_camera, "", recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    client.force_login(dest_clerk)
    assert _queue_ids(client) == {waiting.pk}
    response = client.get(reverse("anpr:review-queue"), {"kind": kind})
    page = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    tabs_end = page.index("</ul>", page.index("data-review-tabs"))
    error = page.index('data-filter-error="kind"')
    assert tabs_end < error < page.index("data-review-queue")  # beside the tabs, above the (empty) table
    assert "There is no queue of that kind: choose one of the tabs." in page
    assert f'data-read="{waiting.pk}"' not in page and "The filters are not valid." in page
    assert 'class="nav-link active"' not in page  # no tab claims to be the one shown


@pytest.mark.persian
def test_a_queue_kind_that_is_no_tab_is_refused_in_persian(client, dest_clerk, thr_camera):
    client.force_login(dest_clerk)
    response = client.get(reverse("anpr:review-queue"), {"kind": "nonsense"})
    page = response.content.decode()
    assert response.status_code == 400 and '<html lang="fa"' in page
    assert "صفی از این نوع نیست: یکی از زبانه‌ها را برگزینید." in page and "The filters" not in page


@pytest.mark.parametrize("kind", ["nonsense", "LOW_CONFIDENCE"])
def test_a_review_page_opened_from_a_queue_that_is_no_tab_leads_into_no_other_queue(
    client, dest_clerk, thr_camera, kind
):
    """``?kind=nonsense`` on the read's page was carried into its link back and its form, and the read saved
    from it led to the next read of any queue, as though it were the one the reviewer worked."""
    unread = _read(thr_camera, "", recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    other = _read(thr_camera, "", hours_ago=4, recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    url = reverse("anpr:read-review", args=[unread.pk])
    client.force_login(dest_clerk)
    response = client.get(url, {"kind": kind})
    page = response.content.decode()
    assert response.status_code == 400 and "<html" in page
    back = page.index(reverse("anpr:review-queue"))
    assert back < page.index('data-filter-error="kind"') < page.index("data-plate-form")  # beside the link back
    assert "There is no queue of that kind: choose one of the tabs." in page
    assert kind not in page.split("data-filter-error", 1)[0].split("<main", 1)[-1]  # no link carries it
    assert 'name="queue" value=""' in page
    # The form sent with it records nothing and leads nowhere.
    response = client.post(url, _entry(OTHER, queue=kind))
    assert response.status_code == 400 and 'data-filter-error="kind"' in response.content.decode()
    assert not PlateLabel.objects.exists()
    # From a tab: on to the next read of that tab.
    response = client.post(url, _entry(OTHER, queue=LabelReason.NOT_IRANIAN))
    assert response.status_code == 302
    assert response["Location"] == reverse("anpr:read-review", args=[other.pk]) + f"?kind={LabelReason.NOT_IRANIAN}"


@pytest.mark.persian
def test_a_review_pages_queue_that_is_no_tab_is_refused_in_persian(client, dest_clerk, thr_camera):
    read = _read(thr_camera, "", recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:read-review", args=[read.pk]), {"kind": "nonsense"}).content.decode()
    assert "صفی از این نوع نیست: یکی از زبانه‌ها را برگزینید." in page


def test_every_read_in_the_queue_is_reached_page_by_page_with_the_count_of_all(client, dest_clerk, thr_camera):
    """The queue is a work queue: 130 reads that need a person are all reachable (100 a page, a cursor to
    the next), the page says how many wait in all, and paging keeps the tab."""
    from anpr.views_review import PAGE

    start = timezone.now() - dt.timedelta(hours=5)
    items = [ingest.ReadInput(captured_at=start + dt.timedelta(minutes=i)) for i in range(130)]
    ids = [r.id for r in ingest.reads_ingest(camera=thr_camera, items=items)]
    PlateRead.objects.filter(pk__in=ids).update(recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    oldest = ids[0]  # the 130th newest: on the second page
    client.force_login(dest_clerk)
    for kind in ("", LabelReason.NOT_IRANIAN):
        query = {"kind": kind} if kind else {}
        first = client.get(reverse("anpr:review-queue"), query)
        html = first.content.decode()
        assert 'data-waiting="130"' in html
        seen = _ids_in(html)
        assert len(seen) == PAGE and oldest not in seen
        nxt = html.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert (f"kind={kind}" in nxt) == bool(kind)
        second = client.get(reverse("anpr:review-queue") + nxt).content.decode()
        rest = _ids_in(second)
        assert oldest in rest and seen | rest == set(ids) and not seen & rest
        assert 'rel="next" aria-disabled="true"' in second  # the last page
        back = second.split('rel="prev" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert _ids_in(client.get(reverse("anpr:review-queue") + back).content.decode()) == seen


def test_a_broken_page_link_of_the_queue_goes_back_to_its_first_page(client, dest_clerk):
    client.force_login(dest_clerk)
    response = client.get(reverse("anpr:review-queue"), {"kind": LabelReason.NOT_IRANIAN, "after": "garbage"})
    assert response.status_code == 302 and response["Location"].endswith(f"?kind={LabelReason.NOT_IRANIAN}")


def _ids_in(html: str) -> set[int]:
    table = html.split("data-review-queue", 1)[1].split("</table>", 1)[0]
    return {int(part.split('"', 1)[0]) for part in table.split('data-read="')[1:]}


def test_an_over_long_note_is_refused_beside_the_field_and_nothing_is_written(client, dest_clerk, hq, thr_camera):
    """The note has the table's limit (300 characters): the box says so but does not cut a pasted note (the
    browser would, unseen); a longer one comes back beside the field with what was typed and how much, and
    neither the label nor the read's matching is written; from a service caller too, never cut short unseen."""
    from core.errors import InvalidInput

    read = _read(thr_camera, MISREAD)
    state = (read.match_state, read.vehicle_id)
    url = reverse("anpr:read-review", args=[read.pk])
    client.force_login(dest_clerk)
    page = client.get(url).content.decode()
    box = page[page.index('name="note"') - 200 : page.index('name="note"') + 300]
    assert "At most 300 characters." in page and "maxlength" not in box
    long_note = "x" * 301
    response = client.post(url, _entry(OTHER, note=long_note, seen=""))
    assert response.status_code == 400
    html = response.content.decode()
    box = html[html.index('name="note"') : html.index("</div>", html.index('role="alert"', html.index('name="note"')))]
    assert long_note in box and 'aria-invalid="true"' in box and "At most 300 characters; 301 were written." in box
    assert not PlateLabel.objects.filter(read=read).exists()
    read.refresh_from_db()
    assert (read.match_state, read.vehicle_id) == state
    with pytest.raises(InvalidInput) as refused:
        review.read_label(read=read, by=hq, plate=OTHER, note=long_note)
    assert refused.value.fields == {"note": long_note}
    assert not PlateLabel.objects.filter(read=read).exists()
    assert review.read_label(read=read, by=hq, plate=OTHER, note=" " + "x" * 300 + " ").label.note == "x" * 300


def test_an_over_long_note_on_a_match_review_is_refused_not_cut(hq, on_the_road, thr_camera):
    from anpr.match_review import match_review
    from core.errors import InvalidInput

    _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(declaration=on_the_road)
    with pytest.raises(InvalidInput):
        match_review(match=match, by=hq, decision="rejected", note="y" * 301)
    match.refresh_from_db()
    assert match.review == MatchReview.NONE
    assert not DeclarationEvent.objects.filter(declaration=on_the_road, kind="plate_match_rejected").exists()


@pytest.mark.persian
def test_a_note_too_long_is_refused_with_the_plates_errors_all_at_once(client, dest_clerk, thr_camera):
    """A note too long does not hide what else is wrong: the plate's parts are checked too, each error beside
    its field, and the note's says the limit and how many characters were typed, in Persian digits."""
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    entry = {**_entry(OTHER, note="x" * 350, seen=""), "letter": "", "three": "12"}
    response = client.post(reverse("anpr:read-review", args=[read.pk]), entry)
    assert response.status_code == 400
    html = response.content.decode()
    assert "حداکثر ۳۰۰ نویسه؛ ۳۵۰ نوشته شد." in html
    errors = html.split("data-plate-form", 1)[1].count('class="invalid-feedback d-block" role="alert"')
    assert errors == 3  # the letter, the three digits, the note
    assert not PlateLabel.objects.filter(read=read).exists()


@pytest.mark.persian
def test_a_read_near_an_unseen_arrival_names_that_arrival_and_once_read_says_it_was_reviewed(
    client, dest_clerk, on_the_road, thr_camera
):
    """The reason is the arrival nearby with no plate read, not a contradiction a person found: the queue row
    and the read's page say so and link the declaration; once read, the page says it was reviewed, not why it
    waits."""
    declaration_confirm_arrival(
        declaration=on_the_road,
        by=dest_clerk,
        at=timezone.now() - dt.timedelta(hours=2),
        unseen_reason="the camera misread the plate",
    )
    gate = _read(thr_camera, "12ب84365", hours_ago=2.2)
    link = f'<a href="{reverse("declarations:detail", args=[on_the_road.pk])}">'
    client.force_login(dest_clerk)
    queue_html = client.get(reverse("anpr:review-queue")).content.decode()
    row = queue_html.split(f'data-read="{gate.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "نزدیک وصولی بدون قرائت پلاک" in row and link in row
    url = reverse("anpr:read-review", args=[gate.pk])
    page = client.get(url).content.decode()
    reasons = page.split("data-reasons>", 1)[1].split("</dd>", 1)[0]
    assert "نزدیک وصولی بدون قرائت پلاک" in reasons and "مغایر با پلاک اظهارنامه" not in reasons
    assert link in page.split("data-near-arrivals>", 1)[1].split("</dd>", 1)[0]

    assert client.post(url, _entry(OTHER, seen="")).status_code == 302
    page = client.get(url).content.decode()
    assert "دلیل قرار گرفتن در این فهرست" not in page
    assert "دیگر در صف بررسی منتظر نیست" in page.split("data-reviewed>", 1)[1].split("</dd>", 1)[0]


def test_the_reading_in_effect_saved_again_from_a_fresh_page_records_nothing_and_counts_once(
    client, dest_clerk, hq, on_the_road, thr_camera, settings
):
    """A read from the low-confidence queue is corrected with a note; Back, and Save again from the page that
    now shows that reading (``seen`` is it): nothing new is recorded, the reviewer is told so, and the camera
    report counts the read once, corrected, under the queue it came from."""
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.8
    read = _read(thr_camera, "", plate=DECLARED, recognition=Recognition.DONE, confidence=0.5)
    url = reverse("anpr:read-review", args=[read.pk])
    client.force_login(dest_clerk)
    assert client.post(url, _entry(OTHER, seen="", note="the photo is clear")).status_code == 302
    first = PlateLabel.objects.get(read=read)
    assert first.reason == LabelReason.LOW_CONFIDENCE and first.corrected
    # Its match to the declared truck is now rejected: the read "contradicts" it, a reason it never came with.
    assert LabelReason.CONTRADICTS in review.reasons_of(read)

    response = client.post(url, _entry(OTHER, seen=str(first.pk)), follow=True)
    assert "nothing new was recorded" in response.content.decode()
    response = client.post(url, _entry(OTHER, seen=str(first.pk), note="the photo is clear"))
    assert response.status_code == 302
    assert list(PlateLabel.objects.filter(read=read)) == [first]

    client.force_login(hq)
    csv = download(client, reverse("anpr:report", args=["anpr-camera-corrections"]), {"format": "csv"}).content
    head, row = csv.decode("utf-8-sig").splitlines()[:2]
    by_kind = dict(zip(head.split(",")[7:], row.split(",")[7:], strict=True))
    assert by_kind[f"Corrected: {LabelReason.LOW_CONFIDENCE.label}"] == "1"
    assert by_kind[f"Corrected: {LabelReason.CONTRADICTS.label}"] == "0"


def test_the_reading_in_effect_sent_with_a_new_note_is_refused_beside_the_note(client, dest_clerk, hq, thr_camera):
    read = _read(thr_camera, MISREAD)
    first = review.read_label(read=read, by=hq, plate=OTHER).label
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[read.pk])
    response = client.post(url, _entry(OTHER, seen=str(first.pk), note="seen again"))
    assert response.status_code == 400
    beside = response.content.decode().split('name="note"', 1)[1].split("</div>", 2)
    assert "a note alone is not recorded" in "".join(beside[:2])
    assert list(PlateLabel.objects.filter(read=read)) == [first]


def test_a_later_reading_keeps_the_reason_the_read_came_with_and_the_report_counts_it_there(
    client, dest_clerk, hq, on_the_road, thr_camera, settings
):
    """A second person reads another plate: a new label, under the first one's reason; and a label stored
    under another reason before (a later look once took the reason of the matches the first rejected) is
    counted under the first's, the read once."""
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.8
    read = _read(thr_camera, "", plate=DECLARED, recognition=Recognition.DONE, confidence=0.5)
    review.read_label(read=read, by=dest_clerk, plate=OTHER)
    second = review.read_label(read=read, by=hq, plate="77ق88898").label
    assert second.reason == LabelReason.LOW_CONFIDENCE
    PlateLabel.objects.filter(pk=second.pk).update(reason=LabelReason.CONTRADICTS)
    client.force_login(hq)
    csv = download(client, reverse("anpr:report", args=["anpr-camera-corrections"]), {"format": "csv"}).content
    head, row = csv.decode("utf-8-sig").splitlines()[:2]
    cells = dict(zip(head.split(","), row.split(","), strict=True))
    assert (cells["Reviewed"], cells["Corrected"]) == ("1", "1")
    assert cells[f"Corrected: {LabelReason.LOW_CONFIDENCE.label}"] == "1"
    assert cells[f"Corrected: {LabelReason.CONTRADICTS.label}"] == "0"


def test_the_anpr_pages_list_of_reads_for_a_person_is_the_queues_a_read_read_since_leaves_it(
    client, dest_clerk, thr_camera
):
    """/anpr/ lists the reads the reader left to a person as the review queue's tab of them holds them: one
    a person has read is in neither, and the heading's count is the tab's."""
    waiting = _read(thr_camera, "", hours_ago=2, recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    done = _read(thr_camera, "", hours_ago=1, recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    review.read_label(read=done, by=dest_clerk, plate=OTHER)
    client.force_login(dest_clerk)
    assert _queue_ids(client, LabelReason.NOT_IRANIAN) == {waiting.pk}
    page = client.get(reverse("anpr:index")).content.decode()
    listed = page[page.index('id="manual"') :].split("</table>", 1)[0]
    assert "Reads for a person to read (1)" in listed
    assert f'data-read="{waiting.pk}"' in listed and f'data-read="{done.pk}"' not in listed


def _manual_explained(client) -> str:
    page = client.get(reverse("anpr:index")).content.decode()
    return page[page.index('id="manual"') :].split("<table", 1)[0]


def test_the_anpr_pages_reads_for_a_person_say_what_the_queue_holds(client, dest_clerk):
    """The list holds the reads the reader left to a person, Iranian plates of another layout among them (not
    foreign plates only); the text says so and where the queue's other reads for a person are."""
    client.force_login(dest_clerk)
    said = _manual_explained(client)
    assert "because they are not Iranian plates" not in said
    assert "foreign plates" in said and "Iranian plates of another layout" in said
    for other in ("low confidence", "similar-plate match decided a signal", "contradict a declaration"):
        assert other in said
    assert f'href="{reverse("anpr:review-queue")}"' in said


@pytest.mark.persian
def test_the_anpr_pages_reads_for_a_person_say_what_the_queue_holds_in_persian(client, dest_clerk):
    client.force_login(dest_clerk)
    said = _manual_explained(client)
    assert "پلاک‌های ایرانی با قالبی دیگر" in said and "مغایر با پلاک اظهارنامه" in said
    assert "reader" not in said


def test_a_rejected_match_is_not_the_reads_declaration_in_the_history_files_nor_the_api(
    client, dest_clerk, on_the_road, thr_camera
):
    """A read a person read as another plate: its match to the declaration, rejected, is no longer listed in
    the plate's history files or the API (as on the page), and the files and the API say a person read it."""
    import csv
    import io

    from rest_framework.test import APIClient

    from tests.anpr.sheets import sheet, table
    from tests.export_jobs import download
    from tests.pdftext import pdf_text

    read = _read(thr_camera, MISREAD)
    review.read_label(read=read, by=dest_clerk, plate=OTHER)
    assert PlateMatch.objects.get(read=read).review == MatchReview.REJECTED  # kept, as evidence
    client.force_login(dest_clerk)
    search = {"q": OTHER}
    response = download(client, reverse("anpr:plates"), {**search, "format": "csv"})
    head, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert row[head.index("Declarations")] == "" and row[head.index("Engine")] == "read by a person"
    assert row[head.index("Declarations outside your scope")] == "0"
    rows = table(sheet(download(client, reverse("anpr:plates"), {**search, "format": "xlsx"})))
    assert rows[1][head.index("Declarations")].value in ("", None)
    assert rows[1][head.index("Engine")].value == "read by a person"
    text = pdf_text(download(client, reverse("anpr:plates"), {**search, "format": "pdf"}).content)
    assert on_the_road.serial not in text and "read by a person" in text and "camera's own" not in text
    api = APIClient()
    api.force_authenticate(dest_clerk)
    (found,) = api.get(reverse("anpr-api-read-list"), {"plate": OTHER}).json()["results"]
    assert (found["matches"], found["matches_outside_scope"], found["read_by"]) == ([], 0, "person")
    detail = api.get(reverse("anpr-api-read-detail", args=[read.pk])).json()
    assert (detail["matches"], detail["read_by"], detail["engine"]) == ([], "person", read.engine)


def test_the_vehicle_page_lists_the_reads_its_full_history_lists(client, dest_clerk, on_the_road, thr_camera):
    """By the plate in effect: a read of the truck's plate a person read as another truck leaves the vehicle
    page as it leaves the plate's history, and a read a person read as this truck's plate is on both."""
    misread = _read(thr_camera, MISREAD)  # matched to the truck, then read by a person as another plate
    review.read_label(read=misread, by=dest_clerk, plate=OTHER)
    camera_read = _read(thr_camera, DECLARED, hours_ago=2)  # the camera read the truck's plate, a person another
    review.read_label(read=camera_read, by=dest_clerk, plate=OTHER)
    ours = _read(thr_camera, OTHER, hours_ago=1)  # the camera read another plate, a person this truck's
    review.read_label(read=ours, by=dest_clerk, plate=DECLARED)
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:vehicle", args=[on_the_road.vehicle_id])).content.decode()
    panel = page.split('data-panel="vehicle-reads"', 1)[1].split("</section>", 1)[0]
    assert {int(p.split('"', 1)[0]) for p in panel.split('data-read="')[1:]} == {ours.pk}
    assert "data-labelled" in panel and "data-by-plate-in-effect" in panel
    history = client.get(reverse("anpr:plates"), {"q": DECLARED}).content.decode()
    table = history.split("data-plate=", 1)[1].split("</table>", 1)[0]
    assert {int(p.split('"', 1)[0]) for p in table.split('data-read="')[1:]} == {ours.pk}


def test_the_vehicle_pages_reads_are_its_history_links_period_and_say_so(client, dest_clerk, on_the_road, thr_camera):
    """The panel lists the reads of the period its «Full sighting history» opens, the last 30 days, and says
    so with their number: a read of 40 days ago is on neither, the number is the history's."""
    old = _read(thr_camera, DECLARED, hours_ago=40 * 24)
    recent = [_read(thr_camera, DECLARED, hours_ago=h) for h in (1, 2)]
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:vehicle", args=[on_the_road.vehicle_id])).content.decode()
    panel = page.split('data-panel="vehicle-reads"', 1)[1].split("</section>", 1)[0]
    assert {int(p.split('"', 1)[0]) for p in panel.split('data-read="')[1:]} == {r.pk for r in recent}
    assert old.pk not in {int(p.split('"', 1)[0]) for p in panel.split('data-read="')[1:]}
    assert "Plate reads in the last 30 days (2)" in panel
    link = html.unescape(panel.split("data-history", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0])
    assert link.startswith("/anpr/plates/?")
    history = client.get(link).content.decode()
    assert "Sightings (2)" in history
    table = history.split("data-plate=", 1)[1].split("</table>", 1)[0]
    assert {int(p.split('"', 1)[0]) for p in table.split('data-read="')[1:]} == {r.pk for r in recent}


@pytest.mark.persian
def test_the_vehicle_pages_reads_say_their_period_in_persian(client, dest_clerk, on_the_road, thr_camera):
    _read(thr_camera, DECLARED, hours_ago=1)
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:vehicle", args=[on_the_road.vehicle_id])).content.decode()
    panel = page.split('data-panel="vehicle-reads"', 1)[1].split("</section>", 1)[0]
    assert "قرائت‌های پلاک در ۳۰ روز گذشته (۱)" in panel


def test_the_reads_for_a_person_to_read_on_the_plate_readers_page_link_to_where_they_are_read(
    client, dest_clerk, it_officer, thr_camera
):
    """«Read them from the photo»: each row opens its review page (in that queue) for a person who may read
    it; IT, who sees every office's reads but reads no plates, gets the photo only."""
    foreign = _read(thr_camera, "", recognition=Recognition.MANUAL, match_state=MatchState.NO_PLATE)
    link = f'href="{reverse("anpr:read-review", args=[foreign.pk])}?kind={LabelReason.NOT_IRANIAN.value}"'
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:index")).content.decode()
    row = page.split('id="manual"', 1)[1].split(f'data-read="{foreign.pk}"', 1)[1].split("</tr>", 1)[0]
    assert link in row and "data-review-link" in row
    assert (
        client.get(
            reverse("anpr:read-review", args=[foreign.pk]) + f"?kind={LabelReason.NOT_IRANIAN.value}"
        ).status_code
        == 200
    )
    client.force_login(it_officer)
    page = client.get(reverse("anpr:index")).content.decode()
    row = page.split('id="manual"', 1)[1].split(f'data-read="{foreign.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "data-review-link" not in row and reverse("anpr:photo", args=[foreign.pk]) in row


def _on_a_phone(row: str) -> list[str]:
    """The cells of a table row a 390 px screen shows: those not hidden below a breakpoint (``d-none``)."""
    import re

    cells = re.findall(r"<t[hd]([^>]*)>(.*?)</t[hd]>", row, re.S)
    return [re.sub(r"<[^>]+>", " ", body).strip() for attrs, body in cells if "d-none" not in attrs]


def test_on_a_phone_the_queue_shows_when_the_plate_and_the_button_to_read_it(
    client, dest_clerk, on_the_road, thr_camera, settings
):
    """An outside walk: on a 390 px screen the queue scrolled sideways, «Read the plate» off the screen. A phone
    shows when, the plate and the button; office, camera, confidence, match and photo from a wider screen up."""
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.8
    unsure = _read(thr_camera, "", hours_ago=1.5, plate="45ج71248", recognition=Recognition.DONE, confidence=0.41)
    client.force_login(dest_clerk)
    html = client.get(reverse("anpr:review-queue")).content.decode()
    table = html.split("data-review-queue", 1)[1].split("</table>", 1)[0]
    head = table.split("<thead>", 1)[1].split("</thead>", 1)[0]
    row = table.split(f'data-read="{unsure.pk}"', 1)[1].split("</tr>", 1)[0]
    assert _on_a_phone(head) == ["captured at", "plate", ""]
    shown = _on_a_phone(row)
    assert len(shown) == 3 and "Read the plate" in shown[2]
    assert head.count("</th>") == 8  # every column is still there on a wider screen


@pytest.mark.persian
def test_the_queue_says_under_its_heading_how_sure_a_read_must_be_to_stay_out_of_it(client, dest_clerk, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.85
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:review-queue")).content.decode()
    line = page.split("</h1>", 1)[1].split("</p>", 1)[0]
    assert "data-review-threshold" in line and "کمتر از ۸۵٪" in line


def test_the_queue_says_its_threshold_in_english_on_english_pages(client, dest_clerk, settings):
    settings.ANPR_REVIEW_MIN_CONFIDENCE = 0.9
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:review-queue")).content.decode()
    line = page.split("</h1>", 1)[1].split("</p>", 1)[0]
    assert "less than 90%" in line


@pytest.mark.persian
def test_the_plate_boxes_run_left_to_right_as_the_plate_reads(client, dest_clerk, thr_camera):
    """On the RTL page the box row is left to right, as the plate stands: two digits, the letter, three digits,
    then the province under «ایران»; Tab follows the same order, and each label stays Persian in its box."""
    read = _read(thr_camera, "", recognition=Recognition.MANUAL)
    client.force_login(dest_clerk)
    page = client.get(reverse("anpr:read-review", args=[read.pk])).content.decode()
    assert 'dir="rtl"' in page.split("<body", 1)[0]
    row = re.search(r'<div class="plate-entry[^"]*"[^>]*>', page)
    assert row and 'dir="ltr"' in row[0]
    boxes = page[row.end() :].split("<details", 1)[0]
    assert re.findall(r'id="id_(two|letter|three|province)"', boxes) == ["two", "letter", "three", "province"]
    assert "tabindex" not in boxes
    assert "دو رقم" in boxes and "کد استان" in boxes

    refused = client.post(reverse("anpr:read-review", args=[read.pk]), {**_entry("12ب34565"), "two": "۱"})
    part = refused.content.decode().split('<div class="part two', 1)[1].split('<div class="part', 1)[0]
    assert "is-invalid" in part and 'role="alert"' in part  # its error beside its own box
