"""The demo's declarations registered by hand (ICS down) are registered before their trucks leave: an inspector
opening one (1405-BZG-90000001) reads «ثبت دستی» before «خروج از مبدأ», not the seed's run time hours after it.
The demo makes them through the registration service, run at the moment the story has it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from declarations.models import DeclarationEvent, TransitDeclaration

pytestmark = pytest.mark.django_db


def test_every_demo_declaration_registered_by_hand_is_registered_after_declared_and_before_it_departed(tmp_path):
    call_command("seed_demo", declarations=300, credentials=str(tmp_path / "credentials.txt"), stdout=io.StringIO())
    registered = list(
        DeclarationEvent.objects.filter(kind="register").select_related("declaration").order_by("declaration__serial")
    )
    assert len(registered) >= 6
    wrong = [
        (e.declaration.serial, str(e.declaration.declared_at), str(e.at), str(e.declaration.created_at), str(departed))
        for e in registered
        if not (
            e.declaration.declared_at <= e.at
            and e.declaration.declared_at <= e.declaration.created_at
            and (
                (departed := e.declaration.departed_at) is None
                or (e.at <= departed and e.declaration.created_at <= departed)
            )
        )
    ]
    assert not wrong, wrong
    departed_by_hand = TransitDeclaration.objects.filter(pk__in=[e.declaration_id for e in registered]).exclude(
        departed_at=None
    )
    assert departed_by_hand.count() >= 6
