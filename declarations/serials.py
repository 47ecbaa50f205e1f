"""Serials found on arrival (Art. 24 of the household-appliance anti-smuggling rules) and the gate they
put on settlement; the IMEI registry checks.

1. The destination records the serials (or tracking IDs, note 2) it finds: ``arrival_serials_record``.
2. They are compared with the declared ones; a difference (missing, extra) opens a
   ``SerialDiscrepancy``. A later count that agrees, or differs otherwise, resolves the open one
   (superseded) with a new record saying so; a person resolves one with ``discrepancy_resolve``.
3. ``settlement_blocks`` lists what withholds the release: an open discrepancy, a suspicious scan
   comparison not yet reviewed or escalated, one that could not align the images and awaits a person's
   look, a duplicate waybill, what the arrival confirmation recorded against the declaration (seals
   broken, other seal numbers, a weight beyond the tolerance: ``arrival_findings``). ``check_settlement`` (called by ``services.declaration_settle``)
   refuses the settlement while one is not covered by a ``SettlementOverride`` (headquarters or the
   inspector of the destination's province, with a reason: ``settlement_override``; the destination's
   staff are notified).

Every step is one transaction, audited (auditlog on the rows, an event on the declaration's timeline).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Role, User
from core.audit import actor
from core.dates import ascii_digits, format_jalali
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import digits, is_persian, isolate
from notifications.messages import LIST, SENTENCES, Ident, Message, Number, Param, joined, render
from notifications.services import Kind, notify, office_staff

from . import hooks, idents, selectors
from .arrival_findings import arrival_findings
from .arrival_reads import reason_error
from .evidence import note_event
from .identifiers import imei_problem, is_imei_shaped, serial_key, serial_problem, typed
from .models import (
    OPEN_STATUSES,
    ArrivalSerial,
    DiscrepancyResolution,
    GoodsSerial,
    ImeiRegistryCheck,
    RegistryResult,
    Review,
    SerialDiscrepancy,
    SerialKind,
    SettlementOverride,
    Source,
    Status,
    TransitDeclaration,
    Verdict,
)

MAX_VALUES = 5000  # serials in one recording (a truck of phones holds a few thousand)
MAX_LISTED = 20  # values named in a timeline message
RECORDING_STATUSES = (Status.ARRIVED, Status.UNSETTLED)


class SettlementBlocked(IllegalTransition):
    """Settlement refused while something withholds the release; ``fields`` names each block."""

    code = "settlement_blocked"


def canonical(value: str) -> str:
    """A serial as compared: ASCII digits, no spaces or dashes, upper case."""
    return serial_key(value)


def parse_values(text: str) -> list[str]:
    """Pasted lines (one value a line, or CSV: the first column), de-duplicated in order."""
    out: dict[str, None] = {}
    for line in ascii_digits(text).replace("\r", "\n").split("\n"):
        first = re.split(r"[,;\t،]", line, maxsplit=1)[0]
        value = canonical(first)
        if value and value.lower() not in ("serial", "imei", "value"):
            out.setdefault(value, None)
    return list(out)


# --- who ------------------------------------------------------------------------------------------


def _is_national(user: User) -> bool:
    return user.is_superuser or user.role == Role.HQ


def require(may, user: User | None, declaration: TransitDeclaration) -> None:
    """NotAllowed (403), saying who may, unless ``may(user, declaration)`` (one of the ``may_*`` below). The API
    checks it before the request's fields: a refused user is not first asked to correct a form."""
    if not may(user, declaration):
        raise NotAllowed(str(REFUSALS[may.__name__]))


