"""Latin-lettered plates drawn for the tests, independently of the project's renderer.

A white 52×11 plate with black Latin text, and either a blue strip on the left carrying a country
code (EU and Turkish style) or no strip at all. Needs only Pillow and a Latin TrueType font
(DejaVu or Liberation, from Debian); ``latin_font()`` returns None when there is none.
"""

from __future__ import annotations

import glob

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

W, H = 520, 112


def latin_font() -> str | None:
    for name in ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "DejaVuSans.ttf"):
        hits = glob.glob(f"/usr/share/fonts/**/{name}", recursive=True)
        if hits:
            return hits[0]
    return None


def latin_plate(text: str, country: str | None, font_path: str) -> np.ndarray:
    """RGB plate image: ``text`` in black on white, a blue strip with ``country`` (None: no strip)."""
    img = Image.new("RGB", (W, H), (238, 238, 234))
    draw = ImageDraw.Draw(img)
    left = 12
    if country is not None:
        strip = 46
        draw.rectangle([0, 0, strip, H], fill=(20, 60, 170))
        draw.text((strip // 2, 80), country, fill=(245, 245, 245), font=ImageFont.truetype(font_path, 24), anchor="mm")
        left = strip + 10
    font = ImageFont.truetype(font_path, 80)
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    if x1 - x0 > W - left - 12:
        font = ImageFont.truetype(font_path, int(80 * (W - left - 12) / (x1 - x0)))
        x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    draw.text(
        (left + (W - left - 12 - (x1 - x0)) // 2 - x0, (H - (y1 - y0)) // 2 - y0), text, fill=(10, 10, 10), font=font
    )
    draw.rectangle([0, 0, W - 1, H - 1], outline=(10, 10, 10), width=3)
    return np.asarray(img).copy()


def as_crop(plate_rgb: np.ndarray) -> np.ndarray:
    """A camera-like BGR crop: a margin of bumper around the plate, 640×128."""
    bgr = cv2.cvtColor(plate_rgb, cv2.COLOR_RGB2BGR)
    framed = cv2.copyMakeBorder(bgr, 12, 12, 16, 16, cv2.BORDER_CONSTANT, value=(70, 70, 70))
    return cv2.resize(framed, (640, 128), interpolation=cv2.INTER_AREA)


# Turkish, EU and Caucasian trucks as met at the border; the last two without a strip.
PLATES = [
    ("34 ABC 123", "TR"),
    ("06 KL 4821", "TR"),
    ("B MW 1234", "D"),
    ("CV 29637", "AM"),
    ("AZ 512 KX", "AZ"),
    ("GE 774 RT", None),
    ("CA 8841 BX", None),
]
