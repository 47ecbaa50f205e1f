"""Lists written into a page (the arrivals near a read, documents not seen, failed checks) were joined by «، »
on English pages too; they take the page language's separator."""

from django.template import Context, Template
from django.utils import translation

TEMPLATE = Template(
    "{% for v in items %}{{ v }}{% if not forloop.last %}{% list_sep %}{% endif %}{% endfor %}|{{ items|join_list }}"
)


def _render(language: str) -> str:
    with translation.override(language):
        return TEMPLATE.render(Context({"items": ["A<1>", "B"]}))


def test_english_pages_separate_with_a_comma():
    assert _render("en") == "A&lt;1&gt;, B|A&lt;1&gt;, B"


def test_persian_pages_separate_with_the_persian_comma():
    assert _render("fa") == "A&lt;1&gt;، B|A&lt;1&gt;، B"
