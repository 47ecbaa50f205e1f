"""The audit trail's «what changed» column wrote a scan's file name into the Persian line as it was, so
«نام فایل: 1405-BZG-90000004_destination_scan-456_preview.jpg» read «BZG-90000004_destination_scan-456_preview.jpg-1405».
A file's name is now held left to right, each Persian word in it on its own, as the notifications page holds it."""

from __future__ import annotations

import pytest

from core.models import ExportJob
from core.text import LRI, PDI, file_name_text
from declarations.audit_text import ChangeWriter
from declarations.models import ImportBatch
from scans.models import Scan

NAME = "1405-BZG-90000004_destination_scan-456_preview.jpg"


@pytest.mark.parametrize(
    ("model", "name"),
    [(Scan, "original_name"), (ExportJob, "filename"), (ImportBatch, "filename")],
)
def test_a_file_name_keeps_its_order_in_a_persian_line(model, name):
    shown = ChangeWriter().value(model._meta.get_field(name), NAME)
    assert shown == file_name_text(NAME) and shown.startswith(LRI) and shown.endswith(PDI)


def test_a_persian_word_in_a_file_name_is_held_on_its_own():
    shown = ChangeWriter().value(Scan._meta.get_field("original_name"), "اسکن_مبدا_1405-08-16.tif")
    assert shown == file_name_text("اسکن_مبدا_1405-08-16.tif") and shown.startswith(LRI)
