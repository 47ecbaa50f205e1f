"""Scan fixtures: a departed BZG→THR declaration and helpers that upload through the service."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from declarations import evidence
from declarations import services as declaration_services
from declarations.models import Review, Verdict
from scans import services
from scans.models import ScanComparison, Stage
from tests.scans import images


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The compliance panel caches its figures; each test starts without them."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def departed(declaration, origin_clerk):
    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    declaration.refresh_from_db()
    return declaration


def upload(
    declaration, stage, by, data: bytes | None = None, name: str = "scan.png", at=None, pseudo_colour: bool = False
):
    (scan,) = services.scan_upload(
        declaration=declaration,
        stage=stage,
        scanner_id="NUC-7",
        captured_at=at or timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile(name, data if data is not None else images.png())],
        by=by,
        pseudo_colour=pseudo_colour,
    )
    return scan


@pytest.fixture
def done_comparison(departed, origin_clerk, dest_clerk):
    """A finished suspicious comparison awaiting review (no algorithm run: on_commit never fires here)."""
    origin = upload(departed, Stage.ORIGIN, origin_clerk)
    dest = upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    comparison = ScanComparison.objects.get(origin_scan=origin, dest_scan=dest)
    comparison.status = ScanComparison.Status.DONE
    comparison.verdict = Verdict.SUSPICIOUS
    comparison.score = 0.02
    comparison.threshold = 0.004
    comparison.boxes = [[10, 20, 30, 40, 0.02]]
    comparison.review = Review.PENDING
    comparison.finished_at = timezone.now()
    comparison.save()
    evidence.note_comparison(declaration_id=departed.pk, verdict=Verdict.SUSPICIOUS)
    return comparison


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
