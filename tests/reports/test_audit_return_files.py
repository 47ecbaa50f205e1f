"""The audit record of a return's build names its files and their hashes in one wording: «SHA-256 فایل XLSX»
beside «SHA-256 فایل PDF» (the PDF's read «SHA-256 فایل PDF نامه», a letter's, and the others «پرونده»), and
each file by its name («XLSX: return-1404-05-WAZ-v1.xlsx»), not «XLSX: فایل»."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from core.text import strip_isolates
from declarations.audit_text import ChangeWriter
from reports import services
from reports.models import MonthlyReturn

pytestmark = pytest.mark.persian


def test_the_build_entry_labels_the_hashes_alike_and_names_the_files(inspector, west_az):
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(MonthlyReturn),
        object_pk=str(snap.pk),
        action=LogEntry.Action.CREATE,
    )
    lines = [strip_isolates(line) for line in ChangeWriter().lines(entry)]  # Latin words come isolated
    for fmt in ("XLSX", "PDF", "CSV"):
        assert f"SHA-256 فایل {fmt}: {getattr(snap, fmt.lower() + '_sha256')}" in lines
        name = f"return-1404-05-WAZ-v1.{fmt.lower()}"
        assert f"{fmt}: {name}" in lines
    text = "\n".join(lines)
    assert "نامه" not in text and "پرونده" not in text and ": فایل" not in text
