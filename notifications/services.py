"""Who is notified of what. Apps call ``notify`` where the event happens (inside their service's
transaction: the notification exists when the change does); recipients are chosen by role and
scope with the helpers below, so nobody is told about what they may not see."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Role, User

from .messages import Ident, Message, params_to_json, stored_copy
from .models import EmailPreference, Kind, Notification

log = logging.getLogger(__name__)


# --- recipients ---------------------------------------------------------------------------------


def office_staff(*office_ids: int | None) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.OFFICE, office_id__in=[o for o in office_ids if o])


def inspectors_of(*province_ids: int | None) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.INSPECTOR, province_id__in=[p for p in province_ids if p])


def headquarters() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.HQ)


def it_office() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=Role.IT)


# --- notifying ----------------------------------------------------------------------------------


# pg_advisory_xact_lock namespace of "once per subject" (any 32-bit number no other code uses: "NOTF").
_SUBJECT_LOCK = 0x4E4F5446


def _lock_subject(kind: str, subject: str) -> None:
    """Serialise "is it there yet? then add it" per (kind, subject) until the transaction ends.

    The table has no unique index for it (partitioned by month on PostgreSQL); SQLite has one writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_SUBJECT_LOCK, f"{kind}:{subject}"])


def notify(
    kind: str,
    recipients: Iterable[User] | QuerySet[User],
    *,
    title: Message,
    url: str,
    subject: str = "",
    body: Message | str = "",
) -> int:
    """One notification per recipient (once per ``subject`` when given: a check that runs again
    does not repeat itself); e-mail to those who chose this kind, after the transaction commits.
    Returns how many were created.

    ``title`` and ``body`` are messages (``notifications.messages``), written when they are read in the
    reader's language; a ``body`` given as text is a person's own words (a remark), shown as written."""
    users = {u.pk: u for u in recipients}
    if not users:
        return 0
    params = {"title": params_to_json(title.params)}
    if isinstance(body, Message):
        params["body"] = params_to_json(body.params)
    title_text = stored_copy(title)[:300]
    body_text = stored_copy(body) if isinstance(body, Message) else body
    rows = [
        Notification(
            user_id=pk,
            kind=kind,
            title=title_text,
            body=body_text,
            title_msgid=title.msgid,
            body_msgid=body.msgid if isinstance(body, Message) else "",
            params=params,
            url=url[:500],
            subject=subject[:100],
        )
        for pk in users
    ]
    with transaction.atomic():
        if subject:
            _lock_subject(kind, subject[:100])
            already = set(
                Notification.objects.filter(user_id__in=users, kind=kind, subject=subject[:100]).values_list(
                    "user_id", flat=True
                )
            )
            rows = [r for r in rows if r.user_id not in already]
        created = Notification.objects.bulk_create(rows)
    wants_mail = set(
        EmailPreference.objects.filter(user_id__in=[r.user_id for r in rows], kind=kind).values_list(
            "user_id", flat=True
        )
    )
    mail_to = [users[r.user_id] for r in rows if r.user_id in wants_mail and users[r.user_id].email]
    if mail_to:
        note = rows[0]
        transaction.on_commit(lambda: _send_mail(note, mail_to))
    return len(created)


def recipient_language(user: User) -> str:
    """The language a person's e-mails are written in: the one they last chose with the pages' switch
    (kept on their account), else the project's, Persian."""
    language = getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _send_mail(note: Notification, users: list[User]) -> None:
    """``note``'s message e-mailed to each of ``users``, in their language (the rows are alike but for the user)."""
    for user in users:
        with override(recipient_language(user)):
            subject = f"{Kind(note.kind).label}: {note.title_text()}"
            text = "\n\n".join(p for p in (note.body_text(), settings.SITE_URL.rstrip("/") + note.url) if p)
        try:
            send_mail(subject, text, None, [user.email])
        except OSError:  # the mail server is down: the notification in the app stands
            log.warning("could not e-mail %s about %s", user.username, note.kind, exc_info=True)
            continue
        Notification.objects.filter(user=user, kind=note.kind, title=note.title, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_done(notification: Notification) -> None:
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk, done_at__isnull=True).update(done_at=now)
    mark_read(notification)


def mark_done_for_everyone(subject: str, *kinds: str) -> int:
    """Every recipient's notification of ``kinds`` about ``subject`` marked done (and read): what it asked
    someone to look at was dealt with (a comparison reviewed, a reuse reviewed), by whoever was entitled,
    so nobody's list keeps it open. Returns how many were closed."""
    now = timezone.now()
    about = Notification.objects.filter(subject=subject[:100], kind__in=kinds, done_at__isnull=True)
    about.filter(read_at__isnull=True).update(read_at=now)
    return about.update(done_at=now)


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def set_email_kinds(user: User, kinds: Iterable[str]) -> None:
    wanted = {k for k in kinds if k in Kind.values}
    with transaction.atomic():
        EmailPreference.objects.filter(user=user).exclude(kind__in=wanted).delete()
        have = set(EmailPreference.objects.filter(user=user).values_list("kind", flat=True))
        EmailPreference.objects.bulk_create([EmailPreference(user=user, kind=k) for k in wanted - have])


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user).unread().count()


__all__ = [
    "Kind",
    "Message",
    "headquarters",
    "inspectors_of",
    "it_office",
    "mark_all_read",
    "mark_done",
    "mark_done_for_everyone",
    "mark_read",
    "notify",
    "office_staff",
    "set_email_kinds",
    "unread_count",
]


def on_export_finished(sender, *, instance, kind_label, **_kwargs) -> None:
    """Receiver of ``core.signals.export_finished``: the person who asked is told the file is ready (or
    could not be built), with a link to the job's page (connected in ``NotificationsConfig.ready``)."""
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    ready = instance.state == "done"
    notify(
        Kind.EXPORT_READY if ready else Kind.EXPORT_FAILED,
        [instance.user],
        # The kind's label says what happened («An export you asked for is ready»); the title only which.
        title=Message(kind_label),
        # The name isolated as an identifier is (``file_name``): «…_68383ق_1405-08-16…» keeps its order.
        body=Message(gettext_noop("File: %(name)s"), name=Ident("file", instance.filename))
        if ready
        else instance.error,
        url=reverse("core:export-job", args=[instance.pk]),
        subject=f"export:{instance.pk}",
    )


def on_export_downloaded(sender, *, instance, user, **_kwargs) -> int:
    """Receiver of ``core.signals.export_downloaded``: the file was taken, so the taker's notice that it is
    ready is done (and read); anyone else's stays as it was (connected in ``NotificationsConfig.ready``).
    Returns how many were closed (0 or 1)."""
    now = timezone.now()
    ready = Notification.objects.filter(
        user=user, kind=Kind.EXPORT_READY, subject=f"export:{instance.pk}", done_at__isnull=True
    )
    ready.filter(read_at__isnull=True).update(read_at=now)
    return ready.update(done_at=now)
