"""Two clerks upload the same image at the same instant, each on their own PostgreSQL connection (a
thread each). The first is held between its look for an earlier scan of the image and its insert;
the second must wait for it (seen in pg_stat_activity, not guessed with a sleep), then find the
first's scan: of another truck's declaration, it is stored and flagged as a reuse; on the same
declaration, it is refused (409) and nothing of it is stored."""

import threading

import pytest
from django.db import connection

from core.errors import http_status
from declarations.models import TransitDeclaration
from scans import services
from scans.models import Scan, Stage
from tests.factories import DeclarationFactory, VehicleFactory
from tests.scans import images
from tests.scans.conftest import stored_files, upload

pytestmark = pytest.mark.postgres


def race(monkeypatch, first, second, *, waits_on: str = "advisory") -> tuple[object, object]:
    """``first()`` paused just after it looked for the image stored before; ``second()`` started
    then, on another connection, must wait for a lock (``waits_on``: the image's advisory lock, or
    ``transactionid`` for the declaration's row when both upload to one declaration) before the
    first is let go. Returns what each returned or raised."""
    out: dict[str, object] = {}
    looked, release, second_pid = threading.Event(), threading.Event(), []
    look = services._earlier_same_image

    def look_then_pause(declaration, image):
        found = look(declaration, image)
        if not looked.is_set():  # the first upload's look; the second's goes on
            looked.set()
            release.wait(60)
        return found

    monkeypatch.setattr(services, "_earlier_same_image", look_then_pause)

    def run(key, fn, pid=None):
        if pid is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid.append(cursor.fetchone()[0])
        try:
            out[key] = fn()
        except Exception as exc:
            out[key] = exc
        finally:
            looked.set()
            connection.close()

    a = threading.Thread(target=run, args=("first", first))
    a.start()
    assert looked.wait(60)
    b = threading.Thread(target=run, args=("second", second, second_pid))
    b.start()
    try:
        waited = ""
        for _ in range(600):  # until the second waits on a lock, or has finished without one
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s",
                    [second_pid[0] if second_pid else 0],
                )
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                waited = row[1]
                break
            if not b.is_alive():
                break
            threading.Event().wait(0.05)
        assert waited == waits_on, f"the second upload did not wait for the first: {out.get('second')!r}"
    finally:
        release.set()
        a.join(60)
        b.join(60)
    return out["first"], out["second"]


@pytest.fixture
def two_trucks(transactional_db, bazargan, tehran):
    first = DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000021")
    other = DeclarationFactory(
        origin=bazargan, destination=tehran, serial="1405-BZG-90000022", vehicle=VehicleFactory()
    )
    return first, other


def test_the_same_image_for_two_trucks_at_once_the_second_is_flagged(monkeypatch, two_trucks, origin_clerk):
    first, other = two_trucks
    data = images.png(31)
    stored_first, stored_second = race(
        monkeypatch,
        lambda: upload(first, Stage.ORIGIN, origin_clerk, data),
        lambda: upload(other, Stage.ORIGIN, origin_clerk, data),
    )
    assert isinstance(stored_first, Scan) and isinstance(stored_second, Scan), (stored_first, stored_second)
    assert stored_first.repeats_scan is None and stored_second.repeats_scan == stored_first.pk
    assert set(TransitDeclaration.objects.filter(scan_reused=True)) == {other}


def test_the_same_image_twice_on_one_declaration_at_once_the_second_is_refused(
    monkeypatch, two_trucks, origin_clerk, settings
):
    first, _other = two_trucks
    data = images.png(32)
    stored, refused = race(
        monkeypatch,
        lambda: upload(first, Stage.ORIGIN, origin_clerk, data),
        lambda: upload(first, Stage.ORIGIN, origin_clerk, data, name="again.png"),
        waits_on="transactionid",  # the declaration's row, locked first by every upload to it
    )
    assert isinstance(stored, Scan), stored
    assert isinstance(refused, services.DuplicateScan) and http_status(refused) == 409, refused
    assert refused.first == stored
    assert list(Scan.objects.filter(declaration=first)) == [stored]
    assert len([p for p in stored_files(settings) if p.suffix == ".png"]) == 1  # no file of the refused one
