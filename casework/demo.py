"""Demo evidence of casework, made through its services: follow-up letters at each stage of their
clocks (proposed by the daily job on past days, sent, answered, reminded, escalated), judicial
cases with actions, some closed, and the smuggling regulation's valuations and milestones, some
overdue. Past times go through the services' ``now=``/``at=`` arguments.

``CLOSED_CASES``: the ended cases of the bulk history's closed declarations, written with them by
``declarations.demo.DemoBuilder`` (COPY, as many as the history has: no service call per row), with the
rows the services would have left behind: the first valuation, the statutory milestones met, the case's
actions (the file sent to court on the day its step was met, the ruling served on the outcome's day), the declaration's
timeline events (case opened, each step, the closing), and the audit entries of the case's records
(created, the case closed), written and sealed in bulk (``core.audit.record_bulk``)."""

from __future__ import annotations

import datetime as dt
import json
import time

import numpy as np
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import audit
from core.dates import TEHRAN, to_jalali, to_tehran
from core.workdays import add_working_days
from declarations.demo import (
    NULL,
    Closed,
    ClosedCases,
    DemoBuilder,
    _copy_text,
    _jalali_years,
    _next_id,
    _ts,
    demo_clerk,
    demo_staff,
)
from declarations.models import DeclarationEvent, Source, Status, TransitDeclaration
from notifications.messages import Ident, Message

from . import services, smuggling
from .models import (
    EXPORTERS_RATE_SOURCE,
    MILESTONE_ARTICLE,
    CaseMilestone,
    CaseStatus,
    CaseValuation,
    FollowUpLetter,
    JudicialAction,
    JudicialCase,
    LetterKind,
    LetterStatus,
    MilestoneKind,
    ValuationKind,
)

AUTHORITIES = ["دادگاه انقلاب اسلامی", "تعزیرات حکومتی استان", "دادسرای عمومی و انقلاب"]
ACTIONS = ["ارسال پرونده به تعزیرات", "جلسهٔ رسیدگی برگزار شد", "استعلام از گمرک مقصد", "اخذ توضیح از شرکت حمل"]
OUTCOMES = [
    "محکومیت به پرداخت جریمه معادل دو برابر ارزش کالا",
    "ضبط کالا به نفع دولت و جریمهٔ شرکت حمل",
    "وصول حقوق ورودی و جریمه از محل ضمانت‌نامه",
    "اعلام وصول با تأخیر پذیرفته شد؛ جریمهٔ تأخیر از شرکت حمل وصول شد",
]
DAY = 86400.0
# The actions of an ended case of the bulk history: the file sent to its authority, the ruling served.
OPENING_ACTION = "ارسال پرونده به"
CLOSING_ACTION = "ابلاغ رأی مرجع رسیدگی و مختومه شدن پرونده"
# The statutory steps an ended case of the bulk history met, in order, with the evidence recorded for each.
STEPS = [
    (MilestoneKind.HANDOVER, "صورت‌جلسه تحویل کالا و متهم به مرجع انتظامی"),
    (MilestoneKind.FILE_PROPERTY_ORG, "نامه ارسال پرونده به سازمان اموال تملیکی"),
    (MilestoneKind.FILE_COURT, "نامه ارسال پرونده به مرجع قضایی"),
    (MilestoneKind.CARRIER_FINE, "رأی تعزیرات: جریمه حامل"),
    (MilestoneKind.PAYMENT, "فیش واریز جریمه به حساب خزانه"),
]


def _tehran_dates(seconds: np.ndarray) -> list[str]:
    """Epoch seconds to the Tehran calendar day of each, as ``YYYY-MM-DD`` (a DateField's COPY text)."""
    return [dt.datetime.fromtimestamp(s, TEHRAN).date().isoformat() for s in seconds.tolist()]


def _copy_safe(value: str) -> str:
    """``value`` as COPY text takes it unescaped (the bulk writer escapes nothing)."""
    if any(c in value for c in "\\\t\n\r"):
        raise ValueError(f"not writable as COPY text: {value!r}")
    return value


def _json(value: object) -> str:
    return _copy_safe(json.dumps(value, ensure_ascii=False))


