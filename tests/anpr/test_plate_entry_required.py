"""The plate-entry widget sent with a part left empty says that part is required, naming it («دو رقم: این بخش لازم
است.»), not the hint on how to type it («دو رقم، همان‌گونه که در سمت چپ پلاک آمده است.», which read as if the digits
typed were wrong); a part typed wrong says what is wrong, with its hint (``test_plate_entry_wrong_part``). Each error sits with its part in the page, and the widget's
style lets it run the widget's width, not wrap in the narrow «دو رقم» column onto five lines."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from anpr.models import PlateLabel
from core.text import LRI, PDI
from tests.anpr.test_plate_review import MISREAD, _read

PARTS = ("two", "letter", "three", "province")
EMPTY = {"kind": "IR", "two": "", "letter": "", "three": "", "province": ""}


def _errors(html: str, name: str) -> list[str]:
    part = html.split(f'<div class="part {name}', 1)[1].split('<div class="part', 1)[0].split("<details", 1)[0]
    return re.findall(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', part)


@pytest.mark.persian
def test_each_empty_part_is_said_to_be_required_naming_it(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), EMPTY)
    assert response.status_code == 400
    html = response.content.decode()
    said = {name: _errors(html, name) for name in PARTS}
    assert said == {
        "two": ["دو رقم: این بخش لازم است."],
        "letter": ["حرف: این بخش لازم است."],
        "three": ["سه رقم: این بخش لازم است."],
        "province": ["کد استان: این بخش لازم است."],
    }, said
    assert "همان‌گونه که در سمت چپ پلاک" not in html
    assert not PlateLabel.objects.exists()


def test_an_empty_part_is_required_in_english_and_a_wrong_one_keeps_its_hint(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    html = client.post(reverse("anpr:read-review", args=[read.pk]), {**EMPTY, "two": "7"}).content.decode()
    assert _errors(html, "two") == [
        f"Two digits: “{LRI}7{PDI}” is not two digits; type the two digits on the left of the plate."
    ]
    assert _errors(html, "three") == ["Three digits: this part is required."]


def test_the_widgets_style_lets_a_parts_error_run_its_whole_width():
    """The parts are the cells of one grid (label row, box row), each part's error a row of its own across every
    column; no rule narrows an error to its part's column."""
    css = (Path(settings.BASE_DIR) / "static" / "anpr" / "anpr.css").read_text()
    rules = dict(re.findall(r"([^{}]+)\{([^{}]*)\}", css.split("@media", 1)[0]))
    rules = {" ".join(k.split("*/")[-1].split()): v for k, v in rules.items()}
    assert "display: grid" in rules[".plate-entry"]
    assert "display: contents" in rules[".plate-entry .part"]
    assert "grid-column: 1 / -1" in rules[".plate-entry .part .invalid-feedback"]
    assert "width: 0" not in rules[".plate-entry .part .invalid-feedback"]


def test_no_plate_type_chosen_is_said_beside_the_types(client, dest_clerk, thr_camera):
    """A form sent with none of the three types chosen came back 400 with nothing marked (the walk's empty post)."""
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), {**EMPTY, "kind": ""})
    assert response.status_code == 400
    html = response.content.decode()
    fieldset = html.split("<fieldset", 1)[1].split("</fieldset>", 1)[0]
    assert 'data-error="kind"' in fieldset and "Choose “plate”." in fieldset
    assert not PlateLabel.objects.filter(read=read).exists()
