"""Why a read waits for a person is shown in the page's language: the reader's English reasons are
translated, their numbers in the page's digits, a plate read isolated, anything else shown as it is."""

import numpy as np
import pytest
from django.utils import translation

from anpr.reasons import TYPE_NAMES, reason_html
from anpr.recognition.engines import PlateCRNNEngine
from anpr.recognition.foreign import TYPE_NAMES as READER_TYPE_NAMES
from anpr.recognition.nationality import NOT_IRANIAN_FORM, NOT_ONE_LINE, NOT_STABLE


def _reasons() -> list[str]:
    plate = np.full((40, 180, 3), 200, np.uint8)
    guard = PlateCRNNEngine._guard
    return [
        NOT_ONE_LINE,
        NOT_IRANIAN_FORM,
        NOT_STABLE,
        *(f"{name}: not read by the reader, a person reads it" for name in READER_TYPE_NAMES.values()),
        "foreign plate (TR) read as '34ABC123' with low confidence: a person confirms it",
        PlateCRNNEngine().read_crop(np.full((9, 41, 3), 200, np.uint8)).review_reason,
        guard(plate, "11ج85915", "TR", 0.83),
        guard(plate, "59د16913", "ir_diplomatic_service", 0.15),
        guard(plate, "15S77555", "ir", 0.99),
    ]


@pytest.mark.persian
def test_every_reason_the_reader_gives_is_shown_in_persian():
    assert set(READER_TYPE_NAMES.values()) <= set(TYPE_NAMES)
    with translation.override("fa"):
        for reason in _reasons():
            shown = str(reason_html(reason))
            assert 'dir="auto"' not in shown, reason  # known, not the fallback
            assert not any("a" <= c <= "z" for c in shown.split("<")[0]), (reason, shown)  # Persian words
        shown = {reason: str(reason_html(reason)) for reason in _reasons()}
        ds = "Iranian diplomatic or service plate: not read by the reader, a person reads it"
        assert shown[ds].startswith("پلاک ایرانی سیاسی یا خدمت")
        assert "۴۱ × ۹" in shown["crop of 41 × 9 px is too small to read"]  # Persian digits
        assert "۰٫۸۳" in shown["the plate type classifier gives a TR plate (0.83)"]
        foreign = shown["foreign plate (TR) read as '34ABC123' with low confidence: a person confirms it"]
        assert 'dir="ltr"' in foreign and "34ABC123" in foreign  # the plate read, isolated


def test_in_english_the_reason_reads_as_the_reader_wrote_it():
    with translation.override("en"):
        for reason in _reasons():
            if "foreign plate" not in reason:
                assert str(reason_html(reason)) == reason.replace("'", "&#x27;")


def test_other_text_is_shown_as_it_is_escaped_and_isolated():
    shown = str(reason_html("engine failed: <script>x</script>"))
    assert shown == '<bdi dir="auto">engine failed: &lt;script&gt;x&lt;/script&gt;</bdi>'
    assert str(reason_html("")) == ""
