"""The checks of an upload that depend on the declaration (its status, the capture time within the journey,
the view against the other side's scans) are made again with the declaration's row locked, on the
declaration as it stands then: an upload that committed, or an arrival confirmed, after the request loaded
the declaration is seen, and the later upload is refused with the same error as if it had come after it.
(On PostgreSQL with two connections at once: ``test_upload_checks_race_pg.py``.)"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from core.errors import InvalidInput
from declarations import services as declaration_services
from declarations.models import TransitDeclaration
from scans import services
from scans.models import Scan, Stage, View
from tests.scans import images

pytestmark = pytest.mark.django_db


def _upload(declaration, stage, by, seed, view=View.SINGLE, at=None):
    return services.scan_upload(
        declaration=declaration,
        stage=stage,
        scanner_id="NUC-7",
        captured_at=at or timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile(f"scan-{seed}.png", images.png(seed))],
        by=by,
        view=view,
    )


def test_an_upload_committed_just_before_the_lock_is_seen_by_the_view_check(
    monkeypatch, departed, origin_clerk, dest_clerk
):
    """The destination's top view is stored after the origin's upload passed its first checks and before
    it takes its locks: the origin's single view is refused, as it would be had it come second."""
    lock_images = services._lock_images
    other_stored: list[Scan] = []
    started = []

    def the_other_upload_first(checked):
        if not started:
            started.append(True)
            other_stored.extend(_upload(departed, Stage.DESTINATION, dest_clerk, 62, view=View.TOP))
        lock_images(checked)

    monkeypatch.setattr(services, "_lock_images", the_other_upload_first)
    with pytest.raises(InvalidInput) as raced:
        _upload(departed, Stage.ORIGIN, origin_clerk, 61)
    assert other_stored and raced.value.fields == {"view": View.SINGLE}
    # (the other upload ran inside this one's transaction here, so it was rolled back with it)
    assert not Scan.objects.filter(declaration=departed, stage=Stage.ORIGIN).exists()

    monkeypatch.setattr(services, "_lock_images", lock_images)
    _upload(departed, Stage.DESTINATION, dest_clerk, 62, view=View.TOP)
    with pytest.raises(InvalidInput) as after:
        _upload(departed, Stage.ORIGIN, origin_clerk, 61)
    assert str(raced.value) == str(after.value)
    assert "dual-view scanner" in str(raced.value)


def test_an_arrival_confirmed_after_the_request_loaded_the_declaration_is_seen_by_the_capture_check(
    departed, origin_clerk, dest_clerk
):
    """The page loaded the declaration in transit; the destination confirmed the arrival before the origin's
    upload was stored: its scan captured after the arrival is refused as it is once the page is reloaded."""
    loaded = TransitDeclaration.objects.get(pk=departed.pk)  # as the request loaded it
    arrived_at = timezone.now() - dt.timedelta(hours=5)
    declaration_services.declaration_confirm_arrival(
        declaration=TransitDeclaration.objects.get(pk=departed.pk), by=dest_clerk, at=arrived_at
    )
    with pytest.raises(InvalidInput) as refused:
        _upload(loaded, Stage.ORIGIN, origin_clerk, 63, at=timezone.now() - dt.timedelta(hours=1))
    assert "after the truck was confirmed arrived" in str(refused.value)
    assert set(refused.value.fields) == {"captured_at"}
    assert not Scan.objects.exists()


def test_the_checks_that_count_run_inside_the_transaction_after_the_declaration_is_locked(
    monkeypatch, departed, origin_clerk
):
    calls = []
    lock, view, journey = services._lock_declaration, services._check_view_matches, services._check_capture_in_journey

    def spy(name, fn):
        def wrapped(*args, **kwargs):
            calls.append((name, connection.in_atomic_block))
            return fn(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(services, "_lock_declaration", spy("lock", lock))
    monkeypatch.setattr(services, "_check_view_matches", spy("view", view))
    monkeypatch.setattr(services, "_check_capture_in_journey", spy("journey", journey))
    _upload(departed, Stage.ORIGIN, origin_clerk, 64)
    names = [name for name, _atomic in calls]
    assert names[names.index("lock") :] == ["lock", "journey", "view"]  # checked again once locked
    assert all(atomic for _name, atomic in calls[names.index("lock") :])


def test_a_scanner_id_typed_in_persian_digits_is_stored_in_latin_digits(departed, origin_clerk):
    """«SC-۱» was stored as typed, beside «SC-1» from the same scanner."""
    [scan] = services.scan_upload(
        declaration=departed,
        stage=Stage.ORIGIN,
        scanner_id=" SC-۱ ",
        captured_at=timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile("scan-41.png", images.png(41))],
        by=origin_clerk,
    )
    assert Scan.objects.get(pk=scan.pk).scanner_id == "SC-1"
