"""Why a read waits for a person, in the page's language.

The reader (``anpr.recognition``, which runs without Django) says why in English, and the read keeps
that text (``PlateRead.recognition_error``) as the record of what the reader said. A page shows the
known reasons translated, with their numbers in the page's digits and a plate read isolated like every
plate; any other text (an engine error) is shown as it is, isolated so that it keeps its order.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from anpr.recognition.engines import LATIN_LETTER_READ
from anpr.recognition.nationality import NOT_IRANIAN_FORM, NOT_ONE_LINE, NOT_STABLE
from core.text import digits, format_number, isolate
from declarations.idents import plate_html
from notifications.messages import Message, Number

# anpr.recognition.foreign.TYPE_NAMES, translated (tests/anpr/test_reasons.py checks that none is missing).
TYPE_NAMES = {
    "Iranian plate": gettext_lazy("Iranian plate"),
    "Iranian free-zone plate": gettext_lazy("Iranian free-zone plate"),
    "Iranian motorcycle plate (two lines)": gettext_lazy("Iranian motorcycle plate (two lines)"),
    "Iranian plate of an older format": gettext_lazy("Iranian plate of an older format"),
    "Iranian diplomatic or service plate": gettext_lazy("Iranian diplomatic or service plate"),
}

_FIXED = {
    NOT_ONE_LINE: gettext_lazy("not a one-line plate (square and two-line plates are not the Iranian layout)"),
    NOT_IRANIAN_FORM: gettext_lazy("the characters do not read as an Iranian plate (Latin letters or another layout)"),
    NOT_STABLE: gettext_lazy("the characters do not read as Persian digits and letters (a foreign plate?)"),
    LATIN_LETTER_READ: gettext_lazy("read with a Latin letter (a diplomatic or service plate): a person reads it"),
}


def _deferred(m: re.Match) -> SafeString | None:
    name = TYPE_NAMES.get(m["type"])
    if name is None:
        return None
    return format_html(gettext("{type}: not read by the reader, a person reads it"), type=name)


def _foreign(m: re.Match) -> SafeString:
    return format_html(
        gettext("foreign plate ({country}) read as {plate} with low confidence: a person confirms it"),
        country=m["country"],
        plate=plate_html(m["text"], m["country"]),
    )


def _small(m: re.Match) -> SafeString:
    return format_html(
        gettext("crop of {w} × {h} px is too small to read"), w=digits(int(m["w"])), h=digits(int(m["h"]))
    )


def _classifier(m: re.Match) -> SafeString:
    return format_html(
        gettext("the plate type classifier gives a {country} plate ({p})"), country=m["country"], p=digits(m["p"])
    )


def _classifier_ds(m: re.Match) -> SafeString:
    return format_html(gettext("the plate type classifier gives a diplomatic or service plate ({p})"), p=digits(m["p"]))


FOREIGN_DEFERRED = (
    r"foreign plate \((?P<country>[A-Z]{2})\) read as '(?P<text>[0-9A-Z]*)' with low confidence: a person confirms it"
)
_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], SafeString | None]]] = [
    (re.compile(r"(?P<type>.+): not read by the reader, a person reads it"), _deferred),
    (re.compile(FOREIGN_DEFERRED), _foreign),
    (re.compile(r"crop of (?P<w>\d+) × (?P<h>\d+) px is too small to read"), _small),
    (re.compile(r"the plate type classifier gives a (?P<country>[A-Z]{2}) plate \((?P<p>[0-9.]+)\)"), _classifier),
    (re.compile(r"the plate type classifier gives a diplomatic or service plate \((?P<p>[0-9.]+)\)"), _classifier_ds),
]


def reason_html(text: str) -> SafeString:
    """The reader's reason for a person to read the plate, in the page's language (HTML)."""
    text = (text or "").strip()
    if not text:
        return SafeString("")
    if text in _FIXED:
        return format_html("{}", _FIXED[text])
    for pattern, render in _PATTERNS:
        m = pattern.fullmatch(text)
        if m is not None and (shown := render(m)) is not None:
            return shown
    return format_html('<bdi dir="auto">{}</bdi>', text)


# What the model registry and the retraining record about a model version or a training run (the decision,
# why a version was put in use, a run's outcome), kept in English as written; shown in the page's language.
SHIPPED_REASON = "shipped weights"
_DECISIONS: list[tuple[re.Pattern, Promise]] = [
    (
        re.compile(r"reads (?P<n>\d+) held-out reviewed crops better than v(?P<v>\d+)"),
        gettext_lazy("reads {n} held-out reviewed crops better than version {v}"),
    ),
    (
        re.compile(r"not better than v(?P<v>\d+) on (?P<n>\d+) held-out reviewed crops"),
        gettext_lazy("not better than version {v} on {n} held-out reviewed crops"),
    ),
    (
        re.compile(r"only (?P<n>\d+) reviewed crops held out \(at least (?P<min>\d+) needed to judge\)"),
        gettext_lazy("only {n} reviewed crops held out (at least {min} needed to judge)"),
    ),
    (
        re.compile(r"abandoned: still unfinished (?P<h>\d+) hours after it was queued \(its worker stopped\)"),
        gettext_lazy("abandoned: still unfinished {h} hours after it was queued (its worker stopped)"),
    ),
    (re.compile(re.escape(SHIPPED_REASON)), gettext_lazy("the weights shipped with the application")),
    # A failed run (``anpr.retraining``): what a person can do about it; the detail is in the server log.
    (
        re.compile(re.escape("nothing to train on: no rendered plates and no reviewed crops")),
        gettext_lazy("nothing to train on: no rendered plates and no reviewed crops"),
    ),
    (
        re.compile(re.escape("no Persian fonts to render plates with (install fonts-farsiweb or fonts-noto-core)")),
        gettext_lazy("no Persian fonts to render plates with (install fonts-farsiweb or fonts-noto-core)"),
    ),
    (
        re.compile(
            r"the trainer is not installed where the run ran: (?P<missing>[\w.]+) missing \(requirements-train\.txt\)"
        ),
        gettext_lazy(
            "the plate-reader trainer is not installed where the run ran ({missing} missing): the IT office"
            " installs it with pip install -r requirements-train.txt"
        ),
    ),
    (
        re.compile(r"failed: the details are in the server log \(training run (?P<run>\d+)\)"),
        gettext_lazy("the run failed; the IT office finds the details in the server log (training run {run})"),
    ),
]


def _shown(value: str) -> str:
    """A part of a recorded decision in the page's language: a number in its digits, a name isolated."""
    return digits(int(value)) if value.isdigit() else isolate(value)


