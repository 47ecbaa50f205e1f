"""Every Persian translation is one translation of its English: it names the same placeholders (none dropped, none
invented; Persian may name one more often, repeating a noun where English writes «'s»), and holds no stretch of
text twice. An entry once held its old and its new translation one after the other («… برای دوربینیک نشست واردشده
…» at the API root)."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|\{(\w*)\}")
STRETCH = 30  # characters: no Persian sentence here repeats so long a run of itself


def catalogue() -> dict:
    mo = Path(settings.BASE_DIR) / "locale" / "fa" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as fh:
        return gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]


def names(text: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in PLACEHOLDER.finditer(text)}


def repeats(text: str) -> bool:
    runs = [text[i : i + STRETCH] for i in range(len(text) - STRETCH + 1)]
    return len(runs) != len(set(runs))


def test_each_translation_names_the_placeholders_of_its_english():
    wrong = [
        (key, text)
        for key, text in catalogue().items()
        if key and isinstance(key, str) and names(text) != names(key.split("\x04")[-1])  # after a context
    ]
    assert wrong == []


def test_no_translation_holds_a_stretch_of_itself_twice():
    assert [(key, text) for key, text in catalogue().items() if key and repeats(text)] == []
