"""The import page and the README give list fields one separator, and the page calls ``waybill_no`` what every
other page calls it («بیجک»): the page said «;» where the README said «|», and «شماره بارنامه»."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.persian
def test_the_persian_page_calls_the_waybill_by_the_apps_one_word(client, hq, bazargan, tehran):
    client.force_login(hq)
    html = client.get(reverse("declarations:import")).content.decode()
    assert "بیجک" in html and "بارنامه" not in html


def test_the_readme_gives_the_separator_the_page_gives(client, hq, bazargan, tehran):
    client.force_login(hq)
    html = client.get(reverse("declarations:import")).content.decode()
    assert "Seal numbers, separated by ;" in html
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert "goods serials) are separated by `;`" in readme