def may_record(user: User | None, declaration: TransitDeclaration) -> bool:
    """The destination's staff (and its integration client), or headquarters: as for settling."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if _is_national(user):
        return True
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id == declaration.destination_id
    return user.role == Role.INTEGRATION and user.is_national


def may_override(user: User | None, declaration: TransitDeclaration) -> bool:
    """Headquarters, or the inspector of the destination's province: the hold is on the settlement, which is
    the destination's, so its province's monitoring centre answers for releasing it. The origin province's
    inspector sees the declaration but may not release it (a BZG → THR hold is Tehran's, not West Azerbaijan's)."""
    if user is None or not user.is_active:
        return False
    if _is_national(user):
        return True
    if user.role != Role.INSPECTOR:
        return False
    return bool(user.province_id) and user.province_id == declaration.destination.province_id


def _inspector_of_either(user: User, declaration: TransitDeclaration) -> bool:
    return user.role == Role.INSPECTOR and user.province_id in (
        declaration.origin.province_id,
        declaration.destination.province_id,
    )


def may_resolve(user: User | None, declaration: TransitDeclaration) -> bool:
    """Who records the count may say why a difference is resolved; so may those who may override."""
    return may_record(user, declaration) or may_override(user, declaration)


def may_check_imei(user: User | None, declaration: TransitDeclaration) -> bool:
    """Staff of the origin or destination office, the province's inspector, headquarters."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if _is_national(user) or _inspector_of_either(user, declaration):
        return True
    return user.role == Role.OFFICE and user.office_id in (declaration.origin_id, declaration.destination_id)


REFUSALS = {
    "may_record": gettext_lazy("Only the destination office or headquarters record the serials found on arrival."),
    "may_resolve": gettext_lazy("Only the destination office, the province's inspector or headquarters resolve it."),
    "may_override": gettext_lazy(
        "Only headquarters or the inspector of the destination's province may override a blocked settlement."
    ),
    "may_check_imei": gettext_lazy("Only the origin or destination office, the inspector or headquarters record it."),
}


# --- recording and comparing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    declared: int
    found: int
    missing: list[str]
    extra: list[str]

    @property
    def matches(self) -> bool:
        return not self.missing and not self.extra


def compare(declaration: TransitDeclaration) -> Comparison:
    """Declared serials against every serial found so far (two indexed queries)."""
    declared = {
        canonical(v) for v in GoodsSerial.objects.filter(declaration=declaration).values_list("value", flat=True)
    }
    found = set(ArrivalSerial.objects.filter(declaration=declaration).values_list("value", flat=True))
    return Comparison(len(declared), len(found), sorted(declared - found), sorted(found - declared))


def open_discrepancy(declaration: TransitDeclaration) -> SerialDiscrepancy | None:
    return (
        SerialDiscrepancy.objects.filter(declaration=declaration, resolution__isnull=True)
        .order_by("-opened_at")
        .first()
    )


def _listed(values: list[str]) -> Param:
    """The first ``MAX_LISTED`` serials, in the reader's list separator, and how many more."""
    shown = joined(values[:MAX_LISTED], LIST)
    more = len(values) - MAX_LISTED
    return Message(gettext_noop("%(list)s (+%(more)s)"), list=shown, more=Number(more)) if more > 0 else shown


