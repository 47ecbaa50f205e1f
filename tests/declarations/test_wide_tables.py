"""A declaration's tables on a narrow screen: each wider than two columns scrolls in the app's box
(``.table-wrap``), the box shows a shadow at an edge with more to scroll to, and column heads wrap rather
than being clipped (static/css/app.css; CSS only)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import GoodsFactory
from tests.reports.test_wide_tables_scroll import _wide_tables

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "static" / "css" / "app.css"


def _rule(selector: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    found = [body for head, body in re.findall(r"([^{}]+)\{([^}]*)\}", css) if selector in head.split(",")[0]]
    return " ".join(found)


def test_the_declaration_pages_tables_scroll_in_their_box(client, inspector, declaration):
    GoodsFactory(declaration=declaration, serials=["356938035643809"])
    client.force_login(inspector)
    html = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    tables = _wide_tables(html)
    assert tables and all(t["wrapped"] for t in tables), tables


def test_a_dense_tables_heads_wrap_and_a_scrolling_box_shows_there_is_more():
    assert "white-space: normal" in _rule(".table-dense thead th")
    box = _rule(".table-wrap")
    # Shadows fixed at the edges, covered where the content ends (they scroll with it): the hint.
    assert "local" in box and "scroll" in box and "radial-gradient" in box
    assert "--bs-table-bg: transparent" in _rule(".table-wrap > .table")
