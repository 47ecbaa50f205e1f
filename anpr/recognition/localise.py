"""Find the number plate in a vehicle photo with OpenCV.

Candidates come from three cues: the blue I.R. IRAN strip on the left of every
Iranian plate (its height gives the plate height, the plate is ~4.7 times wider
than high), bright/dark rectangles of plate aspect (3.5–5.5:1 once straightened)
found on a morphological gradient, and rows of character blobs. Each candidate is
straightened (minimum-area rectangle) and given a geometric score; a reader can
then rescore the best few by how confidently they read as a plate (see
:func:`localise`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

PLATE_ASPECT = 520 / 112  # 52 × 11 cm
# Width over height of a two-line plate (a motorcycle's), with the margins of a box or a crop around it.
TWO_LINE_ASPECT = (1.1, 2.2)


@dataclass
class Candidate:
    box: tuple[int, int, int, int]  # x, y, w, h in the original image
    angle: float  # degrees, rotation needed to level the plate
    score: float
    source: str
    crop: np.ndarray | None = None


def _clip_box(x, y, w, h, W, H):
    x0, y0 = max(0, round(x)), max(0, round(y))
    x1, y1 = min(W, round(x + w)), min(H, round(y + h))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def _components(mask: np.ndarray):
    """``cv2.connectedComponentsWithStats`` (8-connected) by Grana's algorithm: the same labels and stats as
    the default (Spaghetti) in about half the time here."""
    return cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_GRANA)


def _blue_strip_candidates(hsv: np.ndarray, scale: float) -> list[Candidate]:
    h, s, v = cv2.split(hsv)
    mask: np.ndarray = ((h >= 95) & (h <= 130) & (s >= 90) & (v >= 50)).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _, stats, _ = _components(mask)
    out = []
    H, W = mask.shape
    for i in range(1, n):
        x, y, w, hh, area = stats[i]
        if hh < 8 or w < 3 or hh > H * 0.25:
            continue
        r = hh / max(w, 1)
        if not (1.3 <= r <= 4.5) or area < 0.45 * w * hh:
            continue
        pw = hh * PLATE_ASPECT
        if x + pw > W * 1.05:
            continue
        # The strip itself: its fill and position decide the score; the rest is checked by the reader.
        score = 0.5 + 0.2 * min(1.0, area / (w * hh)) + 0.1 * (1.8 <= r <= 3.2)
        out.append(
            Candidate(
                (int((x - 0.01 * pw) / scale), int(y / scale), int(pw * 1.02 / scale), int(hh / scale)),
                0.0,
                score,
                "blue",
            )
        )
    return out


def _rect_candidates(gray: np.ndarray, scale: float) -> list[Candidate]:
    """Plate-shaped regions of dense vertical edges (characters on a plain plate)."""
    H, W = gray.shape
    out = []
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, bw = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    for kw in (max(9, W // 60), max(15, W // 35)):
        closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, 3)))
        closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
        contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            (cx, cy), (rw, rh), ang = cv2.minAreaRect(c)
            if rw < rh:
                rw, rh, ang = rh, rw, ang - 90
            if ang < -45:
                ang += 180 if ang < -135 else 0
            if abs(ang) > 20 or rh < 8 or rw < 40 or rw > W * 0.8:
                continue
            aspect = rw / rh
            if not (2.5 <= aspect <= 7.5):
                continue
            fill = cv2.contourArea(c) / (rw * rh + 1e-6)
            score = 0.3 + 0.2 * fill + 0.2 * (3.5 <= aspect <= 5.5)
            # Fit to plate aspect around the centre.
            if aspect < PLATE_ASPECT * 0.85:
                rw = rh * PLATE_ASPECT * 0.95
            x, y = cx - rw / 2, cy - rh / 2
            out.append(
                Candidate(
                    (int(x / scale), int(y / scale), int(rw / scale), int(rh / scale)), float(ang), score, "edges"
                )
            )
    return out


def _colour_candidates(hsv: np.ndarray, scale: float) -> list[Candidate]:
    """Coloured plate backgrounds (yellow taxi/public, red government, green) of plate aspect."""
    h, s, v = cv2.split(hsv)
    H, W = h.shape
    out = []
    masks = {
        "yellow": (h >= 12) & (h <= 35) & (s >= 90) & (v >= 90),
        "red": ((h <= 6) | (h >= 170)) & (s >= 120) & (v >= 70),
    }
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(5, W // 60), 5))
    for name, m in masks.items():
        closed = cv2.morphologyEx(m.astype(np.uint8) * 255, cv2.MORPH_CLOSE, kernel)
        n, _, stats, _ = _components(closed)
        for i in range(1, n):
            x, y, w, hh, area = stats[i]
            if hh < 8 or w < 40 or w > W * 0.8 or not (2.5 <= w / hh <= 7.5) or area < 0.5 * w * hh:
                continue
            out.append(Candidate((int(x / scale), int(y / scale), int(w / scale), int(hh / scale)), 0.0, 0.45, name))
    return out


def _bright_candidates(gray: np.ndarray, scale: float) -> list[Candidate]:
    """Light plate backgrounds (white/yellow) of plate aspect, found by adaptive threshold."""
    H, W = gray.shape
    out = []
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, -10)
    bw = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (max(5, W // 80), 5)))
    contours, _ = cv2.findContours(bw, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if h < 8 or w < 40 or w > W * 0.8:
            continue
        aspect = w / h
        if 3.0 <= aspect <= 6.5:
            out.append(
                Candidate(
                    (int(x / scale), int(y / scale), int(w / scale), int(h / scale)),
                    0.0,
                    0.35 + 0.1 * (3.8 <= aspect <= 5.2),
                    "bright",
                )
            )
    return out


def _working(
    img_bgr: np.ndarray, region: tuple[int, int, int, int] | None, work_width: int
) -> tuple[np.ndarray, np.ndarray, float, int, int]:
    """(the part searched: the region or the whole photo, it at working size, the scale, its x and y offset)."""
    H, W = img_bgr.shape[:2]
    ox = oy = 0
    img = img_bgr
    if region is not None:
        rx, ry, rw, rh = _clip_box(*region, W, H)
        if rw > 8 and rh > 8:
            img, ox, oy = img_bgr[ry : ry + rh, rx : rx + rw], rx, ry
    scale = min(1.0, work_width / img.shape[1])
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else img
    return img, small, scale, ox, oy


def two_line_candidates(
    img_bgr: np.ndarray, region: tuple[int, int, int, int] | None = None, work_width: int = 800, top: int = 8
) -> list[Candidate]:
    """Light boxes of a two-line plate's shape (a motorcycle's, 1.1–2.2 times wider than high), which
    :func:`candidates` leaves out, the largest first, each with its crop. For naming a layout only: nothing is
    read from them."""
    img, small, scale, ox, oy = _working(img_bgr, region, work_width)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    w_small = gray.shape[1]
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (max(5, w_small // 80),) * 2)
    # Two rows of characters closed into one block (edges), and a light plate background (threshold).
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, edges = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    light = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, -10)
    contours: list[np.ndarray] = []
    for bw in (edges, light):
        found, _ = cv2.findContours(
            cv2.morphologyEx(bw, cv2.MORPH_CLOSE, square), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
        )
        contours.extend(found)
    out = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if h < 16 or w < 24 or w > w_small * 0.5 or not (TWO_LINE_ASPECT[0] <= w / h <= TWO_LINE_ASPECT[1]):
            continue
        if cv2.contourArea(c) < 0.6 * w * h:  # a filled box, not a ring or a stroke
            continue
        box = (int(x / scale) + ox, int(y / scale) + oy, int(w / scale), int(h / scale))
        out.append(Candidate(box, 0.0, float(w * h), "two-line"))
    out.sort(key=lambda c: -c.score)
    kept: list[Candidate] = []
    for cand in out:
        if len(kept) < top and all(_iou(cand.box, k.box) < 0.7 for k in kept):
            cand.crop = cut(img_bgr, cand.box, 0.0, margin=(0.04, 0.06))
            if cand.crop is not None:
                kept.append(cand)
    return kept


def zone_strip_candidates(
    img_bgr: np.ndarray, region: tuple[int, int, int, int] | None = None, work_width: int = 800, top: int = 6
) -> list[Candidate]:
    """Boxes of a free-zone plate found from its zone strip: a saturated block (blue, green or red) about as
    tall as it is wide, with a light, unsaturated plate to its right; the box is the strip's height times the
    plate's aspect, each with its crop, the largest strip first. A standard plate's blue strip is three times
    narrower and a foreign plate's band narrower still, so neither gives such a box. For naming a layout
    only: nothing is read from them."""
    img, small, scale, ox, oy = _working(img_bgr, region, work_width)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    h, s, v = cv2.split(hsv)
    Hs, Ws = h.shape
    sat = (s >= 90) & (v >= 50)
    # one mask per strip colour, so that a strip on a saturated body of another hue stays a block of its own
    hues = ((h >= 95) & (h <= 130), (h >= 35) & (h <= 85), (h <= 8) | (h >= 168))
    comps = []
    for hue in hues:
        mask = cv2.morphologyEx((sat & hue).astype(np.uint8) * 255, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
        n, _, stats, _ = _components(mask)
        comps.extend(stats[1:n])
    out = []
    for x, y, w, hh, area in comps:
        if hh < 12 or hh > Hs * 0.25 or not (0.6 <= hh / max(w, 1) <= 1.6) or area < 0.6 * w * hh:
            continue
        pw = int(hh * PLATE_ASPECT)
        if x + pw > Ws * 1.02:
            continue
        # the rest of the plate: light and unsaturated over most of it (the digits are dark)
        rest_s, rest_v = s[y : y + hh, x + w : x + pw], v[y : y + hh, x + w : x + pw]
        if rest_v.size == 0 or float(((rest_v >= 140) & (rest_s <= 60)).mean()) < 0.5:
            continue
        box = (int(x / scale) + ox, int(y / scale) + oy, int(pw / scale), int(hh / scale))
        out.append(Candidate(box, 0.0, float(area), "zone-strip"))
    out.sort(key=lambda c: -c.score)
    kept: list[Candidate] = []
    for cand in out:
        if len(kept) < top and all(_iou(cand.box, k.box) < 0.7 for k in kept):
            cand.crop = cut(img_bgr, cand.box)
            if cand.crop is not None:
                kept.append(cand)
    return kept


def cut(
    img: np.ndarray, box: tuple[int, int, int, int], angle: float = 0.0, margin: tuple[float, float] = (0.03, 0.12)
) -> np.ndarray | None:
    """Straightened crop of ``box`` with a small margin, like a detector crop."""
    H, W = img.shape[:2]
    x, y, w, h = box
    if w < 8 or h < 4:
        return None
    mx, my = w * margin[0], h * margin[1]
    cx, cy = x + w / 2, y + h / 2
    ow, oh = int(w + 2 * mx), int(h + 2 * my)
    if abs(angle) > 1.0:
        M = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
        M[0, 2] += ow / 2 - cx
        M[1, 2] += oh / 2 - cy
        return cv2.warpAffine(img, M, (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    x0, y0, cw, ch = _clip_box(cx - ow / 2, cy - oh / 2, ow, oh, W, H)
    if cw < 8 or ch < 4:
        return None
    return img[y0 : y0 + ch, x0 : x0 + cw]


def _iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter + 1e-9)


iou = _iou


def covers(outer, inner) -> float:
    """Share of box ``inner``'s area inside box ``outer``."""
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    w = max(0, min(ox + ow, ix + iw) - max(ox, ix))
    h = max(0, min(oy + oh, iy + ih) - max(oy, iy))
    return w * h / (iw * ih + 1e-9)


