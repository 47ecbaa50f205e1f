"""The plate-entry widget's «دو رقم» and «سه رقم» boxes took four and six characters, inviting a plate's digits run
together into one box; they take two and three, as the province's takes two. Persian digits are one character each,
so typed Persian they still fit; a longer value sent all the same is refused saying what was typed (not Django's
«at most 2 characters»)."""

import re

import pytest
from django.urls import reverse

from core.text import LRI, PDI
from tests.anpr.test_plate_review import MISREAD, _read

pytestmark = pytest.mark.django_db


def _box(html: str, name: str) -> str:
    return re.search(rf'<input type="text" inputmode="numeric" name="{name}"[^>]*>', html)[0]


def test_the_digit_boxes_take_as_many_characters_as_their_part_has(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    html = client.get(reverse("anpr:read-review", args=[read.pk])).content.decode()
    assert 'maxlength="2"' in _box(html, "two")
    assert 'maxlength="3"' in _box(html, "three")
    assert 'maxlength="2"' in _box(html, "province")


def test_persian_digits_fill_the_boxes_and_too_many_digits_are_named(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    url = reverse("anpr:read-review", args=[read.pk])
    html = client.post(url, {"kind": "IR", "two": "1234", "letter": "ب", "three": "۳۴۵۶", "province": "65"})
    html = html.content.decode()
    assert f"Two digits: “{LRI}1234{PDI}” is not two digits" in html
    assert f"Three digits: “{LRI}3456{PDI}” is not three digits" in html
    assert "at most" not in html
    done = client.post(url, {"kind": "IR", "two": "۱۲", "letter": "ب", "three": "۳۴۵", "province": "۶۵"})
    assert done.status_code == 302
