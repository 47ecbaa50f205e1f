"""Synthetic Iranian number plates for training and tests.

Draws a plate the way the 52×11 cm standard lays it out: blue I.R. IRAN strip
with the flag on the left, two digits, the series letter, three digits, then a
box on the right with «ایران» over the two-digit region code. Plate types vary
in colour (white private, yellow taxi/public, red government, green, blue
diplomatic-like). Glyphs come from Persian fonts installed from Debian
(fonts-farsiweb, fonts-noto-core, fonts-hosny-amiri, …); :func:`find_fonts`
lists them and the caller skips when none are present.

Only numpy, OpenCV and Pillow are needed (no torch), so tests can render plates.
``render_plate`` gives a clean, flat plate; ``augment_crop`` turns it into a
camera-like crop (perspective, background, margins, blur, noise, dirt, light,
JPEG, colour swaps); ``render_scene`` pastes a plate into a larger synthetic
vehicle-like picture for localisation tests.
"""

from __future__ import annotations

import glob
import os
import random
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from declarations.plates import LATIN_PLATE_LETTERS, PLATE_LETTERS

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"

# Fonts known to carry Persian digits and letters, best plate-like first. Searched under FONT_DIRS.
FONT_FILES = [
    "titr.ttf",
    "homa.ttf",
    "nazlib.ttf",
    "nazli.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoKufiArabic-Bold.ttf",
    "NotoNaskhArabic-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoKufiArabic-Regular.ttf",
    "Amiri-Bold.ttf",
    "Scheherazade-Bold.ttf",
    "KacstOne-Bold.ttf",
    "DejaVuSans-Bold.ttf",
    "Vazirmatn-Bold.ttf",
    "Vazirmatn-Black.ttf",
    "Vazirmatn-ExtraBold.ttf",
    "Vazirmatn-Regular.ttf",
]
FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts")]

# Letter weights roughly as seen on roads (private-car series are the common ones).
_COMMON = "بجدسصطعقلمنهو"
LETTER_WEIGHTS = {ch: (4.0 if ch in _COMMON else 1.0) for ch in PLATE_LETTERS}
LETTER_WEIGHTS["ژ"] = 0.3
# Diplomatic (D) and service (S) plates: the same layout with a Latin letter, on a blue or white plate.
LETTER_WEIGHTS.update(dict.fromkeys(LATIN_PLATE_LETTERS, 1.0))
DIPLOMATIC_KINDS = ["blue", "blue", "white"]

# Plate types: (name, background RGB, text RGB, weight)
PLATE_TYPES = [
    ("white", (236, 236, 232), (15, 15, 15), 0.62),
    ("yellow", (242, 196, 24), (15, 15, 15), 0.16),
    ("red", (196, 28, 32), (245, 245, 245), 0.07),
    ("green", (24, 120, 64), (245, 245, 245), 0.05),
    ("blue", (22, 64, 150), (245, 245, 245), 0.04),
    ("police", (18, 70, 40), (245, 245, 245), 0.03),
    ("black", (20, 20, 20), (240, 240, 240), 0.03),
]

# Presentation forms, drawn left to right with the basic layout so no shaping engine is needed.
_ALEF_WORD = "\ufed2\ufedf\u0627"  # الف  (feh final, lam initial, alef)
_IRAN_WORD = "\u0646\u0627\ufeae\ufbfe\u0627"  # ایران (noon, alef, reh final, yeh initial, alef)
_LETTER_FORMS = {"ا": [_ALEF_WORD], "ه": ["\u0647", "\ufeeb"]}

PLATE_W, PLATE_H = 520, 112


def find_fonts(extra_dirs: list[str] | None = None) -> list[str]:
    """Paths of usable Persian fonts found on this machine (may be empty)."""
    dirs = list(extra_dirs or [])
    env = os.environ.get("ANPR_FONT_DIR")
    if env:
        dirs.insert(0, env)
    dirs += FONT_DIRS
    found: dict[str, str] = {}
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for path in glob.glob(os.path.join(d, "**", "*.[ot]tf"), recursive=True):
            name = os.path.basename(path)
            if name in FONT_FILES and name not in found and _font_ok(path):
                found[name] = path
    return [found[n] for n in FONT_FILES if n in found]


