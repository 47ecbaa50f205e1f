"""Change maps of a registered pair: intensity normalisation (robust polynomial fit destination
-> origin attenuation), stripe removal on the residual, the tolerant difference normalised by
the level-dependent noise, and the coherent-change channel."""

from __future__ import annotations

import time
from functools import cache

import cv2
import numpy as np

from .params import Params


def change_maps(ao: np.ndarray, adw: np.ndarray, valid: np.ndarray, details: dict, timings: dict, params: Params):
    """Intensity-normalised, destriped images and the tolerant change maps, or None when the
    aligned images do not agree."""
    o = np.exp(-ao)
    # ---- intensity normalisation (attenuation domain)
    t = time.perf_counter()
    sat_o = o < params.SAT_LEVEL
    sat_d = adw > -np.log(params.SAT_LEVEL)
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
    dark = -np.log(params.SAT_LEVEL)
    ceiling = float(min(dark, np.interp(dark, grid, curve)))
    details["ceiling"] = round(ceiling, 3)
    if params.T_BLUR:
        # smoothed in the transmission domain (tried, off: docs/scans-comparison.md "Left to do"): a
        # grainy origin averaged in attenuation reads darker than a smoother (blurred, JPEG)
        # destination of the same cargo (the mean of -log t exceeds -log of the mean t)
        bo = -np.log(cv2.GaussianBlur(np.exp(-np.minimum(ao, ceiling)), (0, 0), params.T_BLUR))
        bn = -np.log(cv2.GaussianBlur(np.exp(-np.minimum(an, ceiling)), (0, 0), params.T_BLUR))
    else:
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
    if not ncc > params.MIN_ALIGN_NCC:
        details["reason"] = f"aligned images do not agree (ncc {ncc:.2f})"
        return None

    # ---- tolerant difference
    change = tolerant_change(bo, bn, params.TOL_RADIUS) * np.sign(resid)
    change[~valid] = 0

    # level-dependent noise: robust spread of the plain residual per attenuation bin
    centres, sig_bins = level_noise(vr, bo[valid], params.MIN_SIGMA)
    sigma = np.interp(bo, centres, sig_bins).astype(np.float32)
    z = np.abs(change) / sigma
    zs = cv2.GaussianBlur(z, (0, 0), 2.0)
    maps = {"origin": bo, "dest": bn, "change": change, "z": zs, "sigma": sigma, "valid": valid, "resid": resid}
    maps["saturated"] = valid & ((ao >= ceiling) | (an >= ceiling))
    if params.LP_SIGMA:
        maps["z_lp"], maps["lp"] = coherent_change(resid, bo, valid, params)
    if params.DARK_CHANNEL:
        maps["z_dark"], maps["dark"], maps["dark_zone"] = dark_change(ao, adw, valid, params)
    timings["change_s"] = round(time.perf_counter() - t, 3)
    return maps


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


