"""Smuggling cases as the executive regulation of the smuggling law sets them: the valuation of the
goods (Art. 2), the confiscation-only threshold (Art. 3) and the statutory clocks (Arts. 4, 7, 18, 19).

- ``case_value``: a valuation record (a correction is a new record naming the one it corrects);
  the case's value becomes the sum of its current valuations and its milestones follow it.
- ``sync_milestones``: the milestones the value calls for, due on the working-day calendar
  (``core.workdays``), created once; those a revaluation no longer calls for are waived.
- ``milestone_done``: a person records a step with its evidence; the carrier's fine opens the
  payment clock.
- ``milestones_run``: the hourly job; each overdue milestone is told once to the responsible
  office and the province's inspectors, and noted on the declaration's timeline.

The figures of the regulation are constants here, not settings: they change with the law.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core import currencies, text
from core.audit import actor
from core.dates import TEHRAN, format_jalali
from core.errors import IllegalTransition, InvalidInput
from core.workdays import add_working_days, is_working_day
from declarations import evidence, idents, services
from declarations.arrival_reads import reason_error
from notifications.messages import Ident, Message, Number, When
from notifications.services import Kind, inspectors_of, notify, office_staff

from .models import EXPORTERS_RATE_SOURCE as EXPORTERS_RATE_SOURCE  # Art. 2: stored when a valuation names none
from .models import (
    MILESTONE_ARTICLE,
    CaseMilestone,
    CaseStatus,
    CaseValuation,
    JudicialCase,
    MilestoneKind,
    ValuationKind,
)
from .services import field_label, may_handle_case

CONFISCATION_ONLY_MAX_RIAL = Decimal(10_000_000)  # Art. 3: up to this value, confiscation only
HANDOVER_HOURS = 24  # Art. 4: goods and person handed over within 24 hours
FILE_WORKING_DAYS = 5  # Art. 7: the file to the organisation and to the court within 5 working days
CARRIER_FINE_MAX_MULTIPLE = 2  # Art. 18: the carrier's fine is at most twice the value
PAYMENT_DAYS = 20  # Art. 19: the fine is paid within 20 days


def _amount(value, field: str, *, positive: bool = False, required: bool = True, model=CaseValuation) -> Decimal | None:
    """``value`` as a number for ``model``'s ``field`` (a valuation's, by default); InvalidInput on that
    field, naming it by its label."""
    label = field_label(model, field)
    if value in (None, ""):
        if required:
            raise InvalidInput(_("%(field)s is required.") % {"field": label}, fields={field: "required"})
        return None
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s is not a number.") % {"field": label}, fields={field: str(value)}) from None
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise InvalidInput(_("%(field)s must be a positive number.") % {"field": label}, fields={field: str(value)})
    return d


def compute_value(
    kind: str,
    *,
    foreign_amount: Decimal | None = None,
    exchange_rate: Decimal | None = None,
    duties: Decimal = Decimal(0),
    commercial_profit: Decimal = Decimal(0),
    fees: Decimal = Decimal(0),
    wholesale_price: Decimal | None = None,
) -> Decimal:
    """The rial value of Art. 2, rounded half-up to whole rials.

    import: CIF × exporters' rate + customs duties + commercial profit + fees; export: the
    wholesale price in the nearest domestic market; currency seized: amount × its own rate."""
    if kind == ValuationKind.EXPORT:
        raw = Decimal(wholesale_price or 0)
    elif kind == ValuationKind.CURRENCY:
        raw = Decimal(foreign_amount or 0) * Decimal(exchange_rate or 0)
    else:
        raw = (
            Decimal(foreign_amount or 0) * Decimal(exchange_rate or 0)
            + Decimal(duties)
            + Decimal(commercial_profit)
            + Decimal(fees)
        )
    return raw.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def discovery_at(case: JudicialCase) -> dt.datetime:
    """When the goods were found; a case recorded without it: the start of its opening day."""
    return case.discovered_at or dt.datetime.combine(case.opened_on, dt.time(), tzinfo=TEHRAN)


def discovery_day(case: JudicialCase) -> dt.date:
    return discovery_at(case).astimezone(TEHRAN).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """A clock "within N days" runs to the end of its last day, Tehran time."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TEHRAN)