def candidates(
    img_bgr: np.ndarray, region: tuple[int, int, int, int] | None = None, work_width: int = 800
) -> list[Candidate]:
    """Plate candidates, best geometric score first, deduplicated, boxes in original coordinates."""
    img, small, scale, ox, oy = _working(img_bgr, region, work_width)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    cands = (
        _blue_strip_candidates(hsv, scale)
        + _colour_candidates(hsv, scale)
        + _rect_candidates(gray, scale)
        + _bright_candidates(gray, scale)
    )
    for c in cands:
        x, y, w, h = c.box
        c.box = (x + ox, y + oy, w, h)
    cands.sort(key=lambda c: -c.score)
    kept: list[Candidate] = []
    for c in cands:
        if all(_iou(c.box, k.box) < 0.7 for k in kept):
            kept.append(c)
    if region is not None and not kept:
        kept.append(Candidate((ox, oy, img.shape[1], img.shape[0]), 0.0, 0.1, "region"))
    return kept


Scorer = Callable[[list[np.ndarray]], list[float]]

# The refinement is skipped when the best box already reads this confidently (the scorer's value, e.g.
# decode.quick_score: the plate's form and every character's peak probability); None: always refine.
# Chosen so that no read changed, with a margin, for the shipped and a never-trained-on-them model
# (docs/benchmarks.md, issue 16 §2 sixth pass).
CONFIDENT: float | None = 0.98


