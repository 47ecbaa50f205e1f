"""The files a person downloads (original, previews, change overlay) are named after the declaration's
serial, the stage and the view, in plain ASCII: ``1405-BZG-90000003_origin_top_scan-41.png``."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.files import content_disposition
from scans import services
from scans.models import Stage, View, download_stem
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def serial_departed(departed):
    departed.serial = "1405-BZG-90000003"
    departed.save(update_fields=["serial"])
    return departed


def test_the_original_and_its_previews_name_the_serial_stage_and_view(client, serial_departed, origin_clerk):
    (scan,) = services.scan_upload(
        declaration=serial_departed,
        stage=Stage.ORIGIN,
        scanner_id="NUC-7",
        captured_at=serial_departed.departed_at,
        files=[SimpleUploadedFile("x.png", images.png())],
        by=origin_clerk,
        view=View.TOP,
    )
    services.scan_make_previews(scan_id=scan.pk)
    client.force_login(origin_clerk)
    stem = f"1405-BZG-90000003_origin_top_scan-{scan.pk}"
    response = client.get(reverse("scans:original", args=[scan.pk]))
    assert response["Content-Disposition"] == f'inline; filename="{stem}.png"'
    response = client.get(reverse("scans:preview", args=[scan.pk, "web"]))
    assert response["Content-Disposition"] == f'inline; filename="{stem}_preview.jpg"'
    response = client.get(reverse("scans:preview", args=[scan.pk, "thumb"]))
    assert response["Content-Disposition"] == f'inline; filename="{stem}_thumbnail.jpg"'
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.get(f"/api/scans/{scan.pk}/original/")
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.png"'


def test_a_single_view_is_not_named_and_the_destination_says_so(client, serial_departed, dest_clerk):
    scan = upload(serial_departed, Stage.DESTINATION, dest_clerk, images.jpeg())
    client.force_login(dest_clerk)
    response = client.get(reverse("scans:original", args=[scan.pk]))
    assert response["Content-Disposition"] == f'inline; filename="1405-BZG-90000003_destination_scan-{scan.pk}.jpg"'


def test_the_change_overlay_names_the_serial_and_the_view(client, done_comparison, dest_clerk):
    done_comparison.declaration.serial = "1405-BZG-90000003"
    done_comparison.declaration.save(update_fields=["serial"])
    png = images.png()
    done_comparison.heatmap.save("heat.png", ContentFile(png), save=False)
    done_comparison.heatmap_sha256 = hashlib.sha256(png).hexdigest()
    done_comparison.view = View.SIDE
    done_comparison.save()
    client.force_login(dest_clerk)
    response = client.get(reverse("scans:heatmap", args=[done_comparison.pk]))
    name = f"1405-BZG-90000003_heatmap_side_comparison-{done_comparison.pk}.png"
    assert response["Content-Disposition"] == f'inline; filename="{name}"'


def test_a_serial_keyed_by_hand_gives_a_safe_ascii_name():
    # Persian digits as Latin ones; a slash (a folder to a browser) and anything else outside ASCII as "_".
    assert download_stem("۱۴۰۵/بازرگان-12", "origin", "side") == "1405_-12_origin_side"
    assert download_stem("گمرک", "origin") == "declaration_origin"
    name = download_stem("۱۴۰۵/BZG-7", "destination") + ".png"
    assert name.isascii()
    assert content_disposition(name, as_attachment=True) == f'attachment; filename="{name}"'
