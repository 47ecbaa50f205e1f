"""The declaration page listed its seals «S7465844, S7465845» with a Latin comma on Persian pages; each seal is an
identifier isolated on its own, separated by the page language's comma."""

import pytest
from django.urls import reverse

from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _seals(html: str) -> str:
    return html.split("data-seals>", 1)[1].split("</dd>", 1)[0]


@pytest.mark.persian
def test_the_seals_are_isolated_and_separated_by_the_persian_comma(client, bazargan, tehran, hq):
    d = DeclarationFactory(origin=bazargan, destination=tehran, seal_numbers=["S7465844", "S7465845"])
    client.force_login(hq)
    html = client.get(reverse("declarations:detail", args=[d.pk]), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert _seals(html) == "\u2066S7465844\u2069، \u2066S7465845\u2069"


def test_no_seal_reads_a_dash(client, bazargan, tehran, hq):
    d = DeclarationFactory(origin=bazargan, destination=tehran, seal_numbers=[])
    client.force_login(hq)
    assert _seals(client.get(reverse("declarations:detail", args=[d.pk])).content.decode()) == "—"
