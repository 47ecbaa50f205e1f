"""Persian right-to-left PDFs in the form of an official letter (DESIGN.md, "Official letters").

The HTML templates under ``templates/letters/`` go through the RTL PDF engine (``core.pdf``:
fonts embedded from disk, no network).
A sent letter's PDF, its record, is rendered and stored once by a Celery task; a draft's
preview is built by the worker as an export job (``core.exports``, kind ``letter-draft``: the person
follows it on the job's page and is told when it is ready), never in a request and never kept with the letter.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.dates import format_jalali
from core.exports import ExportRefused
from core.files import export_filename
from core.pdf import font_face_css, html_to_pdf
from declarations.idents import serial_html
from notifications.messages import Ident, Message
from notifications.services import Kind, notify

from .models import FollowUpLetter, LetterStatus
from .services import may_write_letter


def letter_signer(letter: FollowUpLetter, sender=None) -> dict[str, str] | None:
    """Who signs the letter: the name and title it carries (its drafter's, or its sender's once sent); a draft
    the system proposed carries none, and is signed by whoever sends it: ``sender``, the person previewing it,
    if they may send it (the sending office's staff). None: nobody known, or a viewer who may not send it (an
    inspector, headquarters), never named as its signer; the letter names the office that signs it on sending."""
    if letter.signer_name:
        return {"name": letter.signer_name, "title": letter.signer_title}
    if letter.status == LetterStatus.DRAFT and sender is not None and may_write_letter(sender, letter.declaration):
        return {"name": sender.get_full_name() or sender.username, "title": sender.title}
    return None


def render_letter_html(letter: FollowUpLetter, sender=None) -> str:
    with translation.override("fa"):
        return render_to_string(
            "letters/letter.html",
            {
                "letter": letter,
                "signer": letter_signer(letter, sender),
                "fonts": font_face_css(),
                "is_draft": letter.status == LetterStatus.DRAFT,
                "date": format_jalali(letter.sent_at, with_time=False) if letter.sent_at else "",
                "paragraphs": letter.paragraphs,
            },
        )


def render_letter_pdf(letter: FollowUpLetter, sender=None) -> bytes:
    return html_to_pdf(render_letter_html(letter, sender))


def letter_store_pdf(*, letter_id: int) -> FollowUpLetter:
    """Render and keep a sent letter's PDF with its SHA-256: the letter's record, stored once.

    A draft is never stored with the letter (its preview is an export job: ``build_preview``). Two runs at once
    both render, but only the first to fill the empty field keeps its file."""
    letter = FollowUpLetter.objects.select_related("from_office", "to_office", "declaration", "sent_by").get(
        pk=letter_id
    )
    if letter.pdf or letter.status not in (LetterStatus.SENT, LetterStatus.ANSWERED):
        return letter
    data = render_letter_pdf(letter)
    digest = hashlib.sha256(data).hexdigest()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    letter.pdf.save(f"letter-{letter.pk}-{stamp}-{digest[:12]}.pdf", ContentFile(data), save=False)
    if not FollowUpLetter.objects.filter(pk=letter.pk, pdf="").update(pdf=letter.pdf.name, pdf_sha256=digest):
        letter.pdf.storage.delete(letter.pdf.name)  # another run stored it first
        letter.refresh_from_db()
        return letter
    letter.pdf_sha256 = digest
    _tell_the_sender(letter)
    return letter


def _tell_the_sender(letter: FollowUpLetter) -> None:
    """The person who sent the letter is told on their bell that its PDF is stored (the letter's page also
    follows it and shows the digest when it is there): nobody reloads the page to find out. Once per letter."""
    by = letter.sent_by
    if by is None or not by.is_active:
        return  # sent by the system: nobody waits for it
    notify(
        Kind.LETTER_PDF_READY,
        [by],
        title=Message(
            "%(letter)s · %(serial)s",
            letter=Ident("letter", letter.number),
            serial=Ident("serial", letter.declaration.serial),
        ),
        url=reverse("casework:letter", args=[letter.pk]),
        subject=f"letter-pdf:{letter.pk}",
    )


# --- a draft's preview, an export job ----------------------------------------------------------------

PREVIEW_KIND = "letter-draft"
# A cancelled draft (withdrawn when its letter was answered, replaced by an escalation) has no preview:
# it will never be sent, and a PDF headed like a letter to send would say otherwise.
PREVIEW_STATUSES = (LetterStatus.DRAFT,)


def preview_query(letter: FollowUpLetter) -> str:
    return urlencode({"letter": str(letter.pk)})


def preview_version(letter: FollowUpLetter, sender=None) -> str:
    """What the draft's preview shows to ``sender`` (who would sign it), as a short digest of its page
    (rendered, not printed: a template's work): the same digest is the same PDF, so a click again answers
    the preview already built."""
    return hashlib.sha256(render_letter_html(letter, sender).encode()).hexdigest()[:16]


def _previewed(job) -> FollowUpLetter | None:
    pk = QueryDict(job.query).get("letter", "")
    if not pk.isdigit():
        return None
    letters = FollowUpLetter.objects.select_related("from_office", "to_office", "declaration")
    return letters.for_user(job.user).filter(pk=int(pk)).first()


def build_preview(job, out, progress) -> str:
    """The builder of the export job (``core.exports``): the draft named in ``job.query`` as a PDF, for
    ``job.user`` if the draft is still one they may see (the page's own check, made again in the worker),
    and still a draft: a letter sent since has its stored record, downloaded from its page."""
    letter = _previewed(job)
    if letter is None:
        raise ExportRefused(_("This letter is no longer one you may read."))
    if letter.status == LetterStatus.CANCELLED:
        raise ExportRefused(_("This draft was cancelled; it will not be sent."))
    if letter.status not in PREVIEW_STATUSES:
        raise ExportRefused(_("This letter has been sent since: download its PDF from its page."))
    out.write(render_letter_pdf(letter, sender=job.user))
    return export_filename("letter-draft", "pdf", then=letter.declaration.serial)


def preview_back(job) -> str:
    """The letter's page."""
    pk = QueryDict(job.query).get("letter", "")
    return reverse("casework:letter", args=[int(pk)]) if pk.isdigit() else reverse("casework:letters")


def preview_shown(job) -> list[tuple[str, SafeString]]:
    """The draft as its page names it: the declaration it follows up, the office it is addressed to."""
    letter = _previewed(job)
    if letter is None:
        return []
    return [
        (_("declaration"), serial_html(letter.declaration.serial)),
        (_("to office"), format_html("{}", letter.to_office)),
    ]
