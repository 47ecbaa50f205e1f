"""Principals for the hostile-input tests (imported by its test modules: tests/security may get a
conftest of its own elsewhere): one of every role, each as the API sees it.

People come in with a logged-in session (``Client.force_login``: the suite's one login path)
and a CSRF token, as a browser does; the integration client and the camera with their tokens.
"""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from accounts.models import Role
from tests.factories import UserFactory
from tests.security.apifuzz import Principal


@pytest.fixture
def in_process_wsgi():
    """Requests through the WSGI handler share the test's transaction, as the test Client's do:
    Django would otherwise close the connection (and the transaction) around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def session_principal(name: str, user) -> Principal:
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return Principal(name, headers={"X-CSRFToken": csrf}, cookies=cookies)


def api_token(user) -> str:
    """An API token for a machine account, as the suite's API tests make one."""
    from accounts.services import api_token_issue

    return api_token_issue(user=user, name="fuzz")[1]


@pytest.fixture
def ics(db):
    return UserFactory(username="ics", role=Role.INTEGRATION)


@pytest.fixture
def camera(bazargan):
    from anpr import services

    camera, token = services.camera_register(office=bazargan, code="BZG-1", direction="out", lane="1")
    camera.token = token
    return camera


@pytest.fixture
def principals(hq, it_officer, inspector, origin_clerk, dest_clerk, ics, camera):
    return [
        session_principal("hq", hq),
        session_principal("it", it_officer),
        session_principal("inspector", inspector),
        session_principal("origin_clerk", origin_clerk),
        session_principal("dest_clerk", dest_clerk),
        Principal("ics_token", headers={"Authorization": f"Token {api_token(ics)}"}),
        Principal("camera_token", headers={"Authorization": f"Camera {camera.token}"}),
        Principal("anonymous"),
    ]


def make_evidence(bazargan, tehran, origin_clerk, dest_clerk, camera) -> dict[str, dict]:
    """Records for the fuzzed ids (declarations registered and departed, scans and their
    comparison, a plate read): operation path -> path parameters of a real one."""
    import datetime as dt

    from django.utils import timezone

    from anpr.ingest import ReadInput, reads_ingest
    from declarations.services import declaration_depart
    from scans.models import ScanComparison, Stage
    from tests.factories import DeclarationFactory, GoodsFactory
    from tests.scans import images
    from tests.scans.conftest import upload

    registered, departed = DeclarationFactory.create_batch(2, origin=bazargan, destination=tehran)
    for declaration in (registered, departed):
        GoodsFactory(declaration=declaration)
    declaration_depart(declaration=departed, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30))
    upload(departed, Stage.ORIGIN, origin_clerk)
    scan = upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    comparison = ScanComparison.objects.get(dest_scan=scan)
    (read,) = reads_ingest(
        camera=camera,
        items=[ReadInput(captured_at=timezone.now() - dt.timedelta(hours=2), plate_raw=departed.vehicle.plate)],
    )
    return {
        "/api/declarations/{id}/": {"id": registered.pk},
        "/api/declarations/{id}/depart/": {"id": registered.pk},
        "/api/declarations/{id}/confirm-arrival/": {"id": departed.pk},
        "/api/declarations/{id}/settle/": {"id": departed.pk},
        "/api/declarations/{id}/record-reason/": {"id": departed.pk},
        "/api/vehicles/{id}/": {"id": departed.vehicle_id},
        "/api/vehicles/{id}/declarations/": {"id": departed.vehicle_id},
        "/api/offices/{code}/": {"code": bazargan.code},
        "/api/scans/{id}/": {"id": scan.pk},
        "/api/scans/{id}/original/": {"id": scan.pk},
        "/api/scans/comparisons/{id}/": {"id": comparison.pk},
        "/api/scans/comparisons/{id}/review/": {"id": comparison.pk},
        "/api/scans/declarations/{id}/comparisons/": {"id": departed.pk},
        "/api/anpr/reads/{id}/": {"id": read.id},
        "/api/anpr/reads/{id}/photo/": {"id": read.id},
    }
