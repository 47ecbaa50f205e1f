"""Normalisation and fuzzy matching: property tests on the scorer, then reads matched to declarations."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from anpr import ingest, matching, services, sightings
from anpr.models import MatchState, PlateMatch, PlateRead
from declarations.models import Status
from declarations.plates import PLATE_LETTERS
from tests.factories import DeclarationFactory, OfficeFactory, VehicleFactory

MIN = 0.9
plates = st.builds(
    lambda a, letter, b, region: f"{a}{letter}{b}{region}",
    st.integers(10, 99),
    st.sampled_from(PLATE_LETTERS),
    st.integers(100, 999),
    st.integers(10, 99),
)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@given(plates)
def test_it_reads_a_plate_the_same_in_any_digit_script_and_spacing(plate):
    spaced = f"{plate[:2]} {plate[2]} {plate[3:6]} ایران {plate[6:]}".translate(PERSIAN)
    assert matching.match_key(spaced) == plate
    assert matching.match_key(plate) == plate


@given(plates, plates)
def test_it_scores_symmetrically_and_only_equal_plates_as_exact(a, b):
    assert matching.weighted_distance(a, b) == matching.weighted_distance(b, a)
    assert (matching.score(a, b) == 1.0) == (a == b)
    assert 0.0 <= matching.score(a, b) <= 1.0


@given(plates, plates, plates)
def test_it_keeps_the_triangle_inequality(a, b, c):
    d = matching.weighted_distance
    assert d(a, c) <= d(a, b) + d(b, c) + 1e-9


@given(plates)
@hsettings(max_examples=60)
def test_it_finds_every_variant_within_the_score_budget(plate):
    found = matching.variants(plate, MIN)
    assert found[plate] == 0.0
    for variant, cost in found.items():
        assert len(variant) == len(plate)
        assert (variant != plate) == (cost > 0)
        assert matching.score(plate, variant) >= MIN - 1e-9
        assert matching.weighted_distance(plate, variant) <= cost + 1e-9
        assert matching.match_key(variant) == variant  # every variant is a valid plate
    assert len(found) < 1000


@given(plates, st.data())
@hsettings(max_examples=60)
def test_it_finds_the_true_plate_after_one_confusion(plate, data):
    positions = [
        i
        for i, ch in enumerate(plate)
        if any(matching.substitution_allowed(plate, i, alt) for alt, _ in matching.ALTERNATIVES.get(ch, ()))
    ]
    if not positions:
        return
    i = data.draw(st.sampled_from(positions))
    alt = data.draw(
        st.sampled_from([a for a, _ in matching.ALTERNATIVES[plate[i]] if matching.substitution_allowed(plate, i, a)])
    )
    misread = plate[:i] + alt + plate[i + 1 :]
    assert plate in matching.variants(matching.match_key(misread), MIN)


def test_it_scores_confusable_characters_cheaper_than_others():
    assert matching.score("12ب34567", "12پ34567") > matching.score("12ب34567", "12ل34567")
    assert matching.score("12ب36567", "12ب38567") > matching.score("12ب36567", "12ب32567")
    assert matching.score("12ب36567", "12ب38567") >= MIN
    assert matching.score("12ب34567", "12ل34567") < MIN


def test_it_still_finds_candidates_for_a_letter_that_is_no_series_letter():
    # ذ is not a plate letter: a camera reading د as ذ still gets the true plate as a candidate.
    assert matching.match_key("12ذ34567") == "12ذ34567"
    assert "12د34567" in matching.variants("12ذ34567", MIN)
    assert "12ذ34567" not in matching.variants("12ذ34567", MIN)


def test_it_has_no_key_for_text_that_is_no_plate():
    assert matching.match_key("") == ""
    assert matching.match_key("hello") == ""
    assert matching.match_key("12ب3") == ""


# --- Reads matched to declarations ----------------------------------------------------------------


def _read(camera, plate, at=None):
    at = at or timezone.now() - dt.timedelta(minutes=5)
    (result,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])
    return result.id


@pytest.mark.django_db
def test_it_matches_an_exact_read_and_records_the_score(truck, declaration, thr_camera):
    read_id = _read(thr_camera, truck.plate)
    sightings.reads_match(read_ids=[read_id])
    match = PlateMatch.objects.get(read_id=read_id)
    assert match.declaration_id == declaration.pk
    assert (match.score, match.exact, match.on_route, match.at_destination) == (1.0, True, True, True)
    read = PlateRead.objects.get(pk=read_id)
    assert read.match_state == MatchState.MATCHED and read.vehicle_id == truck.pk


@pytest.mark.django_db
def test_it_matches_a_read_with_a_confused_character_as_not_exact(declaration, bazargan, tehran, thr_camera):
    from declarations.models import TransitDeclaration

    vehicle = VehicleFactory(plate="26ب36913")
    TransitDeclaration.objects.filter(pk=declaration.pk).update(vehicle=vehicle, status=Status.IN_TRANSIT)
    read_id = _read(thr_camera, "26پ38913")  # ب→پ and 6→8
    sightings.reads_match(read_ids=[read_id])
    match = PlateMatch.objects.get(read_id=read_id)
    assert match.declaration_id == declaration.pk and not match.exact
    assert MIN <= match.score < 1.0
    assert match.vehicle_plate == "26ب36913"


@pytest.mark.django_db
def test_it_prefers_the_exact_truck_over_a_look_alike(bazargan, tehran, thr_camera):
    exact = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="26ب36913"))
    DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate="26پ36913"))
    read_id = _read(thr_camera, "26ب36913")
    sightings.reads_match(read_ids=[read_id])
    assert list(PlateMatch.objects.filter(read_id=read_id).values_list("declaration_id", flat=True)) == [exact.pk]


@pytest.mark.django_db
def test_it_leaves_unrelated_and_closed_declarations_alone(declaration, thr_camera):
    from declarations.models import TransitDeclaration

    TransitDeclaration.objects.filter(pk=declaration.pk).update(status=Status.SETTLED)
    read_id = _read(thr_camera, declaration.vehicle.plate)
    other = _read(thr_camera, "99ی99999", at=timezone.now() - dt.timedelta(minutes=1))
    sightings.reads_match(read_ids=[read_id, other])
    assert not PlateMatch.objects.exists()
    assert set(PlateRead.objects.values_list("match_state", flat=True)) == {MatchState.UNMATCHED}


@pytest.mark.django_db
def test_it_ignores_a_read_long_before_the_declaration(truck, declaration, thr_camera, settings):
    settings.ANPR_MATCH_LOOKBACK_HOURS = 48
    from declarations.models import TransitDeclaration

    TransitDeclaration.objects.filter(pk=declaration.pk).update(declared_at=timezone.now())
    read_id = _read(thr_camera, truck.plate, at=timezone.now() - dt.timedelta(days=5))
    sightings.reads_match(read_ids=[read_id])
    assert not PlateMatch.objects.exists()


@pytest.mark.django_db
def test_it_matches_a_batch_twice_without_doubling(truck, declaration, thr_camera, bzg_camera):
    ids = [_read(thr_camera, truck.plate), _read(bzg_camera, truck.plate)]
    sightings.reads_match(read_ids=ids)
    PlateRead.objects.filter(pk__in=ids).update(match_state=MatchState.PENDING)  # a redelivered task
    sightings.reads_match(read_ids=ids)
    assert PlateMatch.objects.count() == 2


@pytest.mark.django_db
def test_it_matches_after_commit_when_posted(truck, declaration, thr_camera, django_capture_on_commit_callbacks):
    from tests.anpr.conftest import camera_client

    at = (timezone.now() - dt.timedelta(minutes=3)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        resp = camera_client(thr_camera).post(
            "/api/anpr/reads/", {"captured_at": at, "plate": truck.plate}, format="json"
        )
    assert resp.status_code == 201
    declaration.refresh_from_db()
    assert declaration.dest_first_read_at is not None
    assert PlateMatch.objects.filter(read_id=resp.json()["id"], declaration=declaration).exists()


@pytest.mark.django_db
def test_it_matches_a_foreign_plate_with_latin_confusions(bazargan, tehran, thr_camera):
    from declarations.models import Vehicle

    vehicle = Vehicle.objects.create(plate="34ABC123", country="TR")
    decl = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, vehicle_country="TR")
    read_id = _read(thr_camera, "34A8C123")
    sightings.reads_match(read_ids=[read_id])
    assert PlateMatch.objects.get(read_id=read_id).declaration_id == decl.pk


@pytest.mark.django_db
def test_it_reports_a_read_off_the_planned_route(bazargan, tehran, sarakhs):
    decl = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT)
    camera, _ = services.camera_register(office=OfficeFactory(code="QZV"), code="QZV-1", direction="in")
    read_id = _read(camera, decl.vehicle.plate)
    sightings.reads_match(read_ids=[read_id])
    assert PlateMatch.objects.get(read_id=read_id).on_route is False


@pytest.mark.django_db
def test_it_queues_matching_by_ids_when_a_broker_runs_and_sweeps_pending_reads(
    truck, declaration, thr_camera, bzg_camera, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("anpr.tasks.match_reads.delay", queued.append)
    at = timezone.now() - dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        (first,) = ingest.reads_ingest(
            camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=truck.plate)], match_inline=False
        )
        (second,) = ingest.reads_ingest(
            camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=truck.plate)], match_inline=False
        )
    # One task waits at a time: the second read rides on the first task, which sweeps every pending read.
    assert queued == [[first.id]]
    assert set(PlateRead.objects.values_list("match_state", flat=True)) == {MatchState.PENDING}
    assert sightings.reads_match(read_ids=queued[0])["reads"] == 2
    assert PlateMatch.objects.filter(declaration=declaration).count() == 2
    declaration.refresh_from_db()
    assert declaration.dest_first_read_at == at
    # Once that task has started, the next read queues a task of its own.
    with django_capture_on_commit_callbacks(execute=True):
        (third,) = ingest.reads_ingest(
            camera=thr_camera,
            items=[ingest.ReadInput(captured_at=at + dt.timedelta(minutes=1), plate_raw=truck.plate)],
            match_inline=False,
        )
    assert queued == [[first.id], [third.id]]


@pytest.mark.django_db
def test_with_a_broker_a_cameras_read_is_matched_at_once_and_a_backlog_by_the_worker(
    truck, declaration, thr_camera, django_capture_on_commit_callbacks, monkeypatch, settings
):
    from celery import current_app

    from core.models import OutboxJob

    monkeypatch.setattr(current_app.conf, "CELERY_TASK_ALWAYS_EAGER", False)  # a broker runs
    settings.ANPR_MATCH_IN_REQUEST_MAX = 2
    at = timezone.now() - dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        (one,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=truck.plate)])
    assert PlateRead.objects.get(pk=one.id).match_state == MatchState.MATCHED
    assert PlateMatch.objects.filter(read_id=one.id, declaration=declaration).exists()
    backlog = [ingest.ReadInput(captured_at=at + dt.timedelta(seconds=i), plate_raw=truck.plate) for i in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=False):  # the broker is not reached here
        done = ingest.reads_ingest(camera=thr_camera, items=backlog)
    ids = [r.id for r in done]
    assert set(PlateRead.objects.filter(pk__in=ids).values_list("match_state", flat=True)) == {MatchState.PENDING}
    (job,) = OutboxJob.objects.all()  # one job, written with the reads, which sweeps every pending read
    assert (job.task, job.args) == ("anpr.tasks.match_reads", [ids])


@pytest.mark.django_db
def test_a_full_sweep_queues_another(truck, thr_camera, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("anpr.tasks.match_reads.delay", queued.append)
    at = timezone.now() - dt.timedelta(minutes=5)
    items = [ingest.ReadInput(captured_at=at + dt.timedelta(seconds=i), plate_raw=truck.plate) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        ingest.reads_ingest(camera=thr_camera, items=items, match_inline=False)
    assert len(queued) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sightings.reads_match(read_ids=[], sweep=2)["reads"] == 2
    assert queued[1] == []  # one read is left: the full sweep queued a task for it
    assert sightings.reads_match(read_ids=queued[1], sweep=2)["reads"] == 1


@pytest.mark.django_db
def test_it_credits_the_trip_the_truck_is_on_not_an_old_one_awaiting_settlement(bazargan, tehran):
    from declarations.models import TransitDeclaration

    qazvin = OfficeFactory(code="QZV")
    vehicle = VehicleFactory(plate="26ب36913")
    old = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, status=Status.ARRIVED)
    new = DeclarationFactory(origin=bazargan, destination=qazvin, vehicle=vehicle, status=Status.IN_TRANSIT)
    camera, _ = services.camera_register(office=qazvin, code="QZV-1", direction="in")
    read_id = _read(camera, vehicle.plate)
    assert list(PlateMatch.objects.filter(read_id=read_id).values_list("declaration_id", flat=True)) == [new.pk]
    old.refresh_from_db()
    assert old.off_route_read_at is None and old.last_read_at is None
    assert TransitDeclaration.objects.get(pk=new.pk).dest_first_read_at is not None


@pytest.mark.django_db
def test_it_credits_an_arrived_declaration_only_at_its_destination(bazargan, tehran, thr_camera, bzg_camera):
    vehicle = VehicleFactory(plate="26ب36913")
    arrived = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, status=Status.ARRIVED)
    at_dest = _read(thr_camera, vehicle.plate)
    going_home = _read(bzg_camera, vehicle.plate, at=timezone.now() - dt.timedelta(minutes=1))
    assert PlateMatch.objects.get(read_id=at_dest).declaration_id == arrived.pk
    assert not PlateMatch.objects.filter(read_id=going_home).exists()
    arrived.refresh_from_db()
    assert arrived.dest_first_read_at is not None and arrived.off_route_read_at is None


@pytest.mark.django_db
def test_it_matches_a_large_batch_through_the_two_step_lookup(truck, declaration, thr_camera):
    at = timezone.now() - dt.timedelta(minutes=30)
    items = [
        ingest.ReadInput(captured_at=at + dt.timedelta(seconds=i), plate_raw=f"{10 + i}ل{100 + i}{20 + i}")
        for i in range(70)
    ]
    confused = truck.plate[:3] + {"1": "7", "7": "1"}.get(truck.plate[3], truck.plate[3]) + truck.plate[4:]
    items.append(ingest.ReadInput(captured_at=at, plate_raw=confused))
    assert sum(len(matching.variants(matching.match_key(i.plate_raw), MIN)) for i in items) > sightings.IN_CHUNK
    results = ingest.reads_ingest(camera=thr_camera, items=items)
    match = PlateMatch.objects.get(declaration=declaration)
    assert match.read_id == results[-1].id and match.exact == (confused == truck.plate)
    assert PlateRead.objects.filter(match_state=MatchState.UNMATCHED).count() == 70


# --- A read at a destination goes to the trip the truck is on -------------------------------------


def _trip(vehicle, origin, destination, departed_days_ago: float, allowed_days: float = 5):
    departed = timezone.now() - dt.timedelta(days=departed_days_ago)
    return DeclarationFactory(
        origin=origin,
        destination=destination,
        vehicle=vehicle,
        status=Status.IN_TRANSIT,
        declared_at=departed - dt.timedelta(hours=2),
        departed_at=departed,
        deadline=departed + dt.timedelta(days=allowed_days),
    )


def _credited(read_id) -> set[int]:
    return set(PlateMatch.objects.filter(read_id=read_id).values_list("declaration_id", flat=True))


@pytest.mark.django_db
def test_a_read_at_the_destination_proves_the_arrival_of_the_new_trip_not_of_a_year_old_overdue_one(
    bazargan, tehran, thr_camera
):
    from declarations import monitoring
    from declarations.models import TransitDeclaration

    vehicle = VehicleFactory(plate="26ب36913")
    year_old = _trip(vehicle, bazargan, tehran, departed_days_ago=400)
    arriving = _trip(vehicle, bazargan, tehran, departed_days_ago=1)
    read_id = _read(thr_camera, vehicle.plate)
    assert _credited(read_id) == {arriving.pk}
    assert PlateMatch.objects.get(read_id=read_id).at_destination
    year_old.refresh_from_db()
    arriving.refresh_from_db()
    assert arriving.dest_first_read_at is not None
    assert year_old.dest_first_read_at is None and year_old.last_read_at is None
    # The old trip stays overdue, and not "seen at its destination, no arrival confirmed".
    flagged = TransitDeclaration.objects.filter(pk__in=[year_old.pk, arriving.pk])
    assert list(monitoring.filter_signal(flagged, "overdue")) == [year_old]


@pytest.mark.django_db
def test_of_two_trips_to_this_office_the_read_goes_to_the_last_departed_by_then(bazargan, tehran, thr_camera):
    vehicle = VehicleFactory(plate="26ب36913")
    earlier = _trip(vehicle, bazargan, tehran, departed_days_ago=3)
    later = _trip(vehicle, bazargan, tehran, departed_days_ago=1)
    # Read two days ago: the later trip had not yet left.
    read_then = _read(thr_camera, vehicle.plate, at=timezone.now() - dt.timedelta(days=2))
    read_now = _read(thr_camera, vehicle.plate)
    assert _credited(read_then) == {earlier.pk}
    assert _credited(read_now) == {later.pk}


@pytest.mark.django_db
def test_declarations_that_left_together_on_one_truck_all_take_the_read(bazargan, tehran, thr_camera):
    from declarations.models import TransitDeclaration

    vehicle = VehicleFactory(plate="26ب36913")
    first = _trip(vehicle, bazargan, tehran, departed_days_ago=1)
    second = _trip(vehicle, bazargan, tehran, departed_days_ago=1)
    TransitDeclaration.objects.filter(pk=second.pk).update(departed_at=first.departed_at)
    read_id = _read(thr_camera, vehicle.plate)
    assert _credited(read_id) == {first.pk, second.pk}


@pytest.mark.django_db
def test_a_trip_to_another_office_still_takes_the_read_as_a_sighting(bazargan, tehran, sarakhs, thr_camera):
    vehicle = VehicleFactory(plate="26ب36913")
    year_old = _trip(vehicle, bazargan, tehran, departed_days_ago=400)
    elsewhere = _trip(vehicle, bazargan, sarakhs, departed_days_ago=2)
    arriving = _trip(vehicle, bazargan, tehran, departed_days_ago=1)
    read_id = _read(thr_camera, vehicle.plate)
    assert _credited(read_id) == {arriving.pk, elsewhere.pk}
    assert not PlateMatch.objects.get(read_id=read_id, declaration=elsewhere).at_destination
    year_old.refresh_from_db()
    assert year_old.dest_first_read_at is None


@pytest.mark.django_db
def test_a_read_before_the_trip_began_is_not_off_its_route(bazargan, tehran, sarakhs):
    """The truck was read at the port on its earlier trip, a day before this declaration was made and
    departed: on the page «قرائت پلاک خارج از مسیر» dated before the declaration, and counted off route."""
    from declarations import monitoring
    from declarations import services as declaration_services
    from declarations.models import TransitDeclaration

    port = OfficeFactory(code="BIK")
    camera, _ = services.camera_register(office=port, code="BIK-1", direction="in")
    vehicle = VehicleFactory(plate="26ب36914")
    now = timezone.now()
    earlier = DeclarationFactory(
        origin=port, destination=tehran, vehicle=vehicle, declared_at=now - dt.timedelta(days=3), route=["BIK", "THR"]
    )
    declaration_services.declaration_depart(declaration=earlier, by=None, at=now - dt.timedelta(days=2, hours=20))
    this = DeclarationFactory(
        origin=bazargan, destination=sarakhs, vehicle=vehicle, declared_at=now - dt.timedelta(hours=20)
    )
    declaration_services.declaration_depart(declaration=this, by=None, at=now - dt.timedelta(hours=17))
    at_port = _read(camera, vehicle.plate, at=now - dt.timedelta(days=1, hours=12))  # before «this» was declared
    assert PlateMatch.objects.get(read_id=at_port, declaration=this).on_route is True
    this.refresh_from_db()
    assert this.off_route_read_at is None
    assert not monitoring.filter_signal(TransitDeclaration.objects.all(), "off_route").filter(pk=this.pk).exists()
    # After it left, the same port is off its route.
    after = _read(camera, vehicle.plate, at=now - dt.timedelta(hours=2))
    assert PlateMatch.objects.get(read_id=after, declaration=this).on_route is False
    this.refresh_from_db()
    assert this.off_route_read_at is not None
