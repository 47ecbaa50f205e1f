"""Services for written follow-up letters and judicial cases (directive points 6 and 7).

Letters: ``letter_draft`` → ``letter_update_draft`` → ``letter_send`` (numbered in the
origin office's series, dated, PDF rendered by a task) → ``letter_record_answer``.
``followups_run`` is the daily job: it proposes drafts for overdue and arrived-unsettled
declarations and reminds/escalates when no answer comes, on the FOLLOWUP_* clocks.

Cases: ``case_open`` (its first valuation and milestones: ``casework.smuggling``) → ``case_add_action`` … →
``case_close`` (optionally closing the declaration through ``services.declaration_close``).
The declaration page's actions, the timeline entries and the dashboard panel: ``panels``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from core import currencies, jobs, uploads
from core.audit import actor
from core.dates import TEHRAN, ascii_digits, format_jalali, jalali_month_of, to_tehran
from core.errors import DomainError, IllegalTransition, InvalidInput
from core.text import digits, identifier, is_persian, isolate, too_long
from declarations import evidence, idents, services
from declarations.models import Status, TransitDeclaration
from notifications.messages import Ident, Message, Name, When
from notifications.services import Kind, headquarters, mark_done_for_everyone, notify, office_staff

from .models import (
    CaseStatus,
    FollowUpLetter,
    JudicialAction,
    JudicialCase,
    LetterKind,
    LetterSequence,
    LetterStatus,
)

HQ_TRANSIT_OFFICE = "دفتر ترانزیت گمرک ایران"
# A letter's copies (رونوشت): one recipient a line, an office or a person and title, never a paragraph; and
# a short list (the seed letters copy two or three): more than these is a slip or a paste.
COPY_MAX_CHARS = 200
COPIES_MAX = 10
# A recipient is named in words («دفتر ترانزیت»): a line of fewer letters («x», «-») names nobody.
COPY_MIN_LETTERS = 3


# --- who may do what ---------------------------------------------------------------------------


def may_write_letter(user: User | None, declaration: TransitDeclaration) -> bool:
    """The origin office writes the follow-up (directive point 7), in its own name and series; None is the
    system. Headquarters does not: a draft is the writing office's own until it is sent (``for_user``), so
    a draft made by anyone else in the origin's name is one they could never open, send or cancel."""
    if user is None:
        return True
    if not user.is_active:
        return False
    return user.role == Role.OFFICE and user.office_id == declaration.origin_id


def require_may_record_answer(user: User, letter: FollowUpLetter) -> None:
    """A 403 for whoever may not record the reply: checked before the reply's fields (the API), so that a
    refused user is not first asked to correct a form they may not send."""
    if not may_record_answer(user, letter):
        raise services.NotAllowed(_("You may not record the answer to this letter."))


def may_record_answer(user: User, letter: FollowUpLetter) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    return user.role == Role.OFFICE and user.office_id in (letter.from_office_id, letter.to_office_id)


def case_can_open(declaration: TransitDeclaration) -> bool:
    """A judicial case starts from an unsettled or overdue declaration."""
    return declaration.status == Status.UNSETTLED or declaration.is_overdue()


def may_handle_case(user: User | None, declaration: TransitDeclaration) -> bool:
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if user.role == Role.INSPECTOR:
        return user.province_id in (declaration.origin.province_id, declaration.destination.province_id)
    return user.role == Role.OFFICE and user.office_id in (declaration.origin_id, declaration.destination_id)


# --- letters ----------------------------------------------------------------------------------


def letter_kind_for(declaration: TransitDeclaration, now: dt.datetime | None = None) -> str | None:
    """Which follow-up the declaration needs now, or None (settled, not late, ...)."""
    now = now or timezone.now()
    if declaration.is_overdue(now):
        return LetterKind.OVERDUE
    if declaration.status in (Status.ARRIVED, Status.UNSETTLED):
        return LetterKind.ARRIVED_UNSETTLED
    return None


