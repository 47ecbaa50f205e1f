"""Regions: connected components of the change, scored by area x attenuation change as a share
of the scan area (re-checked with a small local shift), and the container span that keeps the
tractor cab out."""

from __future__ import annotations

import cv2
import numpy as np

from .changes import neighbourhood, tolerant_change
from .params import Params
from .registration import vehicle_content

# logistic regression on region features, fitted on tune pairs only (seeds 21, 22: 259 pairs,
# 86 tampered; positives = the region hitting the true box, negatives = clean pairs' regions)
_LR_B0, _LR_RS, _LR_RATIO, _LR_SHAPE = 0.678, 1.197, 4.027, 6.857


def container_span(ao: np.ndarray, params: Params) -> tuple[int, int] | None:
    """Columns (x0, x1) of the container (cargo body) in attenuation image ``ao``.

    The container's roof is the longest straight (possibly slightly tilted) run of the
    column-wise top edge of the vehicle; its ends are the end walls.  The tractor cab sits
    lower, so its columns fall off the roof line.  ``None`` when no roof line spans at least
    40 % of the width (nothing is masked then).
    """
    h, w = ao.shape
    if h < 32 or w < 32:
        return None
    content = vehicle_content(ao)
    has = content.any(axis=0)
    if has.sum() < 0.3 * w:
        return None
    top = np.where(has, content.argmax(axis=0), h).astype(np.float64)
    xs = np.arange(w, dtype=np.float64)
    hist = np.convolve(np.bincount(top[has].astype(int), minlength=h + 1), np.ones(5), mode="same")
    line = np.array([0.0, float(hist[:h].argmax())])
    tol = max(3.0, h / 60)
    for band in (h / 8, 3 * tol, tol):  # robust straight-line fit of the roof
        use = np.abs(top - np.polyval(line, xs)) <= band
        if use.sum() < 10:
            return None
        line = np.polyfit(xs[use], top[use], 1)
    on = np.flatnonzero(np.abs(top - np.polyval(line, xs)) <= tol)
    if on.size < 2:
        return None
    # longest run of roof columns, bridging gaps of up to 1 % of the width
    breaks = np.flatnonzero(np.diff(on) > max(3, w // 100))
    starts = np.concatenate([[on[0]], on[breaks + 1]])
    ends = np.concatenate([on[breaks], [on[-1]]])
    i = int(np.argmax(ends - starts))
    x0, x1 = int(starts[i]), int(ends[i])
    if x1 - x0 < 0.4 * w:
        return None
    # a tractor is at most CAB_MAX_SHARE of the vehicle's length: a longer stretch off the roof
    # line (a second container, a lower roof) is cargo and stays scored
    if x0 > params.CAB_MAX_SHARE * w:
        x0 = 0
    if w - 1 - x1 > params.CAB_MAX_SHARE * w:
        x1 = w - 1
    return x0, x1


def saturated_share(ao: np.ndarray, maps: dict, span: tuple[int, int] | None) -> float:
    """Share of the vehicle's content (within the container span) that is at or beyond the common
    saturation ceiling in either scan: the comparison is blind there, whatever its verdict."""
    cols = slice(None) if span is None else slice(span[0], span[1] + 1)
    content = maps["valid"][:, cols] & vehicle_content(ao)[:, cols]
    n = int(content.sum())
    return round(float((maps["saturated"][:, cols] & content).sum()) / n, 4) if n else 0.0


def region_score(f: dict, params: Params) -> float:
    """Score of a region: area x attenuation change as a share of the scan (``rs``, times the
    local shift check's ``ratio``), times a learned factor that favours compact regions a shift
    does not explain.  The factor comes from a logistic regression on tune pairs only
    (logit = b0 + w_rs log(rs ratio) + w_ratio ratio + w_shape shape; score = exp(logit / w_rs),
    so it stays in the units of rs; docs/scans-comparison.md)."""
    base = f["rs"] * f["ratio"]
    if not params.USE_LEARNED:
        return base
    return base * float(np.exp((_LR_B0 + _LR_RATIO * f["ratio"] + _LR_SHAPE * f["shape"]) / _LR_RS))


def find_regions(maps: dict, span: tuple[int, int] | None, params: Params) -> tuple[list, np.ndarray]:
    """Changed regions from the change maps: [(score, x, y, w, h, features), ...] best first
    (working pixels) and the region mask.  Regions lying mostly outside the container ``span``
    (the tractor cab) are left out."""
    change, zs, valid = maps["change"], maps["z"], maps["valid"]
    h, w = change.shape
    mask = ((zs > params.ZSEED) & (cv2.GaussianBlur(np.abs(change), (0, 0), 2.0) > params.MIN_CHANGE)).astype(np.uint8)
    if "z_lp" in maps:
        mask |= ((maps["z_lp"] > params.LP_ZSEED) & (np.abs(maps["lp"]) > params.LP_MIN_CHANGE)).astype(np.uint8)
    dark = "z_dark" in maps
    if dark:  # near-black channel (eighth pass)
        mask |= ((np.abs(maps["z_dark"]) > params.DARK_ZSEED) & (np.abs(maps["dark"]) > params.DARK_MIN_GREY)).astype(
            np.uint8
        )
    k_open = max(3, round(min(h, w) / 80)) | 1
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k_open, k_open), np.uint8))
    # hysteresis: grow the seeds over the weaker change around them
    low = zs > params.ZLOW
    if dark:
        low |= np.abs(maps["z_dark"]) > params.DARK_ZLOW
    grow = cv2.morphologyEx(low.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    # second, lower-seeded pass (verifier only): seeds the ordinary thresholds miss
    second_pass = params.USE_VERIFIER and params.N_VERIFY2 > 0
    mask2 = None
    if second_pass:
        mask2 = ((zs > params.ZSEED2) & (cv2.GaussianBlur(np.abs(change), (0, 0), 2.0) > params.MIN_CHANGE)).astype(
            np.uint8
        )
        if "z_lp" in maps:
            mask2 |= ((maps["z_lp"] > params.LP_ZSEED2) & (np.abs(maps["lp"]) > params.LP_MIN_CHANGE)).astype(np.uint8)
        mask2 = cv2.morphologyEx(mask2, cv2.MORPH_OPEN, np.ones((k_open, k_open), np.uint8))
        grow = np.bitwise_or(grow, mask2)
    grow = cv2.morphologyEx(np.bitwise_or(grow, mask), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n_g, lab_g = cv2.connectedComponents(grow, connectivity=8)
    seeded = np.zeros(n_g, bool)
    seeded[np.unique(lab_g[mask > 0])] = True
    seeded[0] = False
    seeded2 = np.zeros(n_g, bool)
    if mask2 is not None:
        seeded2[np.unique(lab_g[mask2 > 0])] = True
        seeded2[0] = False
        seeded2 &= ~seeded
    mask = (seeded | seeded2)[lab_g].astype(np.uint8)
    n_lab, lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n_lab <= 1:
        return [], mask
    # labels of the second pass's regions (whole grown components, so each label is one or the other)
    second = np.zeros(n_lab, bool)
    if seeded2.any():
        second[np.unique(lab[seeded2[lab_g] & (mask > 0)])] = True
        second[0] = False
    mag = np.minimum(np.abs(change), 2.0)
    area_ref = float(valid.sum())
    flat = lab.ravel()

    def per_label(values: np.ndarray) -> np.ndarray:
        return np.bincount(flat, weights=values.ravel().astype(np.float64), minlength=n_lab)

    sums = per_label(mag)
    # near-black channel: DARK_UNIT per noise unit above DARK_ZLOW, not re-checked by a shift (the
    # tolerant change it adds to is ~0 there: both images sit at the common ceiling)
    dark_sums = None
    if dark:
        zd = maps["z_dark"]
        if params.DARK_SIGNED:  # the region's mean signed change: misalignment's dipoles cancel
            n_dark = per_label(maps["dark_zone"].astype(np.float32))
            mean_z = np.abs(per_label(zd)) / np.maximum(n_dark, 1.0)
            dark_sums = params.DARK_UNIT * np.maximum(mean_z - params.DARK_ZLOW, 0) * n_dark
        else:
            dark_sums = per_label(params.DARK_UNIT * np.maximum(np.abs(zd) - params.DARK_ZLOW, 0))
    outside: np.ndarray = np.zeros(n_lab)
    if span is not None:
        m = max(3, w // 100)
        cols = np.ones(w, bool)
        cols[max(0, span[0] - m) : span[1] + m + 1] = False
        outside = np.bincount(lab[:, cols].ravel(), minlength=n_lab).astype(np.float64)
    cands = []
    for i in range(1, n_lab):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        if area < 9 or outside[i] > 0.7 * area:
            continue
        # elongated regions are edge/warp artefacts far more often than cargo: penalise
        # aspect ratios beyond 3:1
        shape = min(1.0, 3.0 * min(bw, bh) / max(bw, bh))
        total = float(sums[i]) + (float(dark_sums[i]) if dark_sums is not None else 0.0)
        feats = {"rs": total / area_ref * shape, "ratio": 1.0, "shape": shape, "label": i}
        if dark_sums is not None:
            feats["dark"] = float(dark_sums[i])
        if second[i]:
            feats["second"] = True
        cands.append((feats, (x, y, bw, bh), i))
    cands.sort(key=lambda c: -c[0]["rs"])
    if second_pass:  # the N_VERIFY2 best second-pass regions are checked (and verified) as well
        first = [c for c in cands if not c[0].get("second")]
        cands = first + [c for c in cands if c[0].get("second")][: params.N_VERIFY2]
    # a change that a small local shift of the destination explains is residual misalignment
    # (end walls near the frame border, extrapolated warp), not a change of the cargo
    n_check = params.N_SHIFT_CHECK_LEARNED if params.USE_LEARNED else params.N_SHIFT_CHECK
    if params.USE_VERIFIER:  # the verifier sees the shift check of every region it scores
        n_check = max(n_check, params.N_VERIFY)
    check = cands[:n_check] + ([c for c in cands[n_check:] if c[0].get("second")] if second_pass else [])
    maps["labels"] = lab
    bo = maps.get("origin")
    if cands and bo is not None and "dest" in maps:
        rx, ry = max(4, round(params.SHIFT_X * w)), params.SHIFT_Y
        dpad = cv2.copyMakeBorder(maps["dest"], ry, ry, rx, rx, cv2.BORDER_REPLICATE)
        for feats, box, i in check:
            left = _shift_residual(bo, dpad, lab == i, box, rx, ry, params.TOL_RADIUS)
            feats["ratio"] = min(1.0, left / max(float(sums[i]), 1e-9))
        if params.WALL_SHIFT_X:
            _recheck_walls(bo, maps["dest"], lab, sums, check, span, params)
        if params.WALL_AFFINE:
            _recheck_ends_affine(bo, maps["dest"], valid, lab, sums, check, span, params)
        if dark_sums is not None:  # the shift check applies to the tolerant part only
            for feats, _, i in check:
                t = float(sums[i])
                feats["ratio"] = (t * feats["ratio"] + feats["dark"]) / max(t + feats["dark"], 1e-9)
    # the learned factor assumes a measured ratio: then only the re-checked regions are scored
    regions = [(region_score(f, params), *box, f) for f, box, _ in (cands[:n_check] if params.USE_LEARNED else cands)]
    regions.sort(key=lambda r: -r[0])
    return regions, mask


def _shift_residual(
    bo: np.ndarray, dpad: np.ndarray, reg: np.ndarray, box, rx: int, ry: int, radius: int, coarse: bool = False
) -> float:
    """Smallest tolerant change summed over region ``reg`` when the destination (``dpad``,
    padded by rx, ry) is shifted by up to (rx, ry) pixels; ``radius``: of the tolerant change;
    ``coarse``: shifts beyond 8 px in steps of 2."""
    h, w = bo.shape
    x, y, bw, bh = box
    m = radius + 1
    x0, x1, y0, y1 = max(0, x - m), min(w, x + bw + m), max(0, y - m), min(h, y + bh + m)
    o = bo[y0:y1, x0:x1]
    sel = reg[y0:y1, x0:x1]
    o_range = neighbourhood(o, radius)
    best = np.inf
    # coarse: every pixel up to 8 px, every other pixel beyond (the wide wall re-check)
    dxs = sorted(set(range(-min(rx, 8), min(rx, 8) + 1)) | set(range(-rx, rx + 1, 2))) if coarse else range(-rx, rx + 1)
    for dy in range(-ry, ry + 1):
        for dx in dxs:
            n = dpad[y0 + ry + dy : y1 + ry + dy, x0 + rx + dx : x1 + rx + dx]
            best = min(best, float(np.minimum(tolerant_change(o, n, radius, o_range), 2.0)[sel].sum()))
    return best


def wall_columns(bo: np.ndarray, span: tuple[int, int] | None) -> list[int]:
    """Columns where a wall stands: the vehicle's first and last columns with content and the
    container span's ends (end walls, the cab/trailer junction)."""
    cols = np.flatnonzero(vehicle_content(bo).any(axis=0))
    walls = [int(cols[0]), int(cols[-1])] if cols.size else []
    if span is not None:
        walls += [int(span[0]), int(span[1])]
    return walls


def _recheck_walls(bo, dest, lab, sums, cands, span, params: Params) -> None:
    """A tall thin region next to a wall (``wall_columns``) is re-checked with a wider x shift: a
    speed change over the vehicle's last metres and a tilted wall leave an end wall or the
    cab/trailer junction further off than the ordinary re-check reaches. Only wall-shaped regions
    (height >= ``WALL_ASPECT`` x width): a compact change next to a wall keeps its ordinary check."""
    h, w = bo.shape
    band = params.WALL_BAND * w
    walls = wall_columns(bo, span)
    rx, ry = max(8, round(params.WALL_SHIFT_X * w)), params.SHIFT_Y
    dpad = None
    for feats, (x, y, bw, bh), i in cands:
        if bh < params.WALL_ASPECT * bw or not any(abs(x + bw / 2 - c) <= band for c in walls):
            continue
        if dpad is None:
            dpad = cv2.copyMakeBorder(dest, ry, ry, rx, rx, cv2.BORDER_REPLICATE)
        left = _shift_residual(bo, dpad, lab == i, (x, y, bw, bh), rx, ry, params.TOL_RADIUS, coarse=True)
        feats["ratio"] = min(feats["ratio"], left / max(float(sums[i]), 1e-9))
        feats["wall"] = True


# local affine re-check: x shears (x offset per row) and x stretches (per column) of the destination
_WARPS = (("shear", -0.06), ("shear", -0.03), ("shear", 0.03), ("shear", 0.06),
          ("stretch", -0.04), ("stretch", -0.02), ("stretch", 0.02), ("stretch", 0.04))  # fmt: skip


def affine_residual(bo: np.ndarray, bn: np.ndarray, reg: np.ndarray, box, params: Params) -> tuple[float, float]:
    """Tolerant change summed over region ``reg``: (as registered, smallest left when the
    destination around the region is sheared or stretched in x (``_WARPS``, about the region's
    centre) and shifted by up to the ordinary local check's x range)."""
    h, w = bo.shape
    x, y, bw, bh = box
    r = params.TOL_RADIUS
    rx = max(4, round(params.SHIFT_X * w))
    m = r + 1
    x0, x1, y0, y1 = max(0, x - m), min(w, x + bw + m), max(0, y - m), min(h, y + bh + m)
    o = bo[y0:y1, x0:x1]
    sel = reg[y0:y1, x0:x1]
    o_range = neighbourhood(o, r)
    base = float(np.minimum(tolerant_change(o, bn[y0:y1, x0:x1], r, o_range), 2.0)[sel].sum())
    if base <= 1e-9:
        return base, base
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    yc, xc = y + bh / 2, x + bw / 2
    best = base
    for kind, s in _WARPS:
        off = s * ((yy - yc) if kind == "shear" else (xx - xc))
        for dx in range(-rx, rx + 1, 2):
            n = cv2.remap(bn, xx + off + dx, yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            best = min(best, float(np.minimum(tolerant_change(o, n, r, o_range), 2.0)[sel].sum()))
    return base, best


def near_end(x: int, bw: int, y: int, bh: int, walls: list[int], valid: np.ndarray, band: float) -> bool:
    """The region's centre is within ``band`` pixels of a wall column (``wall_columns``), or the
    destination's frame (``valid`` in the region's rows) ends within ``band`` pixels of it."""
    cx = x + bw / 2
    if any(abs(cx - c) <= band for c in walls):
        return True
    vc = np.flatnonzero(valid[y : y + bh].any(axis=0))
    return bool(vc.size) and min(x - int(vc[0]), int(vc[-1]) - (x + bw - 1)) <= band


def _recheck_ends_affine(bo, dest, valid, lab, sums, cands, span, params: Params) -> None:
    """A region of any shape at a wall or at the destination frame's end (``near_end``, within
    ``WALL_BAND`` of the width) keeps only the change that a local shear or stretch of the
    destination (``affine_residual``) leaves: a tilted end wall, a speed change over the last
    metres or an extrapolated warp at the frame's end is such a warp, which a shift alone does not
    follow (the seventh pass; off by default, docs/benchmarks.md)."""
    w = bo.shape[1]
    band = params.WALL_BAND * w
    walls = wall_columns(bo, span)
    for feats, (x, y, bw, bh), i in cands:
        if not near_end(x, bw, y, bh, walls, valid, band):
            continue
        _, left = affine_residual(bo, dest, lab == i, (x, y, bw, bh), params)
        feats["ratio"] = min(feats["ratio"], left / max(float(sums[i]), 1e-9))
        feats["end_affine"] = True
