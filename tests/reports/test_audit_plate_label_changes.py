"""The audit list's «what changed» for a plate label names the read it labels as the rest of the app shows a read
(its plate through the plate display, its camera by code, its time in the page's digits), never «… @ 16 …» with the
camera's row id and Persian digits on an English page; and the plate before as a plate, not its stored code."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anpr import services as anpr_services
from anpr.models import PlateLabel, PlateRead
from core.dates import format_jalali
from core.text import LRI, PDI, RLI

pytestmark = pytest.mark.django_db


def _changes(client, row) -> str:
    entry = LogEntry.objects.get_for_object(row).get()
    page = client.get(reverse("reports:audit")).content.decode()
    found = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return found[: found.index("</tr>")]


@pytest.fixture
def label(tehran, inspector):
    now = timezone.now().replace(microsecond=0)
    camera, _token = anpr_services.camera_register(office=tehran, code="THR-CAM-1", direction="in")
    read = PlateRead.objects.create(
        camera=camera, office=tehran, captured_at=now, received_at=now, plate="46س85428", recognition="camera"
    )
    return PlateLabel.objects.create(
        read=read, camera=camera, office=tehran, captured_at=now, plate="34ABC123", country="TR", corrected=True,
        plate_before="46س85428", reason="other", by=inspector,
    )  # fmt: skip


def test_on_an_english_page_the_read_is_named_in_latin_digits_by_its_camera_code(client, hq, label):
    client.force_login(hq)
    row = _changes(client, label)
    read = row.split("<bdi>read: ", 1)[1].split("</bdi>", 1)[0]
    at = format_jalali(label.captured_at, persian=False)
    assert (
        read
        == f'<span class="ident">{RLI}۴۶ س ۸۵۴ - ایران ۲۸{PDI}</span> · <span class="ident">{LRI}THR-CAM-1{PDI}</span> · {at}'
    )


@pytest.mark.persian
def test_the_plate_before_is_shown_as_a_plate(client, hq, label):
    client.force_login(hq)
    row = _changes(client, label)
    assert "46س85428" not in row
    assert f'پلاک پیشین: <span class="ident">{RLI}۴۶ س ۸۵۴ - ایران ۲۸{PDI}</span>' in row