def _compose(declaration: TransitDeclaration, kind: str, previous: FollowUpLetter | None) -> dict:
    """Subject and body from templates/letters/body_<kind>.txt (official Persian wording)."""
    ctx = {
        "d": declaration,
        "declared": format_jalali(declaration.declared_at, with_time=False),
        "departed": format_jalali(declaration.departed_at, with_time=False),
        "deadline": format_jalali(declaration.deadline, with_time=False),
        "arrived": format_jalali(declaration.arrived_at, with_time=False),
        # Identifiers between Unicode isolates: the letter is stored and edited as text, and its
        # Persian sentences would otherwise reorder them (1404-BZG-… read BZG-…-1404).
        "serial": idents.serial_text(declaration.serial),
        "plate": idents.plate_text(declaration.vehicle),
        "waybill": idents.waybill_text(declaration.waybill_no),
        "previous": previous,
        # The earlier letter's number as issued (BZG/1405/2, an identifier), as the letter's own number reads.
        "previous_number": idents.letter_number_text(previous.number) if previous else "",
        "previous_date": format_jalali(previous.sent_at, with_time=False) if previous else "",
        "reply_days": settings.FOLLOWUP_REPLY_DUE_DAYS,
    }
    with translation.override("fa"):  # a Persian letter, Persian digits, whatever the drafter's language
        body = render_to_string(f"letters/body_{kind}.txt", ctx).strip()
        subject = render_to_string("letters/subject.txt", ctx).strip()
    copies = [f"بازرسی گمرک استان {declaration.origin.province.name_fa}"]
    if kind == LetterKind.ESCALATION:
        copies.insert(0, HQ_TRANSIT_OFFICE)
    return {"subject": subject[:300], "body": body, "copies": copies}


def _new_letter(declaration, kind, *, by, previous=None) -> FollowUpLetter:
    composed = _compose(declaration, kind, previous)
    return FollowUpLetter(
        declaration=declaration,
        kind=kind,
        previous=previous,
        from_office_id=declaration.origin_id,
        to_office_id=declaration.destination_id,
        drafted_by=by,
        signer_name=(by.get_full_name() if by else ""),
        signer_title=(by.title if by else ""),
        **composed,
    )


@transaction.atomic
def letter_draft(
    *, declaration: TransitDeclaration, by: User | None, kind: str | None = None, previous=None
) -> FollowUpLetter:
    """Draft a follow-up letter, worded from the declaration; the user edits it before sending."""
    if not may_write_letter(by, declaration):
        raise services.NotAllowed(_("Only the origin office writes follow-up letters for this declaration."))
    kind = kind or letter_kind_for(declaration)
    if kind is None:
        raise IllegalTransition(
            _("Declaration %(serial)s needs no follow-up: it is %(status)s.")
            % {"serial": idents.serial_text(declaration.serial), "status": declaration.get_status_display()}
        )
    if kind not in LetterKind.values:
        raise InvalidInput(_("Unknown letter kind '%(kind)s'.") % {"kind": kind}, fields={"kind": kind})
    letter = _new_letter(declaration, kind, by=by, previous=previous)
    try:
        with transaction.atomic(), actor(by):
            letter.save()
    except IntegrityError:
        draft = FollowUpLetter.objects.filter(declaration=declaration, status=LetterStatus.DRAFT).first()
        raise DraftExists(declaration, draft) from None
    return letter


class DraftExists(InvalidInput):
    """A second draft for a declaration that has one: ``url`` the existing draft's page (empty if it was
    sent or cancelled meanwhile), so the page can link to it."""

    def __init__(self, declaration: TransitDeclaration, draft: FollowUpLetter | None):
        super().__init__(
            _("Declaration %(serial)s already has a draft letter.")
            % {"serial": idents.serial_text(declaration.serial)},
            fields={"declaration": "draft exists"},
        )
        self.draft = draft
        self.url = reverse("casework:letter", args=[draft.pk]) if draft is not None else ""


def _locked(letter: FollowUpLetter) -> FollowUpLetter:
    return FollowUpLetter.objects.select_for_update().select_related("declaration").get(pk=letter.pk)


def letter_copies(lines: Iterable[str]) -> tuple[list[str], str]:
    """The copies as the letter keeps them: each line trimmed, empty lines and exact repeats dropped (a
    recipient copied twice is still copied once); and why they are refused ("" when they are not): a line
    longer than ``COPY_MAX_CHARS`` (named by its number and start), more than ``COPIES_MAX`` lines."""
    copies: list[str] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if len(line) > COPY_MAX_CHARS:
            return [], _("Line %(n)s of the copies, “%(start)s…”: %(error)s") % {
                "n": digits(n),
                "start": line[:40],
                "error": too_long(line, COPY_MAX_CHARS),
            }
        if line and sum(c.isalpha() for c in line) < COPY_MIN_LETTERS:
            return [], _("Line %(n)s of the copies, “%(line)s”, names no recipient (at least %(min)s letters).") % {
                "n": digits(n),
                "line": line,
                "min": digits(COPY_MIN_LETTERS),
            }
        if line and line not in copies:
            copies.append(line)
    if len(copies) > COPIES_MAX:
        return [], _("At most %(max)s copies, one a line (there are %(n)s).") % {
            "max": digits(COPIES_MAX),
            "n": digits(len(copies)),
        }
    return copies, ""


