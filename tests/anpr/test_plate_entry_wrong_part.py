"""A part of the plate typed wrong got its typing hint, which did not say what was wrong («۱» in the two-digit part:
«دو رقم، همان‌گونه که در سمت چپ پلاک آمده است.»); «ab9» came back in its box as «ab۹»; the province's box took four
characters. Each wrong part now says, in the style of an empty one («دو رقم: این بخش لازم است.»), what was typed
(digits in the page's digits, letters as typed, isolated) and that it is not the digits asked, with the hint; a box
refused gives back what was typed as typed; the province's box takes two characters."""

import re

import pytest
from django.urls import reverse

from anpr.models import PlateLabel
from core.text import LRI, PDI
from tests.anpr.test_plate_entry_required import _errors
from tests.anpr.test_plate_review import MISREAD, _read

WRONG = {"kind": "IR", "two": "1", "letter": "ب", "three": "ab9", "province": "999"}


@pytest.mark.persian
def test_each_wrong_part_says_what_was_typed_and_what_is_wrong(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), WRONG)
    assert response.status_code == 400
    html = response.content.decode()
    assert _errors(html, "two") == [f"دو رقم: «{LRI}۱{PDI}» دو رقم نیست؛ دو رقمِ سمت چپ پلاک را بنویسید."]
    assert _errors(html, "three") == [f"سه رقم: «{LRI}ab9{PDI}» جز رقم هم دارد؛ فقط رقم بنویسید."]
    assert _errors(html, "province") == [f"کد استان: «{LRI}۹۹۹{PDI}» دو رقم نیست؛ کد استان دو رقمِ زیر «ایران» است."]
    three = re.search(r'<input[^>]*name="three"[^>]*>', html)[0]
    assert 'value="ab9"' in three
    province = re.search(r'<input[^>]*name="province"[^>]*>', html)[0]
    assert 'maxlength="2"' in province
    assert not PlateLabel.objects.exists()


def test_a_wrong_part_in_english(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    html = client.post(reverse("anpr:read-review", args=[read.pk]), WRONG).content.decode()
    assert _errors(html, "two") == [
        f"Two digits: “{LRI}1{PDI}” is not two digits; type the two digits on the left of the plate."
    ]
    assert _errors(html, "three") == [f"Three digits: “{LRI}ab9{PDI}” holds more than digits; type digits only."]
