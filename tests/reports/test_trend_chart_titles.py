"""The trend page titles each chart with a visible heading, as the page's other sections are titled: the second
chart's only words were its legend («تسویه‌نشده بیش از ۴۰ روز» was only in an aria-label)."""

import re

import pytest
from django.utils import translation

from reports import services

pytestmark = pytest.mark.django_db


def _page(client, hq, lang: str) -> str:
    services.return_build(year=1404, month=4, province=None, by=hq)
    client.force_login(hq)
    client.cookies["django_language"] = lang
    with translation.override(lang):
        return client.get("/reports/trend/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()


@pytest.mark.parametrize(
    ("lang", "titles"),
    [("fa", ["تراز به تفکیک ماه", "تسویه‌نشده بیش از ۴۰ روز"]), ("en", ["Balance by month", "Unsettled over 40 days"])],
)
def test_each_chart_has_a_visible_heading_above_it(client, hq, lang, titles):
    html = _page(client, hq, lang)
    for canvas, title in zip(("trend-balance", "trend-aged"), titles, strict=True):
        heading = re.search(rf'<h2 class="h5" id="{canvas}-title">([^<]*)</h2>', html)
        assert heading and heading.group(1) == title, canvas
        assert heading.start() < html.index(f'id="{canvas}"')
        assert f'aria-labelledby="{canvas}-title"' in html  # the canvas named by its heading, said once


def test_before_any_return_no_chart_heading_stands_alone(client, hq):
    client.force_login(hq)
    html = client.get("/reports/trend/").content.decode()
    assert "trend-balance-title" not in html and "trend-aged-title" not in html
