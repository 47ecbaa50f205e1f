"""Two offices upload scans of one declaration at the same instant, each on their own PostgreSQL connection
(a thread each): the destination a dual-view scanner's top view, the origin a single view. The first is
held inside its transaction, its checks passed and its declaration locked; the second must wait for that
lock (seen in pg_stat_activity, not guessed with a sleep), then check against the first's scan and be
refused with the error it gets when it comes second: nothing of it is stored."""

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from core.errors import InvalidInput
from declarations import services as declaration_services
from scans import services
from scans.models import Scan, Stage, View
from tests.factories import DeclarationFactory
from tests.scans import images

pytestmark = pytest.mark.postgres


def _upload(declaration, stage, by, seed, view):
    return services.scan_upload(
        declaration=declaration,
        stage=stage,
        scanner_id="NUC-7",
        captured_at=timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile(f"scan-{seed}.png", images.png(seed))],
        by=by,
        view=view,
    )


def race(monkeypatch, first, second) -> tuple[object, object]:
    """``first()`` paused inside its transaction once its checks under the lock have passed (at its look
    for the same image stored before); ``second()`` started then, on another connection, must wait for a
    lock before the first is let go. Returns what each returned or raised."""
    out: dict[str, object] = {}
    checked, release, second_pid = threading.Event(), threading.Event(), []
    refuse = services._refuse_duplicates

    def checked_then_pause(declaration, stage, files):
        refuse(declaration, stage, files)
        if not checked.is_set():  # the first upload; the second goes on
            checked.set()
            release.wait(60)

    monkeypatch.setattr(services, "_refuse_duplicates", checked_then_pause)

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
            checked.set()
            connection.close()

    a = threading.Thread(target=run, args=("first", first))
    a.start()
    assert checked.wait(60)
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
        # the declaration's row: the first's transaction holds it (``_lock_declaration``)
        assert waited in ("transactionid", "tuple"), (
            f"the second upload did not wait for the first: {out.get('second')!r}"
        )
    finally:
        release.set()
        a.join(60)
        b.join(60)
    return out["first"], out["second"]


@pytest.fixture
def in_transit(transactional_db, bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000031")
    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    declaration.refresh_from_db()
    return declaration


def test_a_single_view_and_the_other_sides_top_view_at_once_the_second_is_refused(
    monkeypatch, in_transit, origin_clerk, dest_clerk
):
    stored, refused = race(
        monkeypatch,
        lambda: _upload(in_transit, Stage.DESTINATION, dest_clerk, 71, View.TOP),
        lambda: _upload(in_transit, Stage.ORIGIN, origin_clerk, 72, View.SINGLE),
    )
    assert isinstance(stored, list) and [s.view for s in stored] == [View.TOP], stored
    assert isinstance(refused, InvalidInput) and refused.fields == {"view": View.SINGLE}, refused
    assert "dual-view scanner" in str(refused)
    assert list(Scan.objects.filter(declaration=in_transit)) == stored
