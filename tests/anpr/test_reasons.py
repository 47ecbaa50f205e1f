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


@pytest.mark.persian
def test_what_the_model_registry_and_the_retraining_record_is_shown_in_persian(client, it_officer):
    """A model version's decision, why it was put in use and a run's outcome are recorded in English; pages show
    them in Persian with Persian digits (before, the models page showed "shipped weights" and the decision in
    English, and "v۱" for version 1, which reads as ۷۱)."""
    from django.urls import reverse

    from anpr import registry, retraining
    from anpr.reasons import SHIPPED_REASON, decision_html

    recorded = [
        SHIPPED_REASON,
        retraining.BETTER.format(n=24, v=3),
        retraining.TOO_FEW.format(n=4, min=10),
        retraining.NOT_BETTER.format(n=12, v=1),
        retraining.ABANDONED.format(h=12),
    ]
    with translation.override("fa"):
        for text in recorded:
            shown = str(decision_html(text))
            assert 'dir="auto"' not in shown and not any("a" <= c <= "z" for c in shown), (text, shown)
        assert "۲۴" in str(decision_html(recorded[1])) and "نسخه ۳" in str(decision_html(recorded[1]))
        assert str(decision_html("v2 misreads night photos")) == '<bdi dir="auto">v2 misreads night photos</bdi>'
    shipped = registry.current_model()
    assert shipped.promoted_reason == SHIPPED_REASON
    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    row = page.split(f'data-version="{shipped.version}"', 1)[1].split("</tr>", 1)[0]
    assert "وزن‌های همراه با سامانه" in row and SHIPPED_REASON not in row
    assert ">v" not in row  # the number alone under the "version" heading
