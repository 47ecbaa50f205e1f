"""Registration: the destination warped onto the origin's working grid.

Attenuation domain ``a = -log(I)``: gain/dose and a power display curve become a gain. SIFT
matches + RANSAC affine (separate x/y scale: pitch and speed), tried on the destination as is
and mirrored; then a smooth per-column correction and per-column-strip shifts for the
non-linear vehicle-speed warp, and a wider search at the vehicle's two ends.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from .params import Params


def _attenuation(img: np.ndarray) -> np.ndarray:
    return -np.log(np.clip(img, 1.0 / 255.0, 1.0))


def _to_u8(a: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    vals = a[valid] if valid is not None and valid.any() else a
    lo, hi = np.percentile(vals, [0.5, 99.5]) if vals.size else (0.0, 1.0)
    return np.clip((a - lo) * (255.0 / max(hi - lo, 1e-6)), 0, 255).astype(np.uint8)


def vehicle_content(ao: np.ndarray) -> np.ndarray:
    """Pixels of the vehicle: smoothed attenuation clearly above the air around it."""
    return cv2.GaussianBlur(ao, (0, 0), 1.5) > float(np.percentile(ao, 2)) + 0.12


def working_copy(img: np.ndarray, params: Params) -> tuple[np.ndarray, float]:
    """The image scaled down to about ``params.WORK_AREA`` pixels (never up), and the scale."""
    s = min(1.0, float(np.sqrt(params.WORK_AREA / img.size)))
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
    if not kp:
        return np.zeros((0, 2), np.float32), des
    pts = np.array([k.pt for k in kp], np.float32)
    # a fixed order: SIFT's threads may list the keypoints in another order from run to run, and
    # the matches' order steers RANSAC; sorted, a comparison is recomputed exactly (scans_reproduce)
    keys = np.array([(k.pt[0], k.pt[1], k.size, k.angle, k.response) for k in kp], np.float64)
    order = np.lexsort(keys.T[::-1])
    return pts[order], des[order]


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


def _column_ncc(a: np.ndarray, b: np.ndarray, valid: np.ndarray, block: int, rows: slice) -> np.ndarray:
    """Per column, the correlation of ``a`` and ``b`` over ``rows`` of the ``block`` columns around it (valid
    pixels only); -1 where too few are valid or either is flat."""
    h, w = a.shape
    out = np.full(w, -1.0, np.float32)
    a, b, valid = a[rows], b[rows], valid[rows]
    for x0 in range(0, w, block):
        m = valid[:, x0 : x0 + block]
        if m.mean() < 0.8:
            continue
        av, bv = a[:, x0 : x0 + block][m], b[:, x0 : x0 + block][m]
        sa, sb = float(av.std()), float(bv.std())
        if sa < 1e-6 or sb < 1e-6:
            continue
        out[x0 : x0 + block] = float(np.mean((av - av.mean()) * (bv - bv.mean())) / (sa * sb))
    return out


# How much better a half must correlate at its own shift than at the other's to keep it (_pick_halves).
PICK_EPS = 0.02


def _pick_halves(ao, ad, mx, my, gx, gy, air, top, bot, sdx, sdy, strip: int, gap: float):
    """The strip shifts with a wrongly locked half replaced (``Params.SHEAR_PICK``).

    On cargo of repeated columns one half's strip search can lock onto the neighbouring column, and the y-blend
    turns the halves' disagreement into a diagonal shear (a clean pair's alarm). Where they disagree by more than
    ``gap`` px, each half is judged in its own rows at both shifts: a half that correlates as well at the other's
    shift (within ``PICK_EPS``) while the other does better at its own locked wrongly, and that block of columns
    takes the other half's shift for the full height. Otherwise (a real shear, or no clear answer) the blend stays."""
    h, w = ao.shape
    ones = np.ones_like(ad)
    go = cv2.GaussianBlur(ao, (0, 0), 1.5)
    up, low = slice(0, h // 2), slice(h // 2, h)
    ncc = {}
    for name, shift in (("top", top), ("bot", bot)):
        cdx, cdy = np.broadcast_to(shift[0][None, :], (h, w)), np.broadcast_to(shift[1][None, :], (h, w))
        cmx = _warp(mx, gx + cdx, gy + cdy, -1e6)
        cmy = _warp(my, gx + cdx, gy + cdy, -1e6)
        adc = cv2.GaussianBlur(_warp(ad, cmx, cmy, air), (0, 0), 1.5)
        v = _warp(ones, cmx, cmy, 0.0) > 0.99
        ncc[name] = (_column_ncc(go, adc, v, strip, up), _column_ncc(go, adc, v, strip, low))
    top_own, top_other = ncc["top"][0], ncc["bot"][0]
    bot_own, bot_other = ncc["bot"][1], ncc["top"][1]
    disagree = np.abs(top[0] - bot[0]) > gap
    # a half as good at the other half's shift, while the other is not as good at its: it locked wrongly
    use_bot = disagree & (top_other >= top_own - PICK_EPS) & (bot_own > bot_other + PICK_EPS) & (top_own > -1)
    use_top = disagree & (bot_other >= bot_own - PICK_EPS) & (top_own > top_other + PICK_EPS) & (bot_own > -1)
    if not (np.any(use_bot) or np.any(use_top)):
        return sdx, sdy
    win = max(3, strip) | 1  # a smooth hand-over between blocks that chose differently
    ker = np.ones(win) / win

    def smooth(m):
        return np.convolve(np.pad(m.astype(np.float32), win // 2, mode="edge"), ker, mode="valid")[None, :]

    wb, wt = smooth(use_bot), smooth(use_top)
    wbl = 1 - wb - wt
    ndx = wbl * sdx + wt * top[0][None, :] + wb * bot[0][None, :]
    ndy = wbl * sdy + wt * top[1][None, :] + wb * bot[1][None, :]
    return ndx.astype(np.float32), ndy.astype(np.float32)


def end_shifts(ao: np.ndarray, adw: np.ndarray, valid: np.ndarray, details: dict, params: Params) -> np.ndarray:
    """Per-column x correction near the two ends of the vehicle.

    Beyond the outermost matches the speed warp is extrapolated, and the strip search is too
    narrow for what a speed change over the last metres leaves there; but the vehicle's ends
    (bumper, end walls, the edge against air) are strong features.  A window at each end is
    matched over a wider range, and the shift found ramps in from ``params.END_RAMP`` windows inside."""
    h, w = ao.shape
    content = vehicle_content(ao).any(axis=0)
    cols = np.flatnonzero(content & (valid.mean(axis=0) > 0.5))
    out = np.zeros(w, np.float32)
    if cols.size < 0.3 * w:
        return out
    win = max(24, w // 24)
    rx, ry = max(8, round(params.END_SHIFT * w)), 3
    rows = np.flatnonzero(valid.mean(axis=1) > 0.9)
    if rows.size < 32:
        return out
    y0, y1 = max(ry, int(rows[0])), min(h - ry, int(rows[-1]) + 1)
    go = cv2.GaussianBlur(ao, (0, 0), 1.5)
    gd = cv2.GaussianBlur(adw, (0, 0), 1.5)
    found = []
    for side, x_end in (("left", int(cols[0])), ("right", int(cols[-1]))):
        attempts = [(x_end if side == "left" else x_end - win + 1, rx)]
        if params.END_CUT_RANGE and (x_end <= 2 if side == "left" else x_end >= w - 3):
            # the frame cuts the vehicle: the window at the border holds a cut-off part; look further in
            inset = round(params.END_CUT_INSET * win)
            attempts.append(
                (x_end + inset if side == "left" else x_end - win + 1 - inset, max(rx, round(params.END_CUT_RANGE * w)))
            )
        shift = None
        chosen = None  # (best, shift, x0) of the window that decides this end
        for x0, r in attempts:
            x0 = int(np.clip(x0, r, w - r - win))
            tpl = go[y0:y1, x0 : x0 + win]
            if float(tpl.std()) < 1e-3:
                continue
            res = cv2.matchTemplate(gd[y0 - ry : y1 + ry, x0 - r : x0 + win + r], tpl, cv2.TM_CCOEFF_NORMED)
            _, best, _, (bx, by) = cv2.minMaxLoc(res)
            if best < 0.6:
                continue  # nothing to match (a part the frame cut off): the next window, if any
            cand = (best, bx - r if best >= float(res[ry, r]) + 0.02 and abs(bx - r) >= 2 else None, x0)
            if chosen is None:
                chosen = cand
                if not params.END_CUT_MARGIN:
                    break  # a window that matches decides this end
            elif best >= chosen[0] + params.END_CUT_MARGIN:
                chosen = cand  # the window further in matches clearly better: the border one held a cut part
        if chosen is None or chosen[1] is None:
            continue
        best, shift, x0 = chosen
        dx = shift
        found.append((side, dx, round(float(best), 3)))
        ramp = params.END_RAMP * win
        xs = np.arange(w, dtype=np.float32)
        if side == "left":
            out += dx * np.clip((x0 + win + ramp - xs) / ramp, 0, 1)
        else:
            out += dx * np.clip((xs - (x0 - ramp)) / ramp, 0, 1)
    details["end_shifts"] = found
    return out


def register(
    o: np.ndarray, d: np.ndarray, details: dict, timings: dict, params: Params, warp_out: dict | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Destination attenuation warped onto the origin's working grid: (ao, adw, valid), or
    None (``details["reason"]`` says why) when the pair cannot be registered. ``warp_out``: see
    ``refine_warp``."""
    affine = register_affine(o, d, details, timings, params)
    return None if affine is None else refine_warp(*affine, details, timings, params, warp_out=warp_out)


def register_affine(
    o: np.ndarray, d: np.ndarray, details: dict, timings: dict, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
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
    if M is None or n_inl < params.MIN_INLIERS:
        details["reason"] = f"too few consistent matches ({n_inl})"
        return None
    if mirrored:  # work with the mirrored destination: x -> w_d - 1 - x
        ad = np.ascontiguousarray(ad[:, ::-1])
    return ao, ad, M, matches


def refine_warp(
    ao: np.ndarray,
    ad: np.ndarray,
    M: np.ndarray,
    matches,
    details: dict,
    timings: dict,
    params: Params,
    warp_out: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The destination warped onto the origin's grid by affine ``M`` plus a smooth per-column
    correction: (ao, adw, valid), or None when too little of the origin is covered.

    ``warp_out``: a dict that receives the final forward mapping as ``"map"``: (mx, my), for each
    origin working pixel its place in the destination working image (mirrored when
    ``details["mirrored"]``; ``MAP_OUTSIDE`` or less where nothing maps). Read only by
    ``dest_box``: the comparison's figures do not depend on it."""
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
            if params.SHEAR_PICK and float(np.abs(top[0] - bot[0]).max()) > params.SHEAR_PICK:
                sdx, sdy = _pick_halves(ao, ad, mx, my, gx, gy, air, top, bot, sdx, sdy, strip, params.SHEAR_PICK)
        else:  # one half has too little structure: both from the whole height
            full = _strip_shifts(ao, adw, valid, strip, rx, ry)
            if not (np.any(full[0]) or np.any(full[1])):
                continue
            sdx, sdy = full[0][None, :], full[1][None, :]
        mx = _warp(mx, gx + sdx, gy + sdy, -1e6)
        my = _warp(my, gx + sdx, gy + sdy, -1e6)
        adw = _warp(ad, mx, my, air)
        valid = _warp(ones, mx, my, 0.0) > 0.99
    if params.END_SHIFT:
        edx = end_shifts(ao, adw, valid, details, params)
        if np.any(edx):
            mx = _warp(mx, gx + edx[None, :], gy, -1e6)
            my = _warp(my, gx + edx[None, :], gy, -1e6)
            adw = _warp(ad, mx, my, air)
            valid = _warp(ones, mx, my, 0.0) > 0.99
    timings["warp_s"] = round(time.perf_counter() - t, 3)
    if warp_out is not None:
        warp_out["map"] = (mx, my)
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


# The warps above fill with -1e6 where a column or row maps outside: any mapped value below this is no place.
MAP_OUTSIDE = -1e5


def dest_box(
    mapping: tuple[np.ndarray, np.ndarray],
    box: tuple[float, float, float, float],
    *,
    mirrored: bool,
    dest_work_shape: tuple[int, int],
    s_d: float,
    dest_shape: tuple[int, int],
) -> tuple[int, int, int, int] | None:
    """A box of the origin working grid ``(x, y, w, h)`` carried into the destination: the bounding box,
    in destination pixels (the image as stored, not mirrored), of the places ``mapping`` (``refine_warp``'s
    ``warp_out["map"]``) gives its pixels, clipped to the destination frame; None when none of it lands
    there. Every pixel of the box is mapped, not only its corners: the speed warp bends the box's edges.

    ``dest_work_shape``/``s_d``: the destination's working copy and its scale; ``dest_shape``: the
    destination's full (h, w)."""
    mx, my = mapping
    h, w = mx.shape
    x0, y0 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
    x1, y1 = min(w, int(np.ceil(box[0] + box[2]))), min(h, int(np.ceil(box[1] + box[3])))
    if x1 <= x0 or y1 <= y0:
        return None
    px, py = mx[y0:y1, x0:x1], my[y0:y1, x0:x1]
    hd, wd = dest_work_shape
    inside = (px > MAP_OUTSIDE) & (py > MAP_OUTSIDE) & (px > -1) & (px < wd) & (py > -1) & (py < hd)
    if not inside.any():
        return None
    left, right = float(px[inside].min()), float(px[inside].max()) + 1.0  # a pixel's extent past its place
    top, bottom = float(py[inside].min()), float(py[inside].max()) + 1.0
    if mirrored:  # the working destination was flipped: x -> wd - 1 - x, so [l, r) -> [wd - r, wd - l)
        left, right = wd - right, wd - left
    H, W = dest_shape
    bx0, bx1 = int(np.clip(np.floor(left / s_d), 0, W)), int(np.clip(np.ceil(right / s_d), 0, W))
    by0, by1 = int(np.clip(np.floor(top / s_d), 0, H)), int(np.clip(np.ceil(bottom / s_d), 0, H))
    if bx1 <= bx0 or by1 <= by0:
        return None
    return bx0, by0, bx1 - bx0, by1 - by0
