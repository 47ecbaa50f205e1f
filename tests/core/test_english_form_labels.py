"""English form labels were lower case («plate», «reason»): their msgids are lower case, as table headers' are.
Every form label on an English page now starts with a capital, by one rule of the app's stylesheet for English
pages (``::first-letter``, which reaches only a block or inline-block box: a label, inline by default, is made
inline-block there); Persian pages are untouched, and no msgid changed."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _rule(css: str, selector: str) -> str:
    """The declarations of the rule whose selector list holds ``selector``."""
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        if selector in [s.strip() for s in selectors.split(",")]:
            return body
    return ""


def test_english_pages_capitalise_every_form_labels_first_letter(client, hq):
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    for label in ("label.form-label", "legend.form-label", "label.form-check-label"):
        assert "text-transform: uppercase" in _rule(css, f":lang(en) {label}::first-letter"), label
    for label in ("label.form-label", "label.form-check-label"):  # inline by default: out of ::first-letter's reach
        assert "display: inline-block" in _rule(css, f":lang(en) {label}"), label
    client.force_login(hq)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("anpr:plates")).content.decode()
    assert '<html lang="en"' in page and "/static/css/app.css" in page and 'class="form-label' in page
