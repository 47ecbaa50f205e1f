"""Covered goods (groups الف، ب، ج): goods whose serials (or IMEIs) a declaration must carry from the date
their group became mandatory, and the two summary columns that follow from them.

- ``covered_without_serials``: a goods line under a covered HS prefix, on a declaration dated on or
  after its group's date (Tehran), with no serial;
- ``invalid_imei``: a declared serial that claims to be an IMEI (15 digits) and fails its Luhn check
  digit, or any serial on a line whose covered prefix is identified by IMEI that is not 15 digits.

Both are set when a declaration is written (``goods_flags``, called by ``creation``) and again over the
table when headquarters change the list (``refresh_flags``, a task), so their signals filter the
declarations table alone (``monitoring``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice, Role, User
from core import jobs
from core.audit import actor
from core.dates import TEHRAN, ascii_digits
from core.errors import InvalidInput, NotAllowed
from core.text import too_long

from . import idents, selectors
from .arrival_reads import reason_error
from .identifiers import imei_problem
from .models import (
    CoveredGoods,
    CoveredGroup,
    GoodsItem,
    GoodsSerial,
    Identifier,
    TransitDeclaration,
)


@dataclass(frozen=True)
class Rule:
    prefix: str
    mandatory_from: dt.date
    identifier: str
    group: str

    @property
    def starts(self) -> dt.datetime:
        """The first instant the group is mandatory: midnight in Tehran."""
        return dt.datetime.combine(self.mandatory_from, dt.time(), tzinfo=TEHRAN)


def rules() -> list[Rule]:
    """The covered HS prefixes with their group's date (a small table: one query)."""
    return [
        Rule(c.hs_prefix, c.group.mandatory_from, c.identifier, c.group.name)
        for c in CoveredGoods.objects.select_related("group")
    ]


def rule_for(hs_code: str, table: list[Rule]) -> Rule | None:
    """The covered prefix an HS code falls under (the longest that matches), or None."""
    code = ascii_digits(str(hs_code)).replace(".", "").strip()
    matches = [r for r in table if code.startswith(r.prefix)]
    return max(matches, key=lambda r: len(r.prefix)) if matches else None


def serial_problem(value: str, *, imei_line: bool) -> str | None:
    """Why a declared serial is not a valid IMEI when it must be one (or claims to be), else None."""
    text = ascii_digits(str(value)).strip()
    looks_imei = len(text) == 15 and text.isdigit()
    if looks_imei or imei_line:
        return imei_problem(text)
    return None


def goods_flags(
    declared_at: dt.datetime, goods: Iterable[tuple[str, list[str]]], table: list[Rule]
) -> tuple[bool, bool]:
    """``(covered_without_serials, invalid_imei)`` of one declaration from its goods lines
    ``(hs_code, serials)``: no query (``table`` from ``rules()``)."""
    uncovered = invalid = False
    for hs_code, serials in goods:
        rule = rule_for(hs_code, table)
        if rule is not None and not serials and declared_at >= rule.starts:
            uncovered = True
        imei_line = rule is not None and rule.identifier == Identifier.IMEI
        if any(serial_problem(v, imei_line=imei_line) for v in serials):
            invalid = True
    return uncovered, invalid


def _uncovered_goods(table: list[Rule]):
    cond = Q()
    for r in table:
        cond |= Q(hs_code__startswith=r.prefix, declaration__declared_at__gte=r.starts)
    if not table:
        return GoodsItem.objects.none()
    no_serial = ~Exists(GoodsSerial.objects.filter(goods_item=OuterRef("pk")))
    return GoodsItem.objects.filter(cond).filter(no_serial)


def _bad_shape_on_imei_lines(table: list[Rule]):
    """Serials that are not 15 digits on lines identified by IMEI (``is_imei`` is "15 digits")."""
    prefixes = [r.prefix for r in table if r.identifier == Identifier.IMEI]
    if not prefixes:
        return GoodsSerial.objects.none()
    cond = Q()
    for p in prefixes:
        cond |= Q(goods_item__hs_code__startswith=p)
    return GoodsSerial.objects.filter(cond, is_imei=False)


def _fails_luhn(declaration_ids: Iterable[int]) -> set[int]:
    rows = GoodsSerial.objects.filter(declaration_id__in=list(declaration_ids), is_imei=True).values_list(
        "declaration_id", "value"
    )
    return {d for d, v in rows if imei_problem(v)}


def flagged_by(item: CoveredGoods):
    """The declarations flagged «covered goods without serials» by this prefix alone: those its removal
    clears (a longer or shorter prefix still listed keeps the others flagged)."""
    table = rules()
    rest = [r for r in table if r.prefix != item.hs_prefix]
    still = _uncovered_goods(rest).values("declaration_id")
    return TransitDeclaration.objects.filter(
        covered_without_serials=True, pk__in=_uncovered_goods(table).values("declaration_id")
    ).exclude(pk__in=still)