def copies_repeated(lines: Iterable[str]) -> list[str]:
    """The lines ``letter_copies`` drops as exact repeats (each once), to tell the person who typed them."""
    seen: set[str] = set()
    repeated: list[str] = []
    for line in (raw.strip() for raw in lines):
        if line and line in seen and line not in repeated:
            repeated.append(line)
        seen.add(line)
    return repeated


@transaction.atomic
def letter_update_draft(
    *,
    letter: FollowUpLetter,
    by: User,
    subject: str,
    body: str,
    has_attachment: bool = False,
    copies: list[str] | None = None,
    signer_name: str = "",
    signer_title: str = "",
) -> FollowUpLetter:
    locked = _locked(letter)
    if locked.status != LetterStatus.DRAFT:
        if locked.status == LetterStatus.CANCELLED:  # by the clerk, or replaced by an escalation
            raise IllegalTransition(_("This draft was cancelled; it can no longer be edited."))
        raise IllegalTransition(
            _("Only a draft can be edited; letter %(n)s was sent.") % {"n": idents.letter_number_text(locked.number)}
        )
    if not may_write_letter(by, locked.declaration):
        raise services.NotAllowed(_("Only the origin office edits this letter."))
    if not subject.strip():
        raise InvalidInput(_("The letter needs a subject."), fields={"subject": "required"})
    if not body.strip():
        raise InvalidInput(_("The letter needs a body."), fields={"body": "required"})
    locked.subject = subject.strip()[:300]
    locked.body = body.strip()
    locked.has_attachment = has_attachment
    kept, refusal = letter_copies(copies or [])
    if refusal:
        raise InvalidInput(refusal, fields={"copies": "invalid"})
    locked.copies = kept
    locked.signer_name = signer_name.strip()
    locked.signer_title = signer_title.strip()
    with actor(by):
        locked.save()
    return locked


def next_letter_number(office, at: dt.datetime) -> tuple[int, int, str]:
    """Take the next number of the office's series for the Jalali year of ``at``. Call inside atomic.

    The row lock on the series makes two letters sent at once get different numbers.
    """
    year, _month = jalali_month_of(at)
    LetterSequence.objects.get_or_create(office=office, year=year)
    LetterSequence.objects.filter(office=office, year=year).update(last=F("last") + 1)
    seq = LetterSequence.objects.select_for_update().get(office=office, year=year).last
    prefix = office.letter_prefix.strip()
    number = f"{prefix}/{year}/{seq}" if prefix else f"{year}/{seq}"
    return year, seq, number


@transaction.atomic
def letter_send(*, letter: FollowUpLetter, by: User | None, at: dt.datetime | None = None) -> FollowUpLetter:
    """Number, date and send a draft; the reply is due FOLLOWUP_REPLY_DUE_DAYS later."""
    locked = _locked(letter)
    if locked.status != LetterStatus.DRAFT:
        raise IllegalTransition(
            _("Letter %(n)s was already sent.") % {"n": idents.letter_number_text(locked.number or locked.pk)}
        )
    if not may_write_letter(by, locked.declaration):
        raise services.NotAllowed(_("Only the origin office sends this letter."))
    chased = locked.previous
    if locked.kind in FOLLOW_UP_KINDS and chased is not None and chased.status == LetterStatus.ANSWERED:
        raise IllegalTransition(
            _("Letter %(n)s was answered on %(at)s: this %(kind)s asks for a reply already received.")
            % {
                "n": idents.letter_number_text(chased.number),
                "at": format_jalali(chased.answered_at, persian=is_persian()),
                "kind": locked.get_kind_display(),
            }
        )
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5):
        raise InvalidInput(
            _("The time %(at)s is in the future.") % {"at": format_jalali(at, persian=is_persian())},
            fields={"sent_at": str(at)},
        )
    locked.number_year, locked.number_seq, locked.number = next_letter_number(locked.from_office, at)
    locked.status = LetterStatus.SENT
    locked.sent_at = at
    locked.sent_by = by
    locked.reply_due_at = at + dt.timedelta(days=settings.FOLLOWUP_REPLY_DUE_DAYS)
    if by and not locked.signer_name:
        locked.signer_name, locked.signer_title = by.get_full_name(), by.title
    with actor(by):
        locked.save()
    evidence.note_event(
        declaration_id=locked.declaration_id,
        kind="letter_sent",
        at=at,
        actor=by,
        message=Message(gettext_noop("Follow-up letter %(n)s sent"), n=Ident("letter", locked.number)),
        data={"letter": locked.pk},
    )
    # The destination's staff are told on their bell: the reply is due within FOLLOWUP_REPLY_DUE_DAYS.
    notify(
        Kind.LETTER_RECEIVED,
        office_staff(locked.to_office_id),
        title=Message(
            "%(letter)s · %(serial)s",
            letter=Ident("letter", locked.number),
            serial=Ident("serial", locked.declaration.serial),
        ),
        url=reverse("casework:letter", args=[locked.pk]),
        subject=letter_subject(locked.pk),
    )
    from .tasks import render_letter_pdf

    jobs.enqueue(render_letter_pdf, locked.pk)  # in this transaction: the PDF is rendered once it is sent
    letter.refresh_from_db()
    return locked


