"""bench/anpr_ingest.py counts every read it sent: one the server refused is lost, and a 5xx fails the run.

The bench posts through the Django test client here instead of HTTP; one batch is answered 500,
as a deadlocked batch was, so its reads are never stored.
"""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from declarations.models import Status, TransitDeclaration
from tests.factories import DeclarationFactory

BENCH = Path(__file__).resolve().parents[2] / "bench" / "anpr_ingest.py"


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("anpr_ingest_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class InProcessClient:
    """The bench's HTTP client, posting to the app in process; the ``fail``-th request gets a 500."""

    def __init__(self, fail: int | None = None):
        self.fail, self.calls = fail, 0

    def __call__(self, url):  # stands in for the class: Client(url)
        return self

    def post(self, path, token, body):
        self.calls += 1
        if self.calls == self.fail:
            return 500, 0.01, None
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Camera {token}")
        resp = client.post(path, body, format="json")
        connection.close()  # posted from the bench's own thread
        return resp.status_code, 0.01, resp.json()


@pytest.fixture
def in_transit(bazargan, tehran):
    for _ in range(5):
        DeclarationFactory(origin=bazargan, destination=tehran)
    TransitDeclaration.objects.update(status=Status.IN_TRANSIT)


ARGS = [
    "--phases",
    "bulk",
    "--batches",
    "3",
    "--batch",
    "4",
    "--cameras",
    "2",
    "--plates",
    "5",
    "--warmup-seconds",
    "0",
]
ARGS += ["--bulk-concurrency", "1", "--drain-timeout", "2"]


@pytest.mark.django_db(transaction=True)
def test_a_refused_batch_is_lost_and_fails_the_run(bench, in_transit, monkeypatch, capsys, settings):
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 10**6
    monkeypatch.setattr(bench, "Client", InProcessClient(fail=2))
    assert bench.main(ARGS) == 1
    out = bench.json.loads(capsys.readouterr().out)
    assert out["bulk"]["sent"] == 12 and out["bulk"]["stored"] == 8 and out["bulk"]["refused"] == 4
    assert out["bulk"]["status_codes"] == {"200": 2, "500": 1}
    assert (out["drain"]["expected"], out["drain"]["stored"], out["drain"]["lost"]) == (12, 8, 4)
    assert any("500" in why for why in out["failed"]) and any("4 of 12" in why for why in out["failed"])


@pytest.mark.django_db(transaction=True)
def test_a_clean_run_passes(bench, in_transit, monkeypatch, capsys, settings):
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 10**6
    monkeypatch.setattr(bench, "Client", InProcessClient())
    assert bench.main(ARGS) == 0
    out = bench.json.loads(capsys.readouterr().out)
    assert (out["drain"]["lost"], out["failed"]) == (0, [])
