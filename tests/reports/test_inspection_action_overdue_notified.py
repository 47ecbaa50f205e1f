"""An inspection's follow-up action left undone past its due date is told to the responsible office once: the
morning job (beat «inspection-actions-overdue») finds the open actions whose day has passed and puts
«مهلت اقدام پیگیری بازرسی گمرک بازرگان، ۱۴۰۵/۰۹/۱۰، گذشته و هنوز انجام نشده است» on the bell of that office's
staff (the same people the «action set» notice reached), opening the action's page; run again, it tells nobody
twice. An action due today, one done, or one of an office with nobody to tell asks nothing; marking it done
closes the notice."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Role, User
from core.text import strip_isolates
from notifications.models import Kind, Notification
from reports import services, tasks
from reports.models import InspectionAction
from tests.factories import OfficeFactory, UserFactory
from tests.reports.test_inspection_actions import ALL_YES, jday

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture
def actions(inspector, bazargan, west_az, origin_clerk):
    """Bazargan's inspection ten days ago asks of Maku (due yesterday, and due today) and of Bazargan (due three
    days ago, and one due two days ago it has done)."""
    maku = OfficeFactory(code="MKU", name_fa="گمرک ماکو", name_en="Maku", province=west_az)
    UserFactory(username="maku_clerk", role=Role.OFFICE, office=maku)
    today = timezone.localdate()
    inspection = services.inspection_record(
        office=bazargan, by=inspector, inspected_on=today - 10 * DAY, checklist=ALL_YES
    )

    def add(words, office, due):
        return services.inspection_action_add(
            inspection=inspection, by=inspector, action=services.ActionInput(words, office, due)
        )

    late = add("نصب دوربین دوم در ورودی", maku, today - DAY)
    add("آموزش شیفت شب", maku, today)
    ours = add("بازبینی پلمب‌ها", bazargan, today - 3 * DAY)
    done = add("گزارش ماهانه", bazargan, today - 2 * DAY)
    services.inspection_action_done(action=done, by=origin_clerk, note="ارسال شد")
    return maku, late, ours


def _overdue_notes():
    return Notification.objects.filter(kind=Kind.INSPECTION_ACTION_OVERDUE)


def test_an_action_past_its_due_date_is_told_once_to_the_responsible_office(
    actions, inspector, hq, origin_clerk, bazargan
):
    maku, late, ours = actions
    colleague = UserFactory(username="bazargan_colleague", role=Role.OFFICE, office=bazargan)

    assert services.inspection_actions_overdue_run() == 2
    assert services.inspection_actions_overdue_run() == 0  # run twice: nobody told twice
    tasks.inspection_actions_overdue_check.delay()  # the beat's task, through the same service

    notes = _overdue_notes()
    assert sorted((n.user.username, n.subject) for n in notes) == sorted(
        [
            ("maku_clerk", f"inspection-action:{late.pk}"),
            ("origin_clerk", f"inspection-action:{ours.pk}"),
            ("bazargan_colleague", f"inspection-action:{ours.pk}"),
        ]
    )
    assert not notes.filter(user__in=[inspector, hq]).exists()  # the office that must act, as the «action set»
    for action in (late, ours):
        action.refresh_from_db()
        assert action.overdue_notified_at is not None
    note = notes.get(user__username="maku_clerk")
    assert note.url == f"/reports/actions/{late.pk}/done/" and note.body == "نصب دوربین دوم در ورودی"
    with override("fa"):
        title = strip_isolates(note.title_text())
    due = jday(late.due_on).translate(PERSIAN_DIGITS)
    assert title == f"مهلت اقدام پیگیری بازرسی گمرک بازرگان، {due}، گذشته و هنوز انجام نشده است"
    with override("en"):
        english = strip_isolates(note.title_text())
    assert english == f"Follow-up action of the inspection of Bazargan was due {jday(late.due_on)} and is not done yet"
    assert colleague.notifications.filter(kind=Kind.INSPECTION_ACTION_OVERDUE).count() == 1


def test_an_office_clerk_who_joins_later_is_not_told_of_an_action_already_told(actions):
    maku, late, _ours = actions
    services.inspection_actions_overdue_run()
    newcomer = UserFactory(username="maku_newcomer", role=Role.OFFICE, office=maku)
    assert services.inspection_actions_overdue_run() == 0
    assert not newcomer.notifications.exists()


@pytest.mark.persian
def test_the_bell_shows_it_in_persian_and_marking_the_action_done_closes_it(client, actions):
    maku, late, _ours = actions
    services.inspection_actions_overdue_run()
    client.force_login(User.objects.get(username="maku_clerk"))
    bell = client.get("/notifications/").content.decode()
    assert 'data-kind="inspection_action_overdue"' in bell
    assert "مهلت اقدام پیگیری خواسته‌شده از گمرک شما گذشته است" in bell
    assert jday(late.due_on).translate(PERSIAN_DIGITS) in bell

    done = client.post(f"/reports/actions/{late.pk}/done/", {"note": "دوربین نصب شد"})
    assert done.status_code == 302
    assert InspectionAction.objects.get(pk=late.pk).done_at is not None
    bell = client.get("/notifications/").content.decode()
    assert 'data-kind="inspection_action_overdue"' not in bell
    assert bell.count('data-kind="inspection_action"') == 1  # the action due today's, still to do


def test_the_job_is_on_the_beat_schedule():
    from transit_monitor.celery import app

    entry = app.conf.beat_schedule["inspection-actions-overdue"]
    assert entry["task"] == tasks.inspection_actions_overdue_check.name