def current_valuations(case: JudicialCase):
    return case.valuations.filter(corrected_by__isnull=True)


# --- valuation ------------------------------------------------------------------------------------


def _new_valuation(
    case: JudicialCase,
    *,
    by: User | None,
    kind: str,
    foreign_amount=None,
    currency: str = "",
    exchange_rate=None,
    rate_source: str = "",
    rate_date: dt.date | None = None,
    duties=0,
    commercial_profit=0,
    fees=0,
    wholesale_price=None,
    market: str = "",
    corrects: CaseValuation | None = None,
    reason: str = "",
) -> CaseValuation:
    """Check the inputs the kind needs and store the record. Call inside atomic, the case locked."""
    if kind not in ValuationKind.values:
        raise InvalidInput(_("Unknown valuation kind '%(kind)s'.") % {"kind": kind}, fields={"kind": kind})
    v = CaseValuation(case=case, kind=kind, valued_by=by, corrects=corrects, reason=reason.strip()[:500])
    day = discovery_day(case)
    if kind in (ValuationKind.IMPORT, ValuationKind.CURRENCY):
        v.foreign_amount = _amount(foreign_amount, "foreign_amount", positive=True)
        v.exchange_rate = _amount(exchange_rate, "exchange_rate", positive=True)
        v.currency = currencies.check_currency(currency)
        assert v.exchange_rate is not None  # required: ``_amount`` refused an empty one
        currencies.check_rate(v.currency, v.exchange_rate)
        v.rate_source = (rate_source or "").strip()[:200]
        if not v.rate_source:
            raise InvalidInput(_("Name the source of the exchange rate."), fields={"rate_source": "required"})
        v.rate_date = rate_date or day
        # Art. 2: the rate of the day the goods were found, whenever the valuation is made.
        if v.rate_date != day:
            raise InvalidInput(
                _("The exchange rate must be that of the discovery day (%(day)s).")
                % {"day": format_jalali(day, with_time=False, persian=text.is_persian())},
                fields={"rate_date": str(v.rate_date)},
            )
    if kind == ValuationKind.IMPORT:
        v.duties = _amount(duties or 0, "duties") or Decimal(0)
        v.commercial_profit = _amount(commercial_profit or 0, "commercial_profit") or Decimal(0)
        v.fees = _amount(fees or 0, "fees") or Decimal(0)
    if kind == ValuationKind.EXPORT:
        v.wholesale_price = _amount(wholesale_price, "wholesale_price", positive=True)
        v.market = (market or "").strip()[:200]
        if not v.market:
            raise InvalidInput(_("Name the nearest domestic market of the price."), fields={"market": "required"})
        v.rate_date = day
    v.value = compute_value(
        kind,
        foreign_amount=v.foreign_amount,
        exchange_rate=v.exchange_rate,
        duties=v.duties,
        commercial_profit=v.commercial_profit,
        fees=v.fees,
        wholesale_price=v.wholesale_price,
    )
    with actor(by):
        v.save()
    return v


@transaction.atomic
def case_value(
    *, case: JudicialCase, by: User | None, corrects: CaseValuation | None = None, reason: str = "", **inputs
):
    """Record a valuation of the case (or a correction of one) and bring its value and its milestones
    up to date. ``inputs``: those of ``_new_valuation`` (kind, foreign_amount, currency, …)."""
    case = (
        JudicialCase.objects.select_for_update()
        .select_related("declaration__origin", "declaration__destination")
        .get(pk=case.pk)
    )
    if case.status != CaseStatus.OPEN:
        raise IllegalTransition(_("Case %(n)s is closed.") % {"n": idents.case_number_text(case.file_number)})
    if not may_handle_case(by, case.declaration):
        raise services.NotAllowed(_("You may not value this case."))
    if corrects is not None:
        corrects = CaseValuation.objects.select_for_update().get(pk=corrects.pk)
        if corrects.case_id != case.pk:
            raise InvalidInput(_("That valuation belongs to another case."), fields={"corrects": str(corrects.pk)})
        if corrects.corrected_by.exists():
            raise IllegalTransition(_("That valuation was already corrected; correct the newer one."))
        if not reason.strip():
            raise InvalidInput(_("Say why the valuation is corrected."), fields={"reason": "required"})
        if short := reason_error(reason, _("reason for the correction")):  # ten dots say nothing
            raise InvalidInput(short, fields={"reason": "too short"})
    valuation = _new_valuation(case, by=by, corrects=corrects, reason=reason, **inputs)
    _revalue(case, by)
    evidence.note_event(
        declaration_id=case.declaration_id,
        kind="case_valued",
        at=timezone.now(),
        actor=by,
        message=Message(
            gettext_noop("Case %(n)s valued at %(v)s rial"),
            n=Ident("case", case.file_number),
            v=Number(case.goods_value, grouped=True),
        ),
        data={"case": case.pk, "valuation": valuation.pk},
    )
    return valuation


