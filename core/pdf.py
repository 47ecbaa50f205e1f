"""The Persian right-to-left PDF engine: HTML to PDF with embedded fonts and no network.

WeasyPrint renders HTML templates. The closed network allows no outside request: fonts are
embedded from files on disk (vendored Vazirmatn, or Debian's fonts-farsiweb until it is
vendored) and the URL fetcher refuses anything but file://.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings

FALLBACK_FONTS = Path("/usr/share/fonts/truetype/farsiweb")
log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def static_instance(variable: Path, weight: int) -> Path:
    """A static TTF of the variable font at ``weight``, made once per machine (a cache directory).

    Given the variable WOFF2, WeasyPrint decompresses it and instances it again for every PDF
    (a few hundred ms of a return's PDF); a plain TTF at a fixed weight costs neither."""
    folder = Path(settings.FONT_CACHE_DIR or Path(tempfile.gettempdir()) / "transit-monitor-fonts")
    digest = hashlib.sha256(variable.read_bytes()).hexdigest()[:16]
    target = folder / f"{variable.stem}-{weight}-{digest}.ttf"
    if target.exists():
        return target
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    folder.mkdir(parents=True, exist_ok=True)
    font = instancer.instantiateVariableFont(TTFont(variable), {"wght": weight})
    font.flavor = None
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".ttf")
    os.close(fd)
    font.save(tmp)
    os.replace(tmp, target)  # atomic: another worker making the same file meanwhile is harmless
    return target


def font_files() -> list[tuple[Path, str]]:
    """(font file, CSS font-weight) pairs: the vendored Vazirmatn (variable or static weights)
    first, Debian's farsiweb Nazli as the fallback while it is not vendored."""
    vendored = Path(settings.BASE_DIR) / "static" / "vendor" / "vazirmatn"
    files = sorted(vendored.rglob("*.woff2")) + sorted(vendored.rglob("*.ttf")) if vendored.exists() else []
    variable = [p for p in files if "Variable" in p.name]
    if variable:
        # WeasyPrint takes no weight ranges: one static instance per weight used.
        try:
            return [(static_instance(variable[0], w), str(w)) for w in (400, 700)]
        except Exception:  # no writable cache directory, a fontTools change: WeasyPrint instances it
            log.warning("static instances of %s not made; PDFs use the variable font", variable[0], exc_info=True)
            return [(variable[0], "400"), (variable[0], "700")]
    regular = [p for p in files if "Regular" in p.name]
    bold = [p for p in files if "Bold" in p.name and "ExtraBold" not in p.name and "SemiBold" not in p.name]
    if regular:
        return [(regular[0], "400"), ((bold or regular)[0], "700")]
    return [(FALLBACK_FONTS / "nazli.ttf", "400"), (FALLBACK_FONTS / "nazlib.ttf", "700")]


def font_face_css() -> str:
    return "\n".join(
        f"@font-face{{font-family:'Vazirmatn';src:url('{path.resolve().as_uri()}');font-weight:{weight};}}"
        for path, weight in font_files()
    )


def local_url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """Fetch file:// and data: URLs only: a PDF must never reach the network."""
    from weasyprint import default_url_fetcher

    if not (url.startswith("file://") or url.startswith("data:")):
        raise ValueError(f"refusing to fetch {url!r}: only local files are allowed in PDFs")
    return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)


def html_to_pdf(html: str) -> bytes:
    import warnings

    from weasyprint import HTML

    with warnings.catch_warnings():
        # WeasyPrint 66 instances the variable font through a fontTools call it marks deprecated.
        warnings.filterwarnings("ignore", message=".*instantiateVariableFont.*")
        return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_url_fetcher).write_pdf()
