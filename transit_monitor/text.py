"""Text in right-to-left documents: isolating left-to-right pieces from the text around them.

A piece such as ``1404-BZG-00010056`` inside Persian text is laid out by the Unicode
bidirectional algorithm together with its neighbours, and comes out as
``BZG-00010056-1404``. Isolated, it is laid out on its own and keeps its order: on a page
by ``<bdi dir="ltr">`` (WeasyPrint honours ``dir`` on it too), in plain text (a letter's
body, an XLSX-free text, a message) by the Unicode isolates LRI/RLI … PDI.
"""

from __future__ import annotations

LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
PDI = "\u2069"  # pop directional isolate
ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")


def isolate(text: str, direction: str = "ltr") -> str:
    """``text`` between isolate marks, so that it keeps its own order inside any paragraph."""
    if not text:
        return ""
    return (RLI if direction == "rtl" else LRI) + text + PDI


def strip_isolates(text: str) -> str:
    """The text without isolate marks (for a search box, a comparison)."""
    return text.translate(ISOLATES)