def localise(
    img_bgr: np.ndarray,
    region=None,
    scorer: Scorer | None = None,
    top: int = 16,
    min_width: int = 100,
    refine: int = 3,
    ranked: list[Candidate] | None = None,
    confident: float | None = CONFIDENT,
) -> Candidate | None:
    """Best plate candidate; with ``scorer`` (crop → read confidence) the top few are rescored by it.

    Candidates narrower than ``min_width`` pixels are discounted (badges and stickers read like plates).
    ``ranked``, when given, receives every scored candidate, best first (for a reader that refuses the best).
    The best few are then refined (shifted, scaled, widened boxes scored too) unless the best one's own
    score is at least ``confident`` (None: always).
    """
    cands = candidates(img_bgr, region)[:top]
    if not cands:
        return None
    for c in cands:
        c.crop = cut(img_bgr, c.box, c.angle)
    cands = [c for c in cands if c.crop is not None]
    if not cands:
        return None
    if scorer is None:
        return cands[0]
    scores = scorer([c.crop for c in cands if c.crop is not None])  # every one has a crop (filtered above)
    geo = {}
    for c, s in zip(cands, scores):
        geo[id(c)] = 0.25 * c.score
        c.score = geo[id(c)] + s * min(1.0, c.box[2] / min_width)
    first = max(range(len(cands)), key=lambda i: cands[i].score)  # the first of equals, as the sort below
    if confident is not None and scores[first] >= confident:
        # Read confidently as a plate already: the refinement (up to 18 more boxes through the reader, most of
        # a photo's time) would rarely change the read.
        everything = sorted(cands, key=lambda c: -c.score)
        if ranked is not None:
            ranked.extend(everything)
        return everything[0]
    # Refine the best few: small shifts, scales and widenings; keep the most confident of all.
    shifts = (
        (0, 0, 1.06, 1.15),
        (-0.03, 0, 1.04, 1.0),
        (0.02, 0, 0.97, 1.0),
        (0, -0.08, 1.0, 1.1),
        (-0.1, 0, 1.2, 1.0),  # widen to the left (a box that missed the first digits)
        (0.1, 0, 1.2, 1.0),  # widen to the right (missed region code)
    )
    variants = []
    for base in sorted(cands, key=lambda c: -c.score)[:refine]:
        x, y, w, h = base.box
        for dx, dy, sw, sh in shifts:
            nw, nh = w * sw, h * sh
            nb = (int(x + dx * w - (nw - w) / 2), int(y + dy * h - (nh - h) / 2), int(nw), int(nh))
            crop = cut(img_bgr, nb, base.angle)
            if crop is not None:
                v = Candidate(nb, base.angle, 0.0, base.source + "+", crop)
                geo[id(v)] = geo[id(base)] - 0.01
                variants.append(v)
    if variants:
        for v, s in zip(variants, scorer([v.crop for v in variants if v.crop is not None])):  # each has one
            v.score = geo[id(v)] + s * min(1.0, v.box[2] / min_width)
    everything = sorted([*cands, *variants], key=lambda c: -c.score)
    if ranked is not None:
        ranked.extend(everything)
    return everything[0]
