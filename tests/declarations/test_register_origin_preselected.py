"""«ثبت دستی اظهارنامه»: an office clerk's only possible origin, their own office, is the one chosen when the
page opens; headquarters, who may choose any office, still choose one."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("declarations:register")


def _origin_options(client) -> list[tuple[str, bool]]:
    html = client.get(URL).content.decode()
    select = re.search(r'<select name="origin".*?</select>', html, re.S)
    assert select, html
    return [
        (label.strip(), bool(chosen)) for chosen, label in re.findall(r"<option[^>]*?( selected)?>([^<]*)<", select[0])
    ]


def test_the_clerks_own_office_is_the_only_origin_and_is_chosen(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    assert _origin_options(client) == [("BZG — Bazargan", True)]


def test_headquarters_choose_among_every_office(client, hq, bazargan, tehran):
    client.force_login(hq)
    options = _origin_options(client)
    assert [label for label, _chosen in options] == ["---------", "BZG — Bazargan", "THR — Tehran"]
    assert not any(chosen for _label, chosen in options)