@cache
def _tol_kernel(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def neighbourhood(img: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each pixel's ``radius`` neighbourhood (``Params.TOL_RADIUS``)."""
    kernel = _tol_kernel(radius)
    return cv2.erode(img, kernel), cv2.dilate(img, kernel)


def tolerant_change(o: np.ndarray, n: np.ndarray, radius: int, o_range: tuple | None = None) -> np.ndarray:
    """|change| of a pixel only where each image lies outside the other's neighbourhood min..max
    (both ways), so settling and misalignment of a few pixels do not count. ``o_range``: the
    origin's ``neighbourhood``, when it is reused for several destinations."""
    o_lo, o_hi = o_range if o_range is not None else neighbourhood(o, radius)
    n_lo, n_hi = neighbourhood(n, radius)
    e1 = np.maximum(np.maximum(n - o_hi, o_lo - n), 0)
    e2 = np.maximum(np.maximum(o - n_hi, n_lo - o), 0)
    return np.minimum(e1, e2)


def level_noise(
    values: np.ndarray, levels: np.ndarray, floor: float, n_bins: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    """Robust spread (MAD) of ``values`` per bin of ``levels`` (equal-count bins): bin centres
    and spreads, floored at ``floor`` (``Params.MIN_SIGMA``)."""
    edges = np.unique(np.percentile(levels, np.linspace(0, 100, n_bins + 1)))
    per_bin = []
    for i in range(len(edges) - 1):
        r = values[(levels >= edges[i]) & (levels <= edges[i + 1])]
        per_bin.append(1.4826 * float(np.median(np.abs(r - np.median(r)))) if r.size > 20 else np.nan)
    sig_bins = np.array(per_bin)
    sig_bins = np.where(np.isnan(sig_bins), np.nanmedian(sig_bins), sig_bins)
    return 0.5 * (edges[:-1] + edges[1:]), np.maximum(sig_bins, floor)


def coherent_change(resid: np.ndarray, bo: np.ndarray, valid: np.ndarray, params: Params):
    """Local mean of the residual (over valid pixels) in noise units of its own spread per level.

    Settling and misalignment leave thin dipoles that average out over a few pixels; removing or
    adding cargo shifts a whole patch one way, even where the cargo is busy enough for the
    tolerant difference to see nothing."""
    vf = valid.astype(np.float32)
    num = cv2.GaussianBlur(np.where(valid, resid, 0).astype(np.float32), (0, 0), params.LP_SIGMA)
    den = cv2.GaussianBlur(vf, (0, 0), params.LP_SIGMA)
    lp = np.where(den > 0.5, num / np.maximum(den, 1e-6), 0).astype(np.float32)
    lev = cv2.GaussianBlur(bo, (0, 0), params.LP_SIGMA)
    centres, sig = level_noise(lp[valid], lev[valid], params.MIN_SIGMA)
    return np.abs(lp) / np.interp(lev, centres, sig).astype(np.float32), lp


def dark_prediction(level: np.ndarray, grey: np.ndarray, dark_grey: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The destination's grey level as a non-increasing function of the origin's attenuation at the
    dark end: (levels, greys) to interpolate, from bin medians of ``grey`` per bin of ``level``
    (equal-count bins over the levels whose median grey is at most twice ``dark_grey``), or None
    when too few pixels are that dark."""
    edges = np.unique(np.percentile(level, np.linspace(0, 100, 65)))
    if len(edges) < 3:
        return None
    idx = np.clip(np.searchsorted(edges, level, side="right") - 1, 0, len(edges) - 2)
    med = np.array([np.median(grey[idx == i]) if np.any(idx == i) else np.nan for i in range(len(edges) - 1)])
    dark_bins = np.flatnonzero(med <= 2 * dark_grey)
    if dark_bins.size == 0:
        return None
    a0 = edges[dark_bins[0]]
    sel = level >= a0
    if sel.sum() < 400:
        return None
    lv, gv = level[sel], grey[sel]
    e2 = np.unique(np.percentile(lv, np.linspace(0, 100, 25)))
    if len(e2) < 2:
        return None
    i2 = np.clip(np.searchsorted(e2, lv, side="right") - 1, 0, len(e2) - 2)
    cl, cg = [], []
    for i in range(len(e2) - 1):
        m = i2 == i
        if m.sum() > 20:
            cl.append(float(np.median(lv[m])))
            cg.append(float(np.median(gv[m])))
    if len(cl) < 2:
        return None
    cl_a = np.maximum.accumulate(np.array(cl))
    return cl_a, np.minimum.accumulate(np.array(cg))


def dark_change(ao: np.ndarray, adw: np.ndarray, valid: np.ndarray, params: Params):
    """Near-black channel (``Params.DARK_CHANNEL``): where the origin predicts a destination darker
    than ``DARK_GREY`` grey levels, the destination's local mean residual in its own grey levels
    (against the grey the origin's level predicts) in units of that residual's spread per level.

    The attenuation domain clips these pixels at the common ceiling (their noise there is the
    8-bit quantisation and JPEG of the last grey levels, large in attenuation), so a change of a
    few grey levels in cargo the destination shows near black is otherwise not seen.
    Returns (signed z, mean residual in grey levels, zone)."""
    h, w = ao.shape
    zero = np.zeros((h, w), np.float32)
    lvl = cv2.GaussianBlur(ao, (0, 0), 1.2)
    grey = cv2.GaussianBlur((255.0 * np.exp(-adw)).astype(np.float32), (0, 0), 1.2)
    # where the origin itself is saturated it predicts nothing (the destination may see through there)
    seen = valid & (neighbourhood(lvl, params.TOL_RADIUS)[1] < -np.log(params.DARK_ORIGIN_FLOOR / 255.0))
    pred = dark_prediction(lvl[seen], grey[seen], params.DARK_GREY) if seen.sum() > 1000 else None
    if pred is None:
        return zero, zero, np.zeros((h, w), bool)
    ghat = np.interp(lvl, *pred, left=255.0).astype(np.float32)  # lighter than the fitted range: not dark
    # tolerant, as in the attenuation domain: the destination's grey counts only outside the grey the
    # origin's neighbourhood predicts, and only where that whole neighbourhood is dark (a bright
    # neighbour blurred into black cargo is tens of grey levels there)
    g_lo, g_hi = neighbourhood(ghat, params.TOL_RADIUS)
    # ... and not within DARK_MARGIN of the destination frame's end (extrapolated warp)
    inner = cv2.erode(valid.astype(np.uint8), _tol_kernel(params.DARK_MARGIN), borderValue=0) > 0
    zone = seen & inner & (neighbourhood(ghat, params.DARK_MARGIN)[1] <= params.DARK_GREY)
    if zone.sum() < 200:
        return zero, zero, zone
    ref = np.clip(grey, g_lo, g_hi) if params.DARK_TOLERANT else ghat
    rg = np.where(zone, grey - ref, 0).astype(np.float32)
    num = cv2.GaussianBlur(rg, (0, 0), params.LP_SIGMA)
    den = cv2.GaussianBlur(zone.astype(np.float32), (0, 0), params.LP_SIGMA)
    ok = zone & (den > 0.3)
    lp = np.where(ok, num / np.maximum(den, 1e-6), 0).astype(np.float32)
    if ok.sum() < 200:
        return zero, lp, zone
    centres, sig = level_noise(lp[ok], ghat[ok], params.DARK_MIN_SIGMA)
    z = np.where(ok, lp / np.interp(ghat, centres, sig), 0).astype(np.float32)
    return z, lp, ok