@transaction.atomic
def arrival_serials_record(
    *,
    declaration: TransitDeclaration,
    values: Iterable[str],
    by: User | None,
    kind: str = SerialKind.SERIAL,
    source: str = Source.USER,
) -> Comparison:
    """Record serials found on arrival and compare all found so far with the declared ones.

    Values already recorded are skipped (a count pasted twice adds nothing). A difference opens a
    discrepancy (the open one, if it says something else, is resolved as superseded by this count);
    agreement resolves the open one. Returns the comparison."""
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    require(may_record, by, locked)
    if locked.status not in RECORDING_STATUSES:
        raise IllegalTransition(
            _("Serials are recorded once the arrival is confirmed; the declaration is %(status)s.")
            % {"status": locked.get_status_display()},
            fields={"status": locked.status},
        )
    if kind not in SerialKind.values:
        raise InvalidInput(_("Unknown kind of identifier."), fields={"kind": kind})
    values = list(values)
    for value in values:
        problem = serial_problem(value)
        if problem and canonical(value):
            raise InvalidInput(problem, fields={"values": "not a serial"})
    wanted = list(dict.fromkeys(canonical(v) for v in values if canonical(v)))
    if not wanted:
        raise InvalidInput(_("Enter at least one serial, one a line."), fields={"values": "required"})
    if len(wanted) > MAX_VALUES:
        raise InvalidInput(
            _("At most %(n)s serials at a time.") % {"n": digits(MAX_VALUES)}, fields={"values": "too many"}
        )
    too_long = [v for v in wanted if len(v) > 40]
    if too_long:
        raise InvalidInput(
            _("A serial is at most 40 characters: '%(v)s'") % {"v": typed(too_long[0])}, fields={"values": "too long"}
        )
    known = set(ArrivalSerial.objects.filter(declaration=locked, value__in=wanted).values_list("value", flat=True))
    new = [v for v in wanted if v not in known]
    # In one statement: a truck of phones is thousands of serials, and a sealed audit entry per row costs
    # milliseconds each. The recording is audited once, by its timeline event (an audited row naming who
    # recorded how many); each row keeps who and when itself.
    ArrivalSerial.objects.bulk_create(
        [ArrivalSerial(declaration=locked, value=v, kind=kind, source=source, recorded_by=by) for v in new],
        batch_size=1000,
    )
    result = compare(locked)
    now = timezone.now()
    current = open_discrepancy(locked)
    same = current is not None and current.missing == result.missing and current.extra == result.extra
    if current is not None and not same:
        reason = (
            _("All declared serials were found on a later count.")
            if result.matches
            else _("Superseded by a later count.")
        )
        with actor(by):
            DiscrepancyResolution.objects.create(discrepancy=current, reason=reason, by=by, superseded=True)
    opened = None
    if not result.matches and not same:
        with actor(by):
            opened = SerialDiscrepancy.objects.create(
                declaration=locked,
                missing=result.missing,
                extra=result.extra,
                found_count=result.found,
                declared_count=result.declared,
                opened_by=by,
            )
    message = Message(
        gettext_noop("%(new)s recorded; %(found)s found of %(declared)s declared."),
        new=Number(len(new), grouped=True),
        found=Number(result.found, grouped=True),
        declared=Number(result.declared, grouped=True),
    )
    note_event(
        declaration_id=locked.pk,
        kind="arrival_serials",
        at=now,
        actor=by,
        source=source,
        message=message,
        data={"recorded": len(new), "kind": kind},
    )
    if opened is not None:
        parts: list[Message] = []
        if result.missing:
            parts.append(Message(gettext_noop("declared but not found: %(s)s"), s=_listed(result.missing)))
        if result.extra:
            parts.append(Message(gettext_noop("found but not declared: %(s)s"), s=_listed(result.extra)))
        note_event(
            declaration_id=locked.pk,
            kind="serial_discrepancy",
            at=now,
            actor=by,
            source=source,
            message=Message(SENTENCES, first=parts[0], rest=joined(parts[1:], SENTENCES))
            if len(parts) > 1
            else parts[0],
            data={"discrepancy": opened.pk, "missing": len(result.missing), "extra": len(result.extra)},
        )
    transaction.on_commit(lambda: selectors.invalidate_for(locked))
    return result


@transaction.atomic
def discrepancy_resolve(*, discrepancy: SerialDiscrepancy, by: User | None, reason: str) -> DiscrepancyResolution:
    """A person says why an open discrepancy is resolved (e.g. a mistyped serial on the declaration,
    confirmed with the origin). The discrepancy is kept as it was; this is a new record."""
    locked = SerialDiscrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    declaration = TransitDeclaration.objects.select_related("origin", "destination").get(pk=locked.declaration_id)
    require(may_resolve, by, declaration)
    if DiscrepancyResolution.objects.filter(discrepancy=locked).exists():
        raise IllegalTransition(_("This discrepancy is already resolved."), fields={"discrepancy": locked.pk})
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the discrepancy is resolved."), fields={"reason": "required"})
    if short := reason_error(reason, _("Why it is resolved")):  # ten dots say nothing, as in any written reason
        raise InvalidInput(short, fields={"reason": "too short"})
    with actor(by):
        resolution = DiscrepancyResolution.objects.create(discrepancy=locked, reason=reason[:500], by=by)
    note_event(
        declaration_id=declaration.pk,
        kind="serial_discrepancy_resolved",
        at=timezone.now(),
        actor=by,
        message=reason[:500],
        data={"discrepancy": locked.pk},
    )
    transaction.on_commit(lambda: selectors.invalidate_for(declaration))
    return resolution


# --- the gate on settlement ---------------------------------------------------------------------------