def decision_text(text: str) -> str | None:
    """A recorded decision in the current language, its numbers in its digits; None when it is not one the
    registry or the retraining writes (a person's own words, an error)."""
    text = (text or "").strip()
    for pattern, template in _DECISIONS:
        m = pattern.fullmatch(text)
        if m is not None:
            return str(template).format(**{k: _shown(v) for k, v in m.groupdict().items()})
    return None


def decision_message(text: str) -> Message | None:
    """:func:`decision_text` kept to be written later, in its reader's language (a notification); None likewise."""
    text = (text or "").strip()
    for pattern, template in _DECISIONS:
        m = pattern.fullmatch(text)
        if m is not None:
            return Message(template, **{k: Number(int(v)) if v.isdigit() else v for k, v in m.groupdict().items()})
    return None


def decision_html(text: str) -> SafeString:
    """:func:`decision_text` for a page; any other text as it is, isolated so that it keeps its order."""
    shown = decision_text(text)
    if shown is not None:
        return format_html("{}", shown)
    return format_html('<bdi dir="auto">{}</bdi>', (text or "").strip()) if (text or "").strip() else SafeString("")


# Where a training run is (``TrainingRun.stage``), kept in English as the retraining writes it (a worker has no
# reader's language); shown in the page's language, its numbers in its digits.
_STAGES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    *[
        (re.compile(re.escape(english)), lambda m, shown=shown: str(shown))
        for english, shown in (
            ("queued", gettext_lazy("queued")),
            ("starting", gettext_lazy("starting")),
            ("collecting reviewed crops", gettext_lazy("collecting reviewed crops")),
            ("starting the training steps", gettext_lazy("starting the training steps")),
            (
                "reading the held-out crops with both models",
                gettext_lazy("reading the held-out crops with both models"),
            ),
            ("registering the model", gettext_lazy("registering the model")),
            ("done", gettext_lazy("done")),
        )
    ],
    (
        re.compile(r"rendering (?P<n>\d+) plates"),
        lambda m: gettext("rendering %(n)s plates") % {"n": format_number(int(m["n"]))},
    ),
    (
        re.compile(r"step (?P<step>\d+) of (?P<steps>\d+), loss (?P<loss>[0-9.]+)"),
        lambda m: gettext("step %(step)s of %(steps)s, loss %(loss)s")
        % {"step": digits(int(m["step"])), "steps": digits(int(m["steps"])), "loss": format_number(m["loss"], 3)},
    ),
]


def stage_html(text: str) -> SafeString:
    """A training run's stage in the page's language; any other text (a trainer's own words, a stage written
    before stages were kept in English) as it is, isolated so that it keeps its order."""
    text = (text or "").strip()
    for pattern, render in _STAGES:
        m = pattern.fullmatch(text)
        if m is not None:
            return format_html("{}", render(m))
    return format_html('<bdi dir="auto">{}</bdi>', text) if text else SafeString("")
