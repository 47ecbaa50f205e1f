"""Each pane of the comparison viewer was 60vh tall whatever the scan: a truck scan three times as wide as it
is tall, in a third of the page, was two-thirds black bands above and below. The panes take the scan's own
proportions (the origin's width and height, which zoom, pan and the changed regions are measured in), at most
60vh tall; the viewer sets them from the page's data before any image loads (a script may set a style under
the page's CSP, an inline style attribute may not)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static" / "scans"


def _rule(css: str, selector: str) -> str:
    return re.search(re.escape(selector) + r"\{([^}]*)\}", css)[1]


def test_the_panes_take_the_scans_proportions_not_a_fixed_height():
    css = (STATIC / "scans.css").read_text()
    canvas = _rule(css, ".scan-viewer canvas")
    assert "aspect-ratio:var(--scan-ratio" in canvas and "height:auto" in canvas and "max-height:60vh" in canvas
    assert not re.search(r"(?<!max-)height:\d+vh", canvas)
    phone = css.split("@media (max-width: 900px)", 1)[1]
    assert not re.search(r"canvas\{(?<!max-)height:\d+vh", phone)
    js = (STATIC / "viewer.js").read_text()
    assert 'root.style.setProperty("--scan-ratio", originW + " / " + originH)' in js


def test_the_viewer_gives_the_origin_scans_size(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    scan = done_comparison.origin_scan
    assert f'data-origin-width="{scan.width}" data-origin-height="{scan.height}"' in page
    assert "style=" not in page.split('id="scan-viewer"', 1)[1].split("</div>", 1)[0]