BLOCK_FIELDS = {
    "serial_discrepancy": "arrival_serials",
    "scan_unreviewed": "comparison_review",
    "scan_unaligned": "comparison_review",
    "scan_escalated": "comparison_review",
    "dup_waybill": "waybill_no",
    "imei_invalid": "goods_serials",
    "serial_shared": "goods_serials",
    "scan_reuse_unreviewed": "scan_reused",
    "scan_reuse_confirmed": "scan_reused",
    # Recorded at the arrival confirmation (``arrival_findings``): its fields.
    "seals_broken": "seals_intact",
    "seal_numbers": "seal_numbers_found",
    "weight": "gross_weight_found_kg",
}
# The blocks the arrival confirmation raised: no page resolves them; an override or a reason recorded.
ARRIVAL_BLOCKS = frozenset({"seals_broken", "seal_numbers", "weight"})
# The declared serials that cannot be right (an IMEI failing its check, a serial on another open declaration):
# no page resolves them either.
SERIAL_BLOCKS = frozenset({"imei_invalid", "serial_shared"})
# The blocks only their own review lifts (a reuse of another truck's scan not yet reviewed: reviewed "before the
# declaration is settled"): an override covers none of them, not even one an earlier override listed.
REVIEW_ONLY_BLOCKS = frozenset({"scan_reuse_unreviewed"})


@dataclass(frozen=True)
class Block:
    # serial_discrepancy | scan_unreviewed | scan_unaligned | scan_escalated | dup_waybill | imei_invalid
    # | serial_shared | scan_reuse_unreviewed
    # | scan_reuse_confirmed
    # | seals_broken | seal_numbers | weight (``arrival_findings``)
    key: str
    ref: str  # what exactly: the discrepancy's id; an override covers this ref
    message: str
    overridden: bool = False
    url: str = ""  # where it is resolved (the scan comparison's viewer), if a page says so

    @property
    def field(self) -> str:
        return BLOCK_FIELDS[self.key]

    @property
    def title(self) -> str:
        return str(BLOCK_TITLES[self.key])

    @property
    def link_label(self) -> str:
        """What ``url`` opens, for its link."""
        if self.key in ("scan_reuse_unreviewed", "scan_reuse_confirmed"):
            return _("Open the reused scan's review")
        return _("Open the scan comparison")


BLOCK_TITLES = {
    "serial_discrepancy": gettext_lazy("Serials found on arrival differ from the declared ones"),
    "scan_unreviewed": gettext_lazy("A suspicious scan comparison awaits review"),
    "scan_unaligned": gettext_lazy("Scans the comparison could not align are waiting for review"),
    "scan_escalated": gettext_lazy("The scan comparison was escalated as suspicious"),
    "dup_waybill": gettext_lazy("The waybill number is on another declaration"),
    "imei_invalid": gettext_lazy("A declared IMEI is not valid"),
    "serial_shared": gettext_lazy("A goods serial/IMEI is on another open declaration"),
    "scan_reuse_unreviewed": gettext_lazy("A reuse of another truck's scan awaits review"),
    "scan_reuse_confirmed": gettext_lazy("A reuse of another truck's scan was confirmed"),
    "seals_broken": gettext_lazy("Seals reported broken on arrival"),
    "seal_numbers": gettext_lazy("Seal numbers found on arrival differ from the declared ones"),
    "weight": gettext_lazy("Gross weight found on arrival differs from the declared weight"),
}


