"""A list's count, capped or not, is written with its thousands grouped in the page's script."""

from django.template.loader import render_to_string
from django.utils import translation


def test_a_capped_count_groups_its_thousands():
    with translation.override("fa"):
        fa = render_to_string("includes/capped_count.html", {"count": {"value": 10000, "capped": True}})
        exact = render_to_string("includes/capped_count.html", {"count": {"value": 2345, "capped": False}})
    with translation.override("en"):
        en = render_to_string("includes/capped_count.html", {"count": {"value": 10000, "capped": True}})
    assert "۱۰٬۰۰۰" in fa and exact.strip() == "۲٬۳۴۵"
    assert "10,000" in en
