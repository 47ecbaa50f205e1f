"""Reviews of reuse findings: a scan that is the same image as another truck's scan (``services._note_reuse``,
the ``scan_reused`` signal) is looked at by the province's inspector or headquarters, who record it
explained (an honest re-upload, say, with a note saying how) or confirmed (the truck was not scanned).

A review is a record of its own (``ScanReuseReview``): the scan and its finding stay as stored. A decision
is revised by a later review superseding it (history kept: the latest counts). The declaration keeps the
signal while any of its findings is unreviewed or confirmed by the review that counts; a confirmed one is
escalated as a comparison escalated by the destination is: headquarters and the provinces' inspectors
are told, with the reviewer's note.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from core.audit import actor
from core.dates import format_jalali
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import digits, is_persian, isolate
from declarations import evidence
from declarations.arrival_reads import optional_note_error, reason_error
from declarations.models import TransitDeclaration
from declarations.serials import Block
from notifications.messages import Ident, Message, Number, Param
from notifications.services import Kind, headquarters, inspectors_of, mark_done_for_everyone, notify

from .models import ReuseDecision, Scan, ScanReuseReview, Stage
from .services import reuse_subject


def may_review(user: User | None, declaration: TransitDeclaration) -> bool:
    """Headquarters, or the inspector of the origin's or the destination's province: those the
    ``scan_reused`` notice goes to, who may see the declaration. Needs ``origin`` and ``destination``."""
    if user is None or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if user.role != Role.INSPECTOR:
        return False
    return user.province_id in (declaration.origin.province_id, declaration.destination.province_id)


def standing(declaration_id: int) -> bool:
    """Whether the declaration still raises ``scan_reused``: a finding of it not explained by the review that
    counts (the latest: a decision revised counts no longer)."""
    return (
        Scan.objects.filter(declaration_id=declaration_id)
        .reuse_findings()
        .exclude(
            Exists(ScanReuseReview.objects.current().filter(scan=OuterRef("pk"), decision=ReuseDecision.EXPLAINED))
        )
        .exists()
    )


def settlement_blocks(declaration: TransitDeclaration) -> list[Block]:
    """A finding not yet reviewed withholds the settlement until headquarters or the province's inspector
    review it (as a suspicious comparison waits for the destination's review), one block per scan; one
    confirmed by the review that counts withholds it too, named by the review: an override covers that
    confirmation, not one recorded after a revision (``declarations.serials``' hook). Explained, it withholds
    nothing. Only a declaration raising ``scan_reused`` (a finding unexplained) is looked at."""
    if not declaration.scan_reused:
        return []
    page = reverse("scans:declaration", args=[declaration.pk])
    unreviewed = (
        Scan.objects.filter(declaration_id=declaration.pk)
        .reuse_findings()
        .exclude(Exists(ScanReuseReview.objects.filter(scan=OuterRef("pk"))))
        .order_by("pk")
    )
    blocks = [
        Block(
            "scan_reuse_unreviewed",
            f"scan_reuse_unreviewed:{scan.pk}",
            _(
                "The %(stage)s scan no. %(id)s is the same image as another truck's scan and is not yet reviewed:"
                " headquarters or the province's inspector review it before the declaration is settled."
            )
            % {"stage": Stage(scan.stage).label, "id": digits(scan.pk)},
            url=f"{page}#reuse-{scan.pk}",
        )
        for scan in unreviewed
    ]
    confirmed = (
        ScanReuseReview.objects.current()
        .filter(scan__declaration_id=declaration.pk, decision=ReuseDecision.CONFIRMED)
        .select_related("scan")
        .order_by("scan_id")
    )
    return blocks + [
        Block(
            "scan_reuse_confirmed",
            f"scan_reuse_confirmed:{review.pk}",
            _(
                "The %(stage)s scan no. %(id)s is the same image as another truck's scan, and its review confirmed"
                " the reuse: the truck may never have been scanned."
            )
            % {"stage": Stage(review.scan.stage).label, "id": digits(review.scan_id)},
            url=f"{page}#reuse-{review.scan_id}",
        )
        for review in confirmed
    ]


def _close_notices(scan: Scan, declaration_id: int) -> None:
    """The inspectors were told of a reuse once per pair of declarations (``services.scan_reuse_notify``):
    once every finding of the pair is reviewed, by whoever of them, that notice is done for all of them."""
    if scan.repeats_scan is None:
        return
    earlier_id = Scan.objects.filter(pk=scan.repeats_scan).values_list("declaration_id", flat=True).first()
    if earlier_id is None:  # the earlier scan archived since: the pair is no longer known
        return
    of_pair = Scan.objects.filter(
        declaration_id=declaration_id,
        repeats_scan__in=Scan.objects.filter(declaration_id=earlier_id).values("pk"),
    ).reuse_findings()
    if not of_pair.filter(reuse_reviews__isnull=True).exists():
        mark_done_for_everyone(reuse_subject(declaration_id, earlier_id), Kind.SCAN_REUSED)


def already_reviewed_message(review: ScanReuseReview) -> str:
    by = isolate(review.by.get_full_name() or review.by.username, "auto") if review.by else "—"
    return _("This reuse was already reviewed: %(decision)s by %(by)s on %(at)s.") % {
        "decision": review.get_decision_display(),
        "by": by,
        "at": format_jalali(review.at, persian=is_persian()),
    }


def escalation_subject(review: ScanReuseReview) -> str:
    """What the notice escalating a confirmed review is about: the finding, and for a revision the review."""
    if review.supersedes_id is None:
        return f"scan_reuse:{review.scan_id}"
    return f"scan_reuse:{review.scan_id}:{review.pk}"


def note_missing(decision: str, note: str, supersedes: int | None) -> str:
    """Why the review needs a note it lacks (an explained reuse says how, a revision why; a confirmation's
    optional note, when given, a word), or nothing. A required note is a justification: measured as the
    comparison review's remark is (``reason_error``), ten dots say nothing and would switch the alert off for
    good."""
    if decision != ReuseDecision.EXPLAINED and supersedes is None:
        return optional_note_error(note, _("note"))  # optional, but «...» is no note
    if not note.strip():
        if decision == ReuseDecision.EXPLAINED:
            return _("An explained reuse needs a note saying how it is explained.")
        return _("A revised decision needs a note saying why it is revised.")
    return reason_error(note, _("note"))


@transaction.atomic
def reuse_review(
    *, scan: Scan, by: User, decision: str, note: str = "", supersedes: int | None = None
) -> ScanReuseReview:
    """Record what a person found about the reuse finding ``scan`` (a scan that repeats another truck's
    scan): ``explained`` (a note saying how is required) or ``confirmed``. A finding already reviewed is
    reviewed again only as a revision: ``supersedes`` names the review that counts now (the one the person
    saw: one revised meanwhile is refused), a note says why, and the new review, a record of its own, counts
    from then on; the earlier ones stay as they were.

    Steps: 1 the input; 2 the declaration locked (``FOR NO KEY UPDATE``, as an upload locks it), so that two
    reviews, or a review and an upload that finds a new reuse, recount the signal one after the other; 3 rights and the finding;
    4 the review (audited), the signal recounted, the timeline's event; a confirmation escalated, the escalation
    of a decision revised done."""
    if decision not in ReuseDecision.values:
        raise InvalidInput(_("Unknown decision '%(d)s'.") % {"d": decision}, fields={"decision": decision})
    note = (note or "").strip()
    if missing := note_missing(decision, note, supersedes):
        raise InvalidInput(missing, fields={"note": "required"})
    declaration = (
        TransitDeclaration.objects.select_for_update(no_key=True)
        .select_related("origin", "destination")
        .get(pk=scan.declaration_id)
    )
    if not may_review(by, declaration):
        raise NotAllowed(_("Only headquarters or the province's inspector may review a reused scan."))
    if not Scan.objects.filter(pk=scan.pk).reuse_findings().exists():
        raise IllegalTransition(
            _("This scan is not the same image as another truck's scan: there is no reuse to review."),
            fields={"scan": scan.pk},
        )
    current = ScanReuseReview.objects.select_related("by").filter(scan_id=scan.pk).current().first()
    if current is not None and current.pk != supersedes:
        raise IllegalTransition(already_reviewed_message(current), fields={"decision": current.decision})
    if current is None and supersedes is not None:
        raise IllegalTransition(
            _("This reuse has no review to revise: record a review of it."), fields={"supersedes": supersedes}
        )
    with actor(by):
        review = ScanReuseReview.objects.create(
            scan=scan,
            declaration=declaration,
            decision=decision,
            note=note,
            by=by,
            at=timezone.now(),
            supersedes=current,
        )
    evidence.note_scan_reused(declaration_id=declaration.pk, reused=standing(declaration.pk), by_person=True)
    _close_notices(scan, declaration.pk)
    what: dict[str, Param] = {"stage": Message(Stage(scan.stage).label), "id": Number(scan.pk)}
    if current is not None and decision == ReuseDecision.EXPLAINED:
        message = Message(
            gettext_noop("Review of the reuse of the %(stage)s scan no. %(id)s revised: explained: %(note)s"),
            note=note,
            **what,
        )
    elif current is not None:
        message = Message(
            gettext_noop("Review of the reuse of the %(stage)s scan no. %(id)s revised: confirmed: %(note)s"),
            note=note,
            **what,
        )
    elif decision == ReuseDecision.EXPLAINED:
        message = Message(gettext_noop("Reuse of the %(stage)s scan no. %(id)s explained: %(note)s"), note=note, **what)
    elif note:
        message = Message(gettext_noop("Reuse of the %(stage)s scan no. %(id)s confirmed: %(note)s"), note=note, **what)
    else:
        message = Message(gettext_noop("Reuse of the %(stage)s scan no. %(id)s confirmed."), **what)
    evidence.note_event(
        declaration_id=declaration.pk,
        kind=f"scan_reuse_{decision}",
        at=review.at,
        actor=by,
        message=message,
        data={
            "scan": scan.pk,
            "repeats": scan.repeats_scan,
            "review": review.pk,
            "decision": decision,
            "note": note,
            "supersedes": current.pk if current is not None else None,
        },
    )
    if current is not None:
        # The earlier decision no longer counts: its escalation, if it was one, is done for all told of it.
        mark_done_for_everyone(escalation_subject(current), Kind.SCAN_ESCALATED)
    if decision == ReuseDecision.CONFIRMED:
        # Escalated as a suspicious comparison is: those who follow it up are told, the reviewer aside.
        provinces = (declaration.origin.province_id, declaration.destination.province_id)
        told = [u for u in [*headquarters(), *inspectors_of(*provinces)] if u.pk != by.pk]
        notify(
            Kind.SCAN_ESCALATED,
            told,
            title=Message("%(serial)s", serial=Ident("serial", declaration.serial)),
            body=note[:500] or message,
            url=reverse("scans:declaration", args=[declaration.pk]) + f"#scan-{scan.pk}",
            subject=escalation_subject(review),
        )
    return review
