"""«Draft a follow-up letter» on a declaration that already has a draft said so with no way to reach it: the
message now links to the existing draft."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    declaration.deadline = timezone.now() - dt.timedelta(days=9)
    declaration.save(update_fields=["deadline"])
    return declaration


def test_a_second_draft_is_refused_with_a_link_to_the_first(client, origin_clerk, overdue):
    client.force_login(origin_clerk)
    new_letter = reverse("casework:letter_new", args=[overdue.pk])
    assert client.post(new_letter).status_code == 302
    draft = overdue.letters.get()

    response = client.post(new_letter, follow=True)
    html = response.content.decode()
    assert "already has a draft letter" in html
    assert f'<a href="{reverse("casework:letter", args=[draft.pk])}">Open the draft</a>' in html
    assert overdue.letters.count() == 1