def settlement_blocks(declaration: TransitDeclaration) -> list[Block]:
    """What withholds the release of this declaration, each marked when an override covers it.
    A few indexed queries (the open discrepancy, the overrides)."""
    blocks: list[Block] = []
    current = open_discrepancy(declaration)
    if current is not None:
        blocks.append(
            Block(
                "serial_discrepancy",
                f"serial_discrepancy:{current.pk}",
                _("Serial discrepancy open since %(at)s: %(missing)s declared not found, %(extra)s found not declared.")
                % {
                    "at": format_jalali(current.opened_at, with_time=False, persian=is_persian()),
                    "missing": digits(len(current.missing)),
                    "extra": digits(len(current.extra)),
                },
            )
        )
    # The destination reviews a suspicious comparison before it settles (the summary is suspicious and
    # pending while any current view is); escalated, it records why it cannot settle instead (the escalated
    # comparison is the scans app's block: it stands after a later scan, ``hooks.settlement_blocks``).
    if declaration.comparison_verdict == Verdict.SUSPICIOUS and declaration.comparison_review == Review.PENDING:
        blocks.append(
            Block(
                "scan_unreviewed",
                "scan_unreviewed",
                _("The scan comparison is suspicious and not yet reviewed: review it before settling."),
                url=comparison_url(declaration),
            )
        )
    # One that could not align the images has no verdict: the destination looks at them itself first.
    if declaration.comparison_verdict == Verdict.UNREGISTERED and declaration.comparison_review == Review.PENDING:
        blocks.append(
            Block(
                "scan_unaligned",
                "scan_unaligned",
                _("The scan images could not be compared automatically: review them before settling."),
                url=comparison_url(declaration),
            )
        )
    if declaration.dup_waybill:
        blocks.append(
            Block(
                "dup_waybill",
                f"dup_waybill:{declaration.waybill_no}",
                _("Waybill %(w)s is also on another declaration.") % {"w": idents.waybill_text(declaration.waybill_no)},
            )
        )
    # The declared serials (DESIGN: an IMEI has 15 digits and its check digit; a serial is on one open
    # declaration): read only when the summary flags them.
    if declaration.invalid_imei or declaration.dup_goods_serial:
        blocks.extend(goods_serial_blocks(declaration))
    # What the destination recorded at the arrival confirmation: broken seals, other seal numbers, a weight
    # beyond the tolerance. The same findings the page proposes as the reason not to settle.
    blocks.extend(Block(f.key, f.ref, render(f.message)) for f in arrival_findings(declaration))
    # A higher app's blocks (scans: each comparison escalated, current or not, a later scan lifting none of them;
    # a reuse of another truck's scan not yet reviewed or confirmed, per scan).
    for provider in hooks.settlement_blocks:
        blocks.extend(provider(declaration))
    if not blocks:
        return []
    covered = {ref for o in SettlementOverride.objects.filter(declaration=declaration) for ref in o.covers}
    return [Block(b.key, b.ref, b.message, b.ref in covered and b.key not in REVIEW_ONLY_BLOCKS, b.url) for b in blocks]


def goods_serial_blocks(declaration: TransitDeclaration) -> list[Block]:
    """Each declared IMEI that is not one (15 digits, its check digit) and each goods serial/IMEI also on
    another open declaration, named (and the other declarations by serial): as ``detection`` proposes them as
    the reason not to settle. Two indexed queries."""
    own = dict(GoodsSerial.objects.filter(declaration=declaration).order_by("value").values_list("value", "is_imei"))
    blocks: list[Block] = []
    for value, is_imei in own.items():
        if is_imei and imei_problem(value):
            blocks.append(
                Block(
                    "imei_invalid",
                    f"imei_invalid:{value}",
                    _("IMEI %(value)s is not valid: %(problem)s.")
                    % {
                        "value": idents.goods_serial_text(value),
                        "problem": _("fails its check digit") if is_imei_shaped(value) else _("not 15 digits"),
                    },
                )
            )
    if not declaration.dup_goods_serial or not own:
        return blocks
    others: dict[str, set[str]] = {}
    for value, serial in (
        GoodsSerial.objects.filter(value__in=list(own), declaration__status__in=OPEN_STATUSES)
        .exclude(declaration=declaration)
        .values_list("value", "declaration__serial")
    ):
        others.setdefault(value, set()).add(serial)
    for value in sorted(others):
        blocks.append(
            Block(
                "serial_shared",
                f"serial_shared:{value}",
                _("Goods serial %(value)s is also on open declaration(s) %(others)s.")
                % {
                    "value": idents.goods_serial_text(value),
                    "others": idents.list_separator().join(idents.serial_text(s) for s in sorted(others[value])),
                },
            )
        )
    return blocks


def comparison_url(declaration: TransitDeclaration) -> str:
    """Where the scan comparison withholding the settlement is viewed and reviewed (``hooks.comparison_links``)."""
    for link in hooks.comparison_links:
        url = link(declaration)
        if url:
            return url
    return ""


def standing_blocks(declaration: TransitDeclaration) -> list[Block]:
    """The blocks no override covers: while any stands, settling is refused (``check_settlement``)."""
    return [b for b in settlement_blocks(declaration) if not b.overridden]


# What may be done about a discrepancy recorded at arrival: the page's notice and the refusal say it, naming the
# province whose inspector may release it (the destination's, ``may_override``).
ARRIVAL_WAY_FORWARD = gettext_lazy(
    "Headquarters or the inspector of %(province)s province may release the settlement with a written reason;"
    " otherwise record why the declaration cannot be settled."
)
# The same once why it cannot be settled is recorded (unsettled): it is not asked for again.
RECORDED_WAY_FORWARD = gettext_lazy(
    "Headquarters or the inspector of %(province)s province may release the settlement with a written reason."
)


