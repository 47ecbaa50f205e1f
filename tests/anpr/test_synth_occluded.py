"""Training plates with a covered character: the character hidden is left out of the label, so the reader learns
to read nothing where nothing shows (``synth --occluded``)."""

import random

import numpy as np
import pytest

from anpr.training.render import find_fonts, random_plate, render_plate
from anpr.training.synth import cover, make_occluded


@pytest.fixture(scope="module")
def fonts():
    found = find_fonts()
    if not found:
        pytest.skip("no Persian fonts installed (apt-get install fonts-farsiweb fonts-noto-core) — cannot render")
    return found


def test_the_character_boxes_do_not_change_the_drawing_and_each_holds_its_character(fonts):
    rng_a, rng_b = random.Random(7), random.Random(7)
    text = random_plate(rng_a)
    assert random_plate(rng_b) == text
    boxes: list = []
    plain = render_plate(text, fonts, rng_a)
    drawn = render_plate(text, fonts, rng_b, boxes=boxes)
    assert np.array_equal(plain, drawn) and len(boxes) == len(text)
    xs = [x + w / 2 for x, _y, w, _h in boxes]
    assert xs[:6] == sorted(xs[:6]) and xs[6] < xs[7]  # the six main characters, then the province's two
    for k, box in enumerate(boxes):
        covered = cover(drawn, box, random.Random(k))
        x, y, w, h = box
        inside = np.abs(covered[y : y + h, x : x + w].astype(int) - drawn[y : y + h, x : x + w].astype(int))
        assert (inside.sum(axis=2) > 0).mean() > 0.6, k  # the blob hides that character


def test_an_occluded_plate_is_labelled_with_the_characters_that_show(fonts):
    xs, labels = make_occluded(12, seed=3, fonts=fonts)
    assert xs.shape[0] == 12 and all(len(label) == 7 for label in labels)
    rng = random.Random(3)  # the first plate drawn again: its label is its text with the covered character left out
    text = random_plate(rng)
    render_plate(text, fonts, rng, boxes=[])
    k = rng.randrange(len(text))
    assert labels[0] == text[:k] + text[k + 1 :]