def _font_ok(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 40, layout_engine=ImageFont.Layout.BASIC)
    except OSError:
        return False
    missing = _ink(font, "\uffff")
    for ch in PERSIAN_DIGITS + "بدسصطعقلمنو":
        ink = _ink(font, ch)
        if ink is None or (missing is not None and ink.shape == missing.shape and np.array_equal(ink, missing)):
            return False
    return True


def _ink(font: ImageFont.FreeTypeFont, text: str) -> np.ndarray | None:
    bbox = font.getbbox(text)
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    if w <= 0 or h <= 0:
        return None
    im = Image.new("L", (int(w) + 4, int(h) + 4), 0)
    ImageDraw.Draw(im).text((2 - bbox[0], 2 - bbox[1]), text, fill=255, font=font)
    a = np.asarray(im)
    ys, xs = np.nonzero(a > 20)
    if len(xs) == 0:
        return None
    return a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


@lru_cache(maxsize=64)
def _has_forms(font_path: str) -> bool:
    """Whether the font has the Arabic presentation forms used for «ایران» and «الف»."""
    font = ImageFont.truetype(font_path, 40, layout_engine=ImageFont.Layout.BASIC)
    missing = _ink(font, "\uffff")
    for ch in "\ufed2\ufedf\ufeae\ufbfe\ufeeb":
        ink = _ink(font, ch)
        if ink is None or (missing is not None and ink.shape == missing.shape and np.array_equal(ink, missing)):
            return False
    return True


@lru_cache(maxsize=4096)
def glyph(font_path: str, text: str, size: int = 96) -> np.ndarray | None:
    """Tight 8-bit ink mask of ``text`` drawn in the font (cached)."""
    font = ImageFont.truetype(font_path, size, layout_engine=ImageFont.Layout.BASIC)
    return _ink(font, text)


def random_plate(rng: random.Random) -> str:
    """A random canonical plate string such as ``59د16913``."""
    letters = list(LETTER_WEIGHTS)
    letter = rng.choices(letters, weights=[LETTER_WEIGHTS[c] for c in letters])[0]
    return f"{rng.randint(10, 99)}{letter}{rng.randint(100, 999)}{rng.randint(10, 99)}"


def _paste(canvas: np.ndarray, mask: np.ndarray, box: tuple[int, int, int, int], colour, rng, bold: int):
    """Scale ``mask`` into box (x, y, w, h), keeping aspect, centred; blend ``colour`` in."""
    x, y, w, h = box
    mh, mw = mask.shape
    s = min(h / mh, w / mw)
    nw, nh = max(1, int(mw * s)), max(1, int(mh * s))
    m = cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_AREA)
    if bold > 0:
        m = cv2.dilate(m, np.ones((bold, bold), np.uint8))
    elif bold < 0:
        m = cv2.erode(m, np.ones((-bold, -bold), np.uint8))
    ox = x + (w - nw) // 2 + rng.randint(-1, 1)
    oy = y + (h - nh) // 2 + rng.randint(-1, 1)
    H, W = canvas.shape[:2]
    x0, y0, x1, y1 = max(ox, 0), max(oy, 0), min(ox + nw, W), min(oy + nh, H)
    if x1 <= x0 or y1 <= y0:
        return
    a = (m[y0 - oy : y1 - oy, x0 - ox : x1 - ox].astype(np.float32) / 255.0)[..., None]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    canvas[y0:y1, x0:x1] = (region * (1 - a) + np.array(colour, np.float32) * a).astype(np.uint8)


