"""Most reads come without a photo, and their «عکس» cell was empty with nothing said: every reads table,
and the gate reads of a declaration's page, now say «بدون عکس» where a read has none."""

import pytest
from django.urls import reverse

from anpr.models import PlateRead
from tests.anpr.test_gate_reads import _read as gate_read
from tests.anpr.test_gate_reads import on_the_road  # noqa: F401 (a fixture)
from tests.anpr.test_pages import _read

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _cells(html: str) -> dict[int, str]:
    """Each read's photo cell (its row's last but one cell in the plate search's table)."""
    cells = {}
    for row in html.split("<tr data-read=")[1:]:
        pk = int(row.split('"', 2)[1])
        cells[pk] = row.split("</tr>", 1)[0].split("<td")[8]
    return cells


def test_the_plate_search_says_which_reads_have_no_photo(client, inspector, bzg_camera, thr_camera, truck):
    without = _read(bzg_camera, truck.plate, hours_ago=10, photo=None)
    with_photo = _read(thr_camera, truck.plate, hours_ago=2)
    assert not without.photo and with_photo.photo
    client.force_login(inspector)
    html = client.get("/anpr/plates/", {"q": truck.plate}).content.decode()
    cells = _cells(html)
    assert "data-no-photo" in cells[without.pk] and "بدون عکس" in cells[without.pk]
    assert "text-body-secondary" in cells[without.pk]
    assert "بدون عکس" not in cells[with_photo.pk] and "/photo/" in cells[with_photo.pk]


def test_the_gate_reads_of_a_declaration_say_so_too(client, dest_clerk, on_the_road, thr_camera):  # noqa: F811
    gate_read(thr_camera, on_the_road.vehicle.plate, photo=False)
    assert not PlateRead.objects.get().photo
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[on_the_road.pk])).content.decode()
    gate = page.split('id="gate-reads"', 1)[1].split("data-gate-read=", 1)[1].split("</time>", 1)[0]
    assert "data-no-photo" in gate and "بدون عکس" in gate
