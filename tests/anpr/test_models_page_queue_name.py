"""Without the trainer installed, the IT office's «/anpr/models/» page said «کارگر صف reports», the queue's Latin
name run into the Persian sentence: it is now set apart in a ``<code dir="ltr">`` as the command beside it is."""

import pytest
from django.urls import reverse

from tests.anpr.test_model_training import NeedsWhatIsMissing

pytestmark = pytest.mark.django_db


def test_the_queue_name_is_set_apart_like_the_command(client, settings, it_officer):
    settings.ANPR_TRAINER = f"{NeedsWhatIsMissing.__module__}.NeedsWhatIsMissing"
    client.force_login(it_officer)
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("anpr:models")).content.decode()
    assert '<code dir="ltr">pip install -r requirements-train.txt</code>' in page
    assert 'کارگر صف <code dir="ltr">reports</code> اجرا می‌شوند' in page
    assert "صف reports" not in page
