"""A plate no one is issued (a digit group of zeros or led by 0) is refused beside its part, by the page and by
the service that stores a reading; the reader's grammar never reads one either: one rule for both."""

import numpy as np
import pytest
from django.urls import reverse

from anpr import review
from anpr.models import PlateLabel
from anpr.recognition.decode import CHARSET, N_CLASSES, decode_plate, has_plate_form, rescore
from core.errors import InvalidInput
from declarations.plates import iranian_plate_error
from tests.anpr.test_plate_review import MISREAD, _entry, _read

pytestmark = pytest.mark.django_db


def _beside(html: str, field: str) -> str:
    return html.split(f'name="{field}"', 1)[1].split('<div class="part', 1)[0].split("</div>\n    </div>", 1)[0]


def test_the_walks_plate_of_zeros_is_refused_beside_each_part_and_nothing_is_stored(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), _entry("00ب00000"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "invalid-feedback" not in _beside(html, "letter")
    for field, words in (
        ("two", "The two digits on the left of the plate run from 10 to 99"),
        ("three", "The three digits after the letter run from 100 to 999"),
        ("province", "runs from 10 to 99: it never begins with 0"),
    ):
        beside = _beside(html, field)
        assert "invalid-feedback" in beside and words in beside, field
    assert not PlateLabel.objects.exists()


@pytest.mark.parametrize(("field", "plate"), [("two", "05ب34565"), ("three", "12ب04565"), ("province", "12ب34507")])
def test_a_group_led_by_zero_is_refused_beside_its_field(client, dest_clerk, thr_camera, field, plate):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), _entry(plate))
    assert response.status_code == 400
    html = response.content.decode()
    assert "never begin" in _beside(html, field)
    others = {"two", "three", "province"} - {field}
    assert all("invalid-feedback" not in _beside(html, other) for other in others)
    assert not PlateLabel.objects.exists()


@pytest.mark.persian
def test_the_refusal_names_the_province_code_in_persian_digits(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    html = client.post(reverse("anpr:read-review", args=[read.pk]), _entry("12ب34500")).content.decode()
    beside = _beside(html, "province")
    assert "کد استان" in beside and "۱۰" in beside and "۹۹" in beside


def test_the_service_that_stores_a_reading_refuses_it_too_naming_the_part(dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    with pytest.raises(InvalidInput) as caught:
        review.read_label(read=read, by=dest_clerk, plate="۱۲ب۳۴۵۰۰")
    assert "province" in caught.value.fields
    assert "province code" in str(caught.value)
    assert not PlateLabel.objects.exists()


def test_a_real_plate_is_still_taken(client, dest_clerk, thr_camera):
    read = _read(thr_camera, MISREAD)
    client.force_login(dest_clerk)
    response = client.post(reverse("anpr:read-review", args=[read.pk]), _entry("10ب10010"))
    assert response.status_code == 302
    assert PlateLabel.objects.get().plate == "10ب10010"


def _frames(text: str, sure: float = 0.9) -> np.ndarray:
    """Log-probabilities of a crop that reads ``text``, a frame per character with a blank between."""
    rows = []
    for ch in text:
        for k in (CHARSET.index(ch) + 1, 0):
            row = np.full(N_CLASSES, (1 - sure) / (N_CLASSES - 1))
            row[k] = sure
            rows.append(row)
    return np.log(np.array(rows))


def test_the_reader_never_reads_a_group_led_by_zero():
    """The same rule as the form's: where the crop most looks like 0 first in a group, the grammar reads
    another digit, and an unconstrained read of that shape is no candidate."""
    text, _, _ = decode_plate(_frames("05ب04507"))
    assert len(text) == 8 and not iranian_plate_error(text)[0]
    assert text[1] == "5" and text[4:6] == "45" and text[7] == "7"
    assert not has_plate_form("05ب34565") and has_plate_form("15ب34565")
    best, _ = rescore([_frames("05ب34565")], n_decoded=0)
    assert best == ""
