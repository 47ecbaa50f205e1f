"""Record keeping (AML executive regulation, Art. 33, by analogy): the records of a transit operation
are kept at least 5 years after it ends; ``archive_operations`` exports the old ones with their
evidence and hashes, removes from the active database only those past the window, and restores them."""

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from casework.models import CaseMilestone, CaseValuation, JudicialAction, JudicialCase
from declarations import archive, retention
from declarations.models import ArrivalConfirmation, DeclarationEvent, GoodsItem, Status, TransitDeclaration
from tests.factories import DeclarationFactory, GoodsFactory

YEAR = dt.timedelta(days=365)
PDF = b"%PDF-1.4 arrival evidence of an old operation"


def _operation(bazargan, tehran, *, ended_ago, serial):
    now = timezone.now()
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        serial=serial,
        declared_at=now - ended_ago - 30 * dt.timedelta(days=1),
        status=Status.CLOSED,
        arrived_at=now - ended_ago - 20 * dt.timedelta(days=1),
        closed_at=now - ended_ago,
    )
    GoodsFactory(declaration=d, line_no=1)
    GoodsFactory(declaration=d, line_no=2)
    arrival = ArrivalConfirmation(declaration=d, office=tehran, confirmed_at=d.arrived_at)
    arrival.evidence.save("evidence.pdf", ContentFile(PDF), save=False)
    arrival.evidence_sha256 = hashlib.sha256(PDF).hexdigest()
    arrival.save()
    DeclarationEvent.objects.create(declaration=d, at=d.arrived_at, kind="arrived", message="وصول")
    case = JudicialCase.objects.create(
        declaration=d,
        file_number=f"F-{serial}",
        authority="تعزیرات",
        opened_on=(now - ended_ago - 10 * dt.timedelta(days=1)).date(),
        cif_value=Decimal("100"),
        exchange_rate=Decimal("500000"),
    )
    first = CaseValuation.objects.create(
        case=case,
        kind="import",
        foreign_amount=100,
        currency="USD",
        exchange_rate=500000,
        rate_source="x",
        value=50_000_000,
    )
    CaseValuation.objects.create(
        case=case, kind="export", wholesale_price=9, market="m", value=9, corrects=first, reason="r"
    )
    CaseMilestone.objects.create(case=case, kind="handover", article="4", due_at=d.arrived_at)
    JudicialAction.objects.create(case=case, on=case.opened_on, action="حکم")
    return d


def _snapshot(ids):
    got = archive.collect(ids)
    return json.loads(serializers.serialize("json", [o for objs in got.rows.values() for o in objs]))


# --- the guard ---------------------------------------------------------------------------------


def test_nothing_deletes_an_operations_records_within_five_years_of_its_end(bazargan, tehran):
    young = _operation(bazargan, tehran, ended_ago=4 * YEAR, serial="YOUNG")
    settled = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.SETTLED, settled_at=timezone.now() - 4 * YEAR
    )
    with pytest.raises(retention.RetentionRefused, match="kept until"), transaction.atomic():
        settled.delete()
    with pytest.raises(retention.RetentionRefused), transaction.atomic():
        TransitDeclaration.objects.filter(pk=settled.pk).delete()
    with pytest.raises(retention.RetentionRefused), transaction.atomic():
        GoodsItem.objects.filter(declaration=young).delete()  # a queryset delete too
    with pytest.raises(retention.RetentionRefused), transaction.atomic():
        young.arrival.delete()
    with pytest.raises(retention.RetentionRefused), transaction.atomic():
        JudicialCase.objects.get(declaration=young).milestones.all().delete()
    open_one = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT)
    with pytest.raises(retention.RetentionRefused, match="not ended"), transaction.atomic():
        open_one.delete()
    assert TransitDeclaration.objects.filter(pk__in=[young.pk, settled.pk]).count() == 2
    assert young.goods.count() == 2 and CaseMilestone.objects.filter(case__declaration=young).count() == 1


def test_the_admin_offers_no_delete_within_the_window(client, hq, bazargan, tehran):
    hq.is_staff = hq.is_superuser = True
    hq.save()
    young = _operation(bazargan, tehran, ended_ago=2 * YEAR, serial="ADMIN")
    item = young.goods.first()
    client.force_login(hq)
    assert client.post(f"/admin/declarations/goodsitem/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert GoodsItem.objects.filter(pk=item.pk).exists()


def test_the_retention_window_cannot_be_set_below_five_years():
    import subprocess
    import sys

    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='transit_monitor.settings'; django.setup()",
        ],
        env={**__import__("os").environ, "RETENTION_YEARS": "3"},
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "at least 5 years" in r.stderr