def _revalue(case: JudicialCase, by: User | None) -> None:
    total = current_valuations(case).aggregate(t=Sum("value"))["t"] or Decimal(0)
    case.goods_value = total
    with actor(by):
        case.save(update_fields=["goods_value"])
    sync_milestones(case, by=by)


# --- milestones -----------------------------------------------------------------------------------


def milestone_plan(case: JudicialCase) -> dict[str, dt.datetime | None]:
    """The milestones the case's value calls for, with their due times (None: no clock).

    Up to the threshold: confiscation only (Art. 3). Above it: the hand-over within 24 hours
    (Art. 4), the files to the confiscated-property organisation and to the court within five
    working days of the discovery (Art. 7), and the carrier's fine and the vehicle (Art. 18)."""
    if case.goods_value <= CONFISCATION_ONLY_MAX_RIAL:
        return {MilestoneKind.CONFISCATION: None}
    found = discovery_at(case)
    file_due = end_of_day(add_working_days(discovery_day(case), FILE_WORKING_DAYS))
    return {
        MilestoneKind.HANDOVER: found + dt.timedelta(hours=HANDOVER_HOURS),
        MilestoneKind.FILE_PROPERTY_ORG: file_due,
        MilestoneKind.FILE_COURT: file_due,
        MilestoneKind.CARRIER_FINE: None,
    }


def sync_milestones(case: JudicialCase, *, by: User | None = None) -> list[CaseMilestone]:
    """Create the milestones the plan calls for and waive the pending ones it no longer does. Call
    inside atomic. A milestone already met stays as it is: it is evidence of what was done."""
    now = timezone.now()
    plan = milestone_plan(case)
    live = {m.kind: m for m in case.milestones.live()}
    for kind, m in live.items():
        needed = kind in plan or (kind == MilestoneKind.PAYMENT and MilestoneKind.CARRIER_FINE in plan)
        if not needed and m.done_at is None:
            why = Message(
                gettext_noop("The value is now %(v)s rial: no longer owed."), v=Number(case.goods_value, grouped=True)
            )
            with actor(by):
                m.save(update_fields=m.waive(now, why))
    created = []
    for kind, due in plan.items():
        if kind not in live:
            with actor(by):
                created.append(
                    CaseMilestone.objects.create(case=case, kind=kind, article=MILESTONE_ARTICLE[kind], due_at=due)
                )
    return created


def payment_due(fine_on: dt.date) -> dt.datetime:
    """Art. 19: twenty days from the fine; a last day that is not a working day moves to the next."""
    day = fine_on + dt.timedelta(days=PAYMENT_DAYS)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return end_of_day(day)


