"""Each role sees exactly its scope, in the pages and in the API."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from declarations import selectors
from declarations.models import TransitDeclaration
from tests.factories import DeclarationFactory, OfficeFactory


@pytest.fixture
def world(bazargan, tehran, sarakhs, west_az):
    urmia = OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)
    return {
        "bzg_thr": DeclarationFactory(origin=bazargan, destination=tehran),
        "srk_thr": DeclarationFactory(origin=sarakhs, destination=tehran),
        "thr_srk": DeclarationFactory(origin=tehran, destination=sarakhs),
        "urm_srk": DeclarationFactory(origin=urmia, destination=sarakhs),
        "srk_bzg": DeclarationFactory(origin=sarakhs, destination=bazargan),
    }


EXPECTED = {
    "hq": {"bzg_thr", "srk_thr", "thr_srk", "urm_srk", "srk_bzg"},
    "it_officer": {"bzg_thr", "srk_thr", "thr_srk", "urm_srk", "srk_bzg"},
    "inspector": {"bzg_thr", "urm_srk", "srk_bzg"},
    "origin_clerk": {"bzg_thr", "srk_bzg"},
    "dest_clerk": {"bzg_thr", "srk_thr", "thr_srk"},
    "outsider": {"srk_thr", "thr_srk", "urm_srk", "srk_bzg"},
}


def _serials(html):
    return {chunk.split('"', 1)[0] for chunk in html.split('data-serial="')[1:]}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_role_sees_exactly_its_scope(request, client, world, persona):
    cache.clear()
    user = request.getfixturevalue(persona)
    expected = {world[k].serial for k in EXPECTED[persona]}
    assert {d.serial for d in selectors.scoped(user)} == {d.serial for d in TransitDeclaration.objects.for_user(user)}
    client.force_login(user)
    assert _serials(client.get(reverse("declarations:list")).content.decode()) == expected
    api = APIClient()
    api.force_authenticate(user)
    assert {r["serial"] for r in api.get("/api/declarations/").json()["results"]} == expected
    for key, d in world.items():
        page = client.get(reverse("declarations:detail", args=[d.pk])).status_code
        assert page == (200 if key in EXPECTED[persona] else 404), key
        assert api.get(f"/api/declarations/{d.pk}/").status_code == (200 if key in EXPECTED[persona] else 404), key
    home = client.get(reverse("home")).content.decode()
    assert home.count('data-office="') == len(list(selectors.scope_offices(user)))