def refresh_flags(declaration_ids: Iterable[int] | None = None) -> int:
    """Set both columns again from the goods and the current list (all declarations, or these).
    Set-based: two UPDATEs per column; the Luhn check runs in Python only for rows about to be cleared
    (it does not depend on the list). Returns how many rows changed."""
    table = rules()
    decls = TransitDeclaration.objects.all()
    if declaration_ids is not None:
        decls = decls.filter(pk__in=list(declaration_ids))
    changed = 0
    uncovered = _uncovered_goods(table).values("declaration_id")
    changed += (
        decls.filter(covered_without_serials=True).exclude(pk__in=uncovered).update(covered_without_serials=False)
    )
    changed += decls.filter(pk__in=uncovered, covered_without_serials=False).update(covered_without_serials=True)
    bad_shape = _bad_shape_on_imei_lines(table).values("declaration_id")
    changed += decls.filter(pk__in=bad_shape, invalid_imei=False).update(invalid_imei=True)
    to_clear = list(decls.filter(invalid_imei=True).exclude(pk__in=bad_shape).values_list("pk", flat=True))
    keep = _fails_luhn(to_clear)
    changed += TransitDeclaration.objects.filter(pk__in=[p for p in to_clear if p not in keep]).update(
        invalid_imei=False
    )
    # A luhn failure on a declaration not flagged yet (rows written before this column existed).
    if declaration_ids is not None:
        unflagged = list(decls.filter(invalid_imei=False).values_list("pk", flat=True))
        changed += TransitDeclaration.objects.filter(pk__in=_fails_luhn(unflagged)).update(invalid_imei=True)
    if changed:  # a list change moves counts in every scope
        selectors.invalidate_offices(CustomsOffice.objects.values_list("pk", flat=True))
    return changed


# --- headquarters edit the list --------------------------------------------------------------------


def may_edit(user: User | None) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.role == Role.HQ))


def _check(by: User | None) -> None:
    if not may_edit(by):
        raise NotAllowed(_("Only headquarters edit the list of covered goods."))


def _refresh_later() -> None:
    from .tasks import refresh_covered_flags

    jobs.enqueue(refresh_covered_flags)


@transaction.atomic
def group_set_date(*, group: CoveredGroup, mandatory_from: dt.date, by: User | None) -> CoveredGroup:
    _check(by)
    group.mandatory_from = mandatory_from
    with actor(by):
        group.save(update_fields=["mandatory_from", "updated_at"])
    _refresh_later()
    return group


@transaction.atomic
def goods_add(
    *, group: CoveredGroup, hs_prefix: str, description: str, identifier: str, by: User | None
) -> CoveredGoods:
    _check(by)
    prefix = ascii_digits(hs_prefix).replace(".", "").strip()
    if not prefix.isdigit() or not 4 <= len(prefix) <= 10:
        raise InvalidInput(_("An HS code prefix is 4 to 10 digits."), fields={"hs_prefix": hs_prefix})
    if CoveredGoods.objects.filter(hs_prefix=prefix).exists():
        raise InvalidInput(
            _("HS prefix %(p)s is already listed.") % {"p": idents.hs_code_text(prefix)}, fields={"hs_prefix": prefix}
        )
    if identifier not in Identifier.values:
        raise InvalidInput(_("Unknown identifier."), fields={"identifier": identifier})
    if not description.strip():
        raise InvalidInput(_("Describe the goods."), fields={"description": "required"})
    with actor(by):
        item = CoveredGoods.objects.create(
            group=group, hs_prefix=prefix, description=description.strip()[:200], identifier=identifier
        )
    _refresh_later()
    return item


# The longest reason for removing an HS prefix from the list: kept whole with the removal's audit entry.
REMOVAL_REASON_MAX = 500


def removal_reason_error(reason: str) -> tuple[str, str]:
    """(message, code) of what is wrong with the reason for removing a prefix, ("", "") when nothing: required,
    measured as every written reason is (``reason_error``), at most ``REMOVAL_REASON_MAX`` characters."""
    text = (reason or "").strip()
    if not text:
        return _("Say why the HS prefix is removed from the list."), "required"
    if short := reason_error(text, _("reason for removal")):
        return short, "too short"
    if long := too_long(text, REMOVAL_REASON_MAX):
        return long, "too long"
    return "", ""


@transaction.atomic
def goods_remove(*, item: CoveredGoods, by: User | None, reason: str) -> None:
    """Take an HS prefix off the national list, saying why: the reason is kept with the deletion's audit
    entry (``additional_data``), the row itself being gone."""
    _check(by)
    error, code = removal_reason_error(reason)
    if error:
        raise InvalidInput(error, fields={"reason": code})
    item.removal_reason = reason.strip()
    with actor(by):
        item.delete()
    _refresh_later()