@transaction.atomic
def milestone_done(
    *,
    milestone: CaseMilestone,
    by: User | None,
    evidence_note: str,
    done_at: dt.datetime | None = None,
    amount=None,
    vehicle_seized: bool = False,
) -> CaseMilestone:
    """Record that a statutory step was taken, with its evidence (the letter's number, the receipt …).

    The carrier's fine (Art. 18) needs its amount, at most twice the case's value; recording it
    opens the payment clock (Art. 19). The payment needs the sum paid."""
    m = (
        CaseMilestone.objects.select_for_update()
        .select_related("case__declaration__origin", "case__declaration__destination")
        .get(pk=milestone.pk)
    )
    case = m.case
    if m.waived_at is not None:
        raise IllegalTransition(_("This milestone is no longer owed."))
    if m.done_at is not None:
        raise IllegalTransition(_("This milestone was already recorded."))
    if not may_handle_case(by, case.declaration):
        raise services.NotAllowed(_("You may not record steps of this case."))
    if not evidence_note.strip():
        raise InvalidInput(
            _("Record the evidence of the step (letter number, receipt …)."), fields={"evidence_note": "required"}
        )
    now = timezone.now()
    done_at = done_at or now
    if done_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The date is in the future."), fields={"done_at": str(done_at)})
    if done_at < discovery_at(case) - dt.timedelta(days=1):
        raise InvalidInput(_("The step cannot be dated before the discovery."), fields={"done_at": str(done_at)})
    if m.kind in (MilestoneKind.CARRIER_FINE, MilestoneKind.PAYMENT):
        m.amount = _amount(amount, "amount", positive=m.kind == MilestoneKind.PAYMENT, model=CaseMilestone)
        limit = case.goods_value * CARRIER_FINE_MAX_MULTIPLE
        if m.kind == MilestoneKind.CARRIER_FINE and m.amount is not None and m.amount > limit:
            raise InvalidInput(
                _("The carrier's fine is at most twice the value: %(max)s rial.") % {"max": text.format_number(limit)},
                fields={"amount": str(amount)},
            )
    m.vehicle_seized = bool(vehicle_seized) if m.kind == MilestoneKind.CARRIER_FINE else False
    m.done_at, m.done_by, m.evidence_note = done_at, by, evidence_note.strip()
    with actor(by):
        m.save(update_fields=["done_at", "done_by", "evidence_note", "amount", "vehicle_seized"])
        if m.kind == MilestoneKind.CARRIER_FINE and m.amount:
            CaseMilestone.objects.create(
                case=case,
                kind=MilestoneKind.PAYMENT,
                article=MILESTONE_ARTICLE[MilestoneKind.PAYMENT],
                due_at=payment_due(done_at.astimezone(TEHRAN).date()),
            )
    evidence.note_event(
        declaration_id=case.declaration_id,
        kind="case_milestone_done",
        at=done_at,
        actor=by,
        message=Message(
            gettext_noop("Case %(n)s: %(step)s"),
            n=Ident("case", case.file_number),
            step=Message(MilestoneKind(m.kind).label),
        ),
        data={"case": case.pk, "milestone": m.pk},
    )
    return m


def milestones_run(*, now: dt.datetime | None = None, limit: int = 2000) -> int:
    """The hourly job: tell each newly overdue milestone once (claimed by a conditional UPDATE of
    ``notified_at``, safe to run twice at once) to the responsible office's staff and the province's
    inspectors, and put it on the declaration's timeline. Returns how many were told."""
    now = now or timezone.now()
    told = 0
    due = (
        CaseMilestone.objects.overdue(now)
        .filter(notified_at__isnull=True)
        .select_related("case__declaration__origin", "case__office")
        .order_by("due_at", "pk")[:limit]
    )
    for m in due:
        with transaction.atomic():
            if CaseMilestone.objects.filter(pk=m.pk, notified_at__isnull=True).update(notified_at=now) != 1:
                continue  # another run told it
            case = m.case
            office = case.office or case.declaration.origin
            recipients = list(office_staff(office.pk)) + list(inspectors_of(office.province_id))
            title = Message(
                gettext_noop("Case %(n)s: %(step)s was due %(due)s"),
                n=Ident("case", case.file_number),
                step=Message(MilestoneKind(m.kind).label),
                due=When(m.due_at),
            )
            notify(
                Kind.MILESTONE_OVERDUE,
                recipients,
                title=title,
                url=reverse("casework:case", args=[case.pk]),
                subject=f"milestone:{m.pk}",
            )
            evidence.note_event(
                declaration_id=case.declaration_id,
                kind="case_milestone_overdue",
                at=now,
                message=title,
                data={"case": case.pk, "milestone": m.pk, "article": m.article},
            )
            told += 1
    return told
