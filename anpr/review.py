"""Plate reads a person should look at (the review queue), and the label a person gives one.

The queue holds reads without a label that are

- **low confidence**: recognised below ``ANPR_REVIEW_MIN_CONFIDENCE``, within ``ANPR_REVIEW_DAYS``;
- **fuzzy signal**: a similar-plate match nobody reviewed that set a signal's time on its declaration
  (the first read at the destination, or the first read off the route);
- **not Iranian**: a plate was found but not read as an Iranian one (a person reads it);
- **not read**: a photo that came out of recognition with no plate text (nothing found in it, the reader
  failed on it, or the camera's own text is no plate), within ``ANPR_REVIEW_DAYS``: unread, the truck in it
  could never be a sighting;
- **contradicts**: a person rejected its match to a declaration (the plate read is not the declared one);
- **near an arrival with no plate read** (``LabelReason.NEAR_ARRIVAL``): it matched nothing although it was
  taken within ``ANPR_REVIEW_ARRIVAL_MINUTES`` of an arrival at its office whose declaration has no plate
  read, and no match of it was rejected (the camera saw a truck, the declaration says which one: a person
  reads the photo to tell whether it is that truck; it contradicts nothing yet).

A label is a new record (``PlateLabel``, who and when); the read keeps its text, photo and crop as
evidence, and the latest label is its *effective plate* (``PlateReadQuerySet.with_label``). Labelling
matches the read again with the plate the person gave: its matches to other plates are rejected, the
one to that plate confirmed, or an exact one made (not "confirmed by" the person, who chose no declaration), and each declaration touched has its plate evidence recomputed through
``declarations.evidence`` (so the signals follow). The labels of Iranian plates with a crop are the
reviewed crops ``anpr_train`` learns from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.audit import actor
from core.countries import is_country
from core.dates import format_jalali
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import format_number, is_persian, isolate, too_long
from declarations import evidence
from declarations.idents import plate_text, serial_text
from declarations.models import ARRIVED_STATUSES, OPEN_STATUSES, TransitDeclaration
from declarations.plates import (
    FOREIGN_RE,
    PARTIAL_RE,
    Plate,
    PlateError,
    iranian_plate_error,
    normalise_text,
    parse_plate,
)

from . import matching, sightings
from .models import (
    LabelReason,
    MatchReview,
    MatchState,
    PlateLabel,
    PlateLayout,
    PlateMatch,
    PlateRead,
    Recognition,
)
from .reasons import FOREIGN_DEFERRED
from .recognition.foreign import TYPE_NAMES

# Queue kinds, most telling first: a label keeps the first that applied.
KINDS = (
    LabelReason.NOT_IRANIAN,
    LabelReason.CONTRADICTS,
    LabelReason.NEAR_ARRIVAL,
    LabelReason.FUZZY_SIGNAL,
    LabelReason.UNREADABLE,
    LabelReason.LOW_CONFIDENCE,
)
# Arrivals without a plate read looked at for nearby unmatched reads (the most recent ones).
ARRIVALS_LOOKED_AT = 200


def _since() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.ANPR_REVIEW_DAYS)


def _near_unseen_arrivals(user: User | None) -> Q:
    """Reads that matched nothing, taken near an arrival at their office still lacking a plate read.

    Driven from the declarations (the signal's few rows), each an index range on (office, time)."""
    window = dt.timedelta(minutes=settings.ANPR_REVIEW_ARRIVAL_MINUTES)
    arrivals = TransitDeclaration.objects.filter(
        status__in=ARRIVED_STATUSES, dest_first_read_at__isnull=True, arrived_at__gte=_since()
    )
    if user is not None:
        arrivals = arrivals.filter(user.scope_q("destination"))
    pairs = arrivals.order_by("-arrived_at").values_list("destination_id", "arrived_at")[:ARRIVALS_LOOKED_AT]
    near = Q(pk__in=[])
    for office_id, at in pairs:
        near |= Q(office_id=office_id, captured_at__gte=at - window, captured_at__lte=at + window)
    # The reads themselves, looked up once: the queue page filters by this kind in every tab's count (and by its
    # negation in the later tabs'), and a filter of up to ARRIVALS_LOOKED_AT time ranges cost each of those
    # queries longer to build than to run (a national user's page: about a second).
    reads = PlateRead.objects.filter(near, match_state__in=[MatchState.UNMATCHED, MatchState.NO_PLATE])
    return Q(pk__in=list(reads.values_list("pk", flat=True)))


def shown_matches(reads: list[PlateRead], user: User) -> dict[int, list[PlateMatch]]:
    """For each matched read, its matches to declarations the user may see, surest first; one query. A
    similar plate (not exact) is a match only once a person says it is this truck: the queue shows it
    as the declaration's page does, with its score and its review, never as plainly «matched».

    The tables say «matched» once for a read: one exact match stands for the others, and an exact match a
    person rejected (they read another plate) is left out, as the declaration's gate reads show it with no
    match badge; the matches their reading made stand beside it."""
    ids = [r.pk for r in reads if r.match_state == MatchState.MATCHED]
    found: dict[int, list[PlateMatch]] = {}
    if not ids:
        return found
    for m in PlateMatch.objects.for_user(user).filter(read_id__in=ids).order_by("-exact", "-score", "pk"):
        shown = found.setdefault(m.read_id, [])
        if m.exact and (m.review == MatchReview.REJECTED or any(s.exact for s in shown)):
            continue
        shown.append(m)
    return found


def attach_matches(reads, user: User) -> list[PlateRead]:
    """``shown_matches`` set on each read (``shown_matches``), for the reads tables: a similar plate not yet
    confirmed by a person is shown as such, never as plainly «matched»."""
    reads = list(reads)
    found = shown_matches(reads, user)
    for r in reads:
        r.shown_matches = found.get(r.pk, [])  # type: ignore[attr-defined]
    return reads


def near_arrivals(reads: list[PlateRead], user: User) -> dict[int, list[TransitDeclaration]]:
    """For each read that matched nothing, the declarations the user may see whose arrival at the read's office,
    within ``ANPR_REVIEW_ARRIVAL_MINUTES`` of it, has no plate read (``_near_unseen_arrivals``); one query."""
    reads = [r for r in reads if r.match_state in (MatchState.UNMATCHED, MatchState.NO_PLATE)]
    if not reads:
        return {}
    window = dt.timedelta(minutes=settings.ANPR_REVIEW_ARRIVAL_MINUTES)
    arrivals = list(
        TransitDeclaration.objects.for_user(user)
        .filter(
            status__in=ARRIVED_STATUSES,
            dest_first_read_at__isnull=True,
            destination_id__in={r.office_id for r in reads},
            arrived_at__gte=min(r.captured_at for r in reads) - window,
            arrived_at__lte=max(r.captured_at for r in reads) + window,
        )
        .order_by("arrived_at", "id")
    )
    out: dict[int, list[TransitDeclaration]] = {}
    for r in reads:
        near = [
            d
            for d in arrivals
            if d.destination_id == r.office_id and d.arrived_at and abs(d.arrived_at - r.captured_at) <= window
        ]
        if near:
            out[r.pk] = near
    return out


def reason_labels(read: PlateRead, user: User) -> list[str]:
    """The queue kinds ``read`` is in, as the pages name them."""
    return [str(LabelReason(k).label) for k in reasons_of(read, user)]


def kind_filter(kind: str, user: User | None = None) -> Q:
    """The rows of one queue kind (any read, labelled or not)."""
    if kind == LabelReason.LOW_CONFIDENCE:
        # The app's reader, or a camera's own read that came with its photo (a person can read the photo).
        return Q(
            Q(recognition=Recognition.DONE) | (Q(recognition=Recognition.CAMERA) & ~Q(photo="")),
            confidence__lt=settings.ANPR_REVIEW_MIN_CONFIDENCE,
            captured_at__gte=_since(),
        )
    if kind == LabelReason.NOT_IRANIAN:
        return Q(recognition=Recognition.MANUAL)
    if kind == LabelReason.UNREADABLE:
        # A photo with no plate text once recognition is over (a read left to a person as a foreign plate or
        # another layout is in "not Iranian"); ``plate`` = '' and the time: the (plate, captured_at) index.
        return (
            Q(plate="", captured_at__gte=_since())
            & ~Q(photo="")
            & ~Q(recognition__in=[Recognition.PENDING, Recognition.MANUAL])
        )
    if kind == LabelReason.FUZZY_SIGNAL:
        decided = PlateMatch.objects.filter(exact=False, review=MatchReview.NONE).filter(
            Q(at_destination=True, declaration__dest_first_read_at=F("read__captured_at"))
            | Q(on_route=False, declaration__off_route_read_at=F("read__captured_at"))
        )
        return Q(pk__in=decided.values("read_id"))
    rejected = PlateMatch.objects.filter(review=MatchReview.REJECTED).values("read_id")
    if kind == LabelReason.CONTRADICTS:
        return Q(pk__in=rejected)
    if kind == LabelReason.NEAR_ARRIVAL:
        return _near_unseen_arrivals(user) & ~Q(pk__in=rejected)
    raise ValueError(kind)


def unlabelled() -> Q:
    return ~Q(Exists(PlateLabel.objects.filter(read=OuterRef("pk"))))


class KindFilters(dict):
    """Each kind's filter for one user, built the first time it is asked for and kept: the queue page asks for
    every tab's count, the page and its total, and the nearby-arrival kind reads the declarations each time it is
    built. Made per request, so that what it holds is never older than the page."""

    def __init__(self, user: User | None):
        super().__init__()
        self.user = user

    def __missing__(self, kind: str) -> Q:
        self[kind] = kind_filter(kind, self.user)
        return self[kind]


def queue(user: User, kind: str = "", filters: KindFilters | None = None) -> QuerySet[PlateRead]:
    """Reads at the user's offices waiting for a person (one kind, or all), newest first. A read in several
    kinds waits under the first of ``KINDS`` only (the reason its label keeps, ``reasons_of``): each read is
    in one tab, and the tabs add up to all. ``filters``: the kinds' filters, when the caller builds several
    queues for the same user in one request."""
    filters = KindFilters(user) if filters is None else filters
    wanted = Q(pk__in=[])
    if kind in KINDS:
        wanted = filters[kind]
        for earlier in KINDS[: KINDS.index(kind)]:
            wanted &= ~filters[earlier]
    else:
        for k in KINDS:
            wanted |= filters[k]
    return (
        PlateRead.objects.filter(user.scope_q("office"))
        .filter(wanted)
        .filter(unlabelled())
        .select_related("camera", "office")
        .order_by("-captured_at", "-id")
    )


def reasons_of(read: PlateRead, user: User | None = None) -> list[str]:
    """The queue kinds this read is in (whether or not it has a label), most telling first."""
    base = PlateRead.objects.filter(pk=read.pk)
    return [k for k in KINDS if base.filter(kind_filter(k, user)).exists()]


def latest_label(read: PlateRead) -> PlateLabel | None:
    return read.labels.select_related("by").order_by("-at", "-id").first()


# Declarations listed beside a plate read in part (the most recent first).
PARTIAL_CANDIDATES = 10


def partial_pattern(partial: str) -> str:
    """The regular expression of the plates that fit the places a refused read read steadily (``?``: any)."""
    return "^" + "".join("." if c == "?" else re.escape(c) for c in partial) + "$"


def partial_candidates(read: PlateRead, user: User) -> QuerySet[TransitDeclaration]:
    """Open declarations of the read's office (leaving or arriving there) in the user's scope whose truck's plate
    fits the places the reader read steadily (``PlateRead.ocr_partial``): the person reading the plate checks
    the photo against them. Empty when the read has no such places."""
    m = PARTIAL_RE.match(read.ocr_partial or "")
    if m is None or read.plate:
        return TransitDeclaration.objects.none()
    pattern = partial_pattern(read.ocr_partial)
    return (
        TransitDeclaration.objects.filter(user.scope_q("origin", "destination"))
        .filter(Q(origin_id=read.office_id) | Q(destination_id=read.office_id), status__in=OPEN_STATUSES)
        .filter(vehicle__country="IR", vehicle__plate__regex=pattern)
        .select_related("vehicle", "origin", "destination")
        .order_by("-declared_at", "-id")[:PARTIAL_CANDIDATES]
    )


def reader_plate(read: PlateRead) -> str:
    """The plate as the camera or the reader gave it (its match key), '' when it gave none."""
    return read.plate or matching.match_key(read.plate_raw or read.ocr_raw)


# Free zones whose name a free-zone plate carries (as ``anpr.training.layouts.FREE_ZONES`` draws them).
FREE_ZONE_NAMES = ("کیش", "قشم", "ارس", "انزلی", "چابهار", "اروند", "ماکو")


def reader_reading(read: PlateRead) -> tuple[str, str]:
    """(text, layout) of what the camera or the reader made of ``read``: its plate (``reader_plate``, no
    layout), else a text that is no standard plate in the stored form of the layout it looks like (a free
    zone's name: that zone's; another name and a number: an older plate; two numbers: a motorcycle's), else
    ('', '')."""
    plate = reader_plate(read)
    if plate:
        return plate, ""
    raw = (read.plate_raw or read.ocr_raw or "").strip()
    if not raw:
        return "", ""
    words = raw.split()
    if any(name in raw for name in FREE_ZONE_NAMES):
        layout = PlateLayout.FREE_ZONE
    elif any(not c.isdigit() and not c.isspace() for c in raw):
        layout = PlateLayout.OLD
    elif len(words) == 2:
        layout = PlateLayout.MOTORCYCLE
    else:
        return "", ""
    try:
        return other_layout_text(raw, layout), layout
    except InvalidInput:
        return "", ""


# --- Labelling ----------------------------------------------------------------------------------

# Another layout's text as written: Persian or Latin letters (a free zone's or a city's name) and digits.
_OTHER_LAYOUT_RE = re.compile(r"^[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06ccA-Z0-9]+$")
_NAME_NUMBER = re.compile(r"(?<=\D)(?=\d)|(?<=\d)(?=\D)")
# The reader's English names of the layouts it defers (``anpr.recognition.foreign.TYPE_NAMES``).
_DEFERRED_AS = {str(TYPE_NAMES[k]): k for k in PlateLayout.values}
_FOREIGN_DEFERRED = re.compile(FOREIGN_DEFERRED)


def other_layout_text(text: str, layout: str) -> str:
    """The stored form of a plate of another Iranian layout: digits in ASCII, letter variants in their
    Persian form, one space between letters and digits (and between a motorcycle plate's two rows), no
    other separator; at most 16 characters with at least one digit."""
    if layout not in PlateLayout.values:
        raise InvalidInput(_("Choose the plate's layout."), fields={"layout": layout})
    try:
        # A motorcycle plate's two rows of digits stay apart, one space between them, as they stand.
        parts = (text or "").split() if layout == PlateLayout.MOTORCYCLE else [text or ""]
        s = " ".join(p for p in (normalise_text(part) for part in parts) if p)
    except PlateError:
        s = ""
    if not s:
        raise InvalidInput(_("Type the plate as it is written."), fields={"plate": text})
    if not all(_OTHER_LAYOUT_RE.match(w) for w in s.split(" ")) or not any(c.isdigit() for c in s):
        raise InvalidInput(
            _("Letters and digits as on the plate, at most 16 characters, with its number."), fields={"plate": text}
        )
    s = " ".join(_NAME_NUMBER.sub(" ", w) for w in s.split(" "))  # "ارس 12345": the name and the number apart
    if len(s) > 16:
        raise InvalidInput(
            _("Letters and digits as on the plate, at most 16 characters, with its number."), fields={"plate": text}
        )
    return s


def foreign_country(code: str) -> str:
    """A foreign plate's country: an assigned ISO 3166-1 alpha-2 code other than IR, in upper case."""
    code = (code or "").strip().upper()
    if code == "IR" or not is_country(code):
        raise InvalidInput(
            _("%(code)s is not the code of a foreign country: two Latin letters (ISO 3166-1), e.g. TR, IQ, AF.")
            % {"code": isolate(code)},
            fields={"country": code},
        )
    return code


def foreign_text(text: str) -> str:
    """A foreign plate's text in its stored form (Latin letters and digits, no separators)."""
    try:
        s = normalise_text(text or "")
    except PlateError:
        s = ""
    if not FOREIGN_RE.match(s):
        raise InvalidInput(
            _("%(text)s is not a foreign plate: %(min)s to %(max)s Latin letters and digits.")
            % {"text": isolate((text or "").strip()), "min": format_number(2), "max": format_number(12)},
            fields={"plate": text},
        )
    return s


NOTE_MAX = PlateLabel._meta.get_field("note").max_length or 300


def checked_note(note: str) -> str:
    """A reviewer's note, trimmed; one longer than ``NOTE_MAX`` is refused naming the field, never cut short
    (what was cut might be what mattered)."""
    note = (note or "").strip()
    if error := too_long(note, NOTE_MAX):
        raise InvalidInput(error, fields={"note": note})
    return note


def deferred_foreign(read: PlateRead) -> tuple[str, str]:
    """(country, text) of a foreign plate the reader read with too little confidence to give, or ('', '')."""
    m = _FOREIGN_DEFERRED.match(read.recognition_error or "")
    return (m["country"], m["text"]) if m else ("", "")


def deferred_layout(read: PlateRead) -> str:
    """The layout the reader named when it deferred ``read`` to a person ('' if none)."""
    head = (read.recognition_error or "").split(":", 1)[0].strip()
    return _DEFERRED_AS.get(head, "")


def may_label(user: User | None, read: PlateRead) -> bool:
    """A person (not a camera or integration client): headquarters; staff of the office that read it;
    an inspector of that office's province."""
    if user is None or not user.is_authenticated or not user.is_active or user.role == Role.INTEGRATION:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if user.role == Role.OFFICE:
        return bool(user.office_id) and user.office_id == read.office_id
    if user.role == Role.INSPECTOR:
        return bool(user.province_id) and user.province_id == read.office.province_id
    return False


def may_label_some(user: User | None) -> bool:
    """Whether ``user`` may read the plate of some read (``may_label``): headquarters, an office's staff, a
    province's inspector. The IT office sees the review queue, it reads no plate."""
    if user is None or not user.is_authenticated or not user.is_active or user.role == Role.INTEGRATION:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if user.role == Role.OFFICE:
        return bool(user.office_id)
    if user.role == Role.INSPECTOR:
        return bool(user.province_id)
    return False


@dataclass
class Relabelled:
    label: PlateLabel
    confirmed: list[int]  # declaration ids whose match to the read a person now confirms
    rejected: list[int]
    added: list[int]
    # The reading in effect was sent again: nothing recorded, ``label`` is that reading.
    repeated: bool = False


def matched_serials(read: PlateRead, user: User) -> list[str]:
    """The serials of the declarations ``read`` is matched to (not rejected) that ``user`` may see, as text."""
    matches = (
        PlateMatch.objects.for_user(user)
        .filter(read=read)
        .exclude(review=MatchReview.REJECTED)
        .order_by("declaration__serial")
        .values_list("declaration__serial", flat=True)
    )
    return [serial_text(s) for s in matches]


def reading_of(label: PlateLabel) -> dict[str, str]:
    """Who read a plate as what and when, for the messages naming that reading."""
    return {
        # isolated: a Latin name («John Smith 2») must not reorder the Persian sentence around it
        "who": isolate(label.by.get_full_name() or label.by.username, "auto"),
        "plate": plate_text(label.plate, label.country, nowrap=True),
        "at": format_jalali(label.at, persian=is_persian()),
    }


class _Unchecked:
    """``read_label(seen=UNCHECKED)``: the caller had no page open (a command, a test)."""


UNCHECKED = _Unchecked()


@transaction.atomic
def read_label(
    *,
    read: PlateRead,
    by: User,
    plate: str,
    country: str = "IR",
    note: str = "",
    layout: str = "",
    seen: int | None | _Unchecked = UNCHECKED,
) -> Relabelled:
    """A person reads the plate of ``read``: a new label (who, when, why it was in the queue), then the
    read is matched again with that plate and the plate evidence of each declaration touched recomputed.
    ``layout`` (a ``PlateLayout``): an Iranian plate of another layout, ``plate`` its text as written.

    ``seen``: the label in effect on the person's page when they read the photo (None: none). When another
    came since (a second reviewer saved first), nothing is saved: ``IllegalTransition`` says who read it as
    what, so that the person decides against that reading rather than overwrite it unseen. The reading in
    effect sent again (a double click, the back button, whoever sends it) records nothing: ``repeated`` says
    so; with a note of its own it is refused (``InvalidInput`` on ``note``). A later label keeps the reason
    of the first (why the read came to a person)."""
    read = PlateRead.objects.select_for_update(of=("self",)).select_related("office", "camera").get(pk=read.pk)
    if not may_label(by, read):
        raise NotAllowed(_("You may not read plates of this office's camera."))
    country = (country or "IR").strip().upper()
    note = checked_note(note)
    if layout:
        parsed = Plate(other_layout_text(plate, layout), "IR")
    elif country != "IR":
        parsed = Plate(foreign_text(plate), foreign_country(country))
    else:
        try:
            parsed = parse_plate(plate, country)
        except PlateError as exc:
            raise InvalidInput(str(exc), fields={"plate": plate}) from exc
        group, impossible = iranian_plate_error(parsed.text)
        if impossible:  # 00, 000 or a leading 0: no plate is issued so (the reader never reads one either)
            raise InvalidInput(impossible, fields={group: plate, "plate": plate})
    previous = latest_label(read)
    if previous is not None and (previous.plate, previous.country, previous.layout) == (
        parsed.text,
        parsed.country or country,
        layout,
    ):
        # The reading in effect sent again (a double click, the back button, a second person agreeing):
        # nothing new to record, so nothing is; a label that changes nothing would count the read twice.
        if note and note != previous.note:
            raise InvalidInput(
                _(
                    "%(who)s already read this plate as %(plate)s at %(at)s: a note alone is not recorded."
                    " Keep that reading, or give another plate with your note."
                )
                % reading_of(previous),
                fields={"note": note},
            )
        return Relabelled(previous, [], [], [], repeated=True)
    if previous is not None and not isinstance(seen, _Unchecked) and previous.pk != seen:
        raise IllegalTransition(
            _(
                "%(who)s read this plate as %(plate)s at %(at)s, after you opened it. Their reading is below:"
                " save again to put yours in its place."
            )
            % reading_of(previous)
        )
    # The reason the read came to a person: a later look keeps the first one's (the read's own queue by
    # then holds the matches that look rejected, a reason it never had).
    reasons = [previous.reason] if previous is not None else reasons_of(read)
    own, _own_layout = reader_reading(read)
    now = timezone.now()
    with actor(by):
        label = PlateLabel.objects.create(
            read=read,
            camera_id=read.camera_id,
            office_id=read.office_id,
            captured_at=read.captured_at,
            plate=parsed.text,
            country=parsed.country or country,
            layout=layout,
            plate_before=previous.plate if previous else own,
            corrected=parsed.text != own,
            reason=reasons[0] if reasons else LabelReason.OTHER,
            note=note,
            by=by,
            at=now,
        )
    return _rematch(read, label, by, now)


def _this_arrival(read: PlateRead, label: PlateLabel, planned: list[PlateMatch]) -> list[PlateMatch]:
    """``planned`` (the read matched as a fresh read of ``label``'s plate), with the read made the arrival of the
    trip it was taken at: a declaration of that truck whose arrival at the read's office is within
    ``ANPR_REVIEW_ARRIVAL_MINUTES`` of it (the one the read was queued beside, ``_near_unseen_arrivals``, settled
    since or not) takes it, and no other declaration of that truck to this office does (an older trip that
    arrived there months ago and is still unsettled is not this one). Unchanged when no arrival is that near."""
    window = dt.timedelta(minutes=settings.ANPR_REVIEW_ARRIVAL_MINUTES)
    arrivals = list(
        TransitDeclaration.objects.filter(
            status__in=ARRIVED_STATUSES,
            destination_id=read.office_id,
            arrived_at__gte=read.captured_at - window,
            arrived_at__lte=read.captured_at + window,
            vehicle__plate=label.plate,
            vehicle__country=label.country,
        ).order_by("pk")
    )
    if not arrivals:
        return planned
    ids = {d.pk for d in arrivals}
    kept = [m for m in planned if m.declaration_id in ids or not (m.at_destination and m.vehicle_plate == label.plate)]
    have = {m.declaration_id for m in kept}
    return kept + [
        PlateMatch(
            read_id=read.pk,
            declaration_id=d.pk,
            vehicle_plate=label.plate,
            score=1.0,
            exact=True,
            on_route=read.office.code in (d.route or [read.office.code]),
            at_destination=True,
        )
        for d in arrivals
        if d.pk not in have
    ]


def _rematch(read: PlateRead, label: PlateLabel, by: User, now: dt.datetime) -> Relabelled:
    """Match ``read`` again as the plate of ``label``: its matches to other plates rejected, to this one
    confirmed, new exact matches made (not reviewed: the person gave a plate, not a declaration);
    declarations recomputed."""
    plate = label.plate
    matches = list(PlateMatch.objects.select_for_update().filter(read=read).order_by("pk"))
    out = Relabelled(label, [], [], [])
    for m in matches:
        decision = MatchReview.CONFIRMED if m.vehicle_plate == plate else MatchReview.REJECTED
        if m.review == decision:
            continue
        before = m.review
        m.review, m.reviewed_by, m.reviewed_at = decision, by, now
        # An UPDATE, not save(): auditlog wrote its own entry beside this one, two for one change (as in
        # ``match_review``); this one says who, from what to what.
        PlateMatch.objects.filter(pk=m.pk).update(review=decision, reviewed_by=by, reviewed_at=now)
        LogEntry.objects.log_create(
            m, action=LogEntry.Action.UPDATE, actor=by, changes={"review": [before, decision]}, force_log=True
        )
        (out.confirmed if decision == MatchReview.CONFIRMED else out.rejected).append(m.declaration_id)
    # A plate of another layout has no standard form that a declared vehicle could carry: matched to none.
    planned, vehicle_of, _summary = (
        ([], {}, None)
        if label.layout
        else sightings.plan([sightings.ToMatch(read.pk, plate, read.office_id, read.office.code, read.captured_at)])
    )
    if not label.layout:
        planned = _this_arrival(read, label, planned)
    existing = {m.declaration_id for m in matches}
    with actor(by):
        for m in planned:
            if m.exact and m.declaration_id not in existing:
                # An exact match, not reviewed: the person typed a plate, they chose no declaration (a match
                # "confirmed by" them would say they did).
                m.save()
                out.added.append(m.declaration_id)
    counting = [m for m in matches if m.vehicle_plate == plate] + [m for m in planned if m.declaration_id in out.added]
    if counting:
        vehicle_id = vehicle_of.get(read.pk) or TransitDeclaration.objects.get(pk=counting[0].declaration_id).vehicle_id
        PlateRead.objects.filter(pk=read.pk).update(match_state=MatchState.MATCHED, vehicle_id=vehicle_id)
    else:
        PlateRead.objects.filter(pk=read.pk).update(match_state=MatchState.UNMATCHED, vehicle_id=None)
    seen_as = reader_plate(read) or "?"
    for decl_id, outcome in sorted(
        [(d, "confirmed") for d in out.confirmed]
        + [(d, "rejected") for d in out.rejected]
        + [(d, "added") for d in out.added]
    ):
        evidence.note_event(
            declaration_id=decl_id,
            kind="plate_read_labelled",
            at=now,
            actor=by,
            message=f"{seen_as} → {plate} @ {read.office.code}",
            # What the timeline writes, as pages write plates (``declarations.timeline``); the message is the record.
            data={
                "read": read.pk,
                "label": label.pk,
                "match": outcome,
                "before": reader_plate(read),
                "plate": plate,
                "country": label.country,
                "office": read.office.code,
                # Whether the person had a photo to read (the timeline's title: «from the photo» or not).
                "photo": bool(read.photo),
            },
        )
        evidence.recompute_plate_evidence(declaration_id=decl_id)
    return out
