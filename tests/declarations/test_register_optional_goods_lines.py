"""The declaration form's goods lines 2 and 3 (left empty to skip them) had a star beside their HS code, description
and quantity, as the first line has, and a browser would not send the form with them empty; only the first line is
required, and only its boxes say so."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _line(html: str, n: int) -> str:
    return html.split(f'data-goods-line="{n}"', 1)[1].split("</fieldset>", 1)[0]


def test_only_the_first_goods_line_is_marked_required(client, origin_clerk):
    client.force_login(origin_clerk)
    html = client.get(reverse("declarations:register")).content.decode()
    first = _line(html, 1)
    assert first.count('class="text-danger">*</span>') >= 4  # the line, its HS code, description and quantity
    assert re.search(r'name="goods-0-hs_code"[^>]* required', first)
    for n in (2, 3):
        line = _line(html, n)
        assert 'class="text-danger">*' not in line, n
        assert not re.search(r"<(input|select|textarea)[^>]* required", line), n
