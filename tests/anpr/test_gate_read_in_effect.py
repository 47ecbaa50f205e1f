"""The declaration's gate panel shows the plate in effect of a read a person read, saying so as the timeline
does, and writes the declared plate through the same helper as the read plate."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review, sightings
from anpr.models import PlateRead
from declarations import idents
from declarations.services import declaration_depart
from tests import files
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
DECLARED = "12ب34565"
MISREAD = "12ب84365"  # too far from DECLARED for a similar-plate match


@pytest.mark.persian
def test_a_corrected_read_shows_the_plate_a_person_read_beside_the_exact_match(
    client, dest_clerk, bazargan, tehran, thr_camera
):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=MISREAD, photo=files.jpeg((320, 240)))]
    )
    sightings.reads_match(read_ids=[r.id])
    review.read_label(read=PlateRead.objects.get(pk=r.id), by=dest_clerk, plate=DECLARED)

    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    gate = html.split('id="gate-reads"', 1)[1].split("</section>", 1)[0]
    line = gate.split("تطبیق دقیق", 1)[0].rsplit("<div>", 1)[1]
    shown = idents.plate_text(DECLARED, "IR")
    # The plate in effect, read and declared alike, each through the same helper.
    assert line.count(f'<bdi class="plate">{shown}</bdi>') == 2
    assert idents.plate_text(MISREAD, "IR") not in line.split("data-camera-read", 1)[0]
    # The camera had read a plate: the person corrected it, and the badge says so (not «read from the photo»).
    assert "پلاک به‌دست کاربر اصلاح شد" in gate and "پلاک از روی عکس به‌دست کاربر خوانده شد" not in gate
    assert idents.plate_text(MISREAD, "IR") in gate.split("data-camera-read", 1)[1]  # what the camera read, apart


@pytest.mark.persian
def test_a_rejected_match_shows_no_exact_match_badge(client, dest_clerk, bazargan, tehran, thr_camera):
    """A read a person re-read as another truck's plate leaves this declaration: its line says rejected, not
    «تطبیق دقیق» between two different plates."""
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=DECLARED, photo=files.jpeg((320, 240)))]
    )
    sightings.reads_match(read_ids=[r.id])
    review.read_label(read=PlateRead.objects.get(pk=r.id), by=dest_clerk, plate=MISREAD)

    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    gate = html.split('id="gate-reads"', 1)[1].split("</section>", 1)[0]
    assert 'data-review="rejected"' in gate
    assert "تطبیق دقیق" not in gate
