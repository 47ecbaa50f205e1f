"""What casework adds to the pages of ``declarations`` through its hooks: letters and cases on a
declaration's timeline, the dashboard panel and the declaration page's actions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations import idents
from declarations.hooks import TemplatePanel, TimelineItem, dashboard_panels, timeline_providers
from declarations.hooks import declaration_actions as declaration_actions_hook
from declarations.hooks import judicial_case_states as judicial_case_states_hook
from declarations.models import TransitDeclaration

from . import services
from .models import CaseMilestone, CaseStatus, FollowUpLetter, JudicialCase, LetterStatus

# --- timeline ---------------------------------------------------------------------------------


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def casework_timeline(declaration: TransitDeclaration, user) -> list[TimelineItem]:
    """Letters and cases on the declaration's timeline, with who recorded each (the caller already
    checked its scope). Their declaration events (letter sent, case opened) give way to these."""
    items: list[TimelineItem] = []
    letters = declaration.letters.exclude(status=LetterStatus.CANCELLED).select_related(
        "drafted_by", "sent_by", "reply_recorded_by"
    )
    for letter in letters:
        url = reverse("casework:letter", args=[letter.pk])
        if letter.sent_at:
            items.append(
                TimelineItem(
                    letter.sent_at,
                    "letter",
                    _("Follow-up letter %(n)s sent") % {"n": idents.letter_number_text(letter.number)},
                    letter.subject,
                    url,
                    actor=_name(letter.sent_by),
                )
            )
        else:
            items.append(
                TimelineItem(
                    letter.drafted_at,
                    "letter",
                    _("Follow-up letter drafted"),
                    letter.subject,
                    url,
                    # No author: proposed by the daily follow-up job.
                    actor=_name(letter.drafted_by) or _("the system"),
                )
            )
        if letter.answered_at:
            items.append(
                TimelineItem(
                    letter.answered_at,
                    "letter",
                    _("Reply to letter %(n)s") % {"n": idents.letter_number_text(letter.number)},
                    letter.reply_text[:200],
                    url,
                    actor=_name(letter.reply_recorded_by),
                )
            )
    for case in declaration.judicial_cases.select_related("opened_by").prefetch_related("actions__by"):
        url = reverse("casework:case", args=[case.pk])
        opened = dt.datetime.combine(case.opened_on, dt.time(), tzinfo=timezone.get_current_timezone())
        items.append(
            TimelineItem(
                opened,
                "case",
                _("Judicial case %(n)s opened") % {"n": idents.case_number_text(case.file_number)},
                case.authority_shown,
                url,
                severity="danger",
                actor=_name(case.opened_by),
            )
        )
        for action in case.actions.all():
            at = dt.datetime.combine(action.on, dt.time(), tzinfo=timezone.get_current_timezone())
            items.append(TimelineItem(at, "case", _("Case action"), action.action[:200], url, actor=_name(action.by)))
    return items


def casework_panel(request, scoped_declarations) -> TemplatePanel | None:
    """Dashboard panel: letters waiting on someone, open cases and their overdue statutory
    milestones, in the user's scope.

    Four COUNTs on the letters table (status + reply_due_at index), one on cases, one on
    milestones; two more for
    the inbox of letters addressed to the user's offices."""
    user = request.user
    now = timezone.now()
    letters = FollowUpLetter.objects.for_user(user)
    first_late = now - dt.timedelta(days=settings.FOLLOWUP_FIRST_LETTER_DAYS)
    counts = {
        "drafts": letters.filter(status=LetterStatus.DRAFT).count(),
        "late_drafts": letters.filter(status=LetterStatus.DRAFT, declaration__deadline__lt=first_late).count(),
        "reply_overdue": letters.filter(status=LetterStatus.SENT, reply_due_at__lt=now).count(),
        "escalated": letters.filter(status=LetterStatus.SENT, escalated_at__isnull=False).count(),
        "open_cases": JudicialCase.objects.for_user(user).filter(status=CaseStatus.OPEN).count(),
        # The signal of the smuggling regulation's clocks (partial index on pending due times).
        "milestones_overdue": CaseMilestone.objects.overdue(now).for_user(user).count(),
    }
    if not user.is_national:  # the office's (or province's) inbox; for HQ it is every letter above
        inbox = FollowUpLetter.objects.addressed_to(user)
        counts["inbox_awaiting"] = inbox.awaiting_reply().count()
        counts["inbox_overdue"] = inbox.reply_overdue(now).count()
    return TemplatePanel(template="casework/_panel.html", context={"casework": counts}, order=60)


def declaration_actions(user, declaration: TransitDeclaration) -> dict:
    """The declaration page's casework buttons, offered only when the service would accept them
    (the same checks as ``services.letter_draft`` / ``services.case_open``)."""
    return {
        "letter_kind": services.letter_kind_for(declaration) if services.may_write_letter(user, declaration) else None,
        "may_open_case": services.case_can_open(declaration) and services.may_handle_case(user, declaration),
    }


def judicial_case_states(declaration: TransitDeclaration) -> list[str]:
    """``hooks.judicial_case_states``: the state of each case on the declaration ("open", "closed"), which
    decides whether the declaration may be closed (``declarations.services.close_refusal``)."""
    return list(JudicialCase.objects.filter(declaration_id=declaration.pk).values_list("status", flat=True))


def register_hooks() -> None:
    """Called from CaseworkConfig.ready() (and safe to repeat): the timeline provider, the dashboard
    panel, the declaration page's actions and the states of its cases."""
    for hook, provider in (
        (timeline_providers, casework_timeline),
        (dashboard_panels, casework_panel),
        (declaration_actions_hook, declaration_actions),
        (judicial_case_states_hook, judicial_case_states),
    ):
        if provider not in hook:
            hook.append(provider)