def way_forward(declaration: TransitDeclaration) -> str:
    """What may be done about a block no page resolves: an override, or (until one is) recording why it cannot be
    settled; once recorded, the reason recorded, and the override alone."""
    province = {"province": declaration.destination.province.name}
    if declaration.status == Status.UNSETTLED and declaration.unsettled_reason:
        return f"{unsettled_recorded(declaration)} {RECORDED_WAY_FORWARD % province}"
    return str(ARRIVAL_WAY_FORWARD % province)


def unsettled_recorded(declaration: TransitDeclaration) -> str:
    """That why the declaration cannot be settled is recorded: which reason, when and by whom (one query: the
    event that recorded it), in the reader's language."""
    from .models import DeclarationEvent

    event = (
        DeclarationEvent.objects.filter(declaration_id=declaration.pk, kind="record_unsettled")
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    by = event.actor if event is not None else None
    return _("Why it cannot be settled is recorded: %(reason)s, on %(at)s by %(by)s.") % {
        "reason": declaration.get_unsettled_reason_display(),
        "at": format_jalali(declaration.unsettled_at, persian=is_persian()) if declaration.unsettled_at else "—",
        # No person: where it came from («ICS export», «demo data»), not a dash.
        "by": isolate(by.get_full_name() or by.username, "auto")
        if by is not None
        else (event.get_source_display() if event is not None else "—"),
    }


def check_settlement(declaration: TransitDeclaration) -> None:
    """``SettlementBlocked`` naming each block not covered by an override; call inside the transaction."""
    standing = standing_blocks(declaration)
    if standing:
        why = [b.message for b in standing]
        if any(b.key in ARRIVAL_BLOCKS | SERIAL_BLOCKS for b in standing):
            why.append(way_forward(declaration))
        raise SettlementBlocked(
            _("Settlement of %(serial)s is blocked until resolved: %(why)s")
            % {"serial": idents.serial_text(declaration.serial), "why": " ".join(why)},
            fields={b.field: b.message for b in standing},
            messages={b.field: [b.message] for b in standing},
        )


@transaction.atomic
def settlement_override(*, declaration: TransitDeclaration, by: User | None, reason: str) -> SettlementOverride:
    """Release the settlement despite the blocks standing now (not one that appears later)."""
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    require(may_override, by, locked)
    if locked.status not in (Status.ARRIVED, Status.UNSETTLED):
        raise IllegalTransition(
            _("Only an arrived declaration awaiting settlement can have its block overridden."),
            fields={"status": locked.status},
        )
    left = [b for b in settlement_blocks(locked) if not b.overridden]
    if not left:
        raise IllegalTransition(_("Nothing blocks the settlement of this declaration."), fields={"blocks": "none"})
    standing = [b for b in left if b.key not in REVIEW_ONLY_BLOCKS]
    if not standing:
        raise IllegalTransition(
            _("An override cannot release this settlement: the reuse of another truck's scan must be reviewed first."),
            fields={"blocks": "review only"},
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("An override needs a reason."), fields={"reason": "required"})
    if short := reason_error(reason, _("Reason for releasing the settlement")):  # ten dots say nothing
        raise InvalidInput(short, fields={"reason": "too short"})
    with actor(by):
        override = SettlementOverride.objects.create(
            declaration=locked, covers=[b.ref for b in standing], reason=reason[:500], by=by
        )
    note_event(
        declaration_id=locked.pk,
        kind="settlement_override",
        at=timezone.now(),
        actor=by,
        message=Message(
            gettext_noop("Released: %(blocks)s. Reason: %(reason)s"),
            blocks=joined([Message(BLOCK_TITLES[b.key]) for b in standing], LIST),
            reason=reason[:500],
        ),
        data={"covers": override.covers},
    )
    # The destination's staff settle it: they are told the hold is lifted, and why.
    notify(
        Kind.SETTLEMENT_RELEASED,
        office_staff(locked.destination_id),
        title=Message(
            gettext_noop("Settlement of %(serial)s released: your office may settle it"),
            serial=Ident("serial", locked.serial),
        ),
        body=reason[:500],
        url=reverse("declarations:detail", args=[locked.pk]) + "#settlement-blocks",
        subject=f"settlement-override:{override.pk}",
    )
    return override


def released_titles(covers: Iterable[str]) -> list[str]:
    """What an override released, by each block's short label (a ref is its block's key, then ``:`` and
    what exactly), in the order covered."""
    keys = dict.fromkeys(ref.split(":", 1)[0] for ref in covers)
    return [str(BLOCK_TITLES[k]) for k in keys if k in BLOCK_TITLES]


# --- IMEI registry ------------------------------------------------------------------------------------


@transaction.atomic
def imei_check_record(
    *,
    declaration: TransitDeclaration,
    imei: str,
    result: str,
    checked_on: dt.date,
    by: User | None,
    reference: str = "",
) -> ImeiRegistryCheck:
    """The registry's answer for one declared IMEI, and when it was asked."""
    declaration = TransitDeclaration.objects.select_related("origin", "destination").get(pk=declaration.pk)
    require(may_check_imei, by, declaration)
    value = canonical(imei)
    if not GoodsSerial.objects.filter(declaration=declaration, value=value).exists():
        raise InvalidInput(_("IMEI %(v)s is not declared on this declaration.") % {"v": value}, fields={"imei": value})
    if result not in RegistryResult.values:
        raise InvalidInput(_("Unknown registry result."), fields={"result": result})
    if checked_on > timezone.localdate():
        raise InvalidInput(_("The check date is in the future."), fields={"checked_on": str(checked_on)})
    with actor(by):
        check = ImeiRegistryCheck.objects.create(
            declaration=declaration, imei=value, result=result, checked_on=checked_on, reference=reference[:100], by=by
        )
    note_event(
        declaration_id=declaration.pk,
        kind="imei_check",
        at=timezone.now(),
        actor=by,
        message=Message(
            gettext_noop("%(imei)s: %(result)s"),
            imei=Ident("imei", value),
            result=Message(RegistryResult(result).label),
        ),
        data={"imei": value, "result": result, "checked_on": checked_on.isoformat()},
    )
    return check


def panel(user: User, declaration: TransitDeclaration) -> dict:
    """The declaration page's serials section: what was found, the discrepancies, the blocks, the checks."""
    discrepancies = list(
        SerialDiscrepancy.objects.filter(declaration=declaration)
        .select_related("opened_by", "resolution__by")
        .order_by("-opened_at", "-id")[:20]
    )
    blocks = settlement_blocks(declaration) if declaration.status in (Status.ARRIVED, Status.UNSETTLED) else []
    found = ArrivalSerial.objects.filter(declaration=declaration)
    declared = GoodsSerial.objects.filter(declaration=declaration)
    declared_count = declared.count()
    return {
        "declared_serials": declared_count,
        "arrival_found": found.count(),
        "arrival_sample": list(found.order_by("id").values_list("value", flat=True)[:10]),
        "discrepancies": discrepancies,
        "settlement_blocks": blocks,
        "blocks_standing": [b for b in blocks if not b.overridden],
        "arrival_blocks_standing": any(b.key in ARRIVAL_BLOCKS | SERIAL_BLOCKS and not b.overridden for b in blocks),
        "arrival_way_forward": way_forward(declaration)
        if any(b.key in ARRIVAL_BLOCKS | SERIAL_BLOCKS for b in blocks)
        else "",
        "overrides": [
            (o, released_titles(o.covers))
            for o in SettlementOverride.objects.filter(declaration=declaration).select_related("by")
        ],
        "override_releases": [b.title for b in blocks if not b.overridden and b.key not in REVIEW_ONLY_BLOCKS],
        "override_keeps": [b for b in blocks if b.key in REVIEW_ONLY_BLOCKS],
        # Asked for only where there is something to compare: serials, IMEIs or tracking IDs declared, or
        # covered goods declared without them (finding some is the point). Goods declared with none are not
        # asked for «0 found of 0 declared»; the API still takes what a destination finds on them.
        "may_record_serials": declaration.status in RECORDING_STATUSES
        and bool(declared_count or declaration.covered_without_serials)
        and may_record(user, declaration),
        "may_resolve": may_resolve(user, declaration),
        "may_override": any(not b.overridden and b.key not in REVIEW_ONLY_BLOCKS for b in blocks)
        and may_override(user, declaration),
        "imei_checks": list(ImeiRegistryCheck.objects.filter(declaration=declaration).select_related("by")),
        "may_check_imei": bool(declared_count)
        and may_check_imei(user, declaration)
        and declared.filter(is_imei=True).exists(),
    }