# --- the archive ---------------------------------------------------------------------------------


def test_archive_remove_and_restore_round_trip(
    bazargan, tehran, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.ARCHIVE_ACTIVE_YEARS = 3  # archive what ended 3+ years ago; remove only past 5
    old = _operation(bazargan, tehran, ended_ago=6 * YEAR, serial="OLD")
    middle = _operation(bazargan, tehran, ended_ago=4 * YEAR, serial="MIDDLE")
    recent = _operation(bazargan, tehran, ended_ago=1 * YEAR, serial="RECENT")
    # A time with microseconds under a millisecond: the archive keeps it whole (Django's JSON would not).
    precise = old.declared_at.replace(microsecond=456)
    TransitDeclaration.objects.filter(pk=old.pk).update(declared_at=precise)
    before = _snapshot([old.pk])
    evidence_name = old.arrival.evidence.name
    out = tmp_path / "ops.zip"

    with django_capture_on_commit_callbacks(execute=True):  # the removed rows' files go after the commit
        call_command("archive_operations", out=str(out), remove=True, stdout=io.StringIO())

    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert {op["serial"] for op in manifest["operations"]} == {"OLD", "MIDDLE"}  # not RECENT
        assert z.read(f"files/{evidence_name}") == PDF
    entry = next(f for f in manifest["files"] if f["name"] == evidence_name)
    assert entry["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert manifest["counts"]["casework.casevaluation"] == 4
    # removed: only the one past the retention window, with every record and its evidence file
    assert not TransitDeclaration.objects.filter(pk=old.pk).exists()
    assert not CaseValuation.objects.filter(case__declaration_id=old.pk).exists()
    assert not GoodsItem.objects.filter(declaration_id=old.pk).exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(evidence_name)
    assert TransitDeclaration.objects.filter(pk__in=[middle.pk, recent.pk]).count() == 2

    call_command("archive_operations", restore=str(out), stdout=io.StringIO())
    assert _snapshot([old.pk]) == before  # every row back as it was
    assert TransitDeclaration.objects.get(pk=old.pk).declared_at == precise  # to the microsecond
    with default_storage.open(evidence_name, "rb") as fh:
        assert fh.read() == PDF
    # restoring twice changes nothing
    call_command("archive_operations", restore=str(out), stdout=io.StringIO())
    assert _snapshot([old.pk]) == before


def test_a_tampered_archive_does_not_verify_and_is_not_restored(bazargan, tehran, tmp_path):
    _operation(bazargan, tehran, ended_ago=6 * YEAR, serial="OLD")
    out = tmp_path / "ops.zip"
    call_command("archive_operations", out=str(out), stdout=io.StringIO())
    tampered = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data.replace(b"OLD", b"OLX") if item.filename == "data.json" else data)
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("archive_operations", verify=str(tampered), stdout=io.StringIO())
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("archive_operations", restore=str(tampered), stdout=io.StringIO())


def test_altered_evidence_stops_the_archive(bazargan, tehran, tmp_path):
    old = _operation(bazargan, tehran, ended_ago=6 * YEAR, serial="OLD")
    with old.arrival.evidence.storage.open(old.arrival.evidence.name, "wb") as fh:
        fh.write(b"altered")
    with pytest.raises(CommandError, match="no longer matches"):
        call_command("archive_operations", out=str(tmp_path / "x.zip"), remove=True, stdout=io.StringIO())
    assert TransitDeclaration.objects.filter(pk=old.pk).exists()


@pytest.mark.persian
def test_the_retention_refusal_names_the_serial_isolated_and_the_date_in_jalali(db):
    d = DeclarationFactory(status=Status.SETTLED, settled_at=timezone.now() - dt.timedelta(days=30))
    with pytest.raises(retention.RetentionRefused) as exc:
        retention._refuse(d, "سند")
    message = str(exc.value)
    assert f"\u2066{d.serial}\u2069" in message
    assert re.search(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", message) and not re.search(r"\d{4}-\d{2}-\d{2}", message)
