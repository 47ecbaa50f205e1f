"""A person's review of a similar-plate match, and the gate reads anpr gives the declaration pages.

Matching (``sightings``) links a read to a declaration when the plates are alike (score < 1 for a
possible mis-read). A person at the office can confirm that it was the truck or reject it; a
rejected match stops counting as a sighting, and the declaration's evidence summary is recomputed
through ``declarations.evidence.recompute_plate_evidence`` (the one door).
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import isolate
from declarations import evidence, idents
from declarations.hooks import GateRead
from declarations.models import TransitDeclaration

from .models import MatchReview, PlateLabel, PlateMatch, PlateRead
from .review import checked_note

DECISIONS = (MatchReview.CONFIRMED, MatchReview.REJECTED)


def may_review_match(user: User | None, match: PlateMatch) -> bool:
    """A person (not a camera or integration client): headquarters; staff of the office that read it or
    of the declaration's destination; an inspector of either office's province."""
    if user is None or not user.is_authenticated or not user.is_active or user.role == Role.INTEGRATION:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    read_office = match.read.office
    destination = match.declaration.destination
    if user.role == Role.OFFICE:
        return bool(user.office_id) and user.office_id in (read_office.pk, destination.pk)
    if user.role == Role.INSPECTOR:
        return bool(user.province_id) and user.province_id in (read_office.province_id, destination.province_id)
    return False


@transaction.atomic
def match_review(*, match: PlateMatch, by: User, decision: str, note: str = "") -> PlateMatch:
    """Confirm or reject a similar-plate match: who and when are kept, audited, and the declaration's
    plate-read summary recomputed (a rejected match no longer makes the truck seen)."""
    match = (
        PlateMatch.objects.select_for_update(of=("self",))
        .select_related("read__office", "declaration__destination")
        .get(pk=match.pk)
    )
    if decision not in DECISIONS:
        raise InvalidInput(
            _("Decide 'confirmed' or 'rejected', not '%(value)s'.") % {"value": decision}, fields={"decision": decision}
        )
    if not may_review_match(by, match):
        raise NotAllowed(_("You may not review this plate match."))
    note = checked_note(note)
    if match.exact:
        raise IllegalTransition(_("An exact plate match needs no review."))
    if match.review == decision:
        return match
    before = match.review
    if before and not note:
        # A decision a person made is revised only with the reason why: the evidence of a sighting flips.
        raise InvalidInput(
            _("Say in the note why the earlier decision (%(before)s) is revised.")
            % {"before": MatchReview(before).label},
            fields={"note": note},
        )
    match.review, match.reviewed_by, match.reviewed_at = decision, by, timezone.now()
    # An UPDATE, not save(): auditlog wrote its own entry beside this one, two for one review.
    PlateMatch.objects.filter(pk=match.pk).update(review=decision, reviewed_by=by, reviewed_at=match.reviewed_at)
    changes = {"review": [before, decision]}
    if note:
        changes["note"] = ["", note]
    LogEntry.objects.log_create(match, action=LogEntry.Action.UPDATE, actor=by, changes=changes, force_log=True)
    read = match.read
    evidence.note_event(
        declaration_id=match.declaration_id,
        kind=f"plate_match_{decision}",
        at=match.reviewed_at,
        actor=by,
        message=(
            f"{idents.plate_text(read)} ≈ {match.vehicle_plate} ({match.score:.2f}) @ {read.office.code}"
            + (f": {note}" if note else "")
        ),
        data={
            "match": match.pk,
            "read": read.pk,
            "decision": decision,
            # What the timeline writes, as pages write plates (``declarations.timeline``); the message is the record.
            "read_plate": read.display_text,
            "read_country": read.country,
            "plate": match.vehicle_plate,
            "score": match.score,
            "office": read.office.code,
            "note": note,
        },
    )
    evidence.recompute_plate_evidence(declaration_id=match.declaration_id)
    return match


def gate_reads(declaration: TransitDeclaration, office=None, user: User | None = None) -> list[GateRead]:
    """``declarations.hooks.gate_reads``: the reads matched to the declaration (at ``office``), each with
    its score and review; photo and review links only for a user, and review only when allowed."""
    # No short cut on ``last_read_at``: after a rejection it is empty while the rejected match stays shown.
    matches = (
        PlateMatch.objects.filter(declaration=declaration)
        .select_related("read__camera", "read__office", "reviewed_by", "declaration__destination")
        .order_by("read__captured_at")
    )
    if office is not None:
        matches = matches.filter(read__office_id=office.pk)
    found = list(matches)
    # A read whose match a person rejected is no longer the declaration's: its photo is offered only to those
    # who see the read on its own (its camera's office, province, HQ) and to the office whose person rejected
    # it, to judge its undo on (``PlateReadQuerySet.for_user``).
    rejected = [m.read_id for m in found if m.review == MatchReview.REJECTED]
    openable = (
        set(PlateRead.objects.for_user(user).filter(id__in=rejected).values_list("id", flat=True))
        if user is not None and rejected
        else set()
    )
    # The plate in effect of a read a person read (its latest label, ``PlateReadQuerySet.with_label``): shown
    # as the read's plate, the camera's text beside it, as the timeline tells it.
    labels = {}
    for label in PlateLabel.objects.filter(read_id__in={m.read_id for m in found}).order_by("read_id", "at", "pk"):
        labels[label.read_id] = label
    out = []
    for m in found:
        read = m.read
        label = labels.get(read.pk)
        may_review = user is not None and not m.exact and may_review_match(user, m)
        out.append(
            GateRead(
                at=read.captured_at,
                office_id=read.office_id,
                plate=idents.plate_text(label.plate, label.country) if label else idents.plate_text(read),
                read_by_person=label is not None,
                corrected=label is not None and label.corrected and bool(read.plate),
                camera_plate=idents.plate_text(read) if label else "",
                camera_by=read.engine_label if label else "",
                from_photo=bool(read.photo),
                declared_plate=m.vehicle_plate,
                score=m.score,
                exact=m.exact,
                on_route=m.on_route,
                at_destination=m.at_destination,
                match_id=m.pk,
                camera=read.camera.code,
                has_photo=bool(read.photo),
                photo_url=(
                    reverse("anpr:photo", args=[read.pk])
                    if user is not None and read.photo and (m.review != MatchReview.REJECTED or read.id in openable)
                    else ""
                ),
                review=m.review,
                reviewed_by=isolate(m.reviewed_by.get_full_name() or m.reviewed_by.username, "auto")
                if m.reviewed_by
                else "",
                reviewed_at=m.reviewed_at,
                review_url=reverse("anpr:match-review", args=[m.pk]) if may_review else "",
                tir_park_id=read.camera.tir_park_id,
                too_early=m.too_early,
            )
        )
    return out