def letter_send_batch(
    *, letters: Iterable[FollowUpLetter], by: User
) -> tuple[list[FollowUpLetter], list[tuple[FollowUpLetter, str]]]:
    """Send several drafts, each in its own transaction: a refused letter holds back no other.

    Returns the letters sent and the refused ones with the reason, in the order given."""
    sent: list[FollowUpLetter] = []
    refused: list[tuple[FollowUpLetter, str]] = []
    for letter in letters:
        try:
            sent.append(letter_send(letter=letter, by=by))
        except DomainError as exc:
            refused.append((letter, str(exc)))
    return sent, refused


# The longest reply text recorded (page and API): a few pages of a letter, typed or pasted.
REPLY_MAX_LENGTH = 5000


@transaction.atomic
def letter_record_answer(
    *,
    letter: FollowUpLetter,
    by: User,
    reply_text: str,
    answered_at: dt.datetime | None = None,
    reply_number: str = "",
    reply_document=None,
) -> FollowUpLetter:
    """Record the reply to a sent letter, once: its text, number and date, and optionally the reply letter's
    file (``reply_document``: PDF, JPEG or PNG, checked by content as evidence is, ``check_reply_document``)."""
    locked = _locked(letter)
    if locked.status != LetterStatus.SENT:
        raise IllegalTransition(
            _("Only a sent letter can be answered; letter %(n)s is %(s)s.")
            % {"n": idents.letter_number_text(locked.number or locked.pk), "s": locked.get_status_display()}
        )
    require_may_record_answer(by, locked)
    if not reply_text.strip():
        raise InvalidInput(_("Record the text of the reply."), fields={"reply_text": "required"})
    if error := too_long(reply_text.strip(), REPLY_MAX_LENGTH):  # a letter's reply, not its attachments
        raise InvalidInput(error, fields={"reply_text": "too long"})
    now = timezone.now()
    answered_at = answered_at or now
    if answered_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The reply date is in the future."), fields={"answered_at": str(answered_at)})
    if locked.sent_at is not None and answered_at < locked.sent_at:  # a SENT letter has its sent_at
        raise InvalidInput(_("The reply cannot be dated before the letter."), fields={"answered_at": str(answered_at)})
    checked = check_reply_document(reply_document) if reply_document else None
    locked.status = LetterStatus.ANSWERED
    locked.answered_at = answered_at
    locked.reply_text = reply_text.strip()
    locked.reply_number = identifier(reply_number)[:40]
    locked.reply_recorded_by = by
    if checked is not None:
        locked.reply_document_name = (getattr(reply_document, "name", "") or "")[-200:]
        locked.reply_document_sha256 = checked.sha256
        locked.reply_document.save(uploads.stored_name(checked.kind), ContentFile(checked.data), save=False)
    try:
        with actor(by):
            locked.save()
    except BaseException:
        if locked.reply_document:
            locked.reply_document.delete(save=False)
        raise
    evidence.note_event(
        declaration_id=locked.declaration_id,
        kind="letter_answered",
        at=answered_at,
        actor=by,
        message=Message(gettext_noop("Reply to letter %(n)s recorded"), n=Ident("letter", locked.number)),
        data={"letter": locked.pk},
    )
    _notify_answered(locked, by, answered_at)
    # What asked anyone to see to this letter is dealt with: the destination's «letter received», the origin's
    # «reply overdue» and the escalation's notices are marked done for everyone (kept), so no bell still shows
    # an overdue letter already answered. The «answered» notice just sent has its own kind and stays open.
    mark_done_for_everyone(letter_subject(locked.pk), *ANSWER_CLOSES)
    # The reminder or escalation proposed for want of this reply is owed no more: withdrawn (kept, cancelled),
    # the reason on the timeline, so nobody sends a letter asking for a reply already received.
    chasing = FollowUpLetter.objects.select_for_update().filter(
        previous=locked, status=LetterStatus.DRAFT, kind__in=FOLLOW_UP_KINDS
    )
    for draft in chasing:
        draft.status = LetterStatus.CANCELLED
        with actor(by):
            draft.save(update_fields=["status"])
        evidence.note_event(
            declaration_id=locked.declaration_id,
            kind="letter_withdrawn",
            at=now,
            actor=by,
            message=Message(
                gettext_noop("Draft %(kind)s withdrawn: the reply to letter %(n)s arrived"),
                kind=Message(LetterKind(draft.kind).label),
                n=Ident("letter", locked.number),
            ),
            data={"letter": draft.pk, "answered": locked.pk},
        )
    letter.refresh_from_db()
    return locked


