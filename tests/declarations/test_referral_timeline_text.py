"""A referral of an arrival without a plate read said the referral twice on the declaration's timeline:
«وصول بدون قرائت پلاک توضیحی ندارد: به بازرس ارجاع شد توضیحی ندارد، به بازرس ارجاع شد: …». The entry's
title says it; its detail is the note (a revision: «توضیح بازنگری شد: …»)."""

import pytest
from django.urls import reverse

from declarations.models import DeclarationEvent
from tests.declarations.test_arrival_read_review import NOTE, _post, arrived  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _entry(client, declaration) -> str:
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    timeline = page.split('id="timeline"')[1]
    return timeline.split('data-kind="arrival_read_referred"')[1].split("</li>")[0]


def test_a_referral_says_it_once(client, arrived, dest_clerk):  # noqa: F811
    # The destination office refers it (the inspector receives referrals, b84834d).
    client.force_login(dest_clerk)
    doubt = "کامیون در هیچ دوربینی دیده نشده و توضیحی داده نشد."
    assert _post(client, arrived, reason="refer", note=doubt).status_code == 302
    entry = _entry(client, arrived)
    assert entry.count("ارجاع شد") == 1 and doubt in entry
    event = DeclarationEvent.objects.get(declaration=arrived, kind="arrival_read_referred")
    assert event.message == doubt