def render_plate(
    text: str, fonts: list[str], rng: random.Random, kind: str | None = None, boxes: list | None = None
) -> np.ndarray:
    """A flat, clean plate image (RGB, PLATE_H × PLATE_W) showing canonical ``text``; ``boxes``, when given, gets
    each character's (x, y, w, h) in the text's order (drawing the same plate either way)."""
    assert len(text) == 8, text
    if kind is None and text[2] in LATIN_PLATE_LETTERS:
        kind = rng.choice(DIPLOMATIC_KINDS)
    if kind is None:
        kind = rng.choices([t[0] for t in PLATE_TYPES], weights=[t[3] for t in PLATE_TYPES])[0]
    _, bg, fg, _ = next(t for t in PLATE_TYPES if t[0] == kind)
    red, green, blue = (int(np.clip(c + rng.randint(-18, 18), 0, 255)) for c in bg)
    bg = (red, green, blue)
    W, H = PLATE_W, PLATE_H
    img: np.ndarray = np.zeros((H, W, 3), np.uint8)
    img[:] = bg
    font = rng.choice(fonts)
    rfont = font if rng.random() < 0.8 else rng.choice(fonts)
    bold = rng.choice([0, 0, 0, 2, 3, 4, 5, -2])

    # Blue strip with flag and I.R. IRAN.
    sw = int(W * rng.uniform(0.075, 0.095))
    img[:, :sw] = (rng.randint(0, 30), rng.randint(40, 80), rng.randint(130, 190))
    fx0, fx1 = int(sw * 0.2), int(sw * 0.8)
    fy0, fh = int(H * 0.1), int(H * 0.09)
    for i, c in enumerate([(35, 150, 60), (240, 240, 240), (220, 30, 40)]):
        img[fy0 + i * fh : fy0 + (i + 1) * fh, fx0:fx1] = c
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    try:
        lf = ImageFont.truetype(_latin_font(), max(8, int(H * 0.13)))
        d.text((int(sw * 0.12), int(H * 0.58)), "I.R.", fill=(240, 240, 240), font=lf)
        d.text((int(sw * 0.05), int(H * 0.76)), "IRAN", fill=(240, 240, 240), font=lf)
    except OSError:
        pass
    img = np.asarray(pil).copy()

    # Region box border and «ایران».
    rx = int(W * rng.uniform(0.81, 0.835))
    lw = rng.choice([2, 3, 4])
    cv2.line(img, (rx, 0), (rx, H), fg, lw)
    iran = glyph(rfont, _IRAN_WORD) if _has_forms(rfont) else None
    if iran is not None:
        _paste(img, iran, (rx + 8, int(H * 0.05), W - rx - 16, int(H * 0.2)), fg, rng, 0)

    # Main characters: d d L d d d, evenly spaced with jitter.
    digits = [PERSIAN_DIGITS[int(c)] for c in text if c.isdigit()]
    letter = text[2]
    x0, x1 = sw + int(W * 0.012), rx - int(W * 0.012)
    slot = (x1 - x0) / 6.0
    ch_h = int(H * rng.uniform(0.6, 0.78))
    cy = int(H * rng.uniform(0.14, 0.26))
    main = [digits[0], digits[1], letter, digits[2], digits[3], digits[4]]
    for i, ch in enumerate(main):
        forms = _LETTER_FORMS.get(ch, [ch]) if _has_forms(font) else [ch]
        g = glyph(rng.choice(_latin_fonts()), ch) if ch in LATIN_PLATE_LETTERS else glyph(font, rng.choice(forms))
        if g is None:
            if boxes is not None:
                boxes.append((int(x0 + i * slot), cy, int(slot), ch_h))
            continue
        wfac = rng.uniform(0.78, 0.95) if i != 2 else rng.uniform(0.9, 1.15)
        bx = int(x0 + i * slot + slot * (1 - wfac) / 2)
        hh = ch_h if i != 2 else int(ch_h * rng.uniform(0.75, 1.0))
        bw = int(slot * wfac)
        if ch == "۰":
            hh, bw = int(ch_h * rng.uniform(0.2, 0.3)), int(slot * 0.35)
            bx += (int(slot * wfac) - bw) // 2
        by = cy + (ch_h - hh) // 2
        if boxes is not None:
            boxes.append((bx, by, bw, hh))
        _paste(img, g, (bx, by, bw, hh), fg, rng, bold)

    # Region digits.
    rw = W - rx
    rh = int(H * rng.uniform(0.5, 0.62))
    ry = int(H * rng.uniform(0.3, 0.38))
    for i, ch in enumerate(digits[5:7]):
        if boxes is not None:
            boxes.append((rx + int(rw * (0.08 + 0.44 * i)), ry, int(rw * 0.4), rh))
        g = glyph(rfont, ch)
        if g is None:
            continue
        if ch == "۰":
            _paste(
                img,
                g,
                (rx + int(rw * (0.2 + 0.44 * i)), ry + int(rh * 0.38), int(rw * 0.16), int(rh * 0.25)),
                fg,
                rng,
                bold,
            )
        else:
            _paste(img, g, (rx + int(rw * (0.08 + 0.44 * i)), ry, int(rw * 0.4), rh), fg, rng, bold)

    # Frame.
    if rng.random() < 0.85:
        cv2.rectangle(img, (0, 0), (W - 1, H - 1), (10, 10, 10), rng.choice([2, 3, 4]))
    return img


