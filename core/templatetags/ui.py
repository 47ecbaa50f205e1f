"""Small template helpers for pages that must render fast (the declaration list)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, cast

from django import forms, template
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Offices and provinces change a few times a year; re-reading them for every list page (three
# selects) cost more than the page's own rows. Kept per process for five minutes.
_MODEL_CHOICES_TTL = 300.0
_model_choices: dict[tuple, tuple[float, list[tuple[str, str]]]] = {}


def _choices(field) -> list[tuple[str, str]]:
    f = field.field
    if not isinstance(f, forms.ModelChoiceField):
        # A ChoiceField normalises its choices to (value, label) pairs; the stubs give the input's types.
        return [(str(v), str(label)) for v, label in cast(Iterable[tuple[Any, Any]], f.choices)]
    key = (cast(QuerySet, f.queryset).model._meta.label, field.name, get_language())  # set on every list filter
    hit = _model_choices.get(key)
    now = time.monotonic()
    if hit is None or now - hit[0] > _MODEL_CHOICES_TTL:
        choices = cast(Iterable[tuple[Any, Any]], f.choices)  # a ModelChoiceIterator: (value, label) pairs
        hit = (now, [("" if v == "" else str(v), str(label)) for v, label in choices])
        _model_choices[key] = hit
    return hit[1]


@register.simple_tag
def select_options(field):
    """The <option>s of a select, written in Python: 150 options through a template loop took
    longer than the rest of the list page."""
    value = field.value()
    current = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, mark_safe(" selected") if v == current else "", label) for v, label in _choices(field)),
    )
