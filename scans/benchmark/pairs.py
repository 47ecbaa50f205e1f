"""Synthetic origin/destination scan pairs for the comparison benchmark.

There are no public re-scans of the same truck, so pairs are made from single
scans.  The destination image imitates a second scanner at another office:

* vehicle-speed warp: horizontal stretch plus a smooth monotone non-linear warp;
* another pixel pitch on both axes (another image size) and a shift;
* trucks passing the other way (mirrored horizontally);
* cargo that settled by a few pixels (a smooth local displacement; not tampering);
* dose/gain change in the attenuation domain, another display curve (gamma);
* detector line artefacts (row and column stripes), a little blur, noise, JPEG.

Tampering (one pair in three) happens in a known box of the origin (1-5 % of the
scan): cargo ``remove``d, ``add``ed or ``swap``ped for other cargo.

Output format (``write_pairs``)::

    OUT/NNNN_origin.png, OUT/NNNN_dest.jpg,
    OUT/labels.json = [{"id": N, "tampered": bool, "kind": ..., "box": [x, y, w, h]}, ...]
    OUT/NNNN_change.png (``masks=True``, tampered pairs only): the change the tampering made, per
    origin pixel, in attenuation x ``CHANGE_PNG_SCALE`` (8-bit, clipped at 255)
    OUT/NNNN_dchange.png (``masks=True``, tampered pairs only): what the destination's display shows
    of it, per origin pixel, in grey levels x ``DCHANGE_PNG_SCALE`` (``display_change``)

``kind`` and ``box`` are present for tampered pairs only; boxes are in origin pixels. Tampered
pairs also say how visible the change is in the destination (``dest_change``, ``dest_noise``,
``dest_change_ratio``: ``dest_visibility``).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

KINDS = ("remove", "add", "swap")
# The hard set (``hard=True``): the plain kinds and the three the comparison used to miss most:
# objects added to dense cargo near the saturation level, faint removals in the dark range, and
# a swap split into several small regions.
HARD_KINDS = ("add", "add_dense", "remove", "remove_dark", "swap", "swap_split")
MIN_VISIBLE = 0.04  # mean change of transmission in the box that a tampering must reach
# ... for the faint kinds (dense cargo: the same change of attenuation moves little light); still
# a few grey levels on average in the origin's display, so a person comparing the two could see it
MIN_VISIBLE_FAINT = 0.012
FAINT_KINDS = ("add_dense", "remove_dark", "swap_split")
# A tampering whose mean change in the destination image (``dest_change``, grey levels inside the
# true box(es), the destination rendered with and without it by the identical scanner) is below one
# 8-bit grey level is not in the destination: it is rounded away, or hidden in cargo the
# destination scanner saturates. Fixed from the image format before any detector result was read.
DEST_VISIBLE_GREY = 1.0
# the floor of the destination's noise: 8-bit quantisation (1 / sqrt(12) grey levels)
QUANT_NOISE_GREY = 0.2887
# ``NNNN_change.png``: |attenuation change| x this, 8-bit (0.002 steps up to 0.51)
CHANGE_PNG_SCALE = 500.0
# ``NNNN_dchange.png``: the destination display's grey-level change x this, 8-bit (0.1 steps up to 25.5)
DCHANGE_PNG_SCALE = 10.0


def to_attenuation(img_u8: np.ndarray) -> np.ndarray:
    """8-bit display image (dark = dense) -> attenuation ``-log(T)``."""
    t = (img_u8.astype(np.float32) + 0.5) / 256.0
    return -np.log(t)


def from_attenuation(a: np.ndarray) -> np.ndarray:
    return np.clip(np.exp(-a) * 256.0 - 0.5, 0, 255).astype(np.uint8)


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Zero-mean, unit-std smooth random field with correlation length ~scale px."""
    h, w = shape
    sh, sw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
    small = rng.standard_normal((sh, sw)).astype(np.float32)
    field: np.ndarray = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    field -= field.mean()
    sd = float(field.std())
    return field / sd if sd > 1e-6 else field


# --------------------------------------------------------------------------- synthetic scans


