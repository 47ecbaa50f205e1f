"""What the destination recorded at the arrival confirmation against the declaration: seals reported broken,
seal numbers found differing from the declared ones, a gross weight found beyond the weighbridge tolerance.

One reading for two readers, so that they agree exactly: the reasons proposed on the page («What the data
shows», ``detection``) and the gate on settlement (``serials.settlement_blocks``), where each finding withholds
the release until an override covers it or the declaration is recorded unsettled with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_noop

from notifications.messages import LIST, SENTENCES, Ident, Message, Number, Param, joined

from .models import ArrivalConfirmation, TransitDeclaration, UnsettledReason

# Weighbridges differ; a difference above this share of the declared weight is a discrepancy.
WEIGHT_TOLERANCE = Decimal("0.02")
MAX_LISTED = 5  # seal numbers named in a finding


@dataclass(frozen=True)
class Finding:
    key: str  # seals_broken | seal_numbers | weight
    ref: str  # what exactly, for an override to cover: the key and the arrival confirmation's id
    reason: str  # the UnsettledReason it supports
    message: Message


def _listed(values: set[str]) -> Param:
    ordered = sorted(values)
    listed = joined([Ident("seal", v) for v in ordered[:MAX_LISTED]], LIST)
    more = len(ordered) - MAX_LISTED
    return Message(gettext_noop("%(listed)s and %(n)s more"), listed=listed, n=Number(more)) if more > 0 else listed


def arrival_findings(declaration: TransitDeclaration) -> list[Finding]:
    """The findings of the declaration's arrival confirmation; empty with none recorded. Runs two queries
    (the arrival, the goods' weight when a weight was found)."""
    try:
        arrival = ArrivalConfirmation.objects.get(declaration_id=declaration.pk)
    except ArrivalConfirmation.DoesNotExist:
        return []
    return findings_of(arrival, declaration.seal_numbers, declaration.declared_gross_weight_kg)


# The arrivals that may hold a finding: a filter for counting many at once (the monthly return).
MAY_HOLD_FINDING = Q(seals_intact=False) | Q(gross_weight_found_kg__isnull=False) | ~Q(seal_numbers_found=[])


def findings_of(
    arrival: ArrivalConfirmation, seal_numbers: list | None, declared_weight: Callable[[], Decimal | None]
) -> list[Finding]:
    """``arrival_findings`` from what is already loaded: the declaration's seal numbers, and its declared gross
    weight, asked only when a weight was found."""
    out: list[Finding] = []
    if not arrival.seals_intact:
        out.append(
            Finding(
                "seals_broken",
                f"seals_broken:{arrival.pk}",
                UnsettledReason.SEAL_DISCREPANCY,
                Message(gettext_noop("Seals were reported broken on arrival.")),
            )
        )
    declared = {str(s).strip() for s in seal_numbers or [] if str(s).strip()}
    found = {str(s).strip() for s in arrival.seal_numbers_found or [] if str(s).strip()}
    if found and found != declared:
        parts: list[Param] = []
        if declared - found:
            parts.append(Message(gettext_noop("declared but not found: %(s)s"), s=_listed(declared - found)))
        if found - declared:
            parts.append(Message(gettext_noop("found but not declared: %(s)s"), s=_listed(found - declared)))
        out.append(
            Finding(
                "seal_numbers",
                f"seal_numbers:{arrival.pk}",
                UnsettledReason.SEAL_DISCREPANCY,
                Message(
                    gettext_noop("Seal numbers differ from the declaration (%(parts)s)."),
                    parts=joined(parts, SENTENCES),
                ),
            )
        )
    if arrival.gross_weight_found_kg is None:
        return out
    declared_kg = declared_weight()  # None: none declared, nothing to differ from
    found_kg = Decimal(arrival.gross_weight_found_kg)
    if declared_kg and abs(found_kg - declared_kg) > declared_kg * WEIGHT_TOLERANCE:
        out.append(
            Finding(
                "weight",
                f"weight:{arrival.pk}",
                UnsettledReason.QUANTITY_DISCREPANCY,
                Message(
                    gettext_noop("Gross weight found %(found)s kg, declared %(declared)s kg."),
                    found=Number(found_kg, grouped=True),
                    declared=Number(declared_kg, grouped=True),
                ),
            )
        )
    return out