@lru_cache(maxsize=1)
def _latin_font() -> str:
    for pattern in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "NotoSans-Bold.ttf", "*.ttf"):
        for d in FONT_DIRS:
            hits = glob.glob(os.path.join(d, "**", pattern), recursive=True)
            if hits:
                return hits[0]
    raise OSError("no Latin font")


# Foreign plates seen at Iranian borders: country codes on a blue strip (EU style) or none.
FOREIGN_COUNTRIES = ["TR", "AM", "AZ", "GE", "BG", "RO", "D", "UA", "KZ", "PL", "NL", "F"]
_LATIN_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_FOREIGN_FORMS = ["DD L DDD", "DD LL DDD", "DD LLL DD", "LL DDD LL", "LL DDDDD", "L DDD LL", "LLL DDDD", "DD L DDDD"]


def random_foreign_plate(rng: random.Random) -> str:
    """Latin text in one of the common European, Turkish and Caucasian forms, e.g. ``34 ABC 12``."""
    form = rng.choice(_FOREIGN_FORMS)
    return "".join(
        rng.choice("0123456789") if c == "D" else rng.choice(_LATIN_LETTERS) if c == "L" else c for c in form
    )


@lru_cache(maxsize=1)
def _latin_fonts() -> list[str]:
    names = ("DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", "LiberationSans-Bold.ttf",
             "LiberationSansNarrow-Bold.ttf", "DejaVuSansMono-Bold.ttf", "NotoSans-Bold.ttf")  # fmt: skip
    found = [p for d in FONT_DIRS for n in names for p in glob.glob(os.path.join(d, "**", n), recursive=True)]
    return sorted(set(found)) or [_latin_font()]


def render_foreign_plate(text: str, rng: random.Random, country: str | None = "") -> np.ndarray:
    """A flat Latin-lettered plate (RGB, PLATE_H × PLATE_W): white or yellow, black text, with a blue
    strip carrying ``country`` (random when '', none when None). For measuring that the reader
    refuses foreign plates; the reader is never trained on them."""
    W, H = PLATE_W, PLATE_H
    bg = (236, 236, 232) if rng.random() < 0.85 else (242, 196, 24)
    pil = Image.new("RGB", (W, H), tuple(int(np.clip(c + rng.randint(-18, 18), 0, 255)) for c in bg))
    d = ImageDraw.Draw(pil)
    x0 = int(W * 0.02)
    if country is not None:
        country = country or rng.choice(FOREIGN_COUNTRIES)
        sw = int(W * rng.uniform(0.075, 0.095))
        d.rectangle([0, 0, sw, H], fill=(rng.randint(0, 30), rng.randint(40, 80), rng.randint(140, 200)))
        if rng.random() < 0.6:  # the EU circle of stars
            for i in range(12):
                a = i * np.pi / 6
                cx, cy = sw / 2 + sw * 0.3 * np.cos(a), H * 0.3 + sw * 0.3 * np.sin(a)
                d.ellipse([cx - 2, cy - 2, cx + 2, cy + 2], fill=(250, 220, 0))
        code_font = ImageFont.truetype(_latin_fonts()[0], int(H * (0.3 if len(country) < 3 else 0.22)))
        d.text((sw / 2, H * 0.74), country, fill=(240, 240, 240), font=code_font, anchor="mm")
        x0 = sw + int(W * 0.02)
    path = rng.choice(_latin_fonts())
    size = int(H * rng.uniform(0.6, 0.8))
    font = ImageFont.truetype(path, size)
    left, top, right, bottom = d.textbbox((0, 0), text, font=font)
    avail = W - x0 - int(W * 0.02)
    if right - left > avail:
        font = ImageFont.truetype(path, max(8, int(size * avail / (right - left))))
        left, top, right, bottom = d.textbbox((0, 0), text, font=font)
    d.text(
        (x0 + (avail - (right - left)) // 2 - left, (H - (bottom - top)) // 2 - top), text, fill=(15, 15, 15), font=font
    )
    img = np.asarray(pil).copy()
    if rng.random() < 0.85:
        cv2.rectangle(img, (0, 0), (W - 1, H - 1), (10, 10, 10), rng.choice([2, 3, 4]))
    return img


def _background(h: int, w: int, rng: random.Random) -> np.ndarray:
    """Car-body-like clutter: gradient, noise, a few shapes."""
    base = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
    g = np.linspace(rng.uniform(-60, 60), rng.uniform(-60, 60), w, dtype=np.float32)[None, :, None]
    v = np.linspace(rng.uniform(-60, 60), rng.uniform(-60, 60), h, dtype=np.float32)[:, None, None]
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(2, 20), (h, w, 1))
    bg = np.clip(base + g + v + noise.astype(np.float32), 0, 255).astype(np.uint8)
    for _ in range(rng.randint(0, 6)):
        c = tuple(rng.randint(0, 255) for _ in range(3))
        p1 = (rng.randint(0, w), rng.randint(0, h))
        p2 = (rng.randint(0, w), rng.randint(0, h))
        if rng.random() < 0.5:
            cv2.rectangle(bg, p1, p2, c, rng.choice([-1, 2, 5]))
        else:
            cv2.line(bg, p1, p2, c, rng.randint(1, 8))
    return bg


