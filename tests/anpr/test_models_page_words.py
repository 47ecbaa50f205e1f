"""The models page and a training run's page in Persian: why the training button is held back (and which
run holds it), what a run was asked for, thousands grouped, and a refusal that is about seeing the page."""

import pytest
from django.urls import reverse

from anpr import registry
from anpr.models import TrainingRun

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def running(it_officer):
    return TrainingRun.objects.create(
        options={"steps": 800, "synth": 10000},
        started_by=it_officer,
        state=TrainingRun.State.RUNNING,
        active=True,
        stage="rendering 10000 plates",
    )


def test_the_held_back_button_says_which_run_holds_it(client, it_officer, running):
    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    busy = page.split("data-training-busy>", 1)[1].split("</div>", 1)[0]
    assert "یک دورهٔ آموزش در جریان است" in busy
    assert f'href="{reverse("anpr:training-run", args=[running.pk])}"' in busy


def test_a_runs_page_shows_what_it_was_asked_for_with_thousands_grouped(client, it_officer, running):
    client.force_login(it_officer)
    page = client.get(reverse("anpr:training-run", args=[running.pk])).content.decode()
    assert '<dd class="col-sm-9" data-option="steps">۸۰۰</dd>' in page
    assert '<dd class="col-sm-9" data-option="synth">۱۰٬۰۰۰</dd>' in page
    assert "ساخت ۱۰٬۰۰۰ پلاک" in page


def test_a_version_trained_on_rendered_plates_groups_their_thousands(client, it_officer):
    registry.model_register(
        path=registry.shipped_weights(),
        manifest={"rendered": {"n": 10000}, "reviewed": []},
        metrics={},
        parent_version=None,
    )
    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    assert "پلاک‌های ساختگی: ۱۰٬۰۰۰" in page


def test_the_inspector_is_refused_the_page_for_what_it_is(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("anpr:models"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "تنها دفتر فاوا یا ستاد مدل‌های پلاک‌خوان و دوره‌های آموزش آن را می‌بیند." in text
    assert "به‌کار گیرد" not in text


def test_what_the_server_lacks_to_train_is_told_plainly_to_headquarters_and_the_it_office(
    client, settings, hq, it_officer
):
    """An outside walk: headquarters read «pip install -r requirements-train.txt (onnx, torch)» on this page.
    Anyone who cannot start a run reads that training is not available here and whom to ask; the IT office
    (which read «ask the IT office», a later walk) that it is not installed, what is missing and the command;
    a run that failed for it on the worker still names the command to them."""
    settings.ANPR_TRAINER = "tests.anpr.test_model_training.NeedsWhatIsMissing"
    run = TrainingRun.objects.create(
        options={},
        started_by=it_officer,
        state=TrainingRun.State.FAILED,
        active=False,
        outcome="the trainer is not installed where the run ran: torch missing (requirements-train.txt)",
    )
    plain = "آموزش نسخهٔ تازهٔ پلاک‌خوان روی این سرور در دسترس نیست: از دفتر فاوا بپرسید."
    client.force_login(hq)
    page = client.get(reverse("anpr:models")).content.decode()
    part = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    for shown in (page, part):
        assert "pip install" not in shown and "requirements-train" not in shown
    assert plain in page.split("data-training-unavailable>", 1)[1] and plain in page.split("data-runs", 1)[1]
    assert plain in part

    client.force_login(it_officer)
    page = client.get(reverse("anpr:models")).content.decode()
    part = client.get(reverse("anpr:training-run", args=[run.pk]) + "?partial=1").content.decode()
    notice = page.split("data-training-unavailable>", 1)[1].split("</div>", 1)[0]
    assert "روی این سرور نصب نشده است" in notice and "requirements-train.txt" in notice
    assert "از دفتر فاوا بخواهید" not in notice
    assert "requirements-train.txt" in page.split("data-runs", 1)[1] and "requirements-train.txt" in part
    assert plain not in page
