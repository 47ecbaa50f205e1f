"""Origin/destination X-ray scan comparison (numpy + OpenCV only).

Steps (all on a working copy of about ``WORK_AREA`` pixels):

1. attenuation domain ``a = -log(I)``: gain/dose and a power display curve become a gain;
2. registration: SIFT matches + RANSAC affine (separate x/y scale: pitch and speed), tried on
   the destination as is and mirrored; then per-column-strip shift correction for the
   non-linear vehicle-speed warp;
3. intensity normalisation: robust polynomial fit destination -> origin attenuation;
4. stripe removal (row/column detector artefacts) on the residual;
5. tolerant difference: a pixel counts as changed only if it is outside the range of the
   other image's small neighbourhood (both ways), so settling and residual misalignment of
   a few pixels do not count; normalised by the level-dependent noise;
6. regions: connected components of the change, scored by area x attenuation change as a
   share of the scan area; the score is the best region's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from .io import as_float

# Frozen after tuning on synthetic pairs from the dev scans (see docs/scans-comparison.md).
DEFAULT_THRESHOLD = 0.0006

WORK_AREA = 320_000  # pixels of the working copy of the origin
MIN_INLIERS = 12
MIN_ALIGN_NCC = 0.3
ZSEED = 2.5  # change (in noise units, smoothed) that starts a region
ZLOW = 1.6  # ... and that a region grows over
MIN_CHANGE = 0.04  # attenuation change below this never seeds a region (4 % transmission)
LP_SIGMA = 6.0  # scale (working px) of the coherent-change channel; 0 = off
LP_ZSEED = 4.0
LP_MIN_CHANGE = 0.2
MIN_SIGMA = 0.02  # floor of the noise estimate (attenuation units)
SAT_LEVEL = 5.0 / 255.0  # display values darker than this are treated as saturated
TOL_RADIUS = 3  # neighbourhood radius of the tolerant difference (working pixels)
SHIFT_X = 0.008  # local re-registration search of a candidate region: share of the width ...
SHIFT_Y = 2  # ... and rows
END_SHIFT = 0.03  # search range at the vehicle's two ends (share of the width); 0 = off
END_RAMP = 3.0  # ... and how many end windows the found shift ramps in over
N_SHIFT_CHECK = 6  # best regions re-checked with a local shift
CAB_MAX_SHARE = 0.3  # longest stretch at one end of the vehicle that can be the tractor
# Learned region score (off: not validated yet, see docs/scans-comparison.md "Learned score").
# When on, the 10 largest regions are re-checked and only they are scored, as in its fit.
USE_LEARNED = False
N_SHIFT_CHECK_LEARNED = 10
# logistic regression on region features, fitted on tune pairs only (seeds 21, 22: 259 pairs,
# 86 tampered; positives = the region hitting the true box, negatives = clean pairs' regions)
_LR_B0, _LR_RS, _LR_RATIO, _LR_SHAPE = 0.678, 1.197, 4.027, 6.857
_TOL_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * TOL_RADIUS + 1, 2 * TOL_RADIUS + 1))


@dataclass
class ComparisonResult:
    score: float
    verdict: str  # "consistent" | "suspicious" | "unregistered"
    registered: bool
    boxes: list[tuple[int, int, int, int, float]] = field(default_factory=list)
    heatmap: np.ndarray | None = None
    details: dict = field(default_factory=dict)


def get_threshold(threshold: float | None = None) -> float:
    """Explicit threshold, else ``settings.SCANS_COMPARISON_THRESHOLD``, else the default."""
    if threshold is not None:
        return float(threshold)
    try:
        from django.conf import settings

        value = getattr(settings, "SCANS_COMPARISON_THRESHOLD", None)
    except Exception:  # Django missing or not configured
        value = None
    return float(value) if value is not None else DEFAULT_THRESHOLD


# --------------------------------------------------------------------------- helpers


def _attenuation(img: np.ndarray) -> np.ndarray:
    return -np.log(np.clip(img, 1.0 / 255.0, 1.0))


def _to_u8(a: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    vals = a[valid] if valid is not None and valid.any() else a
    lo, hi = np.percentile(vals, [0.5, 99.5]) if vals.size else (0.0, 1.0)
    return np.clip((a - lo) * (255.0 / max(hi - lo, 1e-6)), 0, 255).astype(np.uint8)


def _content(ao: np.ndarray) -> np.ndarray:
    """Pixels of the vehicle: smoothed attenuation clearly above the air around it."""
    return cv2.GaussianBlur(ao, (0, 0), 1.5) > float(np.percentile(ao, 2)) + 0.12


def working_copy(img: np.ndarray) -> tuple[np.ndarray, float]:
    """The image scaled down to about WORK_AREA pixels (never up), and the scale."""
    s = min(1.0, float(np.sqrt(WORK_AREA / img.size)))
    return (cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else img), s


_SIFT = None


def _sift():
    global _SIFT
    if _SIFT is None:
        _SIFT = cv2.SIFT_create(nfeatures=4000, contrastThreshold=0.02)
    return _SIFT


def _features(a: np.ndarray):
    u8 = _to_u8(a)
    u8 = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(u8)
    kp, des = _sift().detectAndCompute(u8, None)
    pts = np.float32([k.pt for k in kp]) if kp else np.zeros((0, 2), np.float32)
    return pts, des


def _match_affine(fo, fd, dest_shape):
    """Affine M mapping origin -> destination pixel coords (of the image ``fd`` came from),
    with the number of RANSAC inliers."""
    po, do_ = fo
    pd, dd = fd
    if do_ is None or dd is None or len(po) < 4 or len(pd) < 4:
        return None, 0, None
    matcher = cv2.BFMatcher(cv2.NORM_L2)
    knn = matcher.knnMatch(do_, dd, k=2)
    good = [m[0] for m in knn if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
    if len(good) < 6:
        return None, len(good), None
    src = np.float32([po[m.queryIdx] for m in good])
    dst = np.float32([pd[m.trainIdx] for m in good])
    thr = max(2.0, 0.006 * max(dest_shape))
    M, inl = cv2.estimateAffine2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=thr,
        maxIters=4000,
        confidence=0.999,
        refineIters=20,
    )
    if M is None:
        return None, 0, None
    n = int(inl.sum())
    sx, sy = float(np.hypot(M[0, 0], M[1, 0])), float(np.hypot(M[0, 1], M[1, 1]))
    shear = abs(float(M[0, 1])) / max(sy, 1e-6) + abs(float(M[1, 0])) / max(sx, 1e-6)
    if not (0.3 < sx < 3.5 and 0.3 < sy < 3.5 and shear < 0.25 and M[0, 0] > 0 and M[1, 1] > 0):
        return None, 0, None
    return M, n, (src, dst)


def _hat_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    step = float(knots[1] - knots[0])
    return np.maximum(0.0, 1.0 - np.abs(x[:, None] - knots[None, :]) / step)


def _smooth_residual(src: np.ndarray, dst: np.ndarray, M: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Smooth per-column correction (dx(x), dy(x)) on top of affine ``M`` from all matches.

    The vehicle-speed warp is a smooth function of x; it is fitted to the match residuals with
    a regularised piecewise-linear curve, rejecting outliers with a shrinking tolerance.
    """
    pred = src @ M[:, :2].T + M[:, 2]
    r = dst - pred
    x = src[:, 0].astype(np.float64)
    lo, hi = (float(np.percentile(x, 1)), float(np.percentile(x, 99))) if x.size else (0.0, w - 1.0)
    if hi - lo < 0.2 * w:
        lo, hi = 0.0, w - 1.0
    knots = np.linspace(lo, hi, 13)
    B = _hat_basis(np.clip(x, lo, hi), knots)
    K = len(knots)
    D = np.zeros((K - 2, K))
    for i in range(K - 2):
        D[i, i : i + 3] = (1, -2, 1)
    cx, cy = np.zeros(K), np.zeros(K)
    n_used = 0
    for tol in (0.035 * w, 0.015 * w, 0.006 * w + 2, 0.003 * w + 1.5):
        ex = r[:, 0] - B @ cx
        ey = r[:, 1] - B @ cy
        use = (np.abs(ex) < tol) & (np.abs(ey) < max(tol * 0.5, 2.0))
        n_used = int(use.sum())
        if n_used < 8:
            break
        Bu = B[use]
        lam = 0.3 * n_used / K
        A = Bu.T @ Bu + lam * D.T @ D + 1e-3 * np.eye(K)
        cx = np.linalg.solve(A, Bu.T @ r[use, 0])
        cy = np.linalg.solve(A, Bu.T @ r[use, 1])
    cols = np.clip(np.arange(w, dtype=np.float64), lo, hi)  # constant beyond the matched span
    Bc = _hat_basis(cols, knots)
    return (Bc @ cx).astype(np.float32), (Bc @ cy).astype(np.float32), n_used


