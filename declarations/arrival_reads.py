"""Reviews of an «arrival without plate read»: a confirmed arrival at a destination whose camera has no read
of the truck (the ``arrival_without_read`` signal; a fake arrival confirmation is the fraud it is for) is
explained by the destination office, or referred by it to the inspectors; the province's inspector receives
the referrals, and may refer an explanation he doubts (a revision), never make the first decision.

A review is a record of its own (``ArrivalReadReview``): the arrival and its evidence stay as stored. A
decision is revised by a later review superseding it (history kept: the latest counts). The review that
counts sets the declaration's evidence summary (``evidence.note_arrival_read_explained``): an explanation
takes the declaration out of the signal, «refer» keeps it there and tells the provinces' inspectors.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from core.audit import actor
from core.dates import format_jalali
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import digits, is_persian, isolate
from notifications.messages import Ident, Message, Param
from notifications.services import Kind, inspectors_of, mark_done_for_everyone, notify

from . import evidence, hooks
from .models import NOTE_MIN_LENGTH, ArrivalReadReason, ArrivalReadReview, TransitDeclaration, written_length
from .monitoring import arrival_unread

FORBIDDEN = gettext_noop(
    "Only the destination office's staff may explain an arrival without plate read or refer it to the inspector;"
    " the province's inspector may only refer an explanation he doubts."
)


def may_review(user: User | None, declaration: TransitDeclaration) -> bool:
    """The destination office's staff (its own declarations): they explain it, or refer it to the inspectors.
    The inspectors receive the referrals (the form is not theirs: one referring it would refer it to himself);
    headquarters see the reviews. Needs ``destination``."""
    if user is None or not user.is_active:
        return False
    return user.role == Role.OFFICE and user.office_id is not None and user.office_id == declaration.destination_id


def may_doubt(user: User | None, declaration: TransitDeclaration) -> bool:
    """The inspector of the origin's or the destination's province (whose dashboard counts it): he may refer an
    explanation he doubts, as a revision of it. Needs ``origin`` and ``destination``."""
    if user is None or not user.is_active or user.role != Role.INSPECTOR:
        return False
    return user.province_id in (declaration.origin.province_id, declaration.destination.province_id)


def require_review(user: User | None, declaration: TransitDeclaration, *, supersedes: object = None) -> None:
    """``NotAllowed`` (a 403) for whoever may not record a review: checked before the body is. The inspector
    passes only with a review to revise (``supersedes``); what he may make of it the service checks."""
    if may_review(user, declaration) or (supersedes not in (None, "") and may_doubt(user, declaration)):
        return
    raise NotAllowed(_(FORBIDDEN))


def note_error(note: str) -> str:
    """What is wrong with the note (empty, or too short to say anything an inspector can check), or nothing."""
    if written_length(note) >= NOTE_MIN_LENGTH:
        return ""
    return _(
        "Write a note of at least %(n)s letters or digits saying what you found (punctuation marks are not counted)."
    ) % {"n": digits(NOTE_MIN_LENGTH)}


def reason_error(reason: str, field: str) -> str:
    """What is wrong with a person's written reason for a move (why the gate did not see a truck whose arrival
    is confirmed, why a declaration is cancelled, closed, extended, unsettled for «other», why a truck leaves
    without its permit): shorter than ``NOTE_MIN_LENGTH``, as a review's note and a flagged scan's remark, it
    says nothing anyone can check; or nothing. Empty is the caller's to refuse (required or not), by ``field``
    its label."""
    text = (reason or "").strip()
    if not text or written_length(text) >= NOTE_MIN_LENGTH:
        return ""
    return _("“%(field)s” needs at least %(n)s letters or digits saying why (punctuation marks are not counted).") % {
        "field": field,
        "n": digits(NOTE_MIN_LENGTH),
    }


def optional_note_error(note: str, field: str) -> str:
    """What is wrong with an optional note that was given (a confirmed reuse's): punctuation alone («...») says
    nothing, so it needs at least one letter or digit, counted as ``written_length`` counts; not ten, the
    decision itself being what is said. Nothing when it holds a word or was left empty."""
    text = (note or "").strip()
    if not text or written_length(text):
        return ""
    return _(
        "“%(field)s” may be left empty, but when written it needs letters or digits (punctuation marks alone say nothing)."
    ) % {"field": field}


def outages(declaration: TransitDeclaration) -> list[hooks.Outage]:
    """What was known to keep the destination's camera from reading at the arrival's time (a system problem
    open then, a camera silent or out of service then), from the apps that registered in ``hooks.arrival_outages``."""
    if declaration.arrived_at is None:
        return []
    return [o for provider in hooks.arrival_outages for o in provider(declaration)]


def history(declaration: TransitDeclaration) -> list[ArrivalReadReview]:
    """The declaration's reviews, oldest first, each with ``current`` (the one that counts) set."""
    reviews = list(ArrivalReadReview.objects.filter(declaration=declaration).select_related("by").order_by("at", "id"))
    superseded = {r.supersedes_id for r in reviews if r.supersedes_id}
    for review in reviews:
        review.current = review.pk not in superseded  # type: ignore[attr-defined]
    return reviews


def already_reviewed_message(review: ArrivalReadReview) -> str:
    by = isolate(review.by.get_full_name() or review.by.username, "auto") if review.by else "—"
    return _("This arrival was already reviewed: %(reason)s by %(by)s on %(at)s. Revise that decision instead.") % {
        "reason": review.get_reason_display(),
        "by": by,
        "at": format_jalali(review.at, persian=is_persian()),
    }


def refer_subject(review: ArrivalReadReview) -> str:
    """What the inspectors' notice of a «refer» decision is about (each refer its own notice)."""
    return f"arrival_read_refer:{review.pk}"


@transaction.atomic
def arrival_read_review(
    *,
    declaration: TransitDeclaration,
    by: User,
    reason: str,
    note: str,
    supersedes: int | None = None,
    outage: str | None = None,
) -> ArrivalReadReview:
    """Record why a confirmed arrival has no plate read at the destination (``reason``, with a ``note`` of at
    least ``NOTE_MIN_LENGTH`` characters), or that it is not explained (``refer``). A declaration already
    reviewed is reviewed again only as a revision: ``supersedes`` names the review that counts now (the one
    the person saw: one revised meanwhile is refused); the new review counts from then on, the earlier ones
    stay as they were. ``outage``: for a camera out of service, the known outage it names (``outages``), ""
    for none of them; ``None`` (not asked) names the first known.

    Steps: 1 the input; 2 the declaration locked (``FOR NO KEY UPDATE``), so two reviews recount the signal one
    after the other; 3 rights, and an arrival still without a read; 4 the review (audited), the evidence
    summary, the timeline's event; «refer» tells the provinces' inspectors, a revision closes an earlier
    refer's notice."""
    if reason not in ArrivalReadReason.values:
        raise InvalidInput(_("Unknown reason '%(r)s'.") % {"r": reason}, fields={"reason": reason})
    note = (note or "").strip()
    if problem := note_error(note):
        raise InvalidInput(problem, fields={"note": "too_short"})
    declaration = (
        TransitDeclaration.objects.select_for_update(no_key=True)
        .select_related("origin", "destination")
        .get(pk=declaration.pk)
    )
    require_review(by, declaration, supersedes=supersedes)
    if not arrival_unread(declaration):
        raise IllegalTransition(
            _(
                "There is no arrival without plate read to explain: the arrival is not confirmed, the destination"
                " has no camera in service, or its camera has read the truck."
            ),
            fields={"declaration": declaration.status},
        )
    current = ArrivalReadReview.objects.select_related("by").filter(declaration=declaration).current().first()
    if current is not None and current.pk != supersedes:
        raise IllegalTransition(already_reviewed_message(current), fields={"supersedes": current.pk})
    if current is None and supersedes is not None:
        raise IllegalTransition(
            _("This arrival has no review to revise: record a review of it."), fields={"supersedes": supersedes}
        )
    if not may_review(by, declaration) and not (
        current is not None and current.explains and reason == ArrivalReadReason.REFER
    ):
        raise NotAllowed(_(FORBIDDEN))  # the inspector: only «refer» over an explanation he doubts
    named = None
    if outage or reason == ArrivalReadReason.CAMERA_DOWN:
        known = {o.ref: o for o in outages(declaration)}
        if reason != ArrivalReadReason.CAMERA_DOWN:
            raise InvalidInput(_("Name an outage only for a camera out of service."), fields={"outage": outage})
        if outage and outage not in known:
            raise InvalidInput(
                _("No such outage was known at the arrival's time: choose one of those offered."),
                fields={"outage": outage},
            )
        named = known.get(outage) if outage is not None else next(iter(known.values()), None)
    with actor(by):
        review = ArrivalReadReview.objects.create(
            declaration=declaration,
            supersedes=current,
            reason=reason,
            outage_ref=named.ref if named else "",
            outage=named.text[:300] if named else "",
            note=note,
            by=by,
            at=timezone.now(),
        )
    explained = reason != ArrivalReadReason.REFER
    evidence.note_arrival_read_explained(declaration_id=declaration.pk, explained=explained)
    what: dict[str, Param] = {"reason": Message(ArrivalReadReason(reason).label), "note": note[:300]}
    message: Message | str
    if explained and current is not None:
        message = Message(gettext_noop("Explanation revised: %(reason)s: %(note)s"), **what)
    elif explained:
        message = Message(gettext_noop("%(reason)s: %(note)s"), **what)
    # A referral's entry is titled «not explained: referred to the inspector» (``timeline.EVENT_TITLES``): its
    # detail is the note, not the referral said a second time.
    elif current is not None:
        message = Message(gettext_noop("Explanation revised: %(note)s"), note=note[:300])
    else:
        message = note[:300]  # the person's own words, shown as written
    evidence.note_event(
        declaration_id=declaration.pk,
        kind="arrival_read_explained" if explained else "arrival_read_referred",
        at=review.at,
        actor=by,
        message=message,
        data={
            "review": review.pk,
            "reason": reason,
            "note": note,
            "outage": review.outage_ref,
            "supersedes": current.pk if current is not None else None,
        },
    )
    if current is not None and not current.explains:
        mark_done_for_everyone(refer_subject(current), Kind.ARRIVAL_UNSEEN)
    if not explained:
        provinces = (declaration.origin.province_id, declaration.destination.province_id)
        notify(
            Kind.ARRIVAL_UNSEEN,
            [u for u in inspectors_of(*provinces) if u.pk != by.pk],
            title=Message("%(serial)s", serial=Ident("serial", declaration.serial)),
            body=note[:500],
            url=reverse("declarations:detail", args=[declaration.pk]) + "#arrival-read",
            subject=refer_subject(review),
        )
    return review
