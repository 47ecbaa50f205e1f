"""What a notification says, kept as a message id and its parameters and written in the reader's
language when it is shown (the page's language on a page, the recipient's in an e-mail).

A caller writes ``Message(gettext_noop("Case %(n)s: %(step)s was due %(due)s"), n=Ident("case", …),
step=Message(label), due=When(at))``: the msgid is the one the app already translates, marked
with ``gettext_noop`` so that it is extracted but not translated where the event happens. Each
parameter is typed, and its type says how it is written:

- ``str``: words as written (a person's remark, a file name, a record's stored text), never translated;
- ``Ident(kind, value)``: an identifier (serial, letter or case number, camera code), as issued,
  isolated from the text around it by the helper the identifier filters use (``register_identifier``;
  ``declarations`` registers its kinds at start-up);
- ``Number``, ``When``, ``Month``: in the reader's digits and calendar (Jalali; Persian digits in Persian);
- ``Name(fa, en)``: a place's name in the reader's language (an office, a province);
- ``Message``: a phrase of its own (a choice's label, "version 2"), translated in turn.

Stored as JSON (``to_json`` / ``from_json``): a message id, and each parameter a string or an
object with one of the keys ``ident``, ``number``, ``when``, ``month``, ``name``, ``arrow``, ``msgid``.

The rows that keep a message (a notification, a declaration's timeline event) keep beside it a copy
written in the project's language (``stored_copy``), shown for a row from before the message ids and
whenever the message cannot be written (``written``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from accounts.models import localised_name
from core.dates import format_jalali, month_label
from core.text import arrow, digits, format_number, is_persian, isolate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ident:
    """An identifier of ``kind`` (``serial``, ``letter``, ``case``, ``camera``…), as issued."""

    kind: str
    value: str


@dataclass(frozen=True)
class Number:
    """A count or an amount in the reader's digits; ``grouped``: thousands grouped (``۱۱٬۲۴۰٬۰۰۰`` rial)."""

    value: int | float | Decimal
    grouped: bool = False


@dataclass(frozen=True)
class Arrow:
    """The arrow from one place to the next in the reader's direction (``←`` in Persian, ``→`` in English)."""


@dataclass(frozen=True)
class When:
    """A moment (``1404/05/12 10:30``, Tehran time), or a day with no time (a document's issue date)."""

    at: dt.datetime | dt.date


@dataclass(frozen=True)
class Month:
    """A Jalali month: ``مرداد ۱۴۰۴`` in Persian, ``1404/05`` in English (as the returns pages write it)."""

    year: int
    month: int


@dataclass(frozen=True)
class Name:
    """A name kept in both languages (``name_fa``/``name_en`` of an office or a province)."""

    fa: str
    en: str

    @classmethod
    def of(cls, obj: Any) -> Name:
        return cls(obj.name_fa, obj.name_en)


Param = Union[str, Ident, Number, When, Month, Name, Arrow, "Message"]


def msgid_of(label: str | Promise) -> str:
    """The message id of a lazily translated label (a choice's ``label``): the text with no language active."""
    with translation.override(None):
        return str(label)


class Message:
    """A message id and its parameters, written out when it is read (``render``, ``render_html``)."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str | Promise, /, **params: Param) -> None:
        self.msgid = msgid if isinstance(msgid, str) else msgid_of(msgid)
        self.params: dict[str, Param] = params

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"


# --- identifiers: isolated as the identifier filters isolate them ---------------------------------

# kind -> (HTML for a page, plain text for an e-mail); the app that owns the kind registers its helpers.
_IDENTIFIERS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {}


def register_identifier(kind: str, html: Callable[[str], str], text: Callable[[str], str]) -> None:
    """Show identifiers of ``kind`` with these helpers (the ones behind the identifier template filters)."""
    _IDENTIFIERS[kind] = (html, text)


def _ident_html(kind: str, value: str) -> str:
    helpers = _IDENTIFIERS.get(kind)
    if helpers is not None:
        return conditional_escape(helpers[0](value))
    return format_html('<bdi dir="ltr" class="ident ident-{}">{}</bdi>', kind, value)


def _ident_text(kind: str, value: str) -> str:
    helpers = _IDENTIFIERS.get(kind)
    return helpers[1](value) if helpers is not None else isolate(value)


# --- JSON ---------------------------------------------------------------------------------------


def param_to_json(value: Param) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Ident):
        return {"ident": value.kind, "value": value.value}
    if isinstance(value, Number):
        number = str(value.value) if isinstance(value.value, Decimal) else value.value
        return {"number": number, "grouped": True} if value.grouped else {"number": number}
    if isinstance(value, Arrow):
        return {"arrow": True}
    if isinstance(value, When):
        return {"when": value.at.isoformat()}
    if isinstance(value, Month):
        return {"month": [value.year, value.month]}
    if isinstance(value, Name):
        return {"name": [value.fa, value.en]}
    return {"msgid": value.msgid, "params": params_to_json(value.params)}


def params_to_json(params: Mapping[str, Param]) -> dict[str, Any]:
    return {k: param_to_json(v) for k, v in params.items()}


def param_from_json(value: Any) -> Param:
    """The parameter stored by ``param_to_json``; ValueError for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "ident" in value:
            return Ident(str(value["ident"]), str(value["value"]))
        if "number" in value:
            number = value["number"]
            return Number(Decimal(number) if isinstance(number, str) else number, bool(value.get("grouped")))
        if "arrow" in value:
            return Arrow()
        if "when" in value:
            when = str(value["when"])  # a moment's ISO form has its "T"; a day's has none
            return When(dt.datetime.fromisoformat(when) if "T" in when else dt.date.fromisoformat(when))
        if "month" in value:
            return Month(*value["month"])
        if "name" in value:
            return Name(*value["name"])
        if "msgid" in value:
            return Message(str(value["msgid"]), **params_from_json(value.get("params") or {}))
    raise ValueError(f"not a notification parameter: {value!r}")