def _warp(img: np.ndarray, mx: np.ndarray, my: np.ndarray, fill: float) -> np.ndarray:
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def _strip_shifts(ao: np.ndarray, ad: np.ndarray, valid: np.ndarray, strip: int, rx: int, ry: int, band=None):
    """Per column strip (dx, dy) that best aligns ``ad`` to ``ao`` within the row band
    ``band`` (default: all rows); interpolated per column."""
    h, w = ao.shape
    go = cv2.GaussianBlur(ao, (0, 0), 1.5)
    gd = cv2.GaussianBlur(ad, (0, 0), 1.5)
    centres, dxs, dys, confs = [], [], [], []
    y0, y1 = (ry, h - ry) if band is None else (max(ry, band[0]), min(h - ry, band[1]))
    if y1 - y0 < 16:
        return np.zeros(w, np.float32), np.zeros(w, np.float32)
    step = max(8, strip // 2)
    for x0 in range(rx, w - rx - strip + 1, step):
        tpl = go[y0:y1, x0 : x0 + strip]
        if not valid[y0:y1, x0 : x0 + strip].mean() > 0.8 or float(tpl.std()) < 1e-3:
            continue
        region = gd[y0 - ry : y1 + ry, x0 - rx : x0 + strip + rx]
        res = cv2.matchTemplate(region, tpl, cv2.TM_CCOEFF_NORMED)
        _, best, _, loc = cv2.minMaxLoc(res)
        if best < 0.5:
            continue
        bx, by = loc
        # sub-pixel refinement along x
        fx = 0.0
        if 0 < bx < res.shape[1] - 1:
            left, mid, right = res[by, bx - 1], res[by, bx], res[by, bx + 1]
            den = left - 2 * mid + right
            fx = float(0.5 * (left - right) / den) if abs(den) > 1e-9 else 0.0
        centres.append(x0 + strip / 2)
        dxs.append(bx + fx - rx)
        dys.append(by - ry)
        confs.append(best)
    if len(centres) < 3:
        return np.zeros(w, np.float32), np.zeros(w, np.float32)
    c, dx, dy = np.array(centres), np.array(dxs, np.float64), np.array(dys, np.float64)
    # robust: median filter over neighbouring strips, drop outliers
    k = 2
    mdx = np.array([np.median(dx[max(0, i - k) : i + k + 1]) for i in range(len(dx))])
    mdy = np.array([np.median(dy[max(0, i - k) : i + k + 1]) for i in range(len(dy))])
    keep = (np.abs(dx - mdx) <= 2.0) & (np.abs(dy - mdy) <= 2.0)
    if keep.sum() < 3:
        keep = np.ones_like(keep)
    xs = np.arange(w, dtype=np.float64)
    sdx = np.interp(xs, c[keep], mdx[keep])
    sdy = np.interp(xs, c[keep], mdy[keep])
    win = max(3, strip) | 1
    ker = np.ones(win) / win
    sdx = np.convolve(np.pad(sdx, win // 2, mode="edge"), ker, mode="valid")
    sdy = np.convolve(np.pad(sdy, win // 2, mode="edge"), ker, mode="valid")
    return sdx.astype(np.float32), sdy.astype(np.float32)


def _end_shifts(ao: np.ndarray, adw: np.ndarray, valid: np.ndarray, details: dict) -> np.ndarray:
    """Per-column x correction near the two ends of the vehicle.

    Beyond the outermost matches the speed warp is extrapolated, and the strip search is too
    narrow for what a speed change over the last metres leaves there; but the vehicle's ends
    (bumper, end walls, the edge against air) are strong features.  A window at each end is
    matched over a wider range, and the shift found ramps in from ``END_RAMP`` windows inside."""
    h, w = ao.shape
    content = _content(ao).any(axis=0)
    cols = np.flatnonzero(content & (valid.mean(axis=0) > 0.5))
    out = np.zeros(w, np.float32)
    if cols.size < 0.3 * w:
        return out
    win = max(24, w // 24)
    rx, ry = max(8, round(END_SHIFT * w)), 3
    rows = np.flatnonzero(valid.mean(axis=1) > 0.9)
    if rows.size < 32:
        return out
    y0, y1 = max(ry, int(rows[0])), min(h - ry, int(rows[-1]) + 1)
    go = cv2.GaussianBlur(ao, (0, 0), 1.5)
    gd = cv2.GaussianBlur(adw, (0, 0), 1.5)
    found = []
    for side, x_end in (("left", int(cols[0])), ("right", int(cols[-1]))):
        x0 = x_end if side == "left" else x_end - win + 1
        x0 = int(np.clip(x0, rx, w - rx - win))
        tpl = go[y0:y1, x0 : x0 + win]
        if float(tpl.std()) < 1e-3:
            continue
        res = cv2.matchTemplate(gd[y0 - ry : y1 + ry, x0 - rx : x0 + win + rx], tpl, cv2.TM_CCOEFF_NORMED)
        _, best, _, (bx, by) = cv2.minMaxLoc(res)
        dx = bx - rx
        if best < 0.6 or best < float(res[ry, rx]) + 0.02 or abs(dx) < 2:
            continue
        found.append((side, dx, round(float(best), 3)))
        ramp = END_RAMP * win
        xs = np.arange(w, dtype=np.float32)
        if side == "left":
            out += dx * np.clip((x0 + win + ramp - xs) / ramp, 0, 1)
        else:
            out += dx * np.clip((xs - (x0 - ramp)) / ramp, 0, 1)
    details["end_shifts"] = found
    return out


def _fit_intensity(ad: np.ndarray, ao: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Robust quadratic fit ao ~ p(ad) (Tukey IRLS); returns coefficients (highest first)."""
    x, y = ad[mask].astype(np.float64), ao[mask].astype(np.float64)
    if x.size > 60000:
        idx = np.random.default_rng(0).choice(x.size, 60000, replace=False)
        x, y = x[idx], y[idx]
    if x.size < 50:
        return np.array([0.0, 1.0, 0.0])
    # start: linear through medians of ratios
    wts = np.ones_like(x)
    coef = np.array([0.0, 1.0, 0.0])
    for it in range(8):
        deg = 1 if it < 3 else 2
        sw = np.sqrt(wts)
        A = np.vander(x, deg + 1) * sw[:, None]
        c, *_ = np.linalg.lstsq(A, y * sw, rcond=None)
        coef = np.concatenate([np.zeros(3 - len(c)), c])
        r = y - np.polyval(coef, x)
        s = 1.4826 * np.median(np.abs(r)) + 1e-3
        u = r / (4.685 * s)
        wts = np.where(np.abs(u) < 1, (1 - u * u) ** 2, 0.0)
    # keep it monotone increasing on the data range
    lo, hi = np.percentile(x, [1, 99])
    grid = np.linspace(lo, hi, 32)
    if np.any(np.diff(np.polyval(coef, grid)) <= 0):
        A = np.vander(x, 2) * np.sqrt(wts)[:, None]
        c, *_ = np.linalg.lstsq(A, y * np.sqrt(wts), rcond=None)
        coef = np.array([0.0, c[0], c[1]])
    return coef


def _destripe(resid: np.ndarray, valid: np.ndarray, axis: int, win: int = 15) -> np.ndarray:
    """Thin row (axis=1) or column (axis=0) offsets of the residual: median per line minus
    its running median, so broad changes stay and 1-3 px lines go."""
    r = np.where(valid, resid, np.nan)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            prof = np.nanmedian(r, axis=axis)
    prof = np.nan_to_num(prof)
    pad = np.pad(prof, win // 2, mode="edge")
    run = np.array([np.median(pad[i : i + win]) for i in range(len(prof))])
    line = prof - run
    return line[None, :] if axis == 0 else line[:, None]


def container_span(ao: np.ndarray) -> tuple[int, int] | None:
    """Columns (x0, x1) of the container (cargo body) in attenuation image ``ao``.

    The container's roof is the longest straight (possibly slightly tilted) run of the
    column-wise top edge of the vehicle; its ends are the end walls.  The tractor cab sits
    lower, so its columns fall off the roof line.  ``None`` when no roof line spans at least
    40 % of the width (nothing is masked then).
    """
    h, w = ao.shape
    if h < 32 or w < 32:
        return None
    content = _content(ao)
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
    if x0 > CAB_MAX_SHARE * w:
        x0 = 0
    if w - 1 - x1 > CAB_MAX_SHARE * w:
        x1 = w - 1
    return x0, x1


def saturated_share(ao: np.ndarray, maps: dict, span: tuple[int, int] | None) -> float:
    """Share of the vehicle's content (within the container span) that is at or beyond the common
    saturation ceiling in either scan: the comparison is blind there, whatever its verdict."""
    cols = slice(None) if span is None else slice(span[0], span[1] + 1)
    content = maps["valid"][:, cols] & _content(ao)[:, cols]
    n = int(content.sum())
    return round(float((maps["saturated"][:, cols] & content).sum()) / n, 4) if n else 0.0


def region_score(f: dict) -> float:
    """Score of a region: area x attenuation change as a share of the scan (``rs``, times the
    local shift check's ``ratio``), times a learned factor that favours compact regions a shift
    does not explain.  The factor comes from a logistic regression on tune pairs only
    (logit = b0 + w_rs log(rs ratio) + w_ratio ratio + w_shape shape; score = exp(logit / w_rs),
    so it stays in the units of rs; docs/scans-comparison.md)."""
    base = f["rs"] * f["ratio"]
    if not USE_LEARNED:
        return base
    return base * float(np.exp((_LR_B0 + _LR_RATIO * f["ratio"] + _LR_SHAPE * f["shape"]) / _LR_RS))


def find_regions(maps: dict, span: tuple[int, int] | None = None) -> tuple[list, np.ndarray]:
    """Changed regions from the change maps: [(score, x, y, w, h, features), ...] best first
    (working pixels) and the region mask.  Regions lying mostly outside the container ``span``
    (the tractor cab) are left out."""
    change, zs, valid = maps["change"], maps["z"], maps["valid"]
    h, w = change.shape
    mask = ((zs > ZSEED) & (cv2.GaussianBlur(np.abs(change), (0, 0), 2.0) > MIN_CHANGE)).astype(np.uint8)
    if "z_lp" in maps:
        mask |= ((maps["z_lp"] > LP_ZSEED) & (np.abs(maps["lp"]) > LP_MIN_CHANGE)).astype(np.uint8)
    k_open = max(3, round(min(h, w) / 80)) | 1
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k_open, k_open), np.uint8))
    # hysteresis: grow the seeds over the weaker change around them
    grow = cv2.morphologyEx((zs > ZLOW).astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    grow = cv2.morphologyEx(grow | mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    n_g, lab_g = cv2.connectedComponents(grow, connectivity=8)
    seeded = np.zeros(n_g, bool)
    seeded[np.unique(lab_g[mask > 0])] = True
    seeded[0] = False
    mask = seeded[lab_g].astype(np.uint8)
    n_lab, lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n_lab <= 1:
        return [], mask
    mag = np.minimum(np.abs(change), 2.0)
    area_ref = float(valid.sum())
    flat = lab.ravel()

    def per_label(values: np.ndarray) -> np.ndarray:
        return np.bincount(flat, weights=values.ravel().astype(np.float64), minlength=n_lab)

    sums = per_label(mag)
    outside = np.zeros(n_lab)
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
        feats = {"rs": float(sums[i]) / area_ref * shape, "ratio": 1.0, "shape": shape}
        cands.append((feats, (x, y, bw, bh), i))
    cands.sort(key=lambda c: -c[0]["rs"])
    # a change that a small local shift of the destination explains is residual misalignment
    # (end walls near the frame border, extrapolated warp), not a change of the cargo
    n_check = N_SHIFT_CHECK_LEARNED if USE_LEARNED else N_SHIFT_CHECK
    bo = maps.get("origin")
    if cands and bo is not None and "dest" in maps:
        rx, ry = max(4, round(SHIFT_X * w)), SHIFT_Y
        dpad = cv2.copyMakeBorder(maps["dest"], ry, ry, rx, rx, cv2.BORDER_REPLICATE)
        for feats, box, i in cands[:n_check]:
            left = _shift_residual(bo, dpad, lab == i, box, rx, ry)
            feats["ratio"] = min(1.0, left / max(float(sums[i]), 1e-9))
    # the learned factor assumes a measured ratio: then only the re-checked regions are scored
    regions = [(region_score(f), *box, f) for f, box, _ in (cands[:n_check] if USE_LEARNED else cands)]
    regions.sort(key=lambda r: -r[0])
    return regions, mask


def _neighbourhood(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each pixel's TOL_RADIUS neighbourhood."""
    return cv2.erode(img, _TOL_KERNEL), cv2.dilate(img, _TOL_KERNEL)


def _tolerant_change(o: np.ndarray, n: np.ndarray, o_range: tuple | None = None) -> np.ndarray:
    """|change| of a pixel only where each image lies outside the other's neighbourhood min..max
    (both ways), so settling and misalignment of a few pixels do not count. ``o_range``: the
    origin's ``_neighbourhood``, when it is reused for several destinations."""
    o_lo, o_hi = o_range if o_range is not None else _neighbourhood(o)
    n_lo, n_hi = _neighbourhood(n)
    e1 = np.maximum(np.maximum(n - o_hi, o_lo - n), 0)
    e2 = np.maximum(np.maximum(o - n_hi, n_lo - o), 0)
    return np.minimum(e1, e2)


def _shift_residual(bo: np.ndarray, dpad: np.ndarray, reg: np.ndarray, box, rx: int, ry: int) -> float:
    """Smallest tolerant change summed over region ``reg`` when the destination (``dpad``,
    padded by rx, ry) is shifted by up to (rx, ry) pixels."""
    h, w = bo.shape
    x, y, bw, bh = box
    m = TOL_RADIUS + 1
    x0, x1, y0, y1 = max(0, x - m), min(w, x + bw + m), max(0, y - m), min(h, y + bh + m)
    o = bo[y0:y1, x0:x1]
    sel = reg[y0:y1, x0:x1]
    o_range = _neighbourhood(o)
    best = np.inf
    for dy in range(-ry, ry + 1):
        for dx in range(-rx, rx + 1):
            n = dpad[y0 + ry + dy : y1 + ry + dy, x0 + rx + dx : x1 + rx + dx]
            best = min(best, float(np.minimum(_tolerant_change(o, n, o_range), 2.0)[sel].sum()))
    return best


# --------------------------------------------------------------------------- main entry


def _register(o: np.ndarray, d: np.ndarray, details: dict, timings: dict):
    """Destination attenuation warped onto the origin's working grid: (ao, adw, valid), or
    None (``details["reason"]`` says why) when the pair cannot be registered."""
    affine = _register_affine(o, d, details, timings)
    return None if affine is None else _refine_warp(*affine, details, timings)


def _register_affine(o: np.ndarray, d: np.ndarray, details: dict, timings: dict):
    """Attenuation images, the destination mirrored when the vehicle passed the other way, the
    affine origin -> destination and its matches: (ao, ad, M, (src, dst)), or None."""
    ao, ad = _attenuation(o), _attenuation(d)
    h, w = ao.shape

    # ---- registration: affine on SIFT matches, dest as is or mirrored
    t = time.perf_counter()
    fo = _features(ao)
    fd = _features(ad)
    fdm = _features(np.ascontiguousarray(ad[:, ::-1]))
    # the mirrored image gets its own features (SIFT is not mirror invariant); its affine maps
    # origin coordinates to the mirrored frame
    cand = [(*_match_affine(fo, fd, ad.shape), False), (*_match_affine(fo, fdm, ad.shape), True)]
    cand.sort(key=lambda c: c[1], reverse=True)
    M, n_inl, matches, mirrored = cand[0]
    timings["register_s"] = round(time.perf_counter() - t, 3)
    details.update(inliers=int(n_inl), inliers_other=int(cand[1][1]), mirrored=bool(mirrored))
    if M is None or n_inl < MIN_INLIERS:
        details["reason"] = f"too few consistent matches ({n_inl})"
        return None
    if mirrored:  # work with the mirrored destination: x -> w_d - 1 - x
        ad = np.ascontiguousarray(ad[:, ::-1])
    return ao, ad, M, matches


def _refine_warp(ao: np.ndarray, ad: np.ndarray, M: np.ndarray, matches, details: dict, timings: dict):
    """The destination warped onto the origin's grid by affine ``M`` plus a smooth per-column
    correction: (ao, adw, valid), or None when too little of the origin is covered."""
    h, w = ao.shape
    air = float(np.percentile(ad, 0.5))  # fill outside the frame: treated as invalid anyway
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    t = time.perf_counter()
    src, dst = matches
    cdx, cdy, n_used = _smooth_residual(src, dst, M, w)
    details["warp_matches"] = n_used
    details["warp_max_px"] = round(float(np.abs(cdx).max()), 2)
    mx = (M[0, 0] * gx + M[0, 1] * gy + M[0, 2] + cdx[None, :]).astype(np.float32)
    my = (M[1, 0] * gx + M[1, 1] * gy + M[1, 2] + cdy[None, :]).astype(np.float32)
    ones = np.ones_like(ad)
    adw = _warp(ad, mx, my, air)
    valid = _warp(ones, mx, my, 0.0) > 0.99
    # local refinement: per-column-strip shifts (small range)
    for strip, rx, ry in ((max(32, w // 16), max(6, w // 80), 3), (max(24, w // 32), 3, 2)):
        # upper and lower halves separately, blended linearly in y: absorbs a residual shear
        # or a tilt of the end walls that a function of x alone cannot
        top = _strip_shifts(ao, adw, valid, strip, rx, ry, band=(0, h // 2))
        bot = _strip_shifts(ao, adw, valid, strip, rx, ry, band=(h // 2, h))
        if np.any(top[0]) and np.any(bot[0]):
            wy = np.clip((gy - h / 4) / (h / 2), -0.25, 1.25)
            sdx = top[0][None, :] * (1 - wy) + bot[0][None, :] * wy
            sdy = top[1][None, :] * (1 - wy) + bot[1][None, :] * wy
        else:  # one half has too little structure: both from the whole height
            full = _strip_shifts(ao, adw, valid, strip, rx, ry)
            if not (np.any(full[0]) or np.any(full[1])):
                continue
            sdx, sdy = full[0][None, :], full[1][None, :]
        mx = _warp(mx, gx + sdx, gy + sdy, -1e6)
        my = _warp(my, gx + sdx, gy + sdy, -1e6)
        adw = _warp(ad, mx, my, air)
        valid = _warp(ones, mx, my, 0.0) > 0.99
    if END_SHIFT:
        edx = _end_shifts(ao, adw, valid, details)
        if np.any(edx):
            mx = _warp(mx, gx + edx[None, :], gy, -1e6)
            my = _warp(my, gx + edx[None, :], gy, -1e6)
            adw = _warp(ad, mx, my, air)
            valid = _warp(ones, mx, my, 0.0) > 0.99
    timings["warp_s"] = round(time.perf_counter() - t, 3)
    sxy = [float(np.hypot(M[0, 0], M[1, 0])), float(np.hypot(M[0, 1], M[1, 1]))]
    details["transform"] = {
        "affine": np.round(M, 4).tolist(),
        "scale_xy": [round(v * details["work_scale"] / details["work_scale_dest"], 4) for v in sxy],
    }
    # stay away from the destination frame's border (extrapolated warp, cut-off walls)
    margin = max(5, w // 100) | 1
    valid = cv2.erode(valid.astype(np.uint8), np.ones((margin, margin), np.uint8)) > 0
    details["overlap"] = round(float(valid.mean()), 4)
    if valid.mean() < 0.3:
        details["reason"] = "destination covers too little of the origin"
        return None
    return ao, adw, valid


def _change_maps(ao: np.ndarray, adw: np.ndarray, valid: np.ndarray, details: dict, timings: dict):
    """Intensity-normalised, destriped images and the tolerant change maps, or None when the
    aligned images do not agree."""
    o = np.exp(-ao)
    # ---- intensity normalisation (attenuation domain)
    t = time.perf_counter()
    sat_o = o < SAT_LEVEL
    sat_d = adw > -np.log(SAT_LEVEL)
    fitmask = valid & ~sat_o & ~sat_d
    coef = _fit_intensity(adw, ao, fitmask)
    # the quadratic is monotone on the fitted range only: beyond it (the darkest pixels, the
    # saturation level) use its running maximum, so a curve that turns down past the data cannot
    # map dark to light or put the common ceiling below zero
    grid = np.linspace(0.0, -np.log(1.0 / 255.0), 512)
    curve = np.maximum.accumulate(np.polyval(coef, grid))
    an = np.interp(adw, grid, curve).astype(np.float32)
    details["intensity_fit"] = [round(float(c), 5) for c in coef]

    # saturation: nothing is seen beyond the darker of the two scanners' limits, so both are
    # clipped at a common ceiling (in origin attenuation units)
    dark = -np.log(SAT_LEVEL)
    ceiling = float(min(dark, np.interp(dark, grid, curve)))
    details["ceiling"] = round(ceiling, 3)
    bo = cv2.GaussianBlur(np.minimum(ao, ceiling), (0, 0), 1.2)
    bn = cv2.GaussianBlur(np.minimum(an, ceiling), (0, 0), 1.2)
    resid = bn - bo
    bn = bn - _destripe(resid, valid, axis=1)
    resid = bn - bo
    bn = bn - _destripe(resid, valid, axis=0)
    resid = bn - bo
    vr = resid[valid]
    ncc = float(np.corrcoef(bo[valid].ravel(), bn[valid].ravel())[0, 1]) if vr.size > 100 else 0.0
    details["align_ncc"] = round(ncc, 4)
    if not ncc > MIN_ALIGN_NCC:
        details["reason"] = f"aligned images do not agree (ncc {ncc:.2f})"
        return None

    # ---- tolerant difference
    change = _tolerant_change(bo, bn) * np.sign(resid)
    change[~valid] = 0

    # level-dependent noise: robust spread of the plain residual per attenuation bin
    centres, sig_bins = _level_noise(vr, bo[valid])
    sigma = np.interp(bo, centres, sig_bins).astype(np.float32)
    z = np.abs(change) / sigma
    zs = cv2.GaussianBlur(z, (0, 0), 2.0)
    maps = {"origin": bo, "dest": bn, "change": change, "z": zs, "sigma": sigma, "valid": valid, "resid": resid}
    maps["saturated"] = valid & ((ao >= ceiling) | (an >= ceiling))
    if LP_SIGMA:
        maps["z_lp"], maps["lp"] = _coherent_change(resid, bo, valid)
    timings["change_s"] = round(time.perf_counter() - t, 3)
    return maps


def _level_noise(values: np.ndarray, levels: np.ndarray, n_bins: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Robust spread (MAD) of ``values`` per bin of ``levels`` (equal-count bins): bin centres
    and spreads, floored at MIN_SIGMA."""
    edges = np.unique(np.percentile(levels, np.linspace(0, 100, n_bins + 1)))
    sig_bins = []
    for i in range(len(edges) - 1):
        r = values[(levels >= edges[i]) & (levels <= edges[i + 1])]
        sig_bins.append(1.4826 * float(np.median(np.abs(r - np.median(r)))) if r.size > 20 else np.nan)
    sig_bins = np.array(sig_bins)
    sig_bins = np.where(np.isnan(sig_bins), np.nanmedian(sig_bins), sig_bins)
    return 0.5 * (edges[:-1] + edges[1:]), np.maximum(sig_bins, MIN_SIGMA)


def _coherent_change(resid: np.ndarray, bo: np.ndarray, valid: np.ndarray):
    """Local mean of the residual (over valid pixels) in noise units of its own spread per level.

    Settling and misalignment leave thin dipoles that average out over a few pixels; removing or
    adding cargo shifts a whole patch one way, even where the cargo is busy enough for the
    tolerant difference to see nothing."""
    vf = valid.astype(np.float32)
    num = cv2.GaussianBlur(np.where(valid, resid, 0).astype(np.float32), (0, 0), LP_SIGMA)
    den = cv2.GaussianBlur(vf, (0, 0), LP_SIGMA)
    lp = np.where(den > 0.5, num / np.maximum(den, 1e-6), 0).astype(np.float32)
    lev = cv2.GaussianBlur(bo, (0, 0), LP_SIGMA)
    centres, sig = _level_noise(lp[valid], lev[valid])
    return np.abs(lp) / np.interp(lev, centres, sig).astype(np.float32), lp


def find_changes(ao: np.ndarray, adw: np.ndarray, valid: np.ndarray, s_o: float, details: dict, timings: dict):
    """From a registered pair to its changed regions: (regions best first, region mask, change
    maps), or None when the aligned images do not agree.  ``s_o``: working scale of the origin
    (for the container span in origin pixels)."""
    maps = _change_maps(ao, adw, valid, details, timings)
    if maps is None:
        return None
    span = container_span(ao)
    details["container_span"] = None if span is None else [int(span[0] / s_o), int(span[1] / s_o)]
    regions, mask = find_regions(maps, span)
    details["saturated_share"] = saturated_share(ao, maps, span)
    # the best plain area x change (share of the scan x attenuation), before the learned factor
    details["area_change"] = round(max((r[5]["rs"] * r[5]["ratio"] for r in regions), default=0.0), 6)
    return regions, mask, maps


def compare_scans(origin, dest, *, threshold: float | None = None, debug: bool = False) -> ComparisonResult:
    """Compare an origin scan with a destination scan of the same vehicle.

    ``origin``/``dest``: arrays (uint8, uint16 or float 0..1; grey or BGR).  Returns a
    ``ComparisonResult``; boxes are (x, y, w, h, region score) in origin pixels, best first;
    the heat map is a BGR overlay the size of the origin.
    """
    t0 = time.perf_counter()
    thr = get_threshold(threshold)
    o_full = as_float(origin)
    d_full = as_float(dest)
    H, W = o_full.shape
    o, s_o = working_copy(o_full)
    d, s_d = working_copy(d_full)
    h, w = o.shape
    details: dict = {"work_scale": s_o, "work_scale_dest": s_d, "work_shape": [h, w]}
    timings: dict = {}

    def _unregistered() -> ComparisonResult:
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        details["timings"] = timings
        heat = cv2.cvtColor((o_full * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
        return ComparisonResult(
            score=float("nan"),
            verdict="unregistered",
            registered=False,
            boxes=[],
            heatmap=heat,
            details=details,
        )

    reg = _register(o, d, details, timings)
    if reg is None:
        return _unregistered()
    found = find_changes(*reg, s_o, details, timings)
    if found is None:
        return _unregistered()
    regions, mask, maps = found
    zs, zthr, inv = maps["z"], ZSEED, 1.0 / s_o
    boxes = [
        (int(x * inv), int(y * inv), max(1, round(bw * inv)), max(1, round(bh * inv)), round(rs, 6))
        for rs, x, y, bw, bh, _ in regions[:20]
    ]
    score = regions[0][0] if regions else 0.0
    verdict = "suspicious" if score > thr else "consistent"

    # ---- heat map on the origin
    t = time.perf_counter()
    heat_small = np.clip(zs / (3 * zthr), 0, 1) * ((mask > 0) | (zs > zthr * 0.6))
    heat_big = cv2.resize(heat_small.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
    base = cv2.cvtColor((o_full * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    colour = cv2.applyColorMap((heat_big * 255).astype(np.uint8), cv2.COLORMAP_JET)
    alpha = cv2.merge(
        [np.clip(heat_big * 1.5, 0, 0.7)] * 3
    )  # float32: a full-size float64 blend was the heat map's slowest step
    heat = (base + (colour.astype(np.float32) - base) * alpha).astype(np.uint8)
    for x, y, bw, bh, _ in boxes[:3]:
        cv2.rectangle(heat, (x, y), (x + bw, y + bh), (0, 0, 255), max(1, int(2 * inv)))
    timings["heatmap_s"] = round(time.perf_counter() - t, 3)
    timings["total_s"] = round(time.perf_counter() - t0, 3)
    details.update(threshold=thr, timings=timings, n_regions=len(regions))
    if debug:
        details["debug"] = {**maps, "mask": mask, "ao": reg[0], "adw": reg[1]}
    return ComparisonResult(
        score=float(score), verdict=verdict, registered=True, boxes=boxes, heatmap=heat, details=details
    )
