"""Two clerks make the same move on one declaration at the same moment, each on their own PostgreSQL
connection (a thread each): the first holds the row (SELECT … FOR UPDATE) until it commits, the second
waits on that lock (seen in pg_stat_activity, not guessed with a sleep), then reads the new state and
gets the domain error a page or the API answers with 409. One event, one audit entry."""

import datetime as dt
import threading

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError, http_status
from declarations import services
from declarations.models import DeclarationEvent, Status, TransitDeclaration
from declarations.models import Review as ReviewState
from scans import services as scan_services
from scans.models import ScanComparison, Stage
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.postgres


def race(first, second) -> tuple[object, object]:
    """``first()`` in a transaction kept open until ``second()``, on another connection, waits for its
    lock; then both finish. Returns what each returned or raised."""
    out: dict[str, object] = {}
    first_done, release, second_pid = threading.Event(), threading.Event(), []

    def run_first():
        try:
            with transaction.atomic():
                out["first"] = first()
                first_done.set()
                release.wait(60)
        except Exception as exc:
            out["first"] = exc
        finally:
            first_done.set()
            connection.close()

    def run_second():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid.append(cursor.fetchone()[0])
        try:
            out["second"] = second()
        except Exception as exc:
            out["second"] = exc
        finally:
            connection.close()

    a = threading.Thread(target=run_first)
    a.start()
    assert first_done.wait(60)
    b = threading.Thread(target=run_second)
    b.start()
    try:
        # Poll until the second connection waits on a lock (or has finished: it did not need it).
        for _ in range(600):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid[0] if second_pid else 0]
                )
                row = cursor.fetchone()
            if (row and row[0] == "Lock") or not b.is_alive():
                break
            threading.Event().wait(0.1)
        assert b.is_alive(), f"the second move did not wait for the first's lock: {out.get('second')!r}"
    finally:
        release.set()
        a.join(60)
        b.join(60)
    return out["first"], out["second"]


def one_won(first, second) -> DomainError:
    assert not isinstance(first, Exception), first
    assert isinstance(second, DomainError), second
    assert http_status(second) == 409
    return second


@pytest.fixture
def in_transit(transactional_db, declaration):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(status=Status.IN_TRANSIT)
    declaration.refresh_from_db()
    return declaration


def _events(declaration, kind) -> int:
    return DeclarationEvent.objects.filter(declaration=declaration, kind=kind).count()


def test_two_arrivals_at_once_one_wins(in_transit, dest_clerk):
    def arrive():
        d = TransitDeclaration.objects.get(pk=in_transit.pk)
        return services.declaration_confirm_arrival(declaration=d, by=dest_clerk, seals_intact=True)

    one_won(*race(arrive, arrive))
    assert TransitDeclaration.objects.get(pk=in_transit.pk).status == Status.ARRIVED
    assert _events(in_transit, "confirm_arrival") == 1


def test_two_settlements_at_once_one_wins(in_transit, dest_clerk):
    TransitDeclaration.objects.filter(pk=in_transit.pk).update(status=Status.ARRIVED)

    def settle():
        return services.declaration_settle(declaration=TransitDeclaration.objects.get(pk=in_transit.pk), by=dest_clerk)

    one_won(*race(settle, settle))
    assert _events(in_transit, "settle") == 1
    updates = LogEntry.objects.get_for_object(in_transit).filter(action=LogEntry.Action.UPDATE)
    assert [e.changes_dict["status"][1] for e in updates if "status" in e.changes_dict] == [Status.SETTLED]


def test_two_cancellations_at_once_one_wins(transactional_db, declaration, origin_clerk):
    def cancel():
        d = TransitDeclaration.objects.get(pk=declaration.pk)
        return services.declaration_cancel(declaration=d, by=origin_clerk, reason="entered twice")

    one_won(*race(cancel, cancel))
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == Status.CANCELLED
    assert _events(declaration, "cancel") == 1


def test_accept_and_escalate_of_one_comparison_at_once_one_wins(
    transactional_db, declaration, origin_clerk, dest_clerk
):
    # Left 30 hours ago: the destination's scan (an hour ago) is taken after the truck left.
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30))
    origin = upload(declaration, Stage.ORIGIN, origin_clerk, images.png())
    dest = upload(declaration, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    comparison = ScanComparison.objects.get(origin_scan=origin, dest_scan=dest)
    ScanComparison.objects.filter(pk=comparison.pk).update(
        status=ScanComparison.Status.DONE, verdict="suspicious", review=ReviewState.PENDING
    )

    def accept():
        c = ScanComparison.objects.get(pk=comparison.pk)
        return scan_services.comparison_review(
            comparison=c, by=dest_clerk, decision="accept", remark="the load was checked"
        )

    def escalate():
        c = ScanComparison.objects.get(pk=comparison.pk)
        return scan_services.comparison_review(comparison=c, by=dest_clerk, decision="escalate", remark="a box moved")

    error = one_won(*race(accept, escalate))
    assert "already reviewed" in str(error)
    assert ScanComparison.objects.get(pk=comparison.pk).review == ReviewState.ACCEPTED
