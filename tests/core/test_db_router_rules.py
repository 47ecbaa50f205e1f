"""The read-routing rules of core/db_router.py, without a replica server: which alias a read gets in
and out of a replica scope, after a write, inside a transaction, for a browser that just wrote, and
when the replica is behind. The real replica: tests/core/test_replica_router.py (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core import db_router
from declarations.models import TransitDeclaration


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)  # the alias itself is never opened here
    health = {"usable": True}
    monkeypatch.setattr(db_router, "replica_status", lambda: db_router.ReplicaStatus(health["usable"], 0.0, "test"))
    r = db_router.ReplicaRouter()
    r.health = health  # type: ignore[attr-defined]
    return r


def test_reads_go_to_the_replica_only_in_a_replica_scope_and_before_any_write(router):
    assert router.db_for_read(TransitDeclaration) == "default"  # no scope: a task, an API call, a form
    with db_router.replica_reads():
        assert router.db_for_read(TransitDeclaration) == "replica"
        assert router.db_for_write(TransitDeclaration) == "default"
        assert router.db_for_read(TransitDeclaration) == "default"  # read your own write
    with db_router.replica_reads():
        assert router.db_for_read(TransitDeclaration) == "replica"  # a new scope starts clean


def test_a_replica_behind_or_down_is_not_read(router):
    router.health["usable"] = False
    with db_router.replica_reads():
        assert router.db_for_read(TransitDeclaration) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(router):
    from django.db import transaction

    with db_router.replica_reads(), transaction.atomic():
        assert router.db_for_read(TransitDeclaration) == "default"


def test_a_browser_that_wrote_reads_the_primary_for_a_while_and_posts_never_use_the_replica(router, settings):
    settings.REPLICA_PIN_SECONDS = 15
    rf = RequestFactory()
    middleware = db_router.ReplicaPinMiddleware

    def writes(request):
        router.db_for_write(TransitDeclaration)
        return HttpResponse()

    @db_router.reads_from_replica
    def reads(request):
        return HttpResponse(router.db_for_read(TransitDeclaration))

    wrote = middleware(writes)(rf.post("/"))
    cookie = wrote.cookies[db_router.PIN_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) == 15
    assert middleware(reads)(rf.get("/")).content == b"replica"
    pinned = rf.get("/")
    pinned.COOKIES[db_router.PIN_COOKIE] = cookie.value
    assert middleware(reads)(pinned).content == b"default"
    assert middleware(reads)(rf.post("/")).content == b"default"
    assert db_router.PIN_COOKIE not in middleware(reads)(rf.get("/")).cookies  # a read sets nothing


def test_without_a_replica_nothing_changes(settings):
    assert "replica" not in settings.DATABASES
    response = db_router.ReplicaPinMiddleware(lambda r: HttpResponse())(RequestFactory().post("/"))
    assert db_router.PIN_COOKIE not in response.cookies