def augment_crop(
    plate_rgb: np.ndarray, rng: random.Random, out_size: tuple[int, int] = (640, 128), mild: bool = False
) -> np.ndarray:
    """Camera-like BGR crop around the plate: perspective, margins, light, blur, noise, JPEG.

    ``mild`` keeps resolution reasonable and drops shadows, motion blur and colour swaps (for tests)."""
    h_ = 0.0 if mild else 1.0
    nr = np.random.default_rng(rng.randint(0, 2**31))
    # Work at the (low) resolution the camera would have seen, which is also fast.
    lw = max(
        48,
        int(
            out_size[0] * rng.choice([0.12, 0.18, 0.25, 0.35, 0.5, 0.8] if not mild else [0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
        ),
    )
    sc = min(1.0, lw / plate_rgb.shape[1])
    plate = cv2.resize(plate_rgb, None, fx=sc, fy=sc, interpolation=cv2.INTER_AREA) if sc < 1 else plate_rgb.copy()
    ph, pw = plate.shape[:2]
    # Dirt and scratches.
    for _ in range(rng.choice([0, 0, 1, 3, 8])):
        c = rng.randint(40, 180)
        cv2.circle(
            plate,
            (rng.randint(0, pw), rng.randint(0, ph)),
            max(1, int(rng.randint(1, 10) * sc)),
            (c, c - 10, c - 20),
            -1,
        )
    if rng.random() < 0.2:
        for _ in range(rng.randint(1, 4)):
            cv2.line(
                plate,
                (rng.randint(0, pw), rng.randint(0, ph)),
                (rng.randint(0, pw), rng.randint(0, ph)),
                (rng.randint(60, 200),) * 3,
                1,
            )
    # Margins (negative = cut into the plate, as loose detector crops do) and perspective.
    mx0 = rng.uniform(-0.1, 0.12) if rng.random() < 0.75 + 0.25 * (1 - h_) else rng.uniform(-0.2, -0.05)
    mx1 = rng.uniform(-0.03, 0.1)
    my0, my1 = rng.uniform(-0.1, 0.35), rng.uniform(-0.1, 0.35)
    BW, BH = int(pw * 1.6), int(ph * 2.6)
    bg = _background(BH, BW, rng)
    ox, oy = (BW - pw) / 2, (BH - ph) / 2
    j = 0.06 * rng.random()
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    dst = (
        src
        + np.array([[ox, oy]] * 4, np.float32)
        + nr.uniform(-j, j, (4, 2)).astype(np.float32) * np.array([pw, ph], np.float32)
    )
    ang = np.deg2rad(rng.uniform(-6, 6))
    ctr = np.array([BW / 2, BH / 2], np.float32)
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]], np.float32)
    dst = (dst - ctr) @ rot.T + ctr
    M = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), M, (BW, BH))
    warped = cv2.warpPerspective(plate, M, (BW, BH))
    a = (mask.astype(np.float32) / 255.0)[..., None]
    scene = (bg * (1 - a) + warped * a).astype(np.uint8)
    # Crop the axis-aligned box of the plate plus margins.
    xs, ys = dst[:, 0], dst[:, 1]
    bx0, bx1, by0, by1 = xs.min(), xs.max(), ys.min(), ys.max()
    bw, bh = bx1 - bx0, by1 - by0
    cx0 = int(np.clip(bx0 - mx0 * bw, 0, BW - 2))
    cx1 = int(np.clip(bx1 + mx1 * bw, cx0 + 2, BW))
    cy0 = int(np.clip(by0 - my0 * bh, 0, BH - 2))
    cy1 = int(np.clip(by1 + my1 * bh, cy0 + 2, BH))
    crop = scene[cy0:cy1, cx0:cx1]
    img = crop.astype(np.float32)
    # Light: gain, offset, gamma, a shadow or glare band.
    img = img * rng.uniform(0.5, 1.3) + rng.uniform(-40, 40)
    if rng.random() < 0.35 * h_:
        h, w = img.shape[:2]
        xx = np.linspace(0, 1, w)[None, :]
        yy = np.linspace(0, 1, h)[:, None]
        t = rng.uniform(0, 1)
        band = (np.cos(rng.uniform(0, np.pi)) * xx + np.sin(rng.uniform(0, np.pi)) * yy) > t
        img = img * np.where(band, rng.uniform(0.35, 1.6), 1.0)[..., None]
    img = np.clip(img, 0, 255)
    img = 255.0 * (img / 255.0) ** rng.uniform(0.6, 1.6)
    img = np.clip(img + nr.normal(0, rng.uniform(0, 12), img.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        k = rng.choice([3, 5])
        img = cv2.GaussianBlur(img, (k, k), 0)
    if rng.random() < 0.2 * h_:
        k = rng.randint(3, 7)
        kern = np.zeros((k, k), np.float32)
        kern[k // 2, :] = 1.0 / k
        img = cv2.filter2D(img, -1, kern)
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    if rng.random() < 0.12 * h_:  # channel-swapped sources (yellow plates turn blue)
        bgr = bgr[..., ::-1].copy()
    if rng.random() < 0.1 * h_:
        bgr = cv2.cvtColor(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if rng.random() < 0.6:
        ok, enc = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(20, 90)])
        bgr = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    return cv2.resize(bgr, out_size, interpolation=cv2.INTER_LINEAR)


def render_scene(
    text: str,
    fonts: list[str],
    rng: random.Random,
    size=(1024, 768),
    plate_w: int = 300,
    plate: np.ndarray | None = None,
):
    """A vehicle-like BGR picture with the plate pasted in (or ``plate``, an RGB plate image such as
    a foreign one); returns (image, (x, y, w, h))."""
    W, H = size
    scene = _background(H, W, rng)
    # A "bumper": a large darker block under the plate.
    if plate is None:
        plate = render_plate(text, fonts, rng, kind="white")
    ph = int(plate_w * PLATE_H / PLATE_W)
    if plate.shape[1] < 2.5 * plate.shape[0]:
        # A two-line plate (a motorcycle's) keeps its shape, about as tall as two plate heights, as on a vehicle.
        ph = int(plate_w * 2 * PLATE_H / PLATE_W)
        plate_w = int(ph * plate.shape[1] / plate.shape[0])
    x = rng.randint(W // 5, W - plate_w - W // 5)
    y = rng.randint(H // 3, H - ph - H // 6)
    cv2.rectangle(
        scene, (x - 120, y - 60), (x + plate_w + 120, y + ph + 60), tuple(rng.randint(20, 230) for _ in range(3)), -1
    )
    scene[y : y + ph, x : x + plate_w] = cv2.resize(plate, (plate_w, ph), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(scene, cv2.COLOR_RGB2BGR), (x, y, plate_w, ph)
