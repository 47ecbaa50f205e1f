"""Named personas for the stories the tests tell.

Two provinces: West Azerbaijan (Bazargan border office, the usual origin) and
Tehran (the usual destination), plus Khorasan for the outsider.
"""

import os
import shutil
import uuid

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.models import Role, forget_offices
from anpr.authentication import forget_cameras
from tests.factories import OfficeFactory, ProvinceFactory, UserFactory

# Property tests judge what is computed, not how fast: with the suite in one process per core,
# a first example drawn while the other process starts Chromium took 1.1 s and failed Hypothesis's
# speed checks. Speed goals are checked by the benchmarks in bench/.
hypothesis_settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("suite")


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [f"database: {db}; REDIS_URL: {'set' if os.environ.get('REDIS_URL') else 'unset (eager Celery)'}"]


def pytest_collection_modifyitems(config, items):
    """Skip tests that need a real server the environment does not have, saying why."""
    is_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    has_chromium = bool(shutil.which("chromium") or os.path.exists("/usr/bin/chromium"))
    for item in items:
        if "postgres" in item.keywords and not is_pg:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis and a Celery worker: set REDIS_URL=redis://..."))
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(
                pytest.mark.skip(reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
            )


@pytest.fixture(autouse=True)
def _media_axes_and_eager_celery(request, settings, tmp_path):
    """Media in a temp dir; Celery eager except in tests that run a real worker (``redis`` mark)."""
    from transit_monitor.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    forget_offices()  # the per-process office table: ids are reused after a rollback
    forget_cameras()  # cameras by token, likewise
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast personas
    # Assertions read messages in English; tests of the Persian pages say so with the ``persian`` mark.
    # The mark itself, not any keyword: a checkout in a folder named "persian" is no Persian test.
    language = "fa" if request.node.get_closest_marker("persian") else "en"
    settings.LANGUAGE_CODE = language
    translation.activate(language)
    eager = "redis" not in request.keywords
    # Cached dashboard figures must not leak between tests (ids are reused after a rollback).
    if eager:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
        }
    else:
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    before = app.conf.task_always_eager
    # The app reads Django's CELERY_* settings, where the namespaced key wins over a plain
    # ``task_always_eager``: set that one, or eager is silently off whenever REDIS_URL is set.
    app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    # An eager task marks the process "inside a task" (Celery refuses ``result.get()`` there) and
    # puts the mark back when it ends; a live server's thread running one while this thread runs
    # another can put back the wrong value and leave it set for every later test in this process.
    _set_task_join_will_block(False)
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = before


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


@pytest.fixture(autouse=True)
def _shipped_holidays(request, django_db_setup, django_db_blocker):
    """The holidays (and the covered-goods list) their migrations ship are in the tables before each test.
    A transactional test ends by emptying every table, and a later test in the same process (pytest-xdist
    orders them differently on each run) would count working days without a holiday, or take a phone line
    for goods no rule covers. Tests without the database
    are left alone (a file of them run on its own has no tables on SQLite)."""
    if not (_DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker("django_db")):
        return
    from core.holidays_data import shipped
    from core.models import Holiday
    from declarations.covered_data import ensure_covered_goods
    from declarations.models import CoveredGoods

    with django_db_blocker.unblock():
        if not Holiday.objects.exists():
            for row in shipped():
                Holiday.objects.get_or_create(date=row["date"], name=row["name"], defaults=row)
        # The covered-goods list its migration ships, emptied the same way (a phone line then is not covered).
        if not CoveredGoods.objects.exists():
            ensure_covered_goods()


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """``client.force_login(user)`` skips the password; for a user who must pass the second factor
    (HQ, IT, staff) it skips that too: a confirmed authenticator and a verified session. The real
    flow is tested in tests/accounts/test_two_factor.py."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import two_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if two_factor.required_for(user):
            device = two_factor.enrol_for_demo(user)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real Celery worker process on the Redis broker, pointed at the test database.

    Tests using it must use ``transactional_db`` data (committed) so the worker can see it.
    """
    import subprocess
    import sys
    import time
    from urllib.parse import quote

    from django.db import connection

    from transit_monitor.celery import app

    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        url = f"postgres://{quote(db['USER'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        pytest.skip("a worker process needs a database server it can share (PostgreSQL)")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # The worker shares the test's cache keys (flags such as anpr's "matching scheduled").
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
    }
    # Messages left on this broker by anything else (a benchmark, a killed worker) are not this
    # test's: drop them, or the worker spends the test's minute on them.
    app.control.purge()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "transit_monitor",
            "worker",
            "--pool=solo",
            "-l",
            "warning",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            break
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read().decode())
    else:
        proc.kill()
        raise RuntimeError("Celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def west_az(db):
    return ProvinceFactory(code="WAZ", name_fa="آذربایجان غربی", name_en="West Azerbaijan")


@pytest.fixture
def tehran_province(db):
    return ProvinceFactory(code="THR", name_fa="تهران", name_en="Tehran")


@pytest.fixture
def khorasan(db):
    return ProvinceFactory(code="KHR", name_fa="خراسان رضوی", name_en="Razavi Khorasan")


@pytest.fixture
def bazargan(west_az):
    return OfficeFactory(code="BZG", name_fa="گمرک بازرگان", name_en="Bazargan", province=west_az)


@pytest.fixture
def tehran(tehran_province):
    return OfficeFactory(code="THR", name_fa="گمرک تهران", name_en="Tehran", province=tehran_province)


@pytest.fixture
def sarakhs(khorasan):
    return OfficeFactory(code="SRK", name_fa="گمرک سرخس", name_en="Sarakhs", province=khorasan)


@pytest.fixture
def origin_clerk(bazargan):
    return UserFactory(username="origin_clerk", role=Role.OFFICE, office=bazargan, first_name="رضا", last_name="احمدی")


@pytest.fixture
def dest_clerk(tehran):
    return UserFactory(username="dest_clerk", role=Role.OFFICE, office=tehran, first_name="مریم", last_name="کریمی")


@pytest.fixture
def inspector(west_az):
    return UserFactory(username="inspector", role=Role.INSPECTOR, province=west_az)


@pytest.fixture
def hq(db):
    return UserFactory(username="hq", role=Role.HQ)


@pytest.fixture
def it_officer(db):
    return UserFactory(username="it_officer", role=Role.IT)


@pytest.fixture
def outsider(khorasan):
    """An inspector of another province: must see nothing of West Azerbaijan or Tehran."""
    return UserFactory(username="outsider", role=Role.INSPECTOR, province=khorasan)


@pytest.fixture
def declaration(bazargan, tehran):
    from tests.factories import DeclarationFactory

    return DeclarationFactory(origin=bazargan, destination=tehran)


@pytest.fixture
def api_token_for(db):
    """``api_token_for(user, **options)`` issues an API token through the service and returns its key
    (send it as ``Authorization: Token <key>``); options go to ``api_token_issue`` (``days``, ``name``)."""
    from accounts.services import api_token_issue

    def issue(user, **options) -> str:
        return api_token_issue(user=user, **options)[1]

    return issue