def synthetic_scan(
    seed: int | np.random.Generator = 0, width: int = 1200, height: int = 440, cab: bool = True
) -> np.ndarray:
    """A truck-like 8-bit grey X-ray image: air, cab, chassis, wheels, container, cargo blobs."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    a: np.ndarray = np.zeros((height, width), np.float32)
    cab_w = int(width * 0.16) if cab else 0
    x0, x1 = int(width * 0.03), int(width * 0.97) - cab_w
    y0, y1 = int(height * 0.08), int(height * 0.78)
    # container body: walls and corrugation
    a[y0:y1, x0:x1] += 0.25
    a[y0 : y0 + 6, x0:x1] += 0.9
    a[y1 - 8 : y1, x0:x1] += 1.0
    a[y0:y1, x0 : x0 + 8] += 0.9
    a[y0:y1, x1 - 8 : x1] += 0.9
    step = max(8, (x1 - x0) // 60)
    for x in range(x0 + step, x1 - 8, step):
        a[y0:y1, x : x + 2] += 0.12
    # cargo: textured blobs and boxes
    n = int(rng.integers(10, 22))
    for _ in range(n):
        bw = int(rng.integers((x1 - x0) // 25, (x1 - x0) // 6))
        bh = int(rng.integers((y1 - y0) // 8, int((y1 - y0) * 0.8)))
        bx = int(rng.integers(x0 + 10, max(x0 + 11, x1 - 10 - bw)))
        by = int(rng.integers(max(y0 + 8, y1 - 10 - bh - (y1 - y0) // 6), max(y0 + 9, y1 - 10 - bh + 1)))
        val = float(rng.uniform(0.3, 1.6))
        m = np.zeros_like(a)
        if rng.random() < 0.5:
            cv2.rectangle(m, (bx, by), (bx + bw, by + bh), 1.0, -1)
        else:
            cv2.ellipse(m, (bx + bw // 2, by + bh // 2), (bw // 2, bh // 2), 0, 0, 360, 1.0, -1)
        tex = 1.0 + 0.25 * _smooth_noise(rng, a.shape, float(rng.uniform(3, 15)))
        a += val * m * tex
    # chassis and wheels
    a[y1 : y1 + int(height * 0.05), x0 : width - int(width * 0.02)] += 0.8
    wy = y1 + int(height * 0.12)
    r = int(height * 0.08)
    for cx in [x0 + int((x1 - x0) * f) for f in (0.1, 0.2, 0.3)] + [x1 + cab_w // 2, x1 + int(cab_w * 0.9)]:
        if cx < width - r:
            cv2.circle(a, (cx, wy), r, 1.2, 6)
            cv2.circle(a, (cx, wy), r // 3, 1.5, -1)
    if cab:
        cx0 = x1 + 12
        pts = np.array(
            [
                [cx0, y1],
                [cx0, y0 + int((y1 - y0) * 0.25)],
                [cx0 + int(cab_w * 0.7), y0 + int((y1 - y0) * 0.2)],
                [width - 6, int(height * 0.5)],
                [width - 6, y1],
            ],
            np.int32,
        )
        m = np.zeros_like(a)
        cv2.fillPoly(m, [pts], 1.0)
        a += 0.35 * m
        cv2.rectangle(a, (cx0 + cab_w // 3, int(height * 0.55)), (width - 20, y1), 2.0, -1)  # engine
    a = np.asarray(cv2.GaussianBlur(a, (0, 0), 1.0), np.float32)  # float32 already: no copy
    a += 0.01 * rng.standard_normal(a.shape).astype(np.float32)
    return from_attenuation(np.clip(a, 0, 6))


# --------------------------------------------------------------------------- tampering


def _content_mask(a: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(a, (0, 0), 3) > 0.15


def _pick_box(
    rng: np.random.Generator, a: np.ndarray, need_content: bool, dense: bool = False, area: tuple = (0.01, 0.05)
) -> tuple[int, int, int, int]:
    """A box on the vehicle (``area``: share of the scan); ``dense``: in dark cargo (attenuation
    1.6-3.4, transmission 3-20 %), where the faint kinds are placed."""
    h, w = a.shape
    content = _content_mask(a)
    ys, xs = np.nonzero(content)
    if len(xs) > 100:
        bx0, bx1 = int(np.percentile(xs, 1)), int(np.percentile(xs, 99))
        by0, by1 = int(np.percentile(ys, 1)), int(np.percentile(ys, 99))
    else:
        bx0, bx1, by0, by1 = 0, w - 1, 0, h - 1
    best, best_val = None, -1.0
    for _ in range(25):
        frac = rng.uniform(*area)
        px = frac * w * h
        ar = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
        bw = int(np.clip(np.sqrt(px * ar), 8, 0.9 * (bx1 - bx0 + 1)))
        bh = int(np.clip(px / max(bw, 1), 8, 0.85 * (by1 - by0 + 1)))
        x = int(rng.integers(bx0, max(bx0 + 1, bx1 - bw)))
        y = int(rng.integers(by0, max(by0 + 1, by1 - bh)))
        patch = a[y : y + bh, x : x + bw]
        inside = float(content[y : y + bh, x : x + bw].mean())
        # prefer boxes on the vehicle whose content is not saturated (changes there are visible)
        visible = float(((patch > 0.1) & (patch < 4.0)).mean())
        if dense:  # dark but not black: the range where a change is faint
            val = inside * float(((patch > 1.6) & (patch < 3.4)).mean())
        else:
            val = inside * visible * (float(np.median(patch)) + 0.2 if need_content else 1.0)
        val *= rng.uniform(0.7, 1.0)
        if val > best_val:
            best, best_val = (x, y, bw, bh), val
    assert best is not None
    return best


def _feather(h: int, w: int, px: float = 2.0) -> np.ndarray:
    m: np.ndarray = np.zeros((h + 8, w + 8), np.float32)
    m[4:-4, 4:-4] = 1
    m = cv2.GaussianBlur(m, (0, 0), px)
    return m[4:-4, 4:-4] / max(float(m.max()), 1e-6)


def tamper(
    a: np.ndarray,
    rng: np.random.Generator,
    kind: str,
    box: tuple[int, int, int, int],
    donor: np.ndarray | None = None,
) -> np.ndarray:
    """Return a copy of attenuation image ``a`` with the cargo in ``box`` changed."""
    x, y, w, h = box
    out = a.copy()
    patch = out[y : y + h, x : x + w]
    fm = _feather(h, w)
    if kind in ("remove", "remove_dark"):
        # cargo taken out: keep the empty-container level (low percentile), scale the rest down;
        # remove_dark takes out only part of dense cargo (a faint change in the dark range)
        base = float(np.percentile(patch, 5))
        keep = rng.uniform(0.05, 0.4) if kind == "remove" else rng.uniform(0.5, 0.8)
        new = np.minimum(patch, base + (patch - base) * keep)
    elif kind in ("add", "add_dense"):
        obj = np.zeros((h, w), np.float32)
        for _ in range(int(rng.integers(1, 4))):
            ow, oh = int(w * rng.uniform(0.4, 0.95)), int(h * rng.uniform(0.4, 0.95))
            ox, oy = int(rng.integers(0, w - ow + 1)), int(rng.integers(0, h - oh + 1))
            m = np.zeros((h, w), np.float32)
            if rng.random() < 0.5:
                cv2.rectangle(m, (ox, oy), (ox + ow - 1, oy + oh - 1), 1.0, -1)
            else:
                cv2.ellipse(m, (ox + ow // 2, oy + oh // 2), (max(1, ow // 2), max(1, oh // 2)), 0, 0, 360, 1.0, -1)
            obj = np.maximum(obj, m * (rng.uniform(0.35, 1.3) if kind == "add" else rng.uniform(0.3, 0.9)))
        obj *= 1.0 + 0.2 * _smooth_noise(rng, (h, w), 6.0)
        new = patch + cv2.GaussianBlur(obj, (0, 0), 1.0)
    elif kind == "swap_split":
        raise ValueError("swap_split changes several boxes: use tamper_split")
    elif kind == "swap":
        src = donor if donor is not None and donor.shape[0] > h and donor.shape[1] > w else a
        for _ in range(10):
            sx = int(rng.integers(0, src.shape[1] - w + 1))
            sy = int(rng.integers(0, src.shape[0] - h + 1))
            cand = src[sy : sy + h, sx : sx + w]
            if abs(float(cand.mean()) - float(patch.mean())) > 0.25 or float(np.abs(cand - patch).mean()) > 0.4:
                break
        new = cand.copy()
    else:
        raise ValueError(f"unknown tamper kind {kind!r}")
    out[y : y + h, x : x + w] = patch * (1 - fm) + new * fm
    return out


def tamper_split(
    a: np.ndarray, rng: np.random.Generator, donor: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """A swap split into 3-6 small regions (0.15-0.6 % of the scan each, apart from each other):
    the image and the boxes."""
    out = a
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(int(rng.integers(3, 7))):
        for _try in range(10):
            box = _pick_box(rng, out, need_content=True, area=(0.0015, 0.006))
            if not any(_touch(box, b, 4) for b in boxes):
                break
        else:
            continue
        out = tamper(out, rng, "swap", box, donor)
        boxes.append(box)
    return out, boxes


def _touch(a, b, margin: int) -> bool:
    return (
        a[0] - margin < b[0] + b[2]
        and b[0] - margin < a[0] + a[2]
        and a[1] - margin < b[1] + b[3]
        and b[1] - margin < a[1] + a[3]
    )


def _union(boxes) -> tuple[int, int, int, int]:
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


# --------------------------------------------------------------------------- second scanner


@dataclass
class ScannerParams:
    mirrored: bool
    pitch: float
    speed: float
    warp_amp: float
    settle_px: float
    gain: float
    offset: float
    gamma: float
    blur: float
    noise: float
    jpeg: int
    shift: tuple[float, float]
    # more and stronger detector line artefacts (rows 6-17 at 0.7-1.35, columns 1-5) than the
    # default (rows 2-11 at 0.8-1.25, columns 0-3)
    hard_lines: bool = False


def _extreme(rng: np.random.Generator, lo: float, hi: float, inner: float = 0.45) -> float:
    """Log-uniform in [lo, hi] but away from 1 (the middle ``inner`` share of the log range is
    skipped): the hard settings draw the nuisances from their extremes."""
    llo, lhi = np.log(lo), np.log(hi)
    cut_lo, cut_hi = llo * inner, lhi * inner  # [lo, 1] and [1, hi] shrunk towards 1
    u = rng.uniform(0, (cut_lo - llo) + (lhi - cut_hi))
    return float(np.exp(llo + u if u < cut_lo - llo else cut_hi + u - (cut_lo - llo)))


def random_scanner(rng: np.random.Generator, hard: bool = False) -> ScannerParams:
    """The second scanner's settings; ``hard``: every nuisance drawn from the far end of a wider
    range (pitch 0.6-1.5 on both axes, speed 0.8-1.25, gamma 0.55-1.8, settling 3-6 px, blur
    0.8-1.6 px, JPEG 55-75, more detector lines)."""
    if hard:
        return ScannerParams(
            mirrored=bool(rng.random() < 0.5),
            pitch=_extreme(rng, 0.6, 1.5),
            speed=_extreme(rng, 0.8, 1.25),
            warp_amp=float(rng.uniform(0.01, 0.025)),
            settle_px=float(rng.uniform(3.0, 6.0)),
            gain=_extreme(rng, 0.7, 1.35),
            offset=float(rng.uniform(-0.06, 0.06)),
            gamma=_extreme(rng, 0.55, 1.8),
            blur=float(rng.uniform(0.8, 1.6)),
            noise=float(rng.uniform(0.01, 0.025)),
            jpeg=int(rng.integers(55, 76)),
            shift=(float(rng.uniform(-0.05, 0.05)), float(rng.uniform(-0.05, 0.05))),
            hard_lines=True,
        )
    return ScannerParams(
        mirrored=bool(rng.random() < 0.5),
        pitch=float(np.exp(rng.uniform(np.log(0.65), np.log(1.4)))),
        speed=float(np.exp(rng.uniform(np.log(0.82), np.log(1.22)))),
        warp_amp=float(rng.uniform(0.0, 0.02)),
        settle_px=float(rng.uniform(1.0, 5.0)),
        gain=float(rng.uniform(0.75, 1.3)),
        offset=float(rng.uniform(-0.05, 0.05)),
        gamma=float(np.exp(rng.uniform(np.log(0.6), np.log(1.7)))),
        blur=float(rng.uniform(0.4, 1.4)),
        noise=float(rng.uniform(0.004, 0.02)),
        jpeg=int(rng.integers(60, 93)),
        shift=(float(rng.uniform(-0.04, 0.04)), float(rng.uniform(-0.04, 0.04))),
    )


def _scanner_geometry(rng: np.random.Generator, p: ScannerParams, shape: tuple[int, int]) -> tuple:
    """The second scanner's random geometry (settling field, warp) for an image of ``shape``:
    drawn first, in this order, so that a render is reproducible from the rng state."""
    h, w = shape
    # cargo settling: smooth local displacement of a few px, mostly downwards
    dx = _smooth_noise(rng, (h, w), max(20.0, min(h, w) / 4)) * p.settle_px * 0.5
    dy = np.abs(_smooth_noise(rng, (h, w), max(20.0, min(h, w) / 4))) * p.settle_px * 0.8
    # pitch (both axes) and speed (x only) with a smooth monotone warp, plus shift
    sx, sy = p.pitch * p.speed, p.pitch
    nw, nh = max(16, round(w * sx)), max(16, round(h * sy))
    u = np.arange(nw, dtype=np.float32) / nw
    wobble = np.zeros(nw, np.float32)
    for k in range(1, 4):
        wobble += rng.uniform(-1, 1) / k * np.sin(2 * np.pi * (k * u + rng.random())).astype(np.float32)
    wobble *= p.warp_amp * w / max(1e-6, float(np.abs(wobble).max()))
    slope = float(np.abs(np.diff(wobble)).max()) if nw > 1 else 0.0
    if slope > 0.3 / sx:  # keep the warp monotone
        wobble *= 0.3 / sx / slope
    tx, ty = p.shift[0] * w, p.shift[1] * h
    xs = (np.arange(nw, dtype=np.float32) - tx) / sx + wobble
    ys = (np.arange(nh, dtype=np.float32) - ty) / sy
    mx = np.broadcast_to(xs[None, :], (nh, nw)).astype(np.float32)
    my = np.broadcast_to(ys[:, None], (nh, nw)).astype(np.float32)
    return dx, dy, mx, my


def _apply_geometry(a: np.ndarray, geometry: tuple, p: ScannerParams) -> np.ndarray:
    """Settle, mirror, resample and warp image ``a`` with ``_scanner_geometry``'s draws."""
    dx, dy, mx, my = geometry
    h, w = a.shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    a = cv2.remap(a, gx - dx, gy - dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if p.mirrored:
        a = a[:, ::-1]
    sx, sy = p.pitch * p.speed, p.pitch
    if min(sx, sy) < 1:
        a = cv2.GaussianBlur(a, (0, 0), sigmaX=max(0.01, 0.45 / sx), sigmaY=max(0.01, 0.45 / sy))
    return cv2.remap(a, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)


def second_scanner(a: np.ndarray, rng: np.random.Generator, p: ScannerParams) -> np.ndarray:
    """Render attenuation image ``a`` as another scanner would: 8-bit display image before JPEG.

    The random draws do not depend on the content of ``a``: the same rng state renders another
    image of the same size with the identical scanner (``make_pair``'s ``dest_change``)."""
    a = _apply_geometry(a, _scanner_geometry(rng, p, a.shape), p)
    nh, nw = a.shape
    # dose / gain change in the attenuation domain
    a = np.maximum(a * p.gain + p.offset, 0)
    # detector line artefacts: a few rows (detector elements) and columns (pulses)
    n_rows, gains, n_cols = ((6, 18), (0.7, 1.35), (1, 6)) if p.hard_lines else ((2, 12), (0.8, 1.25), (0, 4))
    for _ in range(int(rng.integers(*n_rows))):
        r = int(rng.integers(0, nh))
        a[r : r + int(rng.integers(1, 4)), :] *= rng.uniform(*gains)
    for _ in range(int(rng.integers(*n_cols))):
        c = int(rng.integers(0, nw))
        a[:, c : c + int(rng.integers(1, 3))] += rng.uniform(-0.08, 0.08)
    a = np.maximum(a, 0)
    a = cv2.GaussianBlur(a, (0, 0), p.blur)
    t = np.exp(-a)
    t = t + rng.standard_normal(t.shape).astype(np.float32) * p.noise * np.sqrt(np.maximum(t, 1e-4))
    t = np.clip(t, 0, 1)
    disp = np.power(t, 1.0 / p.gamma)
    return np.clip(disp * 255.0 + 0.5, 0, 255).astype(np.uint8)


def make_pair(
    src: np.ndarray,
    rng: np.random.Generator,
    tampered: bool,
    kind: str | None = None,
    donor: np.ndarray | None = None,
    hard: bool = False,
    change_out: list | None = None,
) -> tuple[np.ndarray, bytes, dict]:
    """Origin (the source itself), destination JPEG bytes and label for one pair.

    ``hard``: the kind is drawn from ``HARD_KINDS`` and the second scanner from the extremes of
    wider ranges (``random_scanner(hard=True)``). ``change_out``: a tampered pair appends its
    per-pixel |attenuation change| (origin pixels) to it, then what the destination's display shows
    of it (``display_change``); no random draw depends on them."""
    a = a_clean = to_attenuation(src)
    label: dict = {"tampered": bool(tampered)}
    if tampered:
        kinds = HARD_KINDS if hard else KINDS
        kind = kind or kinds[int(rng.integers(0, len(kinds)))]
        donor_a = None if donor is None else to_attenuation(donor)
        need = MIN_VISIBLE_FAINT if kind in FAINT_KINDS else MIN_VISIBLE
        # the change must be visible in the display (not hidden in saturated black): retry a few
        # boxes and keep the most visible one
        best = None
        for _ in range(6):
            if kind == "swap_split":
                cand, boxes = tamper_split(a, rng, donor_a)
            else:
                boxes = [_pick_box(rng, a, need_content=kind != "add", dense=kind in ("add_dense", "remove_dark"))]
                cand = tamper(a, rng, kind, boxes[0], donor_a)
            vis = float(
                np.mean(
                    [
                        np.abs(np.exp(-cand[y : y + h, x : x + w]) - np.exp(-a[y : y + h, x : x + w])).mean()
                        for x, y, w, h in boxes
                    ]
                )
            )
            if best is None or vis > best[0]:
                best = (vis, boxes, cand)
            if vis >= need:
                break
        assert best is not None
        _, boxes, a = best
        if change_out is not None:
            change_out.append(np.abs(a - a_clean))
        label.update(kind=kind, box=[int(v) for v in _union(boxes)])
        if len(boxes) > 1:
            label["boxes"] = [[int(v) for v in b] for b in boxes]
    params = random_scanner(rng, hard=hard)
    if change_out is not None and tampered:
        change_out.append(display_change(a_clean, a, params))
    # the rng state the destination is rendered from (a copy: the pair's own draws are unchanged)
    twin = copy.deepcopy(rng) if tampered else None
    dest_u8 = second_scanner(a, rng, params)
    ok, buf = cv2.imencode(".jpg", dest_u8, [cv2.IMWRITE_JPEG_QUALITY, params.jpeg])
    dest = buf.tobytes()
    if twin is not None:
        label.update(dest_visibility(a_clean, label.get("boxes") or [label["box"]], twin, params, dest_u8))
    label["scanner"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.__dict__.items()}
    return src, dest, label


def display_change(a_clean: np.ndarray, a: np.ndarray, p: ScannerParams) -> np.ndarray:
    """Per origin pixel, the grey-level change between the destination scanner's noiseless display
    of ``a`` and of ``a_clean``: its gain and offset, blur, display curve and 8-bit rounding, without
    its geometry, line artefacts, noise or JPEG. A change the display rounds away or saturates
    (below ``DEST_VISIBLE_GREY``) is not in the destination for anyone (the per-pixel counterpart of
    ``dest_visibility``; the target of the dense map's ``--target dest``)."""

    def grey(x: np.ndarray) -> np.ndarray:
        x = cv2.GaussianBlur(np.maximum(x * p.gain + p.offset, 0).astype(np.float32), (0, 0), p.blur)
        return np.floor(np.clip(np.power(np.exp(-x), 1.0 / p.gamma) * 255.0 + 0.5, 0, 255))

    return np.abs(grey(a) - grey(a_clean)).astype(np.float32)


def dest_visibility(
    a_clean: np.ndarray, boxes: list, rng: np.random.Generator, p: ScannerParams, dest_u8: np.ndarray
) -> dict:
    """How visible a tampering is in the destination image (before JPEG).

    ``rng``: the state the destination ``dest_u8`` was rendered from. The untampered attenuation
    ``a_clean`` is rendered again from copies of that state with the identical scanner (geometry,
    line artefacts, noise: the draws do not depend on the content), once more without the noise
    term, and the true boxes (origin pixels) are carried into the destination by the same
    geometry. Returns ``dest_change``: mean absolute grey-level difference between the two renders
    inside the boxes; ``dest_noise``: RMS grey-level noise of the destination there (the render
    minus the noiseless one, at least the quantisation noise); ``dest_change_ratio``: their ratio."""
    clean = second_scanner(a_clean, copy.deepcopy(rng), p).astype(np.float32)
    quiet = second_scanner(a_clean, copy.deepcopy(rng), dataclasses.replace(p, noise=0.0)).astype(np.float32)
    mask = np.zeros(a_clean.shape, np.float32)
    for x, y, w, h in boxes:
        mask[y : y + h, x : x + w] = 1.0
    inside = _apply_geometry(mask, _scanner_geometry(copy.deepcopy(rng), p, a_clean.shape), p) > 0.5
    if not inside.any():  # the box is outside the destination's frame: not in the image at all
        return {"dest_change": 0.0, "dest_noise": QUANT_NOISE_GREY, "dest_change_ratio": 0.0}
    change = float(np.abs(dest_u8.astype(np.float32) - clean)[inside].mean())
    noise = max(QUANT_NOISE_GREY, float(np.sqrt(np.mean((clean - quiet)[inside] ** 2))))
    return {
        "dest_change": round(change, 3),
        "dest_noise": round(noise, 3),
        "dest_change_ratio": round(change / noise, 3),
    }


# --------------------------------------------------------------------------- data sets


def split_of(name: str, held_out_share: float = 0.35) -> str:
    """Deterministic split by source image: 'tune' or 'heldout'."""
    return "heldout" if (zlib.crc32(name.encode()) % 1000) / 1000.0 < held_out_share else "tune"


# Inside tune, a second split by source image (twentieth pass): a learned model is trained on pairs of the
# "tune-fit" scans and its thresholds chosen on pairs of the "tune-val" scans, which it has never seen, as
# the held-out scans are unseen; "tune" stays the union, "heldout" is untouched.
TUNE_SPLITS = ("tune-fit", "tune-val")
TUNE_VAL_SHARE = 0.3


def tune_part(name: str, val_share: float = TUNE_VAL_SHARE) -> str:
    """Of a tune source: 'tune-fit' or 'tune-val', by a second crc32 (of the name with a prefix, so that it
    does not follow the first split's)."""
    return "tune-val" if (zlib.crc32(b"tune-val:" + name.encode()) % 1000) / 1000.0 < val_share else "tune-fit"


def in_split(name: str, split: str) -> bool:
    """Whether the source ``name`` (its path below the data folder) belongs to ``split``: 'all', 'tune',
    'heldout', 'tune-fit' or 'tune-val'."""
    if split == "all":
        return True
    if split in TUNE_SPLITS:
        return split_of(name) == "tune" and tune_part(name) == split
    if split in ("tune", "heldout"):
        return split_of(name) == split
    raise ValueError(f"unknown split {split!r}")


def list_sources(data_dir: str | Path, split: str = "all") -> list[Path]:
    """Scans listed in DATA/manifest.csv (or all images below DATA), optionally one split."""
    data_dir = Path(data_dir)
    manifest = data_dir / "manifest.csv"
    if manifest.exists():
        with manifest.open(newline="") as fh:
            files = [
                data_dir / row["file"]
                for row in csv.DictReader(fh)
                if int(row.get("width") or 999) >= 300 and int(row.get("height") or 999) >= 150
            ]
    else:
        files = sorted(p for p in data_dir.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".tif", ".tiff"})
    # a source with nothing visible (all black) cannot be compared by anyone: skip it
    files = [f for f in files if _visible(f)]
    if split != "all":
        files = [f for f in files if in_split(f.relative_to(data_dir).as_posix(), split)]
    return files


