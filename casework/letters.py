"""Persian right-to-left PDFs in the form of an official letter (DESIGN.md, "Official letters").

The HTML templates under ``templates/letters/`` go through the RTL PDF engine (``core.pdf``:
fonts embedded from disk, no network).
A sent letter's PDF, its record, is rendered and stored once by a Celery task; a draft's
preview is rendered in the request (about 0.1 s) and never stored.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.dates import format_jalali
from core.pdf import font_face_css, html_to_pdf

from .models import FollowUpLetter, LetterStatus


def render_letter_html(letter: FollowUpLetter) -> str:
    with translation.override("fa"):
        return render_to_string(
            "letters/letter.html",
            {
                "letter": letter,
                "fonts": font_face_css(),
                "is_draft": letter.status == LetterStatus.DRAFT,
                "date": format_jalali(letter.sent_at, with_time=False) if letter.sent_at else "",
                "paragraphs": letter.paragraphs,
            },
        )


def render_letter_pdf(letter: FollowUpLetter) -> bytes:
    return html_to_pdf(render_letter_html(letter))


def letter_store_pdf(*, letter_id: int) -> FollowUpLetter:
    """Render and keep a sent letter's PDF with its SHA-256: the letter's record, stored once.

    A draft is never stored (its preview is rendered for each request). Two runs at once
    both render, but only the first to fill the empty field keeps its file."""
    letter = FollowUpLetter.objects.select_related("from_office", "to_office", "declaration").get(pk=letter_id)
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
    return letter
