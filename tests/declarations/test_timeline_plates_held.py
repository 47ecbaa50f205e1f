"""A plate in a timeline entry's text (the registration's audit entry: «vehicle: ۳۳ ج ۴۴۴ - ایران ۵۵; …») is held
on one line, as a serial is: broken after its hyphen in the narrow timeline column, «ایران ۵۵» began the next
line and the plate read «۵۵ ایران - …» on the English page. Each plate stays isolated right to left."""

import pytest
from django.urls import reverse

from declarations.idents import plate_text
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "33ج44455"


def _timeline(client, user, declaration) -> str:
    client.force_login(user)
    html = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    return html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]


def _held_plate(timeline: str) -> bool:
    return f'<span class="ident">{plate_text(PLATE)}</span>' in timeline


def test_the_english_timeline_holds_the_plate_on_one_line(client, origin_clerk, bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=PLATE))
    timeline = _timeline(client, origin_clerk, d)
    assert "vehicle:" in timeline and plate_text(PLATE).startswith("\u2067")  # right to left, isolated
    assert _held_plate(timeline)


@pytest.mark.persian
def test_the_persian_timeline_holds_the_plate_on_one_line(client, origin_clerk, bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=PLATE))
    timeline = _timeline(client, origin_clerk, d)
    assert "حامل:" in timeline
    assert _held_plate(timeline)
