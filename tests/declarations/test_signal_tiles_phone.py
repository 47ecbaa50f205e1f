"""At 390 px (a phone) the inspector's dashboard stacked its 19 signal tiles one per row (each at least 11.5rem
wide, two did not fit), ~1,500 px before the first table. Below Bootstrap's ``sm`` breakpoint the grid now has two
columns that may shrink, and a tile's label wraps inside its column rather than widening it (CSS only)."""

import re
from pathlib import Path

from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css" / "app.css"


def _css() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)


def _media_block(query: str) -> str:
    """The rules inside every ``@media <query> { … }`` of the sheet, one level of braces deep."""
    css = _css()
    found = []
    for start in [m.end() for m in re.finditer(r"@media\s*" + re.escape(query) + r"\s*\{", css)]:
        depth, i = 1, start
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        found.append(css[start : i - 1])
    return " ".join(found)


def _rules(css: str, selector: str) -> str:
    return " ".join(
        body
        for head, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        if selector in [h.strip() for h in head.split(",")]
    )


def test_the_signal_tiles_are_two_per_row_on_a_phone():
    phone = _media_block("(max-width: 575.98px)")
    grid = _rules(phone, ".signal-grid")
    assert re.search(r"grid-template-columns:\s*repeat\(2,\s*minmax\(0,\s*1fr\)\)", grid), phone


def test_a_tiles_label_wraps_inside_its_column():
    tile = _rules(_css(), ".signal-tile")
    assert re.search(r"min-width:\s*0", tile) and re.search(r"overflow-wrap:\s*(anywhere|break-word)", tile), tile
