"""Two cameras post bulk batches at once about the same trucks: both are stored, neither fails.

Both batches match the same declarations, one camera's reads in ascending order and the other's
in descending order; half of the declarations get newer evidence from one batch, half from the
other. On PostgreSQL this deadlocked and one request failed with 500: each batch locked the rows it
updates ``FOR UPDATE``, then, committing, checked the foreign keys of its matches with a key-share
lock on every matched declaration, including those the other batch held ``FOR UPDATE``.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from anpr import ingest, services
from anpr.models import MatchState, PlateMatch, PlateRead
from declarations.models import Status, TransitDeclaration
from tests.anpr.conftest import camera_client
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRUCKS = 200
ROUNDS = 3


def _post_at_once(cameras, payloads, start_together) -> list:
    """Each camera posts its payload from its own thread (and connection); the outcome of each."""
    outcomes: list = [None] * len(cameras)

    def post(i):
        try:
            resp = camera_client(cameras[i]).post("/api/anpr/reads/bulk/", payloads[i], format="json")
            outcomes[i] = (resp.status_code, resp.json())
        except Exception as exc:  # the test client re-raises the view's exception (a 500 for a camera)
            outcomes[i] = (500, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(cameras))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    start_together.reset()
    return outcomes


def test_two_batches_about_the_same_trucks_in_opposite_orders_both_go_through(settings, bazargan, tehran, monkeypatch):
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 10**9
    plates = [f"22ب{300 + i}45" for i in range(TRUCKS)]
    for plate in plates:
        DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=plate))
    TransitDeclaration.objects.update(status=Status.IN_TRANSIT)
    cameras = []
    for code in ("THR-A", "THR-B"):
        camera, token = services.camera_register(office=tehran, code=code, direction="in")
        camera.token = token
        cameras.append(camera)

    # Both requests start their transaction at the same moment (the first statement waits for the other).
    start_together = threading.Barrier(2, timeout=10)
    local = threading.local()
    insert = ingest._insert_returning

    def insert_together(reads):
        if not getattr(local, "waited", False):
            local.waited = True
            try:
                start_together.wait()
            except threading.BrokenBarrierError:
                pass
        return insert(reads)

    monkeypatch.setattr(ingest, "_insert_returning", insert_together)

    base = timezone.now() - dt.timedelta(hours=2)
    for r in range(ROUNDS):
        t0 = base + dt.timedelta(minutes=10 * r)
        # Each truck was last read half a minute after t0. Camera A reads the even trucks at t0 and
        # the odd ones two minutes later, camera B the other way round: each batch brings newer
        # evidence for half of the trucks, in its own order.
        TransitDeclaration.objects.update(
            last_read_at=t0 + dt.timedelta(seconds=30), last_read_office=tehran, dest_first_read_at=base
        )
        payloads = []
        for side, order in enumerate((plates, plates[::-1])):
            reads = []
            for plate in order:
                late = (plates.index(plate) + side) % 2
                at = t0 + dt.timedelta(minutes=2 * late, milliseconds=plates.index(plate))
                reads.append({"captured_at": at.isoformat(), "plate": plate, "client_event_id": f"r{r}-{side}-{plate}"})
            payloads.append({"reads": reads})
        local.__dict__.clear()
        outcomes = _post_at_once(cameras, payloads, start_together)
        assert [o[0] for o in outcomes] == [200, 200], outcomes
        assert [o[1]["stored"] for o in outcomes] == [TRUCKS, TRUCKS]
        # Every truck's latest read is the one two minutes after t0.
        for d in TransitDeclaration.objects.select_related("vehicle"):
            i = plates.index(d.vehicle.plate)
            assert d.last_read_at == t0 + dt.timedelta(minutes=2, milliseconds=i), d.vehicle.plate

    assert PlateRead.objects.filter(match_state=MatchState.MATCHED).count() == 2 * TRUCKS * ROUNDS
    assert PlateMatch.objects.count() == 2 * TRUCKS * ROUNDS
