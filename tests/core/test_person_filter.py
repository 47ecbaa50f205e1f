"""People are named on pages by their full name, else their username, isolated from the text around."""

from django.template import Context, Template

from accounts.models import User


def test_a_person_is_named_and_isolated():
    named = User(username="clerk-bzg", first_name="علی", last_name="رضایی")
    unnamed = User(username="clerk-thr")
    page = Template("{{ a|person }} · ۱۴۰۵/۰۹/۱۲ · {{ b|person }}{{ c|person }}").render(
        Context({"a": named, "b": unnamed, "c": None})
    )
    assert page == "<bdi>علی رضایی</bdi> · ۱۴۰۵/۰۹/۱۲ · <bdi>clerk-thr</bdi>"