def _event_text(ids, declaration_ids, at, kinds, messages: list[Message], data: list[dict]) -> tuple[list, str]:
    """COPY text of declaration events as ``evidence.note_event`` and the transitions write them, written by
    the seed (source «demo data», no person)."""
    fields = [DeclarationEvent.message_fields(m) for m in messages]
    rows = {
        "id": ids.astype(str),
        "declaration_id": declaration_ids.astype(str),
        "at": _ts(at),
        "kind": kinds,
        "actor_id": NULL,
        "source": str(Source.SEED),
        "message": [_copy_safe(f["message"]) for f in fields],
        "message_msgid": [_copy_safe(f["message_msgid"]) for f in fields],
        "params": [_json(f["params"]) for f in fields],
        "data": [_json(d) for d in data],
    }
    return list(rows), _copy_text(list(rows), rows, len(ids))


def _ended_case_steps(
    builder: DemoBuilder,
    closed: Closed,
    *,
    case_ids: np.ndarray,
    file_numbers: list[str],
    outcomes: list[str],
    opened: np.ndarray,
    opened_on: list[str],
    outcome: np.ndarray,
    value: np.ndarray,
) -> tuple[list[tuple[type, list[str], str, int]], dict, np.ndarray]:
    """What the services left behind on an ended case of the bulk history, as COPY texts (and the milestones'
    columns, for their audit entries, and when each file went to court): the milestones
    ``case_open`` planned (``smuggling.milestone_plan``: hand-over within 24 hours, the files within five
    working days, the carrier's fine), each met on time before the outcome with its evidence, the fine
    with its payment clock (``milestone_done``) paid; and the declaration's timeline events of the case
    opened, each step met, and the closing that recorded the outcome (``declaration_close``)."""
    rng, n = builder.rng, len(case_ids)
    if n and value.min() <= smuggling.CONFISCATION_ONLY_MAX_RIAL:
        raise ValueError("a bulk case under the confiscation-only threshold owes other milestones")
    days = [dt.date.fromisoformat(s) for s in opened_on]
    found = np.array([dt.datetime.combine(d, dt.time(), tzinfo=TEHRAN).timestamp() for d in days])
    file_due_of: dict[dt.date, float] = {}
    for d in set(days):  # one holiday query per opening day (``core.workdays``), not per case
        file_due_of[d] = smuggling.end_of_day(add_working_days(d, smuggling.FILE_WORKING_DAYS)).timestamp()
    handover_due = found + smuggling.HANDOVER_HOURS * 3600.0
    file_due = np.array([file_due_of[d] for d in days])
    # Each step met on time, after the opening and before the outcome.
    handover = opened + (np.minimum(handover_due, outcome) - opened) * rng.uniform(0.1, 0.9, n)
    to_org = opened + (np.minimum(file_due, outcome) - opened) * rng.uniform(0.2, 0.9, n)
    to_court = opened + (np.minimum(file_due, outcome) - opened) * rng.uniform(0.2, 0.9, n)
    after_files = np.maximum(to_org, to_court)
    fine = after_files + (outcome - after_files) * rng.uniform(0.1, 0.5, n)
    pay_due_of = {d: smuggling.payment_due(dt.date.fromisoformat(d)).timestamp() for d in set(_tehran_dates(fine))}
    payment_due = np.array([pay_due_of[d] for d in _tehran_dates(fine)])
    paid = fine + (np.minimum(payment_due, outcome) - fine) * rng.uniform(0.2, 0.95, n)
    # Art. 18: at most twice the value; Art. 19: paid in full.
    fine_amount = (value * rng.integers(50, 201, n) // 100).astype(str)
    seized = np.where(rng.random(n) < 0.3, "true", "false")

    k = len(STEPS)
    milestone_ids = np.arange(start := _next_id(CaseMilestone), start + n * k).reshape(n, k)
    no_amount = np.full(n, NULL, dtype=object)
    milestones = {
        "id": milestone_ids.ravel().astype(str),
        "case_id": np.repeat(case_ids, k).astype(str),
        "kind": [str(kind) for kind, _note in STEPS] * n,
        "article": [MILESTONE_ARTICLE[kind] for kind, _note in STEPS] * n,
        "due_at": _ts(np.column_stack([handover_due, file_due, file_due, np.full(n, np.nan), payment_due]).ravel()),
        "done_at": _ts(np.column_stack([handover, to_org, to_court, fine, paid]).ravel()),
        "done_by_id": NULL,
        "evidence_note": [note for _kind, note in STEPS] * n,
        "amount": np.column_stack([no_amount, no_amount, no_amount, fine_amount, fine_amount]).ravel(),
        "vehicle_seized": np.column_stack([np.full(n, "false")] * 3 + [seized, np.full(n, "false")]).ravel(),
        "waived_at": NULL,
        "waived_note": "",
        "waived_note_msgid": "",
        "waived_note_params": _json({}),
        "notified_at": NULL,  # met on time: the hourly job never told one overdue
        "created_at": _ts(np.column_stack([opened, opened, opened, opened, fine]).ravel()),
    }

    # The timeline: the case opened, each step met, the declaration closed with the outcome.
    per_case = k + 2
    kinds, messages, data = [], [], []
    for i, (case_id, number, said) in enumerate(zip(case_ids.tolist(), file_numbers, outcomes)):
        case = Ident("case", number)
        kinds.append("case_opened")
        messages.append(Message(gettext_noop("Judicial case %(n)s opened"), n=case))
        data.append({"case": case_id})
        for (kind, _note), milestone_id in zip(STEPS, milestone_ids[i].tolist()):
            kinds.append("case_milestone_done")
            messages.append(Message(gettext_noop("Case %(n)s: %(step)s"), n=case, step=Message(kind.label)))
            data.append({"case": case_id, "milestone": milestone_id})
        kinds.append("close")
        messages.append(Message(gettext_noop("Judicial case %(n)s: %(o)s"), n=case, o=said[:300]))
        data.append({})
    at = np.column_stack([opened, handover, to_org, to_court, fine, paid, closed.closed_at]).ravel()
    event_ids = np.arange(start := _next_id(DeclarationEvent), start + n * per_case)
    event_columns, event_text = _event_text(event_ids, np.repeat(closed.ids, per_case), at, kinds, messages, data)
    texts: list[tuple[type, list[str], str, int]] = [
        (CaseMilestone, list(milestones), _copy_text(list(milestones), milestones, n * k), n * k),
        (DeclarationEvent, event_columns, event_text, n * per_case),
    ]
    return texts, milestones, to_court


def closed_cases_write(builder: DemoBuilder, closed: Closed) -> None:
    """The ended judicial case of each declaration of the chunk closed after one, as ``case_open`` and
    ``case_close`` store it: opened past the deadline (its file numbered in the Jalali year of opening,
    the origin answerable), valued on import (its first valuation, at the exporters' rate of the day), its
    statutory steps met (``_ended_case_steps``), its outcome recorded on the day of the closing or a few
    days before. Written by COPY with the declarations."""
    t0 = time.perf_counter()
    rng, n = builder.rng, len(closed.ids)
    opened = closed.deadline + (closed.closed_at - closed.deadline) * rng.uniform(0.1, 0.4, n)
    outcome = np.maximum(closed.closed_at - rng.uniform(0, 6, n) * DAY, opened)
    opened_on = _tehran_dates(opened)
    cif = rng.integers(20, 400, n) * 1000
    rate = rng.integers(500, 700, n) * 1000
    duties = rng.integers(1, 50, n) * 100_000_000
    value = (cif * rate + duties).astype(str)  # CIF × rate + duties (no fees, no commercial profit)
    case_ids = np.arange(start := _next_id(JudicialCase), start + n)
    branch = [str(b) for b in rng.integers(1, 6, n).tolist()]  # the number, as a clerk types it: shown «شعبهٔ ۳»
    file_numbers = [f"{y}-{i}" for y, i in zip(_jalali_years(opened).tolist(), closed.ids.tolist())]
    outcomes = np.array(OUTCOMES)[rng.integers(0, len(OUTCOMES), n)]
    authorities = np.array(AUTHORITIES)[rng.integers(0, len(AUTHORITIES), n)]
    outcome_on = _tehran_dates(outcome)
    cases = {
        "id": case_ids.astype(str),
        "declaration_id": closed.ids.astype(str),
        "file_number": file_numbers,
        "authority": authorities,
        "branch": branch,
        "opened_on": opened_on,
        "opened_by_id": NULL,
        "cif_value": cif.astype(str),
        "currency": "USD",
        "exchange_rate": rate.astype(str),
        "duties": duties.astype(str),
        "fees": "0",
        "goods_value": value,
        "discovered_at": NULL,  # the start of the opening day
        "office_id": closed.origin_ids.astype(str),
        "status": str(CaseStatus.CLOSED),
        "outcome": outcomes,
        "outcome_on": outcome_on,
        "created_at": _ts(opened),
    }
    valuations = {
        "id": np.arange(start := _next_id(CaseValuation), start + n).astype(str),
        "case_id": case_ids.astype(str),
        "kind": str(ValuationKind.IMPORT),
        "foreign_amount": cif.astype(str),
        "currency": "USD",
        "exchange_rate": rate.astype(str),
        "rate_source": EXPORTERS_RATE_SOURCE,
        "rate_date": opened_on,
        "duties": duties.astype(str),
        "commercial_profit": "0",
        "fees": "0",
        "wholesale_price": NULL,
        "market": "",
        "value": value,
        "corrects_id": NULL,
        "reason": "",
        "valued_at": _ts(opened),
        "valued_by_id": NULL,
    }
    texts: list[tuple[type, list[str], str, int]] = [
        (m, list(data), _copy_text(list(data), data, n), n)
        for m, data in ((JudicialCase, cases), (CaseValuation, valuations))
    ]
    steps, milestones, to_court = _ended_case_steps(
        builder,
        closed,
        case_ids=case_ids,
        file_numbers=file_numbers,
        outcomes=outcomes.tolist(),
        opened=opened,
        opened_on=opened_on,
        outcome=outcome,
        value=cif * rate + duties,
    )
    texts += steps
    # Its actions, as ``case_add_action`` records them before the closing: the file sent to the authority on
    # the day its statutory step was met (the same date on the case's page), the ruling served on the outcome's day.
    actions = {
        "id": np.arange(start := _next_id(JudicialAction), start + 2 * n).astype(str),
        "case_id": np.repeat(case_ids, 2).astype(str),
        "on": np.column_stack([_tehran_dates(to_court), outcome_on]).ravel(),
        "action": np.column_stack(
            [[f"{OPENING_ACTION} {a}" for a in authorities.tolist()], np.full(n, CLOSING_ACTION)]
        ).ravel(),
        "by_id": NULL,
        "recorded_at": _ts(np.column_stack([to_court, outcome]).ravel()),
    }
    texts.append((JudicialAction, list(actions), _copy_text(list(actions), actions, 2 * n), 2 * n))
    builder.timing.generate += time.perf_counter() - t0
    for model, columns, text, rows in texts:
        builder.writer.write(model, columns, text, rows)
    # The audit trail of each case, as the services' saves leave it: the case, its valuation and milestones
    # created, its actions recorded, the case closed with its outcome (written and sealed in bulk).
    t0 = time.perf_counter()
    entries = [
        *_created(JudicialCase, {**cases, "status": str(CaseStatus.OPEN), "outcome": "", "outcome_on": NULL}, n),
        *_created(CaseValuation, valuations, n),
        *_created(CaseMilestone, milestones, n * len(STEPS), at_creation=MILESTONE_AS_CREATED),
        *_created(JudicialAction, actions, 2 * n),
        *_closed(case_ids, file_numbers, authorities.tolist(), outcomes.tolist(), outcome_on),
    ]
    builder.timing.generate += time.perf_counter() - t0
    t0 = time.perf_counter()
    audit.record_bulk(entries)
    builder.timing.write += time.perf_counter() - t0
    builder.timing.add_rows(LogEntry._meta.db_table, len(entries))


# A milestone as ``case_open`` creates it: what ``milestone_done`` records comes later (not in its entry).
MILESTONE_AS_CREATED = {
    "done_at": NULL,
    "done_by_id": NULL,
    "evidence_note": "",
    "amount": NULL,
    "vehicle_seized": "false",
}


def _logged(value: str) -> str:
    """A COPY text value as django-auditlog writes a field's value in ``changes``."""
    if value == NULL:
        return "None"
    if value in ("true", "false"):
        return str(value == "true")
    if len(value) == 25 and value[10] == "T" and value.endswith("+00:00"):
        return f"{value[:10]} {value[11:19]}"
    return value


def _repr(model: type[Model], row: dict[str, str]) -> str:
    """``str()`` of the row as its model writes it (the entry's ``object_repr``)."""
    if model is JudicialCase:
        return f"{row['file_number']} ({row['authority']})"
    if model is CaseValuation:
        return f"{row['case_id']} {row['kind']} {row['value']}"
    if model is CaseMilestone:
        return f"{row['case_id']} {row['kind']}"
    return f"{row['case_id']} {row['on']}"  # JudicialAction


def _created(model: type[Model], data: dict, n: int, *, at_creation: dict | None = None) -> list[LogEntry]:
    """The CREATE entry of each of the ``n`` rows of ``data`` (COPY columns), with the fields as they were
    when created (``at_creation`` overrides what came later): ``{field: ["None", value]}``, a null left out."""
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    data = {**data, **(at_creation or {})}
    columns = {c: [v] * n if isinstance(v, str) else list(v) for c, v in data.items()}
    kind = ContentType.objects.get_for_model(model).pk
    entries = []
    for i in range(n):
        row = {c: str(values[i]) for c, values in columns.items()}
        entries.append(
            LogEntry(
                content_type_id=kind,
                object_pk=row["id"],
                object_id=int(row["id"]),
                object_repr=_repr(model, row),
                action=LogEntry.Action.CREATE,
                changes={names[c]: ["None", _logged(v)] for c, v in row.items() if v != NULL},
            )
        )
    return entries


def _closed(case_ids: np.ndarray, file_numbers: list[str], authorities, outcomes, outcome_on) -> list[LogEntry]:
    """The UPDATE entry of each case closed with its outcome (``case_close``)."""
    kind = ContentType.objects.get_for_model(JudicialCase).pk
    return [
        LogEntry(
            content_type_id=kind,
            object_pk=str(pk),
            object_id=pk,
            object_repr=f"{number} ({authority})",
            action=LogEntry.Action.UPDATE,
            changes={
                "outcome_on": ["None", on],
                "status": [str(CaseStatus.OPEN), str(CaseStatus.CLOSED)],
                "outcome": ["", said],
            },
        )
        for pk, number, authority, said, on in zip(case_ids.tolist(), file_numbers, authorities, outcomes, outcome_on)
    ]


CLOSED_CASES = ClosedCases(
    write=closed_cases_write,
    models=[JudicialCase, CaseValuation, CaseMilestone, DeclarationEvent, JudicialAction],
)


def casework_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    counts: dict[str, int] = {}
    waves = [(45, int(5 * scale) + 2, True), (30, int(3 * scale) + 2, False), (5, int(3 * scale) + 2, False)]
    for days, k, answer_some in waves:
        at = now - dt.timedelta(days=days)
        services.followups_run(now=at, limit=k)  # the daily job on that day proposed the drafts
        drafts = FollowUpLetter.objects.filter(status=LetterStatus.DRAFT, sent_at__isnull=True).select_related(
            "declaration__origin", "declaration__destination"
        )
        for i, letter in enumerate(drafts.order_by("pk")[:k]):
            sent = services.letter_send(
                letter=letter, by=demo_clerk(letter.declaration.origin), at=at + dt.timedelta(hours=3)
            )
            if answer_some and i % 3 == 0:
                services.letter_record_answer(
                    letter=sent,
                    by=demo_clerk(letter.declaration.destination),
                    reply_text="کامیون در انبار گمرک مقصد تخلیه شده و اعلام وصول در دست انجام است.",
                    answered_at=at + dt.timedelta(days=9),
                    reply_number=f"{int(rng.integers(1000, 9999))}/ت",
                )
    chased = _unanswered_letter_to_tehran(now)
    # Today's run: new drafts, reminders of unanswered letters past their reply date, escalations.
    counts.update({f"followups_{k}": v for k, v in services.followups_run(now=now, limit=int(30 * scale) + 5).items()})
    counts["letters_to_tehran"] = _send_escalation(chased)
    for status in LetterStatus.values:
        counts[f"letters_{status}"] = FollowUpLetter.objects.filter(status=status).count()
    counts["letters_reminded"] = FollowUpLetter.objects.filter(reminded_at__isnull=False).count()
    counts["letters_escalated"] = FollowUpLetter.objects.filter(escalated_at__isnull=False).count()

    # Judicial cases on unsettled declarations.
    ids = list(
        TransitDeclaration.objects.filter(status=Status.UNSETTLED)
        .order_by("-declared_at")
        .values_list("pk", flat=True)[: int(8 * scale) + 4]
    )
    today = timezone.localdate()
    hq = demo_staff("hq", "hq")
    for i, d in enumerate(TransitDeclaration.objects.filter(pk__in=ids).select_related("origin").order_by("pk")):
        clerk = demo_clerk(d.origin)
        # Opened once the declaration could have a case (found unsettled, else past its deadline), not before.
        could_open = to_tehran(d.unsettled_at or d.deadline or d.declared_at).date()
        opened = max(today - dt.timedelta(days=int(rng.integers(20, 150))), could_open)
        case = services.case_open(
            declaration=d,
            by=clerk,
            file_number=f"{to_jalali(opened).year}-{d.pk}",
            authority=AUTHORITIES[i % len(AUTHORITIES)],
            branch=str(i % 5 + 1),
            opened_on=opened,
            cif_value=int(rng.integers(20, 400)) * 1000,
            exchange_rate=int(rng.integers(500, 700)) * 1000,
            duties=int(rng.integers(1, 50)) * 100_000_000,
        )
        for j in range(int(rng.integers(1, 4))):
            on = min(opened + dt.timedelta(days=7 * (j + 1)), today)
            services.case_add_action(case=case, by=clerk, on=on, action=ACTIONS[(i + j) % len(ACTIONS)])
        if i % 3 == 2:
            services.case_close(
                case=case,
                by=hq if i % 2 == 0 else clerk,  # closing the declaration is headquarters' act
                outcome="محکومیت به پرداخت جریمه معادل دو برابر ارزش کالا",
                outcome_on=min(opened + dt.timedelta(days=40), today),
                close_declaration=i % 2 == 0,
            )
    counts["cases"] = JudicialCase.objects.count()
    counts["cases_closed"] = JudicialCase.objects.exclude(status="open").count()
    counts.update(smuggling_demo(rng=rng, now=now, exclude=ids))
    return counts


def _unanswered_letter_to_tehran(now: dt.datetime) -> FollowUpLetter | None:
    """A follow-up letter to Tehran (the «tehran» demo user's office), sent longer ago than the escalation's
    clock and never answered: today's run of the daily job escalates it (``_send_escalation`` sends that).
    On the Tehran-bound truck overdue longest with no letter yet, Bazargan's first (the other demo user's)."""
    sent_at = now - dt.timedelta(days=settings.FOLLOWUP_ESCALATION_DAYS + 5)
    candidates = (
        TransitDeclaration.objects.filter(destination__code="THR", status=Status.IN_TRANSIT, deadline__lt=sent_at)
        .exclude(pk__in=FollowUpLetter.objects.values("declaration_id"))
        .select_related("origin")
        .order_by("deadline", "pk")
    )
    d = candidates.filter(origin__code="BZG").first() or candidates.first()
    if d is None:
        return None
    clerk = demo_clerk(d.origin)
    return services.letter_send(letter=services.letter_draft(declaration=d, by=clerk), by=clerk, at=sent_at)


def _send_escalation(chased: FollowUpLetter | None) -> int:
    """The escalation the daily job drafted for ``chased`` (copied to headquarters), sent by the origin today
    and left unanswered: Tehran has a letter to answer. Returns how many were sent (0 or 1)."""
    if chased is None:
        return 0
    draft = FollowUpLetter.objects.filter(
        previous=chased, kind=LetterKind.ESCALATION, status=LetterStatus.DRAFT
    ).first()
    if draft is None:
        return 0
    clerk = demo_clerk(chased.declaration.origin)
    services.letter_send(letter=draft, by=clerk)
    return 1


def smuggling_demo(*, rng: np.random.Generator, now: dt.datetime, exclude: list[int]) -> dict[str, int]:
    """The smuggling regulation's clocks on the demo cases: steps met on time and late, a carrier's
    fine with its payment clock, a correction that brings a case under the confiscation-only
    threshold, seized currency at its own rate, a fresh case whose clocks still run; then the hourly
    job tells the overdue ones (the dashboard's signal, the milestones list, the notices)."""
    open_cases = list(JudicialCase.objects.filter(status="open").select_related("declaration__origin").order_by("pk"))
    for i, case in enumerate(open_cases[:8]):
        clerk = demo_clerk(case.declaration.origin)
        found = smuggling.discovery_at(case)
        pending = {m.kind: m for m in case.milestones.pending()}
        if i % 4 == 0 and MilestoneKind.HANDOVER in pending:
            smuggling.milestone_done(
                milestone=pending[MilestoneKind.HANDOVER],
                by=clerk,
                evidence_note="صورت‌جلسه تحویل کالا و متهم به مرجع انتظامی",
                done_at=min(found + dt.timedelta(hours=20), now),
            )
        if i % 4 == 1 and MilestoneKind.CARRIER_FINE in pending:
            smuggling.milestone_done(
                milestone=pending[MilestoneKind.FILE_PROPERTY_ORG],
                by=clerk,
                evidence_note="نامه ارسال پرونده به سازمان اموال تملیکی",
                done_at=min(found + dt.timedelta(days=9), now),  # late, unless found this week
            )
            smuggling.milestone_done(
                milestone=pending[MilestoneKind.CARRIER_FINE],
                by=clerk,
                evidence_note="رأی تعزیرات: جریمه حامل و توقیف وسیله نقلیه",
                amount=case.goods_value,
                vehicle_seized=True,
                done_at=min(found + dt.timedelta(days=15), now),
            )
        if i % 4 == 2:
            smuggling.case_value(
                case=case,
                by=clerk,
                corrects=smuggling.current_valuations(case).first(),
                reason="کالای صادراتی: ارزش به قیمت عمده‌فروشی نزدیک‌ترین بازار داخلی",
                kind=ValuationKind.EXPORT,
                wholesale_price=int(rng.integers(3, 9)) * 1_000_000,  # under the threshold
                market="بازار عمده‌فروشی تبریز",
            )
        if i % 4 == 3:
            smuggling.case_value(
                case=case,
                by=clerk,
                kind=ValuationKind.CURRENCY,
                foreign_amount=int(rng.integers(1, 9)) * 1000,
                currency="AED",
                exchange_rate=190_000,
                rate_source="مرکز مبادله ارز و طلای ایران (درهم امارات)",
            )
    fresh = (
        TransitDeclaration.objects.filter(status=Status.UNSETTLED)
        .exclude(pk__in=exclude)
        .select_related("origin")
        .order_by("-declared_at")
        .first()
    )
    if fresh is not None:
        found = now - dt.timedelta(hours=6)
        services.case_open(
            declaration=fresh,
            by=demo_clerk(fresh.origin),
            file_number=f"{to_jalali(found).year}-{fresh.pk}-Q",
            authority=AUTHORITIES[0],
            opened_on=timezone.localdate(),
            discovered_at=found,
            cif_value=int(rng.integers(20, 90)) * 1000,
            exchange_rate=int(rng.integers(500, 700)) * 1000,
            duties=int(rng.integers(1, 50)) * 100_000_000,
            commercial_profit=int(rng.integers(1, 20)) * 50_000_000,
        )
    told = smuggling.milestones_run(now=now)
    return {
        "case_valuations": CaseValuation.objects.count(),
        "milestones_overdue": CaseMilestone.objects.overdue(now).count(),
        "milestones_done": CaseMilestone.objects.filter(done_at__isnull=False).count(),
        "milestones_told": told,
    }
