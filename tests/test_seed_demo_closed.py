"""The demo's closed declarations were each closed after a judicial case that ended (a declaration is closed
«مختومه» only then: ``declarations.services.close_refusal``). An inspector who follows one finds its case,
with its court, file number and outcome; the monthly return's «closed after a judicial case» counts them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from casework import smuggling
from casework.models import CaseStatus, JudicialAction, JudicialCase, MilestoneKind
from core.dates import TEHRAN, jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations.models import Status, TransitDeclaration
from reports import returns
from reports.models import MonthlyReturn

pytestmark = pytest.mark.django_db


def test_every_closed_demo_declaration_leads_to_its_ended_case_and_the_return_counts_them(client, tmp_path):
    call_command("seed_demo", declarations=1200, credentials=str(tmp_path / "credentials.txt"), stdout=io.StringIO())
    closed = TransitDeclaration.objects.filter(status=Status.CLOSED)
    assert closed.count() >= 8, "the demo closes some declarations after their cases"
    ended = JudicialCase.objects.filter(status=CaseStatus.CLOSED, outcome_on__isnull=False).exclude(outcome="")
    without = closed.exclude(pk__in=ended.values("declaration_id"))
    assert not without.exists(), f"closed with no ended judicial case: {list(without.values_list('serial', flat=True))}"

    # Each case has its court, file number and outcome, recorded no later than the declaration's closing.
    for d in closed:
        case = ended.filter(declaration=d).latest("outcome_on")
        assert case.file_number and case.authority and case.outcome
        assert case.opened_on <= case.outcome_on <= d.closed_at.astimezone(TEHRAN).date(), d.serial

    # Every case of the demo was opened once its declaration could have one: found unsettled, or past its
    # deadline (``case_can_open``), never before the declaration existed.
    for case in JudicialCase.objects.select_related("declaration"):
        d = case.declaration
        could_open = min(t for t in (d.unsettled_at, d.deadline) if t is not None)
        assert case.opened_on >= could_open.astimezone(TEHRAN).date(), (d.serial, case.opened_on, could_open)

    # An inspector clicking through: the closed declaration's page leads to its case, which shows the outcome.
    client.force_login(User.objects.get(username="hq"))
    d = closed.order_by("-closed_at").first()
    case = ended.filter(declaration=d).first()
    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    assert reverse("casework:case", args=[case.pk]) in page
    page = client.get(reverse("casework:case", args=[case.pk]))
    assert page.status_code == 200 and case.outcome in page.content.decode()

    # The return's «closed after a judicial case» of every month is the number of them closed in the month.
    month = jalali_month_of(timezone.now())
    first = jalali_month_of(min(closed.values_list("closed_at", flat=True)))
    with_case = closed.filter(pk__in=ended.values("declaration_id"))
    months_with_some = 0
    while month >= first:
        start, end = jalali_month_bounds(*month)
        expected = with_case.filter(closed_at__gte=start, closed_at__lt=end).count()
        assert returns.balance(start, end)["closed_after_case"] == expected, month
        months_with_some += expected > 0
        month = previous_jalali_month(*month)
    assert months_with_some >= 3
    demo_return = MonthlyReturn.objects.filter(province__isnull=True).order_by("-year", "-month", "-version")[0]
    start, end = jalali_month_bounds(demo_return.year, demo_return.month)
    page = client.get(reverse("reports:return", args=[demo_return.pk])).content.decode()
    shown = re.search(r"closed after a judicial case</td><td>([\d,]+)</td>", page, re.IGNORECASE)
    assert shown, "the return's page has the line"
    assert int(shown[1].replace(",", "")) == with_case.filter(closed_at__gte=start, closed_at__lt=end).count()


def test_every_closed_demo_case_met_its_statutory_steps_between_the_declarations_dates_and_now(client, tmp_path):
    """The bulk history's ended cases carry what ``case_open``, ``milestone_done`` and ``case_close`` leave
    behind: the milestones the regulation plans for their value, each met on time with its evidence, the
    fine paid, and the declaration's timeline of it; a case's page lists them instead of «None yet.»."""
    call_command(
        "seed_demo",
        declarations=1200,
        no_evidence=True,
        credentials=str(tmp_path / "credentials.txt"),
        stdout=io.StringIO(),
    )
    now = timezone.now()
    cases = JudicialCase.objects.filter(declaration__status=Status.CLOSED).select_related("declaration")
    assert cases.count() >= 8
    steps = ["handover", "file_property_org", "file_court", "carrier_fine", "payment"]
    for case in cases:
        d = case.declaration
        milestones = {m.kind: m for m in case.milestones.all()}
        assert sorted(milestones) == sorted(steps), d.serial
        plan = smuggling.milestone_plan(case)
        fine = milestones["carrier_fine"]
        plan["payment"] = smuggling.payment_due(fine.done_at.astimezone(TEHRAN).date())
        end_of_outcome_day = smuggling.end_of_day(case.outcome_on)
        for kind, m in milestones.items():
            assert m.due_at == plan[kind], (d.serial, kind)  # the clocks the services set
            assert m.done_at is not None and m.evidence_note and m.waived_at is None, (d.serial, kind)
            assert d.deadline <= m.created_at <= m.done_at <= end_of_outcome_day, (d.serial, kind)
            assert m.done_at <= d.closed_at <= now, (d.serial, kind)
            assert m.due_at is None or m.done_at <= m.due_at, (d.serial, kind)  # met on time: no notice owed
        assert 0 < fine.amount <= 2 * case.goods_value and milestones["payment"].amount == fine.amount
        # The declaration's timeline: the case opened, its five steps, the closing with the outcome.
        events = list(d.events.order_by("at", "pk"))
        assert [e.kind for e in events] == ["case_opened", *["case_milestone_done"] * 5, "close"], d.serial
        assert all(d.deadline <= e.at <= now for e in events), d.serial
        assert case.outcome in events[-1].message_text()

    client.force_login(User.objects.get(username="hq"))
    case = cases.order_by("-outcome_on").first()
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    shown = page[page.index('id="milestones"') : page.index('id="valuations"')]
    with translation.override("fa"):
        none_yet = translation.gettext("None yet.")
    assert shown.count('id="milestone-') == 5 and none_yet not in shown and "None yet." not in shown
    assert "()" not in shown  # a step recorded by no account names nobody
    timeline = client.get(reverse("declarations:detail", args=[case.declaration_id])).content.decode()
    with translation.override(re.search(r'<html lang="([\w-]+)"', timeline)[1]):  # in the page's language
        assert str(MilestoneKind.FILE_COURT.label) in timeline


def test_a_closed_demo_case_shows_its_actions_and_its_audit_trail(client, tmp_path):
    """The bulk history's ended cases have what ``case_add_action`` and the audited saves leave behind: the
    file sent to court on the day its statutory step was met and the ruling on the outcome's day, listed on the
    case's page, and the
    audit entries of the case (opened, its records, closed), sealed into the chain like any other."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from core import audit_chain

    call_command(
        "seed_demo",
        declarations=600,
        no_evidence=True,
        credentials=str(tmp_path / "credentials.txt"),
        stdout=io.StringIO(),
    )
    cases = JudicialCase.objects.filter(declaration__status=Status.CLOSED)
    assert cases.count() >= 4
    for case in cases:
        actions = list(case.actions.all())
        court = case.milestones.get(kind=MilestoneKind.FILE_COURT).done_at.astimezone(TEHRAN).date()
        assert [a.on for a in actions] == [court, case.outcome_on], case.file_number  # one date on the page
        assert case.authority in actions[0].action
    case = cases.order_by("-outcome_on").first()

    client.force_login(User.objects.get(username="hq"))
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    with translation.override(re.search(r'<html lang="([\w-]+)"', page)[1]):  # in the page's language
        heading, none_yet = translation.gettext("Actions taken"), translation.gettext("None yet.")
    shown = page[page.index(heading) :]
    shown = shown[: shown.index("</ol>")]
    assert none_yet not in shown
    for action in case.actions.all():
        assert action.action in shown

    # Its audit trail: the case created (open), its actions, the closing with the outcome.
    kind = ContentType.objects.get_for_model(JudicialCase)
    entries = LogEntry.objects.filter(content_type=kind, object_pk=str(case.pk)).order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[0].changes["status"] == ["None", "open"]
    assert entries[1].changes["status"] == ["open", "closed"] and entries[1].changes["outcome"][1] == case.outcome
    action_kind = ContentType.objects.get_for_model(JudicialAction)
    logged = LogEntry.objects.filter(content_type=action_kind, object_pk__in=[str(a.pk) for a in case.actions.all()])
    assert logged.count() == 2
    assert audit_chain.verify().ok  # sealed into the chain, none written around it
    audit_page = client.get(reverse("reports:audit"), {"model": kind.pk, "object": case.pk}).content.decode()
    assert case.file_number in audit_page
