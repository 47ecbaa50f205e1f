"""Without the trainer installed, a valid training form sent says so once; headquarters, who may not start
training, sees the page without the form, only whom to ask."""

import pytest
from django.urls import reverse

from anpr.models import TrainingRun
from core.text import strip_isolates

pytestmark = pytest.mark.django_db
MISSING = "tests.anpr.test_model_training.NeedsWhatIsMissing"


def test_a_valid_form_sent_without_the_trainer_says_so_once(client, settings, it_officer):
    settings.ANPR_TRAINER = MISSING
    client.force_login(it_officer)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("anpr:training-start"), {"steps": 2, "synth": 4})
    assert response.status_code == 400 and not TrainingRun.objects.exists()
    page = strip_isolates(response.content.decode())
    assert page.count("Training is not installed on this server") == 1


def test_headquarters_sees_no_training_form_only_whom_to_ask(client, settings, hq):
    settings.ANPR_TRAINER = MISSING
    client.force_login(hq)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("anpr:models")).content.decode()
    assert "data-training-form" not in page
    assert "ask the IT office" in page
    assert client.post(reverse("anpr:training-start"), {"steps": 2, "synth": 4}).status_code == 403
