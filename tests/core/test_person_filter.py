"""People are named on pages by their full name, else their username, isolated from the text around."""

import re

import pytest
from django.template import Context, Template

from accounts.models import User


def test_a_person_is_named_and_isolated():
    named = User(username="clerk-bzg", first_name="علی", last_name="رضایی")
    unnamed = User(username="clerk-thr")
    page = Template("{{ a|person }} · ۱۴۰۵/۰۹/۱۲ · {{ b|person }}{{ c|person }}").render(
        Context({"a": named, "b": unnamed, "c": None})
    )
    assert page == "<bdi>علی رضایی</bdi> · ۱۴۰۵/۰۹/۱۲ · <bdi>clerk-thr</bdi>"


@pytest.mark.django_db
def test_the_user_menu_tooltip_names_the_person_without_markup(client, inspector):
    """The menu's tooltip showed «<bdi>سارا توکلی</bdi>» as typed: an attribute takes the plain-text form."""
    inspector.first_name, inspector.last_name = "سارا", "توکلی"
    inspector.save(update_fields=["first_name", "last_name"])
    client.force_login(inspector)
    page = client.get("/").content.decode()
    button = re.search(r'<button[^>]*dropdown-toggle[^>]*title="([^"]*)"', page)
    assert button, "no user menu"
    assert button.group(1) == "\u2068سارا توکلی\u2069"
    assert "&lt;bdi" not in page and 'title="<bdi>' not in page