def _visible(path: Path) -> bool:
    img = cv2.imread(str(path), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    return img is not None and float(img.mean()) > 5.0


def _read_u8(path: Path) -> np.ndarray:
    img: np.ndarray | None = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError(f"cannot read {path}")
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if img.dtype != np.uint8:
        img = (img.astype(np.float32) / float(np.iinfo(img.dtype).max) * 255 + 0.5).astype(np.uint8)
    return img


def write_pairs(
    out_dir: str | Path,
    n: int = 90,
    seed: int = 0,
    data_dir: str | Path | None = None,
    split: str = "all",
    whole_share: float = 0.5,
    max_width: int = 0,
    hard: bool = False,
    masks: bool = False,
) -> list[dict]:
    """Write ``n`` pairs (2:1 unchanged:tampered) to ``out_dir``.

    Sources come from ``data_dir`` (manifest.csv, optionally one split) or, without it,
    from ``synthetic_scan``.  ``whole_share`` of the pairs use whole-vehicle scans when
    the manifest tells which they are.  ``max_width`` > 0 downsizes larger sources first.
    ``hard``: the hardest settings (``make_pair(hard=True)``). ``masks``: also write each tampered
    pair's per-pixel change and what the destination's display shows of it (``NNNN_change.png``,
    ``NNNN_dchange.png``, for training a dense change map); the pairs themselves are the same either way.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sources: list[Path] = list_sources(data_dir, split) if data_dir else []
    whole: list[Path] = []
    if data_dir and (Path(data_dir) / "manifest.csv").exists():
        with (Path(data_dir) / "manifest.csv").open(newline="") as fh:
            kinds = {str(Path(data_dir) / r["file"]): r["kind"] for r in csv.DictReader(fh)}
        whole = [s for s in sources if kinds.get(str(s)) == "full_vehicle_scan"]
    crops = [s for s in sources if s not in whole]
    labels = []
    for i in range(n):
        tampered = i % 3 == 2
        if sources:
            pool = whole if whole and (rng.random() < whole_share or not crops) else crops
            path = pool[int(rng.integers(0, len(pool)))]
            src = _read_u8(path)
            donor = _read_u8(sources[int(rng.integers(0, len(sources)))])
            name = path.relative_to(data_dir).as_posix()  # type: ignore[arg-type]
        else:
            src = synthetic_scan(rng, width=int(rng.integers(700, 1400)), height=int(rng.integers(300, 500)))
            donor = synthetic_scan(rng)
            name = "synthetic"
        if max_width and src.shape[1] > max_width:
            s = max_width / src.shape[1]
            src = cv2.resize(src, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        changes: list = []
        origin, dest, label = make_pair(src, rng, tampered, donor=donor, hard=hard, change_out=changes)
        cv2.imwrite(str(out / f"{i:04d}_origin.png"), origin)
        if masks and changes:
            png = np.clip(changes[0] * CHANGE_PNG_SCALE + 0.5, 0, 255).astype(np.uint8)
            cv2.imwrite(str(out / f"{i:04d}_change.png"), png)
            png = np.clip(changes[1] * DCHANGE_PNG_SCALE + 0.5, 0, 255).astype(np.uint8)
            cv2.imwrite(str(out / f"{i:04d}_dchange.png"), png)
        (out / f"{i:04d}_dest.jpg").write_bytes(dest)
        label = {"id": i, **label, "source": name}
        labels.append(label)
    (out / "labels.json").write_text(json.dumps(labels, indent=1))
    return labels
