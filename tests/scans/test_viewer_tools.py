"""The comparison viewer's zoom and fit buttons («+», «−», «اندازه‌بندی متناسب») were the browser's bare
buttons among the app's styled ones: they take the app's one button style, and + and − say what they do."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_zoom_and_fit_buttons_are_the_apps_buttons(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:viewer", args=[done_comparison.pk])).content.decode()
    tools = page.split('class="viewer-tools', 1)[1].split("</div>\n", 1)[0]
    buttons = re.findall(r"<button [^>]*>", tools)
    assert len(buttons) == 3
    for button in buttons:
        assert 'class="btn btn-outline-secondary btn-sm"' in button, button
    assert 'aria-label="بزرگ‌نمایی بیشتر"' in tools and 'aria-label="کوچک‌نمایی"' in tools
    assert "اندازه‌بندی متناسب</button>" in tools
