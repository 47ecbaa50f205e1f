"""The signed PDF of a submitted return is a record of its own (``signed_pdf``) beside the built one: the
submission left the built file on disk but the row named only the signed file and its hash, the built PDF's
record edited. Evidence is never edited: the built ``pdf`` and ``pdf_sha256`` stay as the build wrote them, and
the page and the download give the signed one of a submitted return, its hash checked."""

import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from reports import services
from reports.models import MonthlyReturn, ReturnStatus
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reports.migrations.0013_return_signed_pdf")


def _bytes(fieldfile) -> bytes:
    with fieldfile.open("rb") as f:
        return f.read()


def _built(inspector, west_az) -> tuple[MonthlyReturn, str, str, bytes]:
    inspector.first_name, inspector.last_name = "سارا", "رحیمی"
    inspector.save()
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    snap = MonthlyReturn.objects.get(pk=snap.pk)
    return snap, snap.pdf.name, snap.pdf_sha256, _bytes(snap.pdf)


def test_submission_keeps_the_built_pdf_and_records_the_signed_one_beside_it(inspector, west_az):
    snap, name, digest, built = _built(inspector, west_az)

    services.return_submit(monthly_return=snap, by=inspector)

    snap = MonthlyReturn.objects.get(pk=snap.pk)
    assert (snap.pdf.name, snap.pdf_sha256, _bytes(snap.pdf)) == (name, digest, built)
    assert norm("سارا رحیمی") not in pdf_text(built)
    signed = _bytes(snap.signed_pdf)
    assert snap.signed_pdf.name != name and snap.signed_pdf.name.endswith("-v1-signed.pdf")
    assert snap.signed_pdf_sha256 == hashlib.sha256(signed).hexdigest()
    assert norm("سارا رحیمی") in pdf_text(signed).split("\f")[0]
    assert snap.served_pdf() == (snap.signed_pdf, snap.signed_pdf_sha256)


def test_a_built_pdf_altered_since_the_build_is_not_signed(inspector, west_az, settings):
    snap, name, digest, built = _built(inspector, west_az)
    (settings.MEDIA_ROOT / name).write_bytes(built + b"%altered")

    with pytest.raises(services.IllegalTransition, match="changed after it was built"):
        services.return_submit(monthly_return=snap, by=inspector)

    snap = MonthlyReturn.objects.get(pk=snap.pk)
    assert snap.status == ReturnStatus.DRAFT and not snap.signed_pdf and snap.signed_pdf_sha256 == ""
    assert (snap.pdf.name, snap.pdf_sha256) == (name, digest)


def test_a_submitted_return_serves_and_lists_its_signed_pdf_with_its_hash_checked(client, inspector, west_az, settings):
    snap, _name, digest, built = _built(inspector, west_az)
    client.force_login(inspector)
    url = reverse("reports:return_download", args=[snap.pk, "pdf"])
    assert b"".join(client.get(url).streaming_content) == built  # a draft: the built one

    services.return_submit(monthly_return=snap, by=inspector)
    snap = MonthlyReturn.objects.get(pk=snap.pk)

    served = b"".join(client.get(url).streaming_content)
    assert served == _bytes(snap.signed_pdf) and norm("سارا رحیمی") in pdf_text(served)
    page = client.get(reverse("reports:return", args=[snap.pk])).content.decode()
    files = page.split('id="return-files"', 1)[1].split("</table>", 1)[0]
    row = files.split('data-file="pdf"', 1)[1].split("</tr>", 1)[0]
    assert f'data-sha256="{snap.signed_pdf_sha256}"' in row

    # The signed file altered on disk is refused, as any evidence is.
    path = settings.MEDIA_ROOT / snap.signed_pdf.name
    path.write_bytes(path.read_bytes() + b"%altered")
    assert client.get(url).status_code == 409


def _as_submitted_before(snap: MonthlyReturn, inspector) -> tuple[str, bytes]:
    """A return submitted before the signed PDF had its own field: the row names the signed file and its hash."""
    signed = b"%PDF-1.7 signed cover\n"
    stored = snap.pdf.storage.save(snap.pdf.name.removesuffix(".pdf") + "-signed.pdf", ContentFile(signed))
    MonthlyReturn.objects.filter(pk=snap.pk).update(
        status=ReturnStatus.SUBMITTED,
        submitted_by=inspector,
        pdf=stored,
        pdf_sha256=hashlib.sha256(signed).hexdigest(),
    )
    return stored, signed


def test_the_migration_moves_a_signed_pdf_to_its_own_field_and_names_the_built_one_again(inspector, west_az):
    snap, name, digest, _built_bytes = _built(inspector, west_az)
    stored, signed = _as_submitted_before(snap, inspector)
    draft, draft_name, draft_digest, _ = _built(inspector, west_az)  # version 2, never submitted: untouched

    migration.signed_pdf_apart(apps, None)

    snap = MonthlyReturn.objects.get(pk=snap.pk)
    assert (snap.signed_pdf.name, snap.signed_pdf_sha256) == (stored, hashlib.sha256(signed).hexdigest())
    assert (snap.pdf.name, snap.pdf_sha256) == (name, digest)
    draft = MonthlyReturn.objects.get(pk=draft.pk)
    assert (draft.pdf.name, draft.pdf_sha256, draft.signed_pdf.name) == (draft_name, draft_digest, "")

    migration.signed_pdf_apart(apps, None)  # run again: nothing more to move
    assert MonthlyReturn.objects.get(pk=snap.pk).pdf.name == name


def test_the_migration_leaves_pdf_as_it_is_when_the_built_file_is_gone(inspector, west_az):
    snap, name, _digest, _built_bytes = _built(inspector, west_az)
    stored, signed = _as_submitted_before(snap, inspector)
    snap.pdf.storage.delete(name)

    migration.signed_pdf_apart(apps, None)

    snap = MonthlyReturn.objects.get(pk=snap.pk)
    assert (snap.signed_pdf.name, snap.signed_pdf_sha256) == (stored, hashlib.sha256(signed).hexdigest())
    assert (snap.pdf.name, snap.pdf_sha256) == (stored, hashlib.sha256(signed).hexdigest())


@pytest.mark.persian
def test_the_submission_audit_names_the_signed_file_and_leaves_the_built_one_out(inspector, west_az):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from core.text import strip_isolates
    from declarations.audit_text import ChangeWriter

    snap, _name, _digest, _bytes_built = _built(inspector, west_az)
    services.return_submit(monthly_return=snap, by=inspector)
    snap = MonthlyReturn.objects.get(pk=snap.pk)
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MonthlyReturn),
        object_pk=str(snap.pk),
        action=LogEntry.Action.UPDATE,
    ).latest("pk")

    assert "pdf" not in entry.changes_dict and "pdf_sha256" not in entry.changes_dict
    lines = [strip_isolates(line) for line in ChangeWriter().lines(entry)]
    text = "\n".join(lines)
    assert "فایل PDF امضاشده" in text and "return-1404-05-WAZ-v1-signed.pdf" in text
    assert snap.signed_pdf_sha256 in text
