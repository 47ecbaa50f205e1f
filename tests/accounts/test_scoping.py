"""Each role sees exactly its scope; anything outside it is a 404."""

import pytest
from django.urls import reverse

from accounts.models import Role
from declarations.models import TransitDeclaration
from tests.factories import DeclarationFactory, OfficeFactory, UserFactory


@pytest.fixture
def world(bazargan, tehran, sarakhs):
    """BZG→THR (West Azerbaijan → Tehran), SRK→THR (Khorasan → Tehran), SRK→other Khorasan office."""
    mashhad = OfficeFactory(code="MSH", province=sarakhs.province)
    return {
        "bzg_thr": DeclarationFactory(origin=bazargan, destination=tehran),
        "srk_thr": DeclarationFactory(origin=sarakhs, destination=tehran),
        "srk_msh": DeclarationFactory(origin=sarakhs, destination=mashhad),
    }


def visible(user):
    return set(TransitDeclaration.objects.for_user(user).values_list("serial", flat=True))


def serials(world, *keys):
    return {world[k].serial for k in keys}


def test_hq_and_it_see_everything(world, hq, it_officer):
    assert visible(hq) == visible(it_officer) == serials(world, "bzg_thr", "srk_thr", "srk_msh")


def test_an_inspector_sees_declarations_from_or_to_the_province(world, inspector, outsider):
    assert visible(inspector) == serials(world, "bzg_thr")
    assert visible(outsider) == serials(world, "srk_thr", "srk_msh")


def test_office_staff_see_their_own_office_as_origin_or_destination(world, origin_clerk, dest_clerk):
    assert visible(origin_clerk) == serials(world, "bzg_thr")
    assert visible(dest_clerk) == serials(world, "bzg_thr", "srk_thr")


def test_users_without_scope_or_inactive_see_nothing(world, bazargan):
    orphan = UserFactory(username="orphan", role=Role.INSPECTOR)  # no province: fails closed
    gone = UserFactory(username="gone", role=Role.OFFICE, office=bazargan, is_active=False)
    assert visible(orphan) == visible(gone) == set()


def test_an_integration_client_is_scoped_like_its_office(world, tehran):
    client = UserFactory(username="cam", role=Role.INTEGRATION, office=tehran)
    national = UserFactory(username="ics", role=Role.INTEGRATION)
    assert visible(client) == serials(world, "bzg_thr", "srk_thr")
    assert len(visible(national)) == 3


@pytest.mark.parametrize("persona,status", [("hq", 200), ("inspector", 200), ("origin_clerk", 200), ("outsider", 404)])
def test_the_declaration_page_is_a_404_outside_the_scope(client, world, request, persona, status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("declarations:detail", args=[world["bzg_thr"].pk]))
    assert response.status_code == status
    if status == 200:
        assert world["bzg_thr"].serial in response.content.decode()
