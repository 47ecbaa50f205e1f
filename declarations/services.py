"""Every change of a declaration's state goes through one function here.

Each transition: checks the move against ``TRANSITIONS`` and the user's right to
make it, locks the row, changes it in a transaction, records who/when/where-from
(``status_source``), writes a timeline event, and lets django-auditlog keep the
field-level trail. An illegal move raises ``IllegalTransition``; nothing changes.

The evidence summary (``note_*``, called by ``anpr`` and ``scans``) lives in
``evidence``; duplicate flags in ``flags``; traffic permits in ``permits``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from accounts.models import CustomsOffice, Role, User
from core import uploads
from core.api import field_label
from core.audit import actor
from core.dates import CLOCK_SKEW, format_jalali
from core.errors import FileRejected, IllegalTransition, InvalidInput, NotAllowed, field_messages
from core.text import digits, is_persian, isolate, join_messages, too_long
from notifications.messages import Ident, Message, Name
from notifications.models import Kind as NotificationKind
from notifications.services import inspectors_of, notify

from . import evidence as evidence_summary
from . import hooks, identifiers, idents, selectors
from .arrival_reads import reason_error
from .creation import create_declarations, deadline_for, driver_name_refusals
from .flags import refresh_vehicle_flag
from .import_validation import seal_numbers_problem
from .models import (
    ArrivalConfirmation,
    DeadlineExtension,
    DeclarationEvent,
    RoadDistance,
    RouteTimeLimit,
    Source,
    Status,
    TransitDeclaration,
    UnsettledReason,
)
from .serials import check_settlement, standing_blocks

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "depart": (frozenset({Status.REGISTERED}), Status.IN_TRANSIT),
    "confirm_arrival": (frozenset({Status.IN_TRANSIT}), Status.ARRIVED),
    "settle": (frozenset({Status.ARRIVED, Status.UNSETTLED}), Status.SETTLED),
    "record_unsettled": (frozenset({Status.ARRIVED, Status.UNSETTLED}), Status.UNSETTLED),
    "cancel": (frozenset({Status.REGISTERED}), Status.CANCELLED),
    "close": (frozenset({Status.IN_TRANSIT, Status.UNSETTLED}), Status.CLOSED),
}
# Which office acts: the origin departs and cancels; the destination confirms and settles.
ACTING_OFFICE = {
    "depart": "origin",
    "cancel": "origin",
    "confirm_arrival": "destination",
    "settle": "destination",
    "record_unsettled": "destination",
    "close": None,
    "extend_deadline": "origin",
}
# Actions that are not a status move but follow the same role rule (``can_perform``).
NON_TRANSITIONS: dict[str, frozenset[str]] = {
    "extend_deadline": frozenset({Status.REGISTERED, Status.IN_TRANSIT}),
}


# The times of a declaration's life, as named in a message about them (``check_time``).
TIME_NAMES = {
    "declared_at": pgettext_lazy("a time of the lifecycle", "declaration time"),
    "departed_at": pgettext_lazy("a time of the lifecycle", "departure time"),
    "arrived_at": pgettext_lazy("a time of the lifecycle", "arrival time"),
    "unsettled_at": pgettext_lazy("a time of the lifecycle", "time the reason for not settling was recorded"),
    "settled_at": pgettext_lazy("a time of the lifecycle", "settlement time"),
    "cancelled_at": pgettext_lazy("a time of the lifecycle", "cancellation time"),
    "closed_at": pgettext_lazy("a time of the lifecycle", "closing time"),
    "new_deadline": pgettext_lazy("a time of the lifecycle", "new deadline"),
}
# The time each move sets; a move's time follows every one of ``EARLIER_TIMES`` the declaration has.
MOVE_TIMES = {
    "depart": "departed_at",
    "confirm_arrival": "arrived_at",
    "settle": "settled_at",
    "record_unsettled": "unsettled_at",
    "cancel": "cancelled_at",
    "close": "closed_at",
    "extend_deadline": "new_deadline",
}
EARLIER_TIMES = ("declared_at", "departed_at", "arrived_at", "unsettled_at")


# How an action reads inside an error message ("Cannot <name> declaration X").
ACTION_NAMES = {
    "depart": pgettext_lazy("action in a sentence", "record the departure of"),
    "confirm_arrival": pgettext_lazy("action in a sentence", "confirm the arrival of"),
    "settle": pgettext_lazy("action in a sentence", "settle"),
    "record_unsettled": pgettext_lazy("action in a sentence", "record why it cannot settle"),
    "cancel": pgettext_lazy("action in a sentence", "cancel"),
    "close": pgettext_lazy("action in a sentence", "close"),
    "extend_deadline": pgettext_lazy("action in a sentence", "extend the transit deadline of"),
}


def can_perform(user: User | None, declaration: TransitDeclaration, action: str) -> bool:
    """May this user take this action on this declaration (ignoring its current status)?"""
    if user is None:  # the system itself (ICS import, a task)
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if action == "close":
        # Closing after a judicial case: headquarters or the province's inspector.
        return user.role == Role.INSPECTOR and user.province_id in (
            declaration.origin.province_id,
            declaration.destination.province_id,
        )
    side = ACTING_OFFICE[action]
    office_id = declaration.origin_id if side == "origin" else declaration.destination_id
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id == office_id
    return user.role == Role.INTEGRATION and user.is_national


def allowed_actions(user: User | None, declaration: TransitDeclaration, *, withheld: bool = False) -> list[str]:
    """The moves (and other lifecycle actions, e.g. extending the deadline) this user may make now. Not
    ``settle`` while a block withholds it (``serials.standing_blocks``: the move would be refused), unless
    ``withheld`` (the page shows the settle form, its button off, saying what withholds it)."""
    starts = {action: sources for action, (sources, _to) in TRANSITIONS.items()}
    starts.update(NON_TRANSITIONS)
    return [
        action
        for action, sources in starts.items()
        if declaration.status in sources
        and can_perform(user, declaration, action)
        and not (action == "close" and close_refusal(declaration))
        and not (action == "settle" and not withheld and standing_blocks(declaration))
    ]


def close_refusal(declaration: TransitDeclaration) -> str:
    """Why the declaration cannot be closed now ("" when it can): it is closed after a judicial case, so
    only from where a case can be opened (unsettled, or in transit past its deadline) and only once the
    cases on it ended (``hooks.judicial_case_states``: casework). Its status is checked by ``check_move``."""
    serial = idents.serial_text(declaration.serial)
    if declaration.status == Status.IN_TRANSIT and not declaration.is_overdue():
        return _(
            "Cannot close declaration %(serial)s: it is in transit within its deadline. A declaration is closed "
            "after a judicial case, and a case is opened only when it is unsettled or overdue."
        ) % {"serial": serial}
    states = [state for provider in hooks.judicial_case_states for state in provider(declaration)]
    if not states:
        return _(
            "Cannot close declaration %(serial)s: it has no judicial case. Open the case first; the declaration "
            "is closed when the case's outcome is recorded."
        ) % {"serial": serial}
    if "open" in states:
        return _(
            "Cannot close declaration %(serial)s: its judicial case is still open. Record the case's outcome on "
            "the case's page (it can close the declaration too)."
        ) % {"serial": serial}
    return ""


def can_register(user: User | None, origin: CustomsOffice) -> bool:
    """May this user register a declaration leaving ``origin`` by hand (ICS down, directive point 7)?
    Headquarters for any office; office staff (and an office's integration client) for their own."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id == origin.pk
    return user.role == Role.INTEGRATION and user.is_national


@transaction.atomic
def declaration_register(
    *,
    row: dict[str, str],
    goods: list[dict[str, str]],
    by: User | None,
    source: str | None = None,
    source_ref: str = "",
) -> TransitDeclaration:
    """Register one declaration by hand while ICS is down (directive point 7), or one sent by the ICS
    integration client (a machine account, ``User.is_machine``) through the API.

    Its source (``source`` when given): the integration's API for the integration client, which is ICS
    itself, not a person typing it in while ICS was unavailable; by hand for anyone else.

    ``row`` holds the declaration's columns and ``goods`` one dict per goods line, as text, under the
    import's column names (``importer.COLUMNS``): they are checked by the import's own validator and
    stored by the import's own writer, so a hand-entered declaration is the same as an imported one.
    It starts ``registered``. A bad value raises ``InvalidInput`` naming its column; an origin office
    not the user's raises ``NotAllowed``; nothing is written in either case.
    """

    from .import_validation import RowInvalid, Validator

    if not goods:
        raise InvalidInput(_("A declaration needs at least one goods line."), fields={"goods": "required"})
    rows = [{**row, **line, "status": Status.REGISTERED, "status_at": ""} for line in goods]
    try:
        parsed = Validator(by_hand=True).declaration(0, rows)
    except RowInvalid as exc:  # every bad column, each with its messages
        messages = exc.by_field()
        text = join_messages(f"{field_label(name)}: {message}" for name, said in messages.items() for message in said)
        raise InvalidInput(text, fields={name: said[0] for name, said in messages.items()}, messages=messages) from None
    if not parsed.goods:
        raise InvalidInput(_("A declaration needs at least one goods line."), fields={"goods": "required"})
    if not can_register(by, parsed.origin):
        raise NotAllowed(
            _("You may register only declarations leaving your own office (%(office)s).")
            % {"office": by.office.code if by and by.office else "—"},
            fields={"origin": parsed.origin.code},  # the column to correct
        )
    check_declared_at(parsed.declared_at, parsed.origin)
    if refused := driver_name_refusals([parsed]):  # the typed name, not silently the one on file
        said = refused[parsed.row]
        raise InvalidInput(f"{field_label('driver_name')}: {said}", fields={"driver_name": said})
    if TransitDeclaration.objects.filter(serial=parsed.serial).exists():
        raise InvalidInput(
            _("A declaration with serial %(serial)s is already stored.")
            % {"serial": idents.serial_text(parsed.serial)},
            fields={"serial": "exists"},
        )
    who = (by.get_full_name() or by.username) if by else ""
    integration = by is not None and by.is_machine
    source = source or (Source.API if integration else Source.HAND)
    with actor(by):  # the writer records the creation (one audit entry), attributed to ``by``
        create_declarations(
            [parsed],
            by=by,
            source=source,
            source_ref=(source_ref or who)[:200],
            event_kind="register_integration" if integration else "register",
        )
    declaration = TransitDeclaration.objects.select_related("origin", "destination").get(serial=parsed.serial)
    transaction.on_commit(lambda: selectors.invalidate_for(declaration))
    return declaration


def require_may(by: User | None, declaration: TransitDeclaration, action: str) -> None:
    """``NotAllowed`` (403) unless the user may take ``action`` on the declaration (``can_perform``),
    whatever its status and input: checked first by every transition, and by the pages and the API
    before the request's fields, so a person without the right is told so, not asked to fill a form."""
    if not can_perform(by, declaration, action):
        raise NotAllowed(
            _("You may not %(action)s declaration %(serial)s.")
            % {"action": ACTION_NAMES[action], "serial": idents.serial_text(declaration.serial)}
        )


def check_declared_at(declared_at: dt.datetime, origin: CustomsOffice) -> None:
    """A declaration registered by hand is declared at most ``DECLARATION_MAX_BACKDATE_DAYS`` back, and not
    before what a submitted monthly return of its origin's province (or the nation's) counted
    (``hooks.submitted_returns``): a time 20 months back silently changed returns already sent. Else
    ``InvalidInput`` naming ``declared_at`` with the earliest time it may have, in Jalali. The ICS import,
    the record of truth, is not limited so (it does not come through here)."""
    # On a whole minute (as the time is written), the first one within the limit.
    back = timezone.now() - dt.timedelta(days=settings.DECLARATION_MAX_BACKDATE_DAYS)
    earliest = back.replace(second=0, microsecond=0) + dt.timedelta(minutes=1 if back.second or back.microsecond else 0)
    sent = [found for provider in hooks.submitted_returns if (found := provider(origin.province_id))]
    closing = max(sent, key=lambda found: found.until, default=None)
    if declared_at >= earliest and (closing is None or declared_at >= closing.until):
        return
    persian = is_persian()
    values = {"at": format_jalali(declared_at, persian=persian)}
    if closing is not None and closing.until > earliest:
        message = _(
            "The declaration time (%(at)s) falls in a period whose monthly return was already submitted "
            "(%(return)s): a declaration registered by hand is declared no earlier than %(earliest)s. An older "
            "declaration comes in by the ICS import."
        ) % {**values, "return": closing.label, "earliest": format_jalali(closing.until, persian=persian)}
    else:
        message = _(
            "The declaration time (%(at)s) is too far back: a declaration registered by hand is declared at most "
            "%(days)s days back, no earlier than %(earliest)s. An older declaration comes in by the ICS import."
        ) % {
            **values,
            "days": digits(settings.DECLARATION_MAX_BACKDATE_DAYS),
            "earliest": format_jalali(earliest, persian=persian),
        }
    raise InvalidInput(message, fields={"declared_at": "too far back"})


def check_move(declaration: TransitDeclaration, action: str, by: User | None) -> None:
    """``NotAllowed`` when the user may not make the move (``require_may``), ``IllegalTransition`` when
    the declaration's status does not allow it; the first thing a transition checks, before its own input."""
    require_may(by, declaration, action)
    sources, _target = TRANSITIONS[action]
    if declaration.status not in sources:
        raise IllegalTransition(
            _("Cannot %(action)s declaration %(serial)s: it is %(status)s.")
            % {
                "action": ACTION_NAMES[action],
                "serial": idents.serial_text(declaration.serial),
                "status": declaration.get_status_display(),
            },
            fields={"status": declaration.status},
        )


def _transition(
    declaration: TransitDeclaration,
    action: str,
    *,
    by: User | None,
    at: dt.datetime | None,
    source: str,
    source_ref: str = "",
    message: Message | str = "",
    data: dict | None = None,
    extra: dict | None = None,
    trip: bool = True,
) -> TransitDeclaration:
    """Steps: 1 lock the row; 2 check the move and the right; 3 write; 4 event. Call inside atomic."""
    _sources, target = TRANSITIONS[action]
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    check_move(locked, action, by)
    at = at or timezone.now()
    check_time(locked, action, at, trip=trip)
    locked.status = target
    locked.status_source = source
    locked.status_source_ref = source_ref or (f"{by.get_full_name() or by.username}" if by else "")
    locked.status_changed_at = at
    locked.status_changed_by = by
    fields = ["status", "status_source", "status_source_ref", "status_changed_at", "status_changed_by", "updated_at"]
    for name, value in (extra or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    with actor(by):
        locked.save(update_fields=fields)
    DeclarationEvent.objects.create(
        declaration=locked,
        at=at,
        kind=action,
        actor=by,
        source=source,
        data={**(data or {}), "source_ref": source_ref} if source_ref else (data or {}),
        **DeclarationEvent.message_fields(message or Message(Status(target).label)),
    )
    # A move dated inside a month whose return was already submitted is recorded against it (reports).
    hooks.tell_changes(
        [
            hooks.DeclarationChange(
                declaration_id=locked.pk,
                serial=locked.serial,
                province_id=locked.origin.province_id,
                what=action,
                at=at,
                by_id=by.pk if by else None,
                source=source,
                source_ref=locked.status_source_ref,
                status=target,
            )
        ]
    )
    # Whoever moved it (page, API, import, task), the dashboards of its scopes recount.
    transaction.on_commit(lambda: selectors.invalidate_for(locked))
    declaration.refresh_from_db()
    return locked


def declaration_depart(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
) -> TransitDeclaration:
    """Record the departure. A foreign truck departed by a person passes the traffic-permit gate first
    (Art. 6 note, ``permit_checks.departure_gate``): no valid permit and no waiver, no departure (the
    stop is kept on the timeline). The system (``by`` None: an ICS export reporting what happened) is
    not stopped; the ``permit_missing`` signal shows the truck instead."""
    # The right, then the state, before the time: a declaration already in transit is refused as such (409),
    # not told its new departure time is before its recorded one.
    check_move(declaration, "depart", by)
    at = at or timezone.now()
    gate: dict = {}
    if by is not None and declaration.vehicle_country != "IR":
        from .permit_checks import departure_gate

        check_time(declaration, "depart", at)  # the gate keeps a stop on the timeline: not at a wrong time
        gate = departure_gate(declaration=declaration, by=by, at=at)
    return _depart(declaration=declaration, by=by, at=at, source=source, source_ref=source_ref, data=gate)


def shortest_trip(declaration: TransitDeclaration) -> dt.timedelta:
    """The least time a truck takes from the origin to the destination: ``TRANSIT_MIN_TRIP_MINUTES``,
    or longer where the road distance of the pair is known, driven at the fastest average a loaded
    truck keeps (``PERMIT_MAX_AVG_KMH``) without a stop."""
    km = (
        RoadDistance.objects.filter(
            Q(office_a_id=declaration.origin_id, office_b_id=declaration.destination_id)
            | Q(office_a_id=declaration.destination_id, office_b_id=declaration.origin_id)
        )
        .values_list("km", flat=True)
        .first()
    )
    return trip_floor(km)


def trip_floor(km: int | None) -> dt.timedelta:
    """``shortest_trip`` of a pair whose road distance is ``km`` (None: not known)."""
    shortest = dt.timedelta(minutes=settings.TRANSIT_MIN_TRIP_MINUTES)
    if km and settings.PERMIT_MAX_AVG_KMH > 0:
        shortest = max(shortest, dt.timedelta(hours=km / settings.PERMIT_MAX_AVG_KMH))
    return shortest


def shortest_trips(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], dt.timedelta]:
    """``shortest_trip`` of many (origin id, destination id) pairs in one query (a camera batch's declarations)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    offices = {office for pair in wanted for office in pair}
    km: dict[tuple[int, int], int] = {}
    for a, b, d in RoadDistance.objects.filter(office_a_id__in=offices, office_b_id__in=offices).values_list(
        "office_a_id", "office_b_id", "km"
    ):
        km[(a, b)] = km[(b, a)] = d
    return {pair: trip_floor(km.get(pair)) for pair in wanted}


def _duration_text(value: dt.timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes < 120:
        return _("%(n)s minutes") % {"n": digits(minutes)}
    return _("%(n)s hours") % {"n": digits(minutes // 60)}


def check_time(
    declaration: TransitDeclaration, action: str, at: dt.datetime, *, field: str = "at", trip: bool = True
) -> None:
    """The time of ``action`` keeps the declaration's life in order: not more than ``CLOCK_SKEW`` ahead
    of now (a deadline may be), and not before any time the declaration already has (declared ≤
    departed ≤ arrived ≤ reason recorded ≤ settled or closed); an arrival not sooner after the departure
    than the trip can take (``shortest_trip``). Else ``InvalidInput`` naming ``field``, with the time it
    must follow, Jalali in the reader's digits. Every move calls it, whoever makes it (page, API,
    import, task), before anything is written. ``trip`` False: the arrival comes with a departure whose
    time is not known (an ICS export reporting a registered declaration arrived), nothing to measure."""
    persian = is_persian()
    what = TIME_NAMES[MOVE_TIMES[action]]
    if action != "extend_deadline" and at > timezone.now() + CLOCK_SKEW:
        raise InvalidInput(
            _("The %(what)s (%(at)s) is in the future: it is now %(now)s.")
            % {
                "what": what,
                "at": format_jalali(at, persian=persian),
                "now": format_jalali(timezone.now(), persian=persian),
            },
            fields={field: "in the future"},
        )
    earlier = [(getattr(declaration, name), name) for name in EARLIER_TIMES if getattr(declaration, name)]
    if not earlier:
        return
    # A declaration is declared, at the latest, when it is recorded here. A declaration time stored later
    # than that (up to a day ahead was once taken from an import, since refused) is ordered as that moment:
    # the truck leaves when it leaves, not when the stored time comes; the stored time is kept as recorded.
    recorded = declaration.created_at
    earlier = [(min(t, recorded) if name == "declared_at" and recorded else t, name) for t, name in earlier]
    latest, name = max(earlier, key=lambda pair: pair[0])
    if at < latest:
        raise InvalidInput(
            _("The %(what)s (%(at)s) cannot be before the %(earlier)s (%(earlier_at)s).")
            % {
                "what": what,
                "at": format_jalali(at, persian=persian),  # a year Jalali cannot hold (0120) is quoted as sent
                "earlier": TIME_NAMES[name],
                "earlier_at": format_jalali(latest, persian=persian),
            },
            fields={field: f"before {name}"},
        )
    departed = declaration.departed_at
    if trip and action == "confirm_arrival" and departed and at < departed + (shortest := shortest_trip(declaration)):
        raise InvalidInput(
            _(
                "The %(what)s (%(at)s) is too soon after the %(earlier)s (%(earlier_at)s): "
                "no truck makes this trip in less than %(shortest)s."
            )
            % {
                "what": what,
                "at": format_jalali(at, persian=persian),
                "earlier": TIME_NAMES["departed_at"],
                "earlier_at": format_jalali(departed, persian=persian),
                "shortest": _duration_text(shortest),
            },
            fields={field: "too soon after departed_at"},
        )


@transaction.atomic
def _depart(*, declaration, by, at, source, source_ref, data: dict) -> TransitDeclaration:
    check_time(declaration, "depart", at)  # before its deadline is computed: 9999-12-31 plus hours overflowed
    extra = {"departed_at": at}
    if declaration.deadline is None:
        extra["deadline"] = deadline_for(declaration.origin_id, declaration.destination_id, at)
    result = _transition(
        declaration, "depart", by=by, at=at, source=source, source_ref=source_ref, extra=extra, data=data
    )
    refresh_vehicle_flag([result.vehicle_id])
    # Reads matched before the departure was recorded were judged against a trip counted from the registration.
    if evidence_summary.note_departure(declaration_id=result.pk, at=at, by=by):
        result.refresh_from_db()
        declaration.refresh_from_db()
    return result


@transaction.atomic
def declaration_confirm_arrival(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None = None,
    office: CustomsOffice | None = None,
    seals_intact: bool = True,
    seal_numbers_found: Iterable[str] = (),
    gross_weight_found_kg=None,
    remarks: str = "",
    unseen_reason: str | None = None,
    source: str = Source.USER,
    source_ref: str = "",
    evidence=None,
    departed_with_it: bool = False,
) -> TransitDeclaration:
    """Record the arrival (اعلام وصول). From outside the system it must carry evidence.

    The evidence document is checked by its content (PDF, JPEG or PNG; ``core.uploads``)
    before anything is written, and stored under a random name with its SHA-256.

    The pages and the API ask the person confirming (they pass ``unseen_reason``, empty or not): at an
    office with a plate reader that has no read of the truck (none, or only matches a person rejected)
    they must say why (directive point 4). An import (ICS reports what happened elsewhere) and an
    integration client are not asked (``unseen_reason`` None).

    No sooner after the departure than the trip takes (``check_time``), unless the departure was just
    recorded with it at the same time because its own time is not known (``departed_with_it``: an ICS
    export reporting a registered declaration arrived).
    """
    at = at or timezone.now()
    office = office or declaration.destination
    check_move(declaration, "confirm_arrival", by)
    problem = confirm_arrival_problems(
        declaration=declaration,
        by=by,
        at=at,
        office=office,
        seals_intact=seals_intact,
        seal_numbers_found=seal_numbers_found,
        remarks=remarks,
        unseen_reason=unseen_reason,
        source=source,
        evidence=evidence,
        departed_with_it=departed_with_it,
    )
    if problem is not None:
        raise problem
    seals_found = identifiers.seal_numbers(seal_numbers_found)  # the page's text; the API's list, one seal each
    checked = check_evidence(evidence, field="evidence") if evidence else None
    seen = not office.has_anpr or any(r.counts for r in evidence_summary.gate_reads(declaration, office))
    unseen_reason = (unseen_reason or "").strip()
    result = _transition(
        declaration,
        "confirm_arrival",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        extra={"arrived_at": at},
        trip=not departed_with_it,
        data={"office": office.code, "seals_intact": seals_intact, "seen_at_gate": seen}
        | ({"unseen_reason": unseen_reason} if unseen_reason else {}),
        message=unseen_reason and Message(gettext_noop("Not seen at the gate: %(reason)s"), reason=unseen_reason[:400]),
    )
    confirmation = ArrivalConfirmation(
        declaration=result,
        office=office,
        confirmed_at=at,
        confirmed_by=by,
        seals_intact=seals_intact,
        seal_numbers_found=seals_found,
        gross_weight_found_kg=gross_weight_found_kg,
        remarks=remarks,
        unseen_reason=unseen_reason,
        source=source,
    )
    if checked is not None:
        confirmation.evidence_name = (getattr(evidence, "name", "") or "")[-200:]
        confirmation.evidence_sha256 = checked.sha256
        confirmation.evidence.save(uploads.stored_name(checked.kind), ContentFile(checked.data), save=False)
    try:
        with actor(by):
            confirmation.save()
    except BaseException:
        if confirmation.evidence:
            confirmation.evidence.delete(save=False)
        raise
    refresh_vehicle_flag([result.vehicle_id])
    if by is not None and not seen:
        notify(
            NotificationKind.ARRIVAL_UNSEEN,
            inspectors_of(office.province_id),
            title=Message("%(serial)s", serial=Ident("serial", result.serial)),
            url=reverse("declarations:detail", args=[result.pk]),
            subject=f"declaration:{result.pk}",
            body=Message("%(office)s", office=Name.of(office)),
        )
    return result


def confirm_arrival_problems(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None,
    office: CustomsOffice | None = None,
    seals_intact: bool | None,
    seal_numbers_found: Iterable[str] = (),
    remarks: str = "",
    unseen_reason: str | None = None,
    source: str = Source.USER,
    evidence=None,
    departed_with_it: bool = False,
) -> InvalidInput | None:
    """Every check of an arrival's input at once (the evidence file's content aside: ``check_evidence``),
    as one ``InvalidInput`` giving each field its own message, or None: the page shows them all together,
    each beside its field, rather than one per submit. A value the form could not read is passed as None
    (``at``, ``seals_intact``) and its checks are left out. This runs a query (the gate's plate reads)."""
    office = office or declaration.destination
    problems: list[InvalidInput] = []

    def collect(check, *args, **kwargs) -> None:
        try:
            check(*args, **kwargs)
        except InvalidInput as exc:
            problems.append(exc)

    if at is not None:
        collect(check_time, declaration, "confirm_arrival", at, trip=not departed_with_it)
    seals_found = identifiers.seal_numbers(seal_numbers_found)
    if problem := seal_numbers_problem(seals_found):  # as registration's: none too long, none twice
        problems.append(InvalidInput(problem, fields={"seal_numbers_found": "invalid"}))
    elif seals_intact:
        collect(check_seals_intact, declaration, seals_found)
    if source == Source.OUTSIDE and not evidence:
        problems.append(
            InvalidInput(
                _("An arrival recorded from outside the system needs its evidence document."),
                fields={"evidence": "required"},
            )
        )
    asked = unseen_reason is not None and by is not None and by.role != Role.INTEGRATION
    unseen_reason = (unseen_reason or "").strip()
    reads = [r for r in evidence_summary.gate_reads(declaration, office) if r.counts] if office.has_anpr else []
    # A read that is evidence of arrival (not too early for the route) contradicts «not seen at the gate»: the
    # record could go to court with both. A too-early read leaves the reason to the officer (the page asks it).
    sighting = next((r for r in reads if r.shows_arrival), None)
    if unseen_reason and sighting is not None:
        problems.append(
            InvalidInput(
                _("The plate reader read this truck at the gate on %(at)s: leave «why it was not seen» empty.")
                % {"at": format_jalali(sighting.at, persian=is_persian())},
                fields={"unseen_reason": "read at the gate"},
            )
        )
    elif asked and (short := reason_error(unseen_reason, _("Why the truck was not seen at the gate"))):
        problems.append(InvalidInput(short, fields={"unseen_reason": "too short"}))
    if asked and not unseen_reason:
        seen = not office.has_anpr or bool(reads)
        if not seen:
            problems.append(
                InvalidInput(
                    _("Your office's plate reader has no read of this truck: say why the arrival is confirmed anyway."),
                    fields={"unseen_reason": "required"},
                )
            )
    if error := too_long(unseen_reason, REMARKS_MAX_LENGTH):  # a reason's limit, as the remarks'
        problems.append(InvalidInput(error, fields={"unseen_reason": "too long"}))
    collect(check_remarks, remarks)
    if not problems:
        return None
    if len(problems) == 1:
        return problems[0]
    return InvalidInput(
        " ".join(str(p) for p in problems),
        fields={name: code for p in problems for name, code in p.fields.items()},
        messages={name: msgs for p in problems for name, msgs in field_messages(p).items()},
    )


# The longest remarks on an arrival or a settlement (page and API), as a reason's: kept on the timeline.
REMARKS_MAX_LENGTH = 500


def check_remarks(remarks: str) -> None:
    if error := too_long(remarks or "", REMARKS_MAX_LENGTH):
        raise InvalidInput(error, fields={"remarks": "too long"})


def check_seals_intact(declaration: TransitDeclaration, found: list[str]) -> None:
    """Seals recorded intact must be the declared ones: ``InvalidInput`` naming ``seals_intact`` when the
    numbers found (when any were recorded) differ, saying which."""
    if not found:
        return
    declared = set(identifiers.seal_numbers(declaration.seal_numbers or []))
    missing, extra = sorted(declared - set(found)), sorted(set(found) - declared)
    if not missing and not extra:
        return
    parts = []
    if missing:
        parts.append(_("declared but not found: %(s)s") % {"s": idents.list_separator().join(map(isolate, missing))})
    if extra:
        parts.append(_("found but not declared: %(s)s") % {"s": idents.list_separator().join(map(isolate, extra))})
    raise InvalidInput(
        _("The seals cannot be recorded as intact: the numbers found differ from the declared ones (%(parts)s).")
        % {"parts": ("؛ " if is_persian() else "; ").join(parts)},
        fields={"seals_intact": "numbers differ"},
    )


def check_evidence(file, *, field: str) -> uploads.CheckedFile:
    """An evidence document checked by content (PDF, JPEG, PNG); ``FileRejected`` naming the field otherwise."""
    try:
        return uploads.check_upload(
            file,
            kinds=uploads.DOCUMENT_KINDS,
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_pixels=settings.EVIDENCE_MAX_PIXELS,
            field=field,
        )
    except uploads.UploadRejected as exc:
        raise FileRejected.from_upload(exc, field=field) from exc


@transaction.atomic
def declaration_settle(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
    remarks: str = "",
) -> TransitDeclaration:
    """Settle (تسویه). Refused (``serials.SettlementBlocked``, each block named in ``fields``) while a
    serial discrepancy is open, the scan comparison is escalated, the waybill is duplicated or the arrival
    confirmation recorded broken seals, other seal numbers or a weight beyond the tolerance, unless an
    override covers it (Art. 24 of the anti-smuggling rules: release withheld until resolved). Every door
    (page, API, ICS import) settles through here."""
    at = at or timezone.now()
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    check_move(locked, "settle", by)
    check_time(locked, "settle", at)
    check_remarks(remarks)
    check_settlement(locked)
    return _transition(
        declaration,
        "settle",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        message=remarks,
        extra={"settled_at": at},
    )


@transaction.atomic
def declaration_record_unsettled(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    reason: str,
    note: Message | str = "",
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
) -> TransitDeclaration:
    """Record why an arrived declaration cannot be settled (directive point 8). ``note``: a person's words,
    or a message the system wrote (a proposal accepted, ``detection.proposal_note``), shown in the reader's
    language. On a declaration already unsettled, the same reason with the same words is refused
    (``IllegalTransition``); another is a correction, recorded beside the first."""
    require_may(by, declaration, "record_unsettled")  # the right before the reason
    if reason not in UnsettledReason.values:
        raise InvalidInput(_("Unknown reason '%(reason)s'.") % {"reason": reason}, fields={"reason": reason})
    kept = DeclarationEvent.message_fields(note)
    if reason == UnsettledReason.OTHER and not kept["message"].strip():
        raise InvalidInput(_("Reason 'other' needs an explanation."), fields={"note": "required"})
    text: str = kept["message"]
    at = at or timezone.now()
    # The same reason with the same words again (a form submitted twice) adds nothing: refused, not a second
    # event. Another reason or other words is a correction: a new record, the first kept on the timeline.
    locked = TransitDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if (
        locked.status == Status.UNSETTLED
        and locked.unsettled_reason == reason
        and locked.unsettled_note == text[:500]
        and locked.unsettled_note_msgid == kept["message_msgid"]
    ):
        raise IllegalTransition(
            _(
                "Declaration %(serial)s is already recorded unsettled for this reason (%(reason)s) since %(at)s."
                " To correct it, record another reason or other words; the first stays on the timeline."
            )
            % {
                "serial": idents.serial_text(locked.serial),
                "reason": UnsettledReason(reason).label,
                "at": format_jalali(locked.unsettled_at or locked.updated_at, persian=is_persian()),
            },
            fields={"reason": "already recorded"},
        )
    return _transition(
        declaration,
        "record_unsettled",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        message=Message(UnsettledReason(reason).label),
        data={"reason": reason, "note": text},
        extra={
            "unsettled_reason": reason,
            "unsettled_note": text[:500],
            "unsettled_note_msgid": kept["message_msgid"],
            "unsettled_note_params": kept["params"],
            "unsettled_at": at,
        },
    )


def check_written_reason(by: User | None, text: Message | str, field: str, label) -> None:
    """A person's written reason for a move (cancel, close, extend), refused as the page refuses it
    (``arrival_reads.reason_error``: at least ``NOTE_MIN_LENGTH`` letters or digits), whoever asks (page, API).
    The system's (``by`` None, or an integration account: ICS reporting what was done there) is recorded as it
    came: its words are ICS's, and refusing them would leave the declaration behind ICS."""
    person = by is not None and by.role != Role.INTEGRATION
    if person and isinstance(text, str) and (problem := reason_error(text, str(label))):
        raise InvalidInput(problem, fields={field: "too short"})


@transaction.atomic
def declaration_cancel(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    reason: str,
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
) -> TransitDeclaration:
    require_may(by, declaration, "cancel")  # the right before the reason
    if not reason.strip():
        raise InvalidInput(_("A cancellation needs a reason."), fields={"reason": "required"})
    check_move(declaration, "cancel", by)  # a move refused as such (409) before its reason's words
    check_written_reason(by, reason, "reason", _("Reason for cancelling"))
    at = at or timezone.now()
    return _transition(
        declaration,
        "cancel",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        message=reason,
        extra={"cancelled_at": at},
    )


@transaction.atomic
def declaration_close(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    remarks: Message | str,
    at: dt.datetime | None = None,
    source: str = Source.USER,
) -> TransitDeclaration:
    """Close a declaration whose unsettled or overdue case ended (e.g. a judicial decision). ``remarks``: a
    person's words, or a message wrapping them (a judicial case's outcome), written in the reader's language.

    Refused (``IllegalTransition``, ``close_refusal``) for a declaration in transit within its deadline, and
    for one with no judicial case or with a case still open: whoever asks (page, API, ``case_close``)."""
    require_may(by, declaration, "close")  # the right before the remarks
    if isinstance(remarks, str) and not remarks.strip():
        raise InvalidInput(_("Closing needs remarks on how the case ended."), fields={"remarks": "required"})
    at = at or timezone.now()
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    check_move(locked, "close", by)
    check_time(locked, "close", at)
    refusal = close_refusal(locked)
    if refusal:
        raise IllegalTransition(refusal, fields={"status": locked.status})
    check_written_reason(by, remarks, "remarks", _("How the case ended"))
    return _transition(
        declaration,
        "close",
        by=by,
        at=at,
        source=source,
        message=remarks,
        extra={"closed_at": at},
    )


@transaction.atomic
def declaration_extend_deadline(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    new_deadline: dt.datetime,
    reason: str,
) -> TransitDeclaration:
    """Move the transit deadline later, with a reason (origin office or headquarters; audited), by at
    most the route's allowed time again (``check_extension_limit``)."""
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    require_may(by, locked, "extend_deadline")
    if locked.status not in NON_TRANSITIONS["extend_deadline"]:
        raise IllegalTransition(_("Only a declaration not yet arrived can have its deadline extended."))
    if not reason.strip():
        raise InvalidInput(_("An extension needs a reason."), fields={"reason": "required"})
    if locked.deadline and new_deadline <= locked.deadline:
        raise InvalidInput(
            _("The new deadline must be later than the current one."), fields={"new_deadline": "too early"}
        )
    check_time(locked, "extend_deadline", new_deadline, field="new_deadline")  # none yet: not before it left
    check_extension_limit(locked, new_deadline)
    check_written_reason(by, reason, "reason", _("Reason for the extension"))
    DeadlineExtension.objects.create(
        declaration=locked, old_deadline=locked.deadline, new_deadline=new_deadline, reason=reason, by=by
    )
    locked.deadline = new_deadline
    with actor(by):
        locked.save(update_fields=["deadline", "updated_at"])
    DeclarationEvent.objects.create(
        declaration=locked,
        at=timezone.now(),
        kind="extend_deadline",
        actor=by,
        message=reason,
        data={"new_deadline": new_deadline.isoformat()},
    )
    transaction.on_commit(lambda: selectors.invalidate_for(locked))  # the overdue counts move
    declaration.refresh_from_db()
    return locked


def extension_limit(declaration: TransitDeclaration) -> tuple[dt.datetime, dt.datetime, dt.timedelta]:
    """(from, latest, allowed): one extension gives at most the route's own allowed time
    (``RouteTimeLimit.hours_for``) again, counted from the current deadline, or from now when that has
    passed (an overdue truck held at a closed border gets the trip's time from today, not a deadline
    still in the past); a declaration not yet departed, from the deadline it would get leaving now."""
    allowed = dt.timedelta(hours=RouteTimeLimit.hours_for(declaration.origin_id, declaration.destination_id))
    now = timezone.now()
    start = max(declaration.deadline or now + allowed, now)
    return start, start + allowed, allowed


def check_extension_limit(declaration: TransitDeclaration, new_deadline: dt.datetime) -> None:
    """``InvalidInput`` naming ``new_deadline`` when it is past ``extension_limit``'s latest: a deadline a
    year out took the declaration off the overdue list for a year. Both limits in Jalali."""
    _start, latest, allowed = extension_limit(declaration)
    if new_deadline <= latest:
        return
    persian = is_persian()
    values = {
        "at": format_jalali(new_deadline, persian=persian),
        "latest": format_jalali(latest, persian=persian),
        "allowed": _duration_text(allowed),
    }
    if declaration.deadline:
        message = _(
            "The new deadline (%(at)s) is too late: it must be later than the current deadline (%(current)s) "
            "and no later than %(latest)s. One extension gives at most the route's allowed time (%(allowed)s) "
            "again; extend again when that is not enough."
        ) % {**values, "current": format_jalali(declaration.deadline, persian=persian)}
    else:
        message = (
            _(
                "The new deadline (%(at)s) is too late: it must be no later than %(latest)s. The declaration has "
                "not left yet; its deadline is set at departure, and one extension gives at most the route's "
                "allowed time (%(allowed)s) more."
            )
            % values
        )
    raise InvalidInput(message, fields={"new_deadline": "too late"})
