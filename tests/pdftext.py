"""Text of a PDF for assertions, via poppler's pdftotext, normalised for Persian.

pdftotext drops zero-width non-joiners and extracts the lam-alef ligature as «ال»; both
the extracted text and the expected phrases go through the same normalisation.
"""

import subprocess

_MARKS = dict.fromkeys(map(ord, "\u200c\u200f\u200e\u202a\u202b\u202c\u202d\u202e"), None)


def norm(text: str) -> str:
    return text.translate(_MARKS).replace("لا", "ال")


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return norm(out)