def check_reply_document(file) -> uploads.CheckedFile:
    """The reply letter's file checked as arrival evidence is (malware scan, PDF, JPEG or PNG by content, size and
    pixel limits); ``FileRejected`` on ``reply_document`` otherwise."""
    return services.check_evidence(file, field="reply_document")


def _notify_answered(letter: FollowUpLetter, by: User, answered_at: dt.datetime) -> None:
    """The writing office's staff are told on their bell that their letter was answered (not the person who
    recorded it: an origin clerk typing in a reply that came on paper knows it already)."""
    office = Name.of(letter.to_office)
    # The day only: a reply is recorded with its letter's date (the time is the recording's, or the day's end).
    day = When(answered_at.astimezone(TEHRAN).date())
    if letter.reply_number:
        reply = Ident("letter", letter.reply_number)
        body = Message(
            gettext_noop("%(office)s answered on %(at)s, letter %(reply)s"), office=office, at=day, reply=reply
        )
    else:
        body = Message(gettext_noop("%(office)s answered on %(at)s"), office=office, at=day)
    notify(
        Kind.LETTER_ANSWERED,
        office_staff(letter.from_office_id).exclude(pk=by.pk),
        title=Message(
            "%(letter)s · %(serial)s",
            letter=Ident("letter", letter.number),
            serial=Ident("serial", letter.declaration.serial),
        ),
        body=body,
        url=reverse("casework:letter", args=[letter.pk]),
        subject=letter_subject(letter.pk),
    )


# The letters that chase a sent letter's reply: owed only while it is unanswered.
FOLLOW_UP_KINDS = (LetterKind.REMINDER, LetterKind.ESCALATION)

# The notifications about a letter that ask for its reply: done once the reply is recorded.
ANSWER_CLOSES = (Kind.LETTER_RECEIVED, Kind.REPLY_OVERDUE, Kind.ESCALATED_TO_HQ)


def letter_subject(letter_id: int) -> str:
    """What a letter's notifications are about (``Notification.subject``)."""
    return f"letter:{letter_id}"


@transaction.atomic
def letter_cancel(*, letter: FollowUpLetter, by: User) -> FollowUpLetter:
    locked = _locked(letter)
    if locked.status != LetterStatus.DRAFT:
        raise IllegalTransition(_("Only a draft can be cancelled."))
    if not may_write_letter(by, locked.declaration):
        raise services.NotAllowed(_("Only the origin office cancels this draft."))
    locked.status = LetterStatus.CANCELLED
    with actor(by):
        locked.save(update_fields=["status"])
    return locked


