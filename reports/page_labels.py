"""The monthly return's labels, one per figure and one per section (msgids English, Persian in the .po): the page
names each figure and section in the reader's language, and the files (CSV, XLSX, PDF: the official Persian
document) read the same labels in Persian (``in_persian``, through ``labels``), so the page, the files and the
trend chart never word a figure or a section differently.

The figures keep codes (``opening``, ``overdue``, ``d0_7``…), never labels, so they are named when shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from casework.models import MilestoneKind
from declarations import ageing
from declarations.models import UnsettledReason

# The return's sections, as the page and the PDF title them.
SECTIONS = {
    "balance": _("Balance of unsettled declarations"),
    "unsettled_by_reason": _("Unsettled by reason (end of the month)"),
    "unsettled_by_age": _("Unsettled by days past the deadline"),
    "activity": _("Follow-up, cases, inspections and systems"),
    "case_milestones": _("Smuggling cases by statutory milestone"),
    "rules_serials": _("Serials, IMEIs and transport documents"),
    "scan_reuse": _("Reused scans"),
    "foreign_trucks": _("Foreign trucks"),
    "provinces": _("By province (origin office)"),
}

BALANCE = {
    "opening": _("Opening balance (unsettled)"),
    "new": _("New declarations"),
    "settled": _("Settled in the month"),
    "settled_on_time": _("settled on time"),
    "settled_late": _("settled late"),
    "closed_after_case": _("Closed after a judicial case"),
    "cancelled": _("Cancelled"),
    "closing": _("Closing balance (unsettled)"),
}
# The parts of "settled in the month", shown indented under it (a case closed is not one: its own line).
BALANCE_PARTS = frozenset({"settled_on_time", "settled_late"})
REASONS = {
    **dict(UnsettledReason.choices),
    "awaiting_settlement": _("arrived, awaiting settlement"),
    "overdue": _("no arrival by the deadline"),
    "in_transit": _("in transit within the deadline"),
    "not_departed": _("registered, not departed"),
}
AGES = {
    "not_due": _("deadline not passed, or arrived within it"),
    **ageing.LABELS,
    "over_90": _("(of which) over 90 days"),
}
SERIAL_RULES = {
    "serial_discrepancies_opened": _("goods serial discrepancies (found on arrival) in the month"),
    "serial_discrepancies_resolved": _("serial discrepancies resolved in the month"),
    "serial_discrepancies_open_at_end": _("serial discrepancies open at the end of the month"),
    "settlements_blocked_at_end": _("settlements blocked at the end of the month"),
    "settlements_overridden": _("settlements released by an override (in the month)"),
    "document_discrepancies": _("transport document differing from the declaration (in the month)"),
    "covered_without_serials": _("covered goods without serial numbers (the month's declarations)"),
    "invalid_imei": _("invalid IMEI (the month's declarations)"),
}
# Reused scans and their reviews (``returns.scan_reuse``).
SCAN_REUSE = {
    "found": _("scans the same image as another truck's scan (found in the month)"),
    "explained": _("reused scans reviewed and explained (in the month)"),
    "confirmed": _("reused scans reviewed and confirmed (in the month)"),
    "unreviewed_at_end": _("reused scans not reviewed at the end of the month"),
}


def label(labels: dict, key: str) -> str:
    """A code's label; the code itself when it names nothing we know (a return built by an older version)."""
    return str(labels.get(key, key))


# The return's standing (``labels.standing_key``), as its files give it in Persian.
STANDING = {
    "final": _("final (end of the month)"),
    "provisional": _("provisional: the month had not ended"),
}
# The section "cases by milestone" (``returns.case_milestones``): its columns; its rows are the milestone kinds.
MILESTONE_METRICS = {
    "due": _("due in the month"),
    "done": _("done in the month"),
    "done_late": _("done late"),
    "open_at_end": _("open at the end of the month"),
    "overdue_at_end": _("overdue at the end of the month"),
}