def params_from_json(params: Mapping[str, Any]) -> dict[str, Param]:
    return {str(k): param_from_json(v) for k, v in params.items()}


# --- writing it out -----------------------------------------------------------------------------

_INTEGER_PLACEHOLDER = re.compile(r"%\((\w+)\)d")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _translated(msgid: str) -> str:
    # gettext("") is the catalogue's header; %(n)d takes the number already written in the reader's digits.
    return _INTEGER_PLACEHOLDER.sub(r"%(\1)s", gettext(msgid)) if msgid else ""


def _param(value: Param, html: bool) -> str:
    if isinstance(value, Message):
        return _render(value, html)
    if isinstance(value, Ident):
        return _ident_html(value.kind, value.value) if html else _ident_text(value.kind, value.value)
    if isinstance(value, Number):
        shown = format_number(value.value) if value.grouped else digits(value.value)
    elif isinstance(value, Arrow):
        shown = arrow(rtl=is_persian())
    elif isinstance(value, When):
        shown = format_jalali(value.at, persian=is_persian())
    elif isinstance(value, Month):
        shown = month_label(value.year, value.month, persian=is_persian())
    elif isinstance(value, Name):
        shown = localised_name(value.fa, value.en)
    else:  # words as written, in whatever script: isolated on a page
        return format_html("<bdi>{}</bdi>", value) if html and value else value
    return conditional_escape(shown) if html else shown


def _render(message: Message, html: bool) -> str:
    template = _translated(message.msgid)
    if html:
        template = conditional_escape(template)
    if not message.params:
        if _PLACEHOLDER.search(message.msgid):  # its parameters were lost: not a text to show with a hole
            raise KeyError(f"no parameters for {message.msgid!r}")
        return template
    values = {k: _param(v, html) for k, v in message.params.items()}
    if "%(" not in message.msgid and "{" in message.msgid:  # a msgid written for str.format
        return template.format_map(values)
    return template % values


def render(message: Message) -> str:
    """The message as plain text in the active language (an e-mail, a stored copy): identifiers between
    Unicode isolates. ValueError (KeyError…) when its translation does not fit its parameters."""
    return _render(message, html=False)


def render_html(message: Message) -> SafeString:
    """The message for a page in the active language: escaped, identifiers isolated as the filters do."""
    return mark_safe(_render(message, html=True))  # noqa: S308 - every piece escaped in _render


# Joins for ``joined``: the translation carries the language's separator.
LIST = gettext_noop("%(first)s, %(rest)s")  # ``،`` in Persian
SENTENCES = gettext_noop("%(first)s; %(rest)s")  # ``؛`` in Persian
ROUTE = gettext_noop("%(first)s %(arrow)s %(rest)s")  # with ``arrow=Arrow()``


def joined(parts: Sequence[Param], msgid: str, **extra: Param) -> Param:
    """Several phrases as one: ``msgid`` (``"%(first)s; %(rest)s"``, whose translation has the language's
    separator) joins the first to the rest, in turn; ``extra`` parameters go to each (an ``Arrow``). ``""`` for none."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return Message(msgid, first=parts[0], rest=joined(parts[1:], msgid, **extra), **extra)


def stored_copy(message: Message) -> str:
    """The message written in the project's language, kept beside it for the admin, the audit and older
    readers (a translation that does not fit its parameters must not stop the change: then the English)."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return render(message)
    except (KeyError, ValueError, TypeError, IndexError):
        log.warning("%r cannot be written in %s", message, settings.LANGUAGE_CODE, exc_info=True)
        with translation.override(None):
            return render(message)


def written(msgid: str, params: Any, *, html: bool, what: str = "") -> str | None:
    """A stored message (its id and its ``params_to_json``) in the active language; None when there is
    none, or when it cannot be written (parameters that are not a message's, a translation whose
    placeholders do not fit them): the caller shows the copy it stored. ``what`` names the row in the log."""
    if not msgid:
        return None
    try:
        message = Message(msgid, **params_from_json(params or {}))
        return render_html(message) if html else render(message)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, ArithmeticError):
        log.warning("%s: %r cannot be written with %r", what, msgid, params, exc_info=True)
        return None