def followups_run(*, now: dt.datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """The daily follow-up job. Safe to repeat and to run twice at once.

    1. Propose a draft for declarations overdue, or arrived and unsettled for
       FOLLOWUP_ARRIVED_UNSETTLED_DAYS, that have no letter yet (oldest deadline first, at
       most ``limit`` a day, default FOLLOWUP_PROPOSE_LIMIT; the one-draft-per-declaration constraint claims each).
    2. A sent letter whose reply is overdue gets one reminder draft (claimed by a
       conditional UPDATE of ``reminded_at``).
    3. A sent letter unanswered FOLLOWUP_ESCALATION_DAYS after sending is escalated:
       an escalation draft copied to headquarters.
    """
    now = now or timezone.now()
    limit = settings.FOLLOWUP_PROPOSE_LIMIT if limit is None else limit
    counts = {"proposed": 0, "reminded": 0, "escalated": 0}
    with_letter = FollowUpLetter.objects.exclude(status=LetterStatus.CANCELLED).values("declaration_id")
    candidates = (
        TransitDeclaration.objects.filter(
            Q(status=Status.IN_TRANSIT, deadline__lt=now)
            | Q(
                status__in=(Status.ARRIVED, Status.UNSETTLED),
                arrived_at__lt=now - dt.timedelta(days=settings.FOLLOWUP_ARRIVED_UNSETTLED_DAYS),
            )
        )
        .exclude(pk__in=with_letter)
        .select_related("origin__province", "destination", "vehicle")
        .order_by("deadline", "pk")[:limit]
    )
    letters = [_new_letter(d, letter_kind_for(d, now), by=None) for d in candidates]
    with transaction.atomic():
        created = FollowUpLetter.objects.bulk_create(letters, ignore_conflicts=True)
    counts["proposed"] = len(created)

    due = FollowUpLetter.objects.filter(status=LetterStatus.SENT, reply_due_at__lt=now, reminded_at__isnull=True)
    for letter in due.select_related("declaration__origin__province", "declaration__vehicle")[:limit]:
        # Claim, draft and event in one transaction: a crash or a clash leaves the letter unclaimed.
        try:
            with transaction.atomic():
                if FollowUpLetter.objects.filter(pk=letter.pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                    continue  # another run claimed it
                _follow_up_draft(letter, LetterKind.REMINDER, now)
        except IntegrityError:  # a clerk drafted at that very moment: the next run reminds
            continue
        counts["reminded"] += 1

    late = FollowUpLetter.objects.filter(
        status=LetterStatus.SENT,
        sent_at__lt=now - dt.timedelta(days=settings.FOLLOWUP_ESCALATION_DAYS),
        escalated_at__isnull=True,
    )
    for letter in late.select_related("declaration__origin__province", "declaration__vehicle")[:limit]:
        try:
            with transaction.atomic():
                if FollowUpLetter.objects.filter(pk=letter.pk, escalated_at__isnull=True).update(escalated_at=now) != 1:
                    continue
                _follow_up_draft(letter, LetterKind.ESCALATION, now)
        except IntegrityError:  # a clerk drafted at that very moment: unclaimed, the next run escalates
            continue
        counts["escalated"] += 1
    return counts


def _follow_up_draft(letter: FollowUpLetter, kind: str, now: dt.datetime) -> None:
    """A reminder/escalation draft following ``letter``. Call inside atomic.

    A declaration has one draft at a time. A draft already waiting stands in for a
    reminder; an escalation replaces it (the waiting draft is cancelled, its text kept),
    because the escalation must reach headquarters whatever is pending."""
    pending = (
        FollowUpLetter.objects.select_for_update()
        .filter(declaration_id=letter.declaration_id, status=LetterStatus.DRAFT)
        .first()
    )
    message = Message(
        gettext_noop("No reply to letter %(n)s: %(kind)s proposed"),
        n=Ident("letter", letter.number),
        kind=Message(LetterKind(kind).label),
    )
    if pending is not None and kind == LetterKind.ESCALATION:
        pending.status = LetterStatus.CANCELLED
        pending.save(update_fields=["status"])
        message = Message(
            gettext_noop("No reply to letter %(n)s: %(kind)s proposed in place of the waiting draft (%(waiting)s)"),
            n=Ident("letter", letter.number),
            kind=Message(LetterKind(kind).label),
            waiting=Message(LetterKind(pending.kind).label),
        )
        pending = None
    if pending is None:
        _new_letter(letter.declaration, kind, by=None, previous=letter).save()
    declaration = letter.declaration
    if kind == LetterKind.ESCALATION:
        recipients = list(headquarters()) + list(office_staff(letter.from_office_id))
        notify_kind = Kind.ESCALATED_TO_HQ
    else:
        recipients, notify_kind = list(office_staff(letter.from_office_id)), Kind.REPLY_OVERDUE
    notify(
        notify_kind,
        recipients,
        title=Message(
            "%(letter)s · %(serial)s", letter=Ident("letter", letter.number), serial=Ident("serial", declaration.serial)
        ),
        url=reverse("casework:letter", args=[letter.pk]),
        subject=letter_subject(letter.pk),
    )
    evidence.note_event(
        declaration_id=letter.declaration_id,
        kind=f"letter_{kind}",
        at=now,
        message=message,
        data={"letter": letter.pk},
    )


def letter_is_late_draft(letter: FollowUpLetter, now: dt.datetime | None = None) -> bool:
    """A first letter should go out within FOLLOWUP_FIRST_LETTER_DAYS of the deadline."""
    deadline = letter.declaration.deadline
    return (
        letter.status == LetterStatus.DRAFT
        and deadline is not None
        and deadline + dt.timedelta(days=settings.FOLLOWUP_FIRST_LETTER_DAYS) < (now or timezone.now())
    )


# --- judicial cases ---------------------------------------------------------------------------


def field_label(model, field: str) -> str:
    """The name a page gives ``model``'s ``field`` (its verbose name, capitalised), for a message about it:
    «CIF value must be a positive number.», not «cif_value …»."""
    return capfirst(str(model._meta.get_field(field).verbose_name))


def _decimal(value, field: str, *, positive: bool = False) -> Decimal:
    """``value`` as a number for the case's ``field``; InvalidInput on that field, naming it by its label."""
    label = field_label(JudicialCase, field)
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s is not a number.") % {"field": label}, fields={field: str(value)}) from None
    if not d.is_finite() or d < 0 or (positive and d == 0):
        raise InvalidInput(_("%(field)s must be a positive number.") % {"field": label}, fields={field: str(value)})
    return d


def amount_error(value, field: str, *, positive: bool = False) -> str:
    """What ``_decimal`` refuses in ``value`` for the case's ``field`` ("" when nothing), for the form."""
    try:
        _decimal(value, field, positive=positive)
    except InvalidInput as exc:
        return str(exc)
    return ""


def opened_on_error(opened_on: dt.date) -> str:
    return _("The opening date is in the future.") if opened_on > timezone.localdate() else ""


def discovered_at_error(discovered_at: dt.datetime, opened_on: dt.date | None = None) -> str:
    """In the future, or after the day the case was opened (Tehran time): the goods are found before a case is
    opened on them, and a later discovery would make the Art. 4 hand-over overdue the moment the case exists."""
    if discovered_at > timezone.now() + dt.timedelta(minutes=5):
        return _("The discovery time is in the future.")
    if opened_on is not None and to_tehran(discovered_at).date() > opened_on:
        return _("The discovery time is after the case was opened (%(opened)s): the goods are found before.") % {
            "opened": isolate(format_jalali(opened_on, with_time=False, persian=is_persian()))
        }
    return ""


@transaction.atomic
def case_open(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    file_number: str,
    authority: str,
    opened_on: dt.date,
    cif_value,
    exchange_rate,
    duties=0,
    fees=0,
    currency: str = "USD",
    branch: str = "",
    discovered_at: dt.datetime | None = None,
    commercial_profit=0,
    rate_source: str = "",
    office=None,
) -> JudicialCase:
    """Open a case from an unsettled or overdue declaration, valued per the smuggling regulations.

    The inputs make its first valuation (import smuggling, Art. 2: CIF × the exporters' rate of
    the discovery day + duties + commercial profit + fees, the rate's source stored with it;
    ``casework.smuggling``), and the value sets its statutory milestones. ``discovered_at``: when
    the goods were found (default: the start of ``opened_on``); ``office``: the office answerable
    for the clocks (default: the opener's office, else the declaration's origin)."""
    from . import smuggling

    declaration = TransitDeclaration.objects.select_related("origin", "destination").get(pk=declaration.pk)
    if not case_can_open(declaration):
        raise IllegalTransition(
            _("A case is opened from an unsettled or overdue declaration; %(serial)s is %(status)s.")
            % {"serial": idents.serial_text(declaration.serial), "status": declaration.get_status_display()}
        )
    if not may_handle_case(by, declaration):
        raise services.NotAllowed(_("You may not open a case on this declaration."))
    if not file_number.strip():
        raise InvalidInput(_("The case needs its file number."), fields={"file_number": "required"})
    if not authority.strip():
        raise InvalidInput(_("Name the judicial authority."), fields={"authority": "required"})
    if error := opened_on_error(opened_on):
        raise InvalidInput(error, fields={"opened_on": str(opened_on)})
    if discovered_at is not None and (error := discovered_at_error(discovered_at, opened_on)):
        raise InvalidInput(error, fields={"discovered_at": str(discovered_at)})
    if office is None and by is not None and by.office_id in (declaration.origin_id, declaration.destination_id):
        office = by.office
    case = JudicialCase(
        discovered_at=discovered_at,
        office=office,
        declaration=declaration,
        file_number=identifier(file_number),
        authority=authority.strip(),
        branch=branch.strip(),
        opened_on=opened_on,
        opened_by=by,
        cif_value=_decimal(cif_value, "cif_value", positive=True),
        exchange_rate=_decimal(exchange_rate, "exchange_rate", positive=True),
        duties=_decimal(duties, "duties"),
        fees=_decimal(fees, "fees"),
        currency=currencies.check_currency(currency or "USD"),
    )
    currencies.check_rate(case.currency, case.exchange_rate)
    if error := file_number_error(case.file_number):
        raise InvalidInput(error, fields={"file_number": "duplicate"})
    with actor(by):
        case.save()
    smuggling._new_valuation(
        case,
        by=by,
        kind="import",
        foreign_amount=case.cif_value,
        currency=case.currency,
        exchange_rate=case.exchange_rate,
        rate_source=rate_source or smuggling.EXPORTERS_RATE_SOURCE,
        duties=case.duties,
        commercial_profit=commercial_profit,
        fees=case.fees,
    )
    smuggling._revalue(case, by)
    evidence.note_event(
        declaration_id=declaration.pk,
        kind="case_opened",
        at=timezone.now(),
        actor=by,
        message=Message(gettext_noop("Judicial case %(n)s opened"), n=Ident("case", case.file_number)),
        data={"case": case.pk},
    )
    return case


def file_number_key(file_number: str) -> str:
    """A file number as compared: its digits Latin, its spaces single, its letters in one case."""
    return " ".join(ascii_digits(file_number).split()).upper()


def file_number_error(file_number: str) -> str:
    """Why a new case may not take ``file_number`` (another case holds it), or "" (this runs a query). The
    form asks it beside the field whatever else is wrong, so one submit names every problem."""
    other = same_file_number(file_number).select_related("declaration").first()
    if other is None:
        return ""
    return _("File number %(n)s is already the case of declaration %(serial)s (%(a)s).") % {
        "n": idents.case_number_text(other.file_number),
        "serial": idents.serial_text(other.declaration.serial),
        "a": other.authority,
    }


def same_file_number(file_number: str):
    """The cases already holding ``file_number`` (this runs a query). A judicial file number names one case
    whichever authority is typed beside it (an authority is written in several ways, «دادسرای عمومی» and
    «دادسرای عمومی و انقلاب بازرگان»): two declarations' cases under one number made two «1405-11045» rows
    in the list. The same number typed in Persian or Latin digits, or in another case, is the same number."""
    return JudicialCase.objects.filter(file_number__iexact=file_number_key(file_number))


@transaction.atomic
def case_add_action(*, case: JudicialCase, by: User | None, on: dt.date, action: str) -> JudicialAction:
    case = (
        JudicialCase.objects.select_for_update()
        .select_related("declaration__origin", "declaration__destination")
        .get(pk=case.pk)
    )
    if case.status != CaseStatus.OPEN:
        raise IllegalTransition(_("Case %(n)s is closed.") % {"n": idents.case_number_text(case.file_number)})
    if not may_handle_case(by, case.declaration):
        raise services.NotAllowed(_("You may not record actions on this case."))
    if not action.strip():
        raise InvalidInput(_("Describe the action taken."), fields={"action": "required"})
    if on < case.opened_on or on > timezone.localdate():
        raise InvalidInput(_("The action date must be between the opening and today."), fields={"on": str(on)})
    with actor(by):
        return JudicialAction.objects.create(case=case, on=on, action=action.strip(), by=by)


@transaction.atomic
def case_close(
    *,
    case: JudicialCase,
    by: User | None,
    outcome: str,
    outcome_on: dt.date,
    close_declaration: bool = False,
) -> JudicialCase:
    """Record the outcome; with ``close_declaration`` the declaration is closed in the same transaction.
    When it cannot be closed (the user may not, another case on it still open …) the outcome is refused
    too, nothing written, the error naming ``close_declaration``."""
    case = (
        JudicialCase.objects.select_for_update()
        .select_related("declaration__origin", "declaration__destination")
        .get(pk=case.pk)
    )
    if case.status != CaseStatus.OPEN:
        raise IllegalTransition(_("Case %(n)s is already closed.") % {"n": idents.case_number_text(case.file_number)})
    if not may_handle_case(by, case.declaration):
        raise services.NotAllowed(_("You may not close this case."))
    if not outcome.strip():
        raise InvalidInput(_("Record the outcome."), fields={"outcome": "required"})
    if outcome_on < case.opened_on or outcome_on > timezone.localdate():
        raise InvalidInput(
            _("The outcome date must be between the opening and today."), fields={"outcome_on": str(outcome_on)}
        )
    case.status = CaseStatus.CLOSED
    case.outcome = outcome.strip()
    case.outcome_on = outcome_on
    with actor(by):
        case.save(update_fields=["status", "outcome", "outcome_on"])
        # The steps left undone are no longer owed: kept as records, never listed or told as late.
        now = timezone.now()
        why = Message(gettext_noop("No longer due: case %(n)s was closed."), n=Ident("case", case.file_number))
        for m in case.milestones.live().filter(done_at__isnull=True):
            m.save(update_fields=m.waive(now, why))
    if close_declaration:
        try:
            services.declaration_close(
                declaration=case.declaration,
                by=by,
                remarks=Message(
                    gettext_noop("Judicial case %(n)s: %(o)s"), n=Ident("case", case.file_number), o=case.outcome[:300]
                ),
            )
        except DomainError as exc:  # raised out of the transaction: the case's outcome is not written either
            raise type(exc)(str(exc), fields={"close_declaration": exc.code}) from exc
    return case
