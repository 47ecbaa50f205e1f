"""Detect why a declaration cannot be settled, and propose the reason with its evidence.

The destination still chooses the reason (``services.declaration_record_unsettled``);
this only proposes what the data shows (directive point 8):

- the same waybill number on another declaration → duplicate waybill;
- a goods serial/IMEI also on another *open* declaration → serial/IMEI mismatch;
- a goods serial marked as IMEI that is not 15 digits or fails its Luhn check digit;
- seal numbers found on arrival differing from the declared ones, or seals not intact;
- gross weight found on arrival differing from the declared total beyond a tolerance;
- a scan comparison judged suspicious and not accepted, or one that could not align the images and
  that the destination escalated on review;
- the latest transport document differing from the declaration (origin, destination, route, goods,
  quantity, weight) → document discrepancy (``transport_docs``);
- serials found on arrival differing from the declared ones while the discrepancy is open (``serials``).

Each check is one indexed query on this declaration's own values (waybill, serials), so
proposing for one declaration stays cheap on a large table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from core.text import truncate_isolated
from notifications.messages import LIST, Ident, Message, Number, Param, joined, render

from . import transport_docs
from .arrival_findings import arrival_findings
from .identifiers import imei_problem, is_imei_shaped
from .models import (
    OPEN_STATUSES,
    GoodsSerial,
    Review,
    TransitDeclaration,
    UnsettledReason,
    Verdict,
)
from .serials import open_discrepancy

MAX_LISTED = 5  # evidence text names at most this many others


@dataclass(frozen=True)
class ProposedReason:
    reason: str  # an UnsettledReason value
    evidence: str  # translated, human-readable
    # The evidence as a message id and parameters: accepted as the reason, the note is
    # kept so and shown in each reader's language (``proposal_note``).
    message: Message | None = None

    @property
    def label(self) -> str:
        return str(UnsettledReason(self.reason).label)


def _proposed(reason: str, message: Message) -> ProposedReason:
    return ProposedReason(reason, render(message), message)


def _listed_message(values, kind: str) -> Param:
    """``_listed`` as a message: at most ``MAX_LISTED`` identifiers of ``kind``, then how many more."""
    values = sorted(values)
    listed = joined([Ident(kind, v) for v in values[:MAX_LISTED]], LIST)
    more = len(values) - MAX_LISTED
    return Message(gettext_noop("%(listed)s and %(n)s more"), listed=listed, n=Number(more)) if more > 0 else listed


def proposal_note(declaration: TransitDeclaration, reason: str, note: str) -> Message | str:
    """The note of a reason recorded on the page: when it is a proposal's evidence as the page offered it
    («Accept this as the reason»: cut to the note's length), the proposal's message, written in each
    reader's language when shown; otherwise the person's own words, as typed. Runs ``propose_reasons``."""
    typed = note.strip()
    if not typed:
        return note
    for p in propose_reasons(declaration):
        if p.message is not None and p.reason == reason and truncate_isolated(p.evidence, 500).strip() == typed:
            return p.message
    return note


def _duplicate_waybill(declaration: TransitDeclaration) -> list[ProposedReason]:
    if not declaration.waybill_no:
        return []
    others = list(
        TransitDeclaration.objects.filter(waybill_no=declaration.waybill_no)
        .exclude(pk=declaration.pk)
        .values_list("serial", flat=True)[: MAX_LISTED + 50]
    )
    if not others:
        return []
    return [
        _proposed(
            UnsettledReason.DUPLICATE_WAYBILL,
            Message(
                gettext_noop("Waybill %(waybill)s is also on declaration(s) %(others)s."),
                waybill=Ident("waybill", declaration.waybill_no),
                others=_listed_message(others, "serial"),
            ),
        )
    ]


def _serials(declaration: TransitDeclaration) -> list[ProposedReason]:
    own = list(GoodsSerial.objects.filter(declaration=declaration).values_list("value", "is_imei"))
    if not own:
        return []
    shared = (
        GoodsSerial.objects.filter(value__in={v for v, _i in own}, declaration__status__in=OPEN_STATUSES)
        .exclude(declaration=declaration)
        .values_list("value", "declaration__serial")
    )
    by_value: dict[str, set[str]] = {}
    for value, serial in shared:
        by_value.setdefault(value, set()).add(serial)
    found: list[Message] = []
    for value in sorted(by_value):
        found.append(
            Message(
                gettext_noop("Goods serial %(value)s is also on open declaration(s) %(others)s."),
                value=Ident("goods_serial", value),
                others=_listed_message(by_value[value], "serial"),
            )
        )
    for value, is_imei in own:
        problem = imei_problem(value) if is_imei else None
        if problem:
            found.append(
                Message(
                    gettext_noop("IMEI %(value)s is not valid: %(problem)s."),
                    value=Ident("goods_serial", value),
                    problem=Message(
                        gettext_noop("fails its check digit")
                        if is_imei_shaped(value)
                        else gettext_noop("not 15 digits")
                    ),
                )
            )
    return [_proposed(UnsettledReason.SERIAL_MISMATCH, message) for message in found]


def _arrival(declaration: TransitDeclaration) -> list[ProposedReason]:
    # The same findings withhold the settlement (``serials.settlement_blocks``): the box and the gate agree.
    return [_proposed(f.reason, f.message) for f in arrival_findings(declaration)]


def _scan(declaration: TransitDeclaration) -> list[ProposedReason]:
    if declaration.comparison_verdict == Verdict.SUSPICIOUS and declaration.comparison_review != Review.ACCEPTED:
        return [
            _proposed(
                UnsettledReason.SCAN_DISCREPANCY,
                Message(gettext_noop("The destination scan differs from the origin scan (comparison suspicious).")),
            )
        ]
    # Images the comparison could not align are no evidence by themselves (awaiting review, nothing is
    # proposed: the settlement waits for that review); escalated, a person found them to differ.
    if declaration.comparison_verdict == Verdict.UNREGISTERED and declaration.comparison_review == Review.ESCALATED:
        return [
            _proposed(
                UnsettledReason.SCAN_DISCREPANCY,
                Message(
                    gettext_noop(
                        "The scan images could not be compared automatically; the destination looked at them and"
                        " escalated the comparison."
                    )
                ),
            )
        ]
    # Escalated by the destination whatever the comparison said (or an earlier comparison, a later scan
    # now current): a person found the scans to differ.
    if declaration.scan_escalated or declaration.comparison_review == Review.ESCALATED:
        return [
            _proposed(
                UnsettledReason.SCAN_DISCREPANCY,
                Message(gettext_noop("The destination escalated a scan comparison of this declaration as suspicious.")),
            )
        ]
    return []


def _transport_document(declaration: TransitDeclaration) -> list[ProposedReason]:
    document = transport_docs.latest(declaration)
    if document is None or not document.differences:
        return []
    return [_proposed(UnsettledReason.DOCUMENT_DISCREPANCY, transport_docs.evidence_message(document))]


def _arrival_serials(declaration: TransitDeclaration) -> list[ProposedReason]:
    current = open_discrepancy(declaration)
    if current is None:
        return []
    return [
        _proposed(
            UnsettledReason.SERIAL_MISMATCH,
            Message(
                gettext_noop(
                    "Serials found on arrival differ: %(missing)s declared not found, %(extra)s found not declared."
                ),
                missing=Number(len(current.missing), grouped=True),
                extra=Number(len(current.extra), grouped=True),
            ),
        )
    ]


def propose_reasons(declaration: TransitDeclaration) -> list[ProposedReason]:
    """Reasons the data supports, most specific evidence first; empty when nothing is found.

    Runs a handful of indexed queries (waybill, serials, arrival, goods weight).
    """
    return [
        *_transport_document(declaration),
        *_duplicate_waybill(declaration),
        *_arrival_serials(declaration),
        *_serials(declaration),
        *_arrival(declaration),
        *_scan(declaration),
    ]
