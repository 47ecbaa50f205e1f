"""Goods units as ICS and the registration form write them (a Persian word: «عدد», «جفت») in the reader's
language: an English page read «عدد 814». A unit with no word here is shown as it was written."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

# The stored word -> its name, in the reader's language (the Persian of each is the stored word).
UNITS = {
    "عدد": pgettext_lazy("goods unit", "pieces"),
    "جفت": pgettext_lazy("goods unit", "pairs"),
    "تن": pgettext_lazy("goods unit", "tonnes"),
    "کیلوگرم": pgettext_lazy("goods unit", "kg"),
    "دستگاه": pgettext_lazy("goods unit", "units"),
    "کارتن": pgettext_lazy("goods unit", "cartons"),
    "بسته": pgettext_lazy("goods unit", "packages"),
    "لیتر": pgettext_lazy("goods unit", "litres"),
    "متر": pgettext_lazy("goods unit", "metres"),
    "متر مربع": pgettext_lazy("goods unit", "square metres"),
    "متر مکعب": pgettext_lazy("goods unit", "cubic metres"),
    "رول": pgettext_lazy("goods unit", "rolls"),
    "ست": pgettext_lazy("goods unit", "sets"),
}


def unit_shown(value) -> str:
    """The unit in the reader's language when it has a name here, else as written."""
    text = " ".join(str(value or "").split())
    name = UNITS.get(text)
    return str(name) if name is not None else text
