"""Run by tests/core/test_replica_router.py in a process of its own, configured as a deployment is:
DATABASE_URL names the primary and DATABASE_REPLICA_URL its streaming replica. Prints one JSON
object with what it saw; the test reads it beside the two servers' statement logs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connections, router  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

from accounts.models import Province, Role, User  # noqa: E402
from core import db_router  # noqa: E402
from declarations.models import TransitDeclaration  # noqa: E402
from tests.factories import DeclarationFactory, OfficeFactory, ProvinceFactory, UserFactory  # noqa: E402
from tests.pgcluster import wait_until  # noqa: E402


def scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def replayed() -> bool:
    primary_lsn = scalar("default", "SELECT pg_current_wal_lsn()::text")
    return bool(scalar("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary_lsn]))


def mark(text: str) -> None:
    """A statement both servers log: the test cuts their logs at these."""
    for alias in ("default", "replica"):
        scalar(alias, "SELECT %s", [f"probe:{text}"])


def dashboard(client: Client, name: str) -> int:
    cache.clear()  # the figures are cached: count them again
    mark(f"{name}:start")
    status = client.get("/").status_code
    mark(f"{name}:end")
    return status


out: dict = {
    "ports": {alias: scalar(alias, "SELECT inet_server_port()") for alias in ("default", "replica")},
    "routers": [type(r).__name__ for r in router.routers],
}

west = ProvinceFactory(code="WAZ")
bazargan = OfficeFactory(code="BZG", province=west)
inspector = cast(User, UserFactory(username="inspector", role=Role.INSPECTOR, province=west))
DeclarationFactory.create_batch(3, origin=bazargan)
client = Client()
client.force_login(inspector)
wait_until(replayed, "the replica replays the seed")

# 1. The dashboard's counts are read on the replica.
db_router.forget_status()
out["status_before"] = db_router.replica_status().reason
out["dashboard"] = dashboard(client, "dashboard")

# 2. A write in a replica scope goes to the primary, pins the rest of the scope there, and reaches the replica.
with db_router.replica_reads():
    out["read_before_write"] = router.db_for_read(TransitDeclaration)
    written = cast(TransitDeclaration, DeclarationFactory(origin=bazargan))
    out["written_on"] = written._state.db
    out["read_after_write"] = router.db_for_read(TransitDeclaration)
with db_router.replica_reads():
    from django.db import transaction

    with transaction.atomic():
        out["read_in_atomic"] = router.db_for_read(TransitDeclaration)
wait_until(replayed, "the replica replays the write")
out["written_on_replica"] = TransitDeclaration.objects.using("replica").filter(pk=written.pk).exists()

# 3. A request that wrote leaves a cookie; the browser's next page reads the primary.
rf = RequestFactory()


def writing_view(request):
    Province.objects.create(code="TST", name_fa="آزمون", name_en="Test")
    return HttpResponse("ok")


def reading_view(request):
    return HttpResponse(router.db_for_read(TransitDeclaration))


pin = db_router.ReplicaPinMiddleware
wrote = pin(writing_view)(rf.post("/"))
cookie = wrote.cookies.get(db_router.PIN_COOKIE)
out["pin_cookie_set"] = cookie is not None
plain = pin(db_router.reads_from_replica(reading_view))(rf.get("/")).content.decode()
pinned_request = rf.get("/")
pinned_request.COOKIES[db_router.PIN_COOKIE] = cookie.value if cookie else ""
pinned = pin(db_router.reads_from_replica(reading_view))(pinned_request).content.decode()
post = pin(db_router.reads_from_replica(reading_view))(rf.post("/")).content.decode()
out["next_page_plain"], out["next_page_pinned"], out["post_page"] = plain, pinned, post

# 4. A replica behind the primary (replay paused, a write since) is not read from: the dashboard goes to the primary.
scalar("replica", "SELECT pg_wal_replay_pause()")
DeclarationFactory(origin=bazargan)
db_router.forget_status()
out["status_lagging"] = db_router.replica_status().reason
out["dashboard_lagging"] = dashboard(client, "lagging")
scalar("replica", "SELECT pg_wal_replay_resume()")
wait_until(replayed, "the replica catches up after the pause")
db_router.forget_status()
out["status_after"] = db_router.replica_status().reason

print(json.dumps(out))
