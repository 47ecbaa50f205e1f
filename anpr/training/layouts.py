"""Plates the Iranian reader does not read: the neighbours' Latin plates and the other Iranian layouts.

Rendered for training the foreign reader and the plate-type classifier, and for measuring them
(``anpr.recognition.bench --foreign``). Like ``render.py``: numpy, OpenCV and Pillow only.

Foreign layouts are drawn from what the plates of each country look like (colours, a blue or
flag strip with the country code, the order of letters and digits); the fonts are Debian's
DejaVu/Liberation, not the countries' own plate fonts, so a model trained only on these is a
starting point that real crops must confirm (``docs/anpr-recognition.md``).

Other Iranian layouts (classified and left to a person): free-zone plates (zone name, digits in
Persian and Latin), motorcycle plates (two lines, nearly square), and the older pre-standard plates
(city name and digits, no blue strip). Diplomatic and service plates have the standard layout with
a Latin D or S and are read by the Iranian reader itself (``render.render_plate``).
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anpr.recognition.foreign import COUNTRY_FORMS, FOREIGN, IRANIAN_OTHER, PLATE_CLASSES
from anpr.training.render import (
    PERSIAN_DIGITS,
    PLATE_H,
    PLATE_W,
    _latin_fonts,
    _paste,
    glyph,
)

__all__ = ["COUNTRIES", "FOREIGN", "IRANIAN_OTHER", "PLATE_CLASSES", "random_foreign", "render_iranian_other"]

LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

# country → (strip kind, background, text colour, weight in traffic at the western borders); the plate
# forms (D digit, L letter, other characters drawn but not part of the text) are the runtime's
# ``COUNTRY_FORMS``. strip: "eu" (blue with stars and the code), "blue" (blue with the code), "flag"
# (flag + code), "iq"/"af" (flag, the country's name, Arabic-script words over the number), "" none.
WHITE, YELLOW, BLACK = (236, 236, 232), (242, 196, 24), (15, 15, 15)
_STYLE: dict[str, tuple[str, tuple, tuple, float]] = {
    "TR": ("blue", WHITE, BLACK, 6.0),
    "IQ": ("iq", WHITE, BLACK, 4.0),
    "AF": ("af", WHITE, BLACK, 2.0),
    "AZ": ("flag", WHITE, BLACK, 2.0),
    "AM": ("flag", WHITE, BLACK, 1.5),
    "TM": ("flag", WHITE, BLACK, 1.0),
    "PK": ("", WHITE, BLACK, 1.0),
    "GE": ("eu", WHITE, BLACK, 1.0),
    "DE": ("eu", WHITE, BLACK, 1.0),
    "PL": ("eu", WHITE, BLACK, 1.0),
    "NL": ("eu", YELLOW, BLACK, 0.7),
    "BG": ("eu", WHITE, BLACK, 1.0),
    "RO": ("eu", WHITE, BLACK, 0.8),
    "LT": ("eu", WHITE, BLACK, 0.6),
}
COUNTRIES = {c: (COUNTRY_FORMS[c], *_STYLE[c]) for c in FOREIGN}

FLAGS = {  # horizontal bands, top to bottom
    "AZ": [(0, 150, 220), (225, 30, 40), (0, 160, 80)],
    "AM": [(220, 20, 30), (0, 50, 160), (245, 170, 0)],
    "TM": [(0, 130, 70), (0, 130, 70), (0, 130, 70)],
    "IQ": [(200, 20, 30), (240, 240, 240), (20, 20, 20)],
    "AF": [(20, 20, 20), (200, 20, 30), (0, 120, 60)],
}

FREE_ZONES = ["کیش", "قشم", "ارس", "انزلی", "چابهار", "اروند", "ماکو"]
FREE_ZONES_LATIN = ["KISH", "QESHM", "ARAS", "ANZALI", "CHABAHAR", "ARVAND", "MAKU"]
OLD_CITIES = ["تهران", "اصفهان", "تبریز", "شیراز", "مشهد", "کرمان", "اهواز"]


def random_text(form: str, rng: random.Random) -> str:
    return "".join(rng.choice(DIGITS) if c == "D" else rng.choice(LATIN) if c == "L" else c for c in form)


def plate_text(drawn: str) -> str:
    """The canonical plate text of a drawn form: letters and digits only."""
    return "".join(c for c in drawn if c.isalnum())


def random_country(rng: random.Random) -> str:
    return rng.choices(FOREIGN, weights=[COUNTRIES[c][4] for c in FOREIGN])[0]


def _jitter(colour, rng, d=18):
    return tuple(int(np.clip(c + rng.randint(-d, d), 0, 255)) for c in colour)


def _font(path: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(6, int(size)))


def _fit_text(d: ImageDraw.ImageDraw, text: str, box, path: str, colour, rng, size: float | None = None):
    """Draw ``text`` centred in box (x0, y0, x1, y1), shrinking it to fit."""
    x0, y0, x1, y1 = box
    size = size or (y1 - y0) * rng.uniform(0.8, 0.98)
    font = _font(path, size)
    left, top, right, bottom = d.textbbox((0, 0), text, font=font)
    if right - left > (x1 - x0):
        font = _font(path, size * (x1 - x0) / (right - left))
        left, top, right, bottom = d.textbbox((0, 0), text, font=font)
    tx = x0 + ((x1 - x0) - (right - left)) // 2 - left
    ty = y0 + ((y1 - y0) - (bottom - top)) // 2 - top
    d.text((tx, ty), text, fill=colour, font=font)


def _persian(img: np.ndarray, text: str, box, fonts: list[str], colour, rng):
    """Persian text drawn glyph by glyph right to left (no shaping engine: isolated forms)."""
    x0, y0, x1, y1 = box
    font = rng.choice(fonts)
    n = len(text)
    step = (x1 - x0) / max(n, 1)
    for i, ch in enumerate(text):
        g = glyph(font, ch)
        if g is None:
            continue
        bx = int(x1 - (i + 1) * step)
        if ch == "۰":  # the Persian zero is a small dot
            h = (y1 - y0) // 4
            _paste(img, g, (bx + int(step * 0.3), y0 + (y1 - y0 - h) // 2, int(step * 0.35), h), colour, rng, 0)
        else:
            _paste(img, g, (bx, y0, int(step * 0.95), y1 - y0), colour, rng, 0)


def render_foreign(country: str, drawn: str, rng: random.Random) -> np.ndarray:
    """A flat foreign plate (RGB, PLATE_H × PLATE_W) of ``country`` showing ``drawn`` (with separators)."""
    _, strip, bg, fg, _ = COUNTRIES[country]
    W, H = PLATE_W, PLATE_H
    pil = Image.new("RGB", (W, H), _jitter(bg, rng))
    d = ImageDraw.Draw(pil)
    code_font = _latin_fonts()[0]
    x0 = int(W * 0.03)
    sw = int(W * rng.uniform(0.075, 0.1))
    if strip in ("eu", "blue"):
        d.rectangle([0, 0, sw, H], fill=(rng.randint(0, 30), rng.randint(40, 80), rng.randint(140, 200)))
        if strip == "eu":
            for i in range(12):
                a = i * np.pi / 6
                cx, cy = sw / 2 + sw * 0.3 * np.cos(a), H * 0.3 + sw * 0.3 * np.sin(a)
                d.ellipse([cx - 2, cy - 2, cx + 2, cy + 2], fill=(250, 220, 0))
        _fit_text(d, country, (2, int(H * 0.58), sw - 2, int(H * 0.92)), code_font, (240, 240, 240), rng)
        x0 = sw + int(W * 0.02)
    elif strip == "flag":
        bands = FLAGS[country]
        fh = int(H * 0.36) // 3
        for i, c in enumerate(bands):
            d.rectangle([int(sw * 0.15), int(H * 0.1) + i * fh, int(sw * 0.85), int(H * 0.1) + (i + 1) * fh], fill=c)
        _fit_text(d, country, (2, int(H * 0.58), sw, int(H * 0.92)), code_font, fg, rng)
        x0 = sw + int(W * 0.02)
    elif strip in ("iq", "af"):
        # A band on the left or top with the country name in Latin and Arabic script, often a flag.
        name = "IRAQ" if strip == "iq" else "AFGHANISTAN"
        bands = FLAGS[country]
        fh = int(H * 0.3) // 3
        for i, c in enumerate(bands):
            d.rectangle([int(sw * 0.1), int(H * 0.08) + i * fh, int(sw * 0.9), int(H * 0.08) + (i + 1) * fh], fill=c)
        _fit_text(d, name, (2, int(H * 0.7), sw + 6, int(H * 0.9)), code_font, fg, rng)
        x0 = sw + int(W * 0.03)
    pil_img = np.asarray(pil).copy()
    if strip in ("iq", "af"):  # Arabic-script words over the number (the province or the country)
        from anpr.training.render import find_fonts

        fonts = find_fonts()
        if fonts:
            word = rng.choice(["العراق", "بغداد", "اربیل", "کابل", "هرات", "قندهار"])
            _persian(
                pil_img, word, (x0 + int(W * 0.25), int(H * 0.04), W - int(W * 0.25), int(H * 0.3)), fonts, fg, rng
            )
        top = int(H * 0.32)
    else:
        top = int(H * 0.08)
    pil = Image.fromarray(pil_img)
    d = ImageDraw.Draw(pil)
    path = rng.choice(_latin_fonts())
    _fit_text(d, drawn, (x0, top, W - int(W * 0.03), H - int(H * 0.06)), path, _jitter(fg, rng, 10), rng)
    img = np.asarray(pil).copy()
    if rng.random() < 0.85:
        cv2.rectangle(img, (0, 0), (W - 1, H - 1), (10, 10, 10), rng.choice([2, 3, 4]))
    return img


def random_foreign(rng: random.Random, country: str | None = None) -> tuple[str, str, np.ndarray]:
    """(country, canonical text, flat plate RGB) of a random foreign plate."""
    country = country or random_country(rng)
    drawn = random_text(rng.choice(COUNTRIES[country][0]), rng)
    return country, plate_text(drawn), render_foreign(country, drawn, rng)


def render_iranian_other(kind: str, fonts: list[str], rng: random.Random) -> np.ndarray:
    """A flat plate (RGB) of one of the Iranian layouts the reader leaves to a person."""
    img: np.ndarray
    if kind == "ir_motorcycle":
        W, H = 260, 170
        img = np.zeros((H, W, 3), np.uint8)
        img[:] = _jitter(WHITE, rng)
        sw = int(W * 0.12)
        img[:, :sw] = (rng.randint(0, 30), rng.randint(40, 80), rng.randint(130, 190))
        for i, c in enumerate([(35, 150, 60), (240, 240, 240), (220, 30, 40)]):
            img[int(H * 0.1) + i * 8 : int(H * 0.1) + (i + 1) * 8, int(sw * 0.2) : int(sw * 0.8)] = c
        top = "".join(rng.choice(PERSIAN_DIGITS[1:]) for _ in range(3))
        bottom = "".join(rng.choice(PERSIAN_DIGITS) for _ in range(5))
        _persian(img, top[::-1], (sw + int(W * 0.2), int(H * 0.06), W - int(W * 0.2), int(H * 0.44)), fonts, BLACK, rng)
        _persian(img, bottom[::-1], (sw + 8, int(H * 0.52), W - 8, int(H * 0.94)), fonts, BLACK, rng)
        cv2.line(img, (sw, int(H * 0.48)), (W, int(H * 0.48)), BLACK, 2)
    elif kind == "ir_free_zone":
        W, H = PLATE_W, PLATE_H
        img = np.zeros((H, W, 3), np.uint8)
        img[:] = _jitter(WHITE, rng)
        z = rng.randrange(len(FREE_ZONES))
        zw = int(W * rng.uniform(0.2, 0.26))
        img[:, :zw] = _jitter(rng.choice([(22, 64, 150), (24, 120, 64), (196, 28, 32)]), rng)
        _persian(img, FREE_ZONES[z], (6, int(H * 0.08), zw - 6, int(H * 0.55)), fonts, (245, 245, 245), rng)
        digits = "".join(rng.choice(DIGITS) for _ in range(rng.choice([5, 6])))
        _persian(img, "".join(PERSIAN_DIGITS[int(c)] for c in digits)[::-1],
                 (zw + 10, int(H * 0.06), W - 10, int(H * 0.56)), fonts, BLACK, rng)  # fmt: skip
        pil = Image.fromarray(img)
        d = ImageDraw.Draw(pil)
        path = rng.choice(_latin_fonts())
        _fit_text(d, digits, (zw + int(W * 0.1), int(H * 0.6), W - int(W * 0.1), int(H * 0.95)), path, BLACK, rng)
        _fit_text(d, FREE_ZONES_LATIN[z], (4, int(H * 0.66), zw - 4, int(H * 0.9)), path, (245, 245, 245), rng)
        img = np.array(pil, dtype=np.uint8)
    elif kind == "ir_old":
        W, H = PLATE_W, PLATE_H
        img = np.zeros((H, W, 3), np.uint8)
        fg = BLACK
        if rng.random() < 0.3:
            img[:] = _jitter(YELLOW, rng)
        elif rng.random() < 0.3:
            img[:] = (20, 20, 20)
            fg = (235, 235, 235)
        else:
            img[:] = _jitter(WHITE, rng)
        cw = int(W * rng.uniform(0.28, 0.36))
        city = rng.choice(OLD_CITIES)
        right = rng.random() < 0.5  # the city name on the right or the left of the number
        cbox = (W - cw, int(H * 0.2), W - 10, int(H * 0.8)) if right else (10, int(H * 0.2), cw, int(H * 0.8))
        _persian(img, city, cbox, fonts, fg, rng)
        nbox = (12, int(H * 0.1), W - cw - 10, int(H * 0.9)) if right else (cw + 10, int(H * 0.1), W - 12, int(H * 0.9))
        number = "".join(rng.choice(PERSIAN_DIGITS[1:]) for _ in range(rng.choice([5, 6])))
        _persian(img, number, nbox, fonts, fg, rng)
        cv2.line(img, (cw if not right else W - cw, 8), (cw if not right else W - cw, H - 8), fg, 2)
    else:
        raise ValueError(kind)
    if rng.random() < 0.85:
        cv2.rectangle(img, (0, 0), (img.shape[1] - 1, img.shape[0] - 1), (10, 10, 10), rng.choice([2, 3, 4]))
    return img