# The section "Follow-up and cases", figure by figure, in the files' order (a pair reads «part / whole»).
ACTIVITY = {
    ("letters", "sent"): _("letters sent"),
    ("letters", "answered"): _("letters answered"),
    ("letters", "awaiting_reply_at_end"): _("letters awaiting a reply at the end of the month"),
    ("cases", "opened"): _("judicial cases opened"),
    ("cases", "actions"): _("actions on cases"),
    ("cases", "open_at_end"): _("judicial cases open at the end of the month"),
    ("inspections", "done"): _("inspections done"),
    ("system_problems", "open_at_end"): _("system problems open"),
    ("system_problems", "reported"): _("system problems reported in the month"),
}
PAIRS = {
    ("plate_compliance", "sighted", "arrived"): _("plate evidence of arrival"),
    ("scan_compliance", "origin_scanned_in_time", "departed"): _("origin scans in time"),
    ("scan_compliance", "reviewed", "arrived"): _("destination scans reviewed"),
}
# The same compliance as shares, as the files give them (the page gives the pairs they are the share of): each
# named as its pair, «(share)» after it.
SHARES = {
    ("scan_compliance", "origin_scan_share"): format_lazy(
        "{} ({})", PAIRS["scan_compliance", "origin_scanned_in_time", "departed"], _("share")
    ),
    ("scan_compliance", "review_share"): format_lazy(
        "{} ({})", PAIRS["scan_compliance", "reviewed", "arrived"], _("share")
    ),
    ("plate_compliance", "share"): format_lazy("{} ({})", PAIRS["plate_compliance", "sighted", "arrived"], _("share")),
}
# Each share's pair (part, whole): a share shown to a tenth of a per cent is worked out from them, not from the
# stored share, which is already rounded (0.9355 of 58 / 62 would read 93.6 %, not 93.5 %).
SHARE_OF = {
    ("scan_compliance", "origin_scan_share"): ("origin_scanned_in_time", "departed"),
    ("scan_compliance", "review_share"): ("reviewed", "arrived"),
    ("plate_compliance", "share"): ("sighted", "arrived"),
}
# The rows of the section "cases by milestone": each statutory milestone with its deadline and article.
MILESTONE_KINDS = {
    "confiscation": _("confiscation (value up to the threshold, Art. 3)"),
    "handover": _("goods and person handed over within 24 hours (Art. 4)"),
    "file_property_org": _("file sent to the confiscated-property organisation within 5 working days (Art. 7)"),
    "file_court": _("file sent to the court within 5 working days (Art. 7)"),
    "carrier_fine": _("carrier fine and vehicle seizure (Art. 18)"),
    "payment": _("fine paid within 20 days (Art. 19)"),
    "total": _("total"),
}
FOREIGN_TRUCKS = {
    "permits_issued": _("traffic permits issued"),
    "permits_expired": _("permits expired with the truck inside"),
    "off_route": _("off the permitted route or exit border"),
    "over_driving_time": _("beyond the driving time"),
    "unexplained_stop": _("stopped outside TIR parks, unexplained"),
    "stopped_at_gate": _("stopped at the gate without a valid permit"),
    "departed_on_waiver": _("departed on a waiver"),
}


def headline(f: dict) -> dict[tuple, tuple[str, object]]:
    """Every figure the return's page shows, each under a key of its own: ``{key: (label, value)}``, a
    value a number or a ``(part, whole)`` pair. Two versions of a month compare by it (a section a return
    built before it existed is absent, its figures None)."""
    out: dict[tuple, tuple[str, object]] = {}
    for k in BALANCE:
        out["balance", k] = (label(BALANCE, k), f.get(k))
    for section, labels in (("unsettled_by_reason", REASONS), ("unsettled_by_age", AGES)):
        for k, v in f.get(section, {}).items():
            out[section, k] = (label(labels, k), v)
    for (section, k), text in ACTIVITY.items():
        out[section, k] = (str(text), f.get(section, {}).get(k))
    for (section, part, whole), text in PAIRS.items():
        got = f.get(section, {})
        out[section, part, whole] = (str(text), (got.get(part), got.get(whole)))
    for kind, metrics in f.get("case_milestones", {}).items():
        for m, v in metrics.items():
            out["case_milestones", kind, m] = (f"{_milestone(kind)}: {label(MILESTONE_METRICS, m)}", v)
    for section, labels in (
        ("rules_serials", SERIAL_RULES),
        ("scan_reuse", SCAN_REUSE),
        ("foreign_trucks", FOREIGN_TRUCKS),
    ):
        for k, v in f.get(section, {}).items():
            out[section, k] = (label(labels, k), v)
    return out


def _milestone(kind: str) -> str:
    if kind in MILESTONE_KINDS:
        return str(MILESTONE_KINDS[kind])
    try:
        return str(MilestoneKind(kind).label)
    except ValueError:
        return kind


class InPersian(Mapping[str, str]):
    """A table of labels above read in Persian whatever the request's language: the files' labels. ``indent``:
    keys written indented under the line before (the parts of «settled in the month»)."""

    def __init__(self, labels: Mapping, indent: frozenset[str] = frozenset()):
        self._labels = labels
        self._indent = indent

    def __getitem__(self, key: str) -> str:
        with translation.override("fa"):
            text = str(self._labels[key])
        return "  " + text if key in self._indent else text

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


def in_persian(labels: Mapping, key) -> str:
    """One label of a table above in Persian (a file's)."""
    with translation.override("fa"):
        return str(labels[key])
