"""The return's PDF has the official letter's cover form (DESIGN.md, "Official letters"), as a sent follow-up letter
has: on its first page the signer's name and title and a رونوشت list. A return built and not yet submitted says it
is not yet signed or sent; once submitted, its PDF names the inspector who submitted it, with their title, and the
sealed pages after the cover are kept as they were built."""

import hashlib
import io

import pytest
from pypdf import PdfReader

from reports import exports, services
from tests.factories import OfficeFactory
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db


def _pdf(snap) -> bytes:
    """The PDF the return is handed out as: the built one, once submitted the signed one (kept beside it)."""
    snap.refresh_from_db()
    with snap.served_pdf()[0].open("rb") as f:
        return f.read()


def test_the_return_pdf_is_signed_by_who_submits_it_with_copies(bazargan, inspector, west_az):
    OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)
    inspector.first_name, inspector.last_name, inspector.title = "سارا", "رحیمی", "بازرس ارشد استان"
    inspector.save()
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    draft = _pdf(snap)
    cover = pdf_text(draft).split("\f")[0]
    assert norm("رونوشت") in cover
    assert norm("گمرک بازرگان") in cover and norm("گمرک ارومیه") in cover  # the province's offices, copied
    assert norm("هنوز امضا و به ستاد فرستاده نشده است") in cover
    assert norm("سارا رحیمی") not in pdf_text(draft)

    services.return_submit(monthly_return=snap, by=inspector)
    signed = _pdf(snap)
    text = pdf_text(signed)
    cover = text.split("\f")[0]
    assert norm("سارا رحیمی") in cover and norm("بازرس ارشد استان") in cover
    assert norm("رونوشت") in cover and norm("هنوز امضا") not in text
    # The pages after the cover are the sealed ones, as built.
    built, sent = PdfReader(io.BytesIO(draft)), PdfReader(io.BytesIO(signed))
    assert len(built.pages) == len(sent.pages)
    assert [p.extract_text() for p in built.pages[1:]] == [p.extract_text() for p in sent.pages[1:]]
    assert snap.signed_pdf_sha256 == hashlib.sha256(signed).hexdigest()
    assert snap.pdf_sha256 == hashlib.sha256(draft).hexdigest()  # the built one, kept as built


def test_the_signer_block_names_the_province_once(inspector, west_az):
    """«بازرس گمرک استان آذربایجان غربی» above «بازرسی گمرک استان آذربایجان غربی» said the place twice."""
    figures = {"province": west_az.code, "province_name": west_az.name_fa}
    inspector.title = f"بازرس گمرک استان {west_az.name_fa}"
    assert exports.return_signer(inspector, figures)["office"] == ""
    inspector.title = "بازرس ارشد"
    assert exports.return_signer(inspector, figures)["office"] == f"بازرسی گمرک استان {west_az.name_fa}"
