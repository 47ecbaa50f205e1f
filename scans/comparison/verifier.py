"""Learned verifier of candidate regions (``Params.USE_VERIFIER``).

The hand-made region score (area x tolerant change, shift-checked) cannot tell a faint change in
dense cargo from a wall or a level of grainy cargo: both leave the same few numbers. The verifier
looks at more of each candidate region: scalar features (the score's parts, shape, coherent
change, sign coherence, level, saturation, distance to walls and to the frame border) and small
patches of the registered origin, destination, residual, tolerant change and region mask around
it, and gives the probability that the region is a change of the cargo. It was trained on
generated hard tune pairs (``bench/scans_verify.py``; manifest in ``verifier.README.md``).

A pair's score is then the best candidate's probability mapped onto the region score's units:
``threshold * exp(logit(p) - VERIFY_LOGIT)``, so the verdict threshold (``DEFAULT_THRESHOLD``,
``settings.SCANS_COMPARISON_THRESHOLD``) keeps its meaning and a pair is suspicious exactly when
``logit(p) > VERIFY_LOGIT``. With ``VERIFY_SECOND_OPINION`` the model only overrules the hand-made
score where it is confident (``second_opinion``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

from .params import DEFAULT_THRESHOLD, Params
from .regions import affine_residual, wall_columns
from .registration import vehicle_content

MODEL_PATH = Path(__file__).with_name("verifier.onnx")
PATCH = 24  # patch side (pixels) the model takes
N_SCALAR = 32
N_CHANNELS = 5


def _stats(values: np.ndarray) -> tuple[float, float]:
    return (float(values.mean()), float(values.max())) if values.size else (0.0, 0.0)


def select(regions: list, params: Params) -> list:
    """The candidates the verifier scores: the ``N_VERIFY`` best ordinary regions, then the
    second (lower-seeded) pass's regions (``find_regions`` keeps at most ``N_VERIFY2`` of them)."""
    first = [r for r in regions if not r[5].get("second")][: params.N_VERIFY]
    return first + [r for r in regions if r[5].get("second")][: params.N_VERIFY2]


def candidate_inputs(maps: dict, regions: list, span, details: dict, params: Params):
    """Scalar features (n, N_SCALAR) and patches (n, N_CHANNELS, PATCH, PATCH) of the candidates
    (``select``: best hand-made score first; ``regions`` from ``find_regions`` with their ``label``
    in ``maps["labels"]``)."""
    regions = select(regions, params)
    n = len(regions)
    scal = np.zeros((n, N_SCALAR), np.float32)
    patches = np.zeros((n, N_CHANNELS, PATCH, PATCH), np.float32)
    if not n:
        return scal, patches
    bo, bn, change, zs, resid = maps["origin"], maps["dest"], maps["change"], maps["z"], maps["resid"]
    sigma, valid, sat, lab = maps["sigma"], maps["valid"], maps["saturated"], maps["labels"]
    z_lp = maps.get("z_lp", np.zeros_like(zs))
    lp = maps.get("lp", np.zeros_like(zs))
    h, w = bo.shape
    area_ref = max(float(valid.sum()), 1.0)
    walls = wall_columns(bo, span)
    content_cols = vehicle_content(bo).any(axis=0)
    cont = np.flatnonzero(content_cols)
    best = max(regions[0][0], 1e-9)
    for k, (score, x, y, bw, bh, f) in enumerate(regions):
        # the region's own pixels; the box with a margin for the patches
        sl = (slice(y, y + bh), slice(x, x + bw))
        sel = lab[sl] == f["label"]
        area = int(sel.sum())
        r = resid[sl][sel]
        wall_d = min((abs(x + bw / 2 - c) for c in walls), default=w) / w
        cx = x + bw / 2
        in_span = 1.0 if span is None or span[0] <= cx <= span[1] else 0.0
        zm, zx = _stats(zs[sl][sel])
        lm, lx = _stats(z_lp[sl][sel])
        scal[k] = [
            np.log10(score + 1e-7),
            np.log10(f["rs"] + 1e-7),
            f["ratio"],
            f["shape"],
            np.log10(area / area_ref + 1e-7),
            area / max(bw * bh, 1),
            np.log2(bh / max(bw, 1)),
            float(np.abs(change[sl][sel]).mean()),
            zm,
            zx,
            lm,
            lx,
            float(r.mean()),
            abs(float(r.sum())) / max(float(np.abs(r).sum()), 1e-9),
            float(np.abs(lp[sl][sel]).mean()),
            float(sat[sl][sel].mean()),
            float(bo[sl][sel].mean()),
            float(sigma[sl][sel].mean()),
            wall_d,
            min(x, w - x - bw) / w,
            min(y, h - y - bh) / h,
            (y + bh / 2) / h,
            1.0 if f.get("wall") else 0.0,
            k / 10.0,
            np.log10(score / best + 1e-7),
            in_span,
            *_frame_end(valid, content_cols, cont, x, y, bw, bh),
            (h - y - bh) / h,
            _affine_ratio(bo, bn, lab == f["label"], (x, y, bw, bh), params),
            1.0 if f.get("second") else 0.0,
        ]
        # square crop around the box, twice its size (at least 24 px), resized
        side = max(bw, bh, 12) * 2
        x0, y0 = int(cx - side / 2), int(y + bh / 2 - side / 2)
        box = (x0, y0, x0 + side, y0 + side)
        m0 = float(bo[sl][sel].mean())
        s0 = max(float(sigma[sl][sel].mean()), 1e-3)
        chans = (
            bo - m0,
            bn - m0,
            resid / s0,
            change / s0,
            (lab == f["label"]).astype(np.float32),
        )
        for c, img in enumerate(chans):
            patches[k, c] = _crop(img.astype(np.float32), box)
    np.clip(patches[:, 2:4], -20, 20, out=patches[:, 2:4])
    return scal, patches


def _frame_end(valid, content_cols, cont, x, y, bw, bh) -> tuple[float, float, float]:
    """Where the destination's frame ends near the region: how far the frame (the overlap, in
    the region's rows) reaches past the region on its nearer side (share of the width), whether
    the origin's vehicle goes on beyond that frame end (share of content columns in the 3 % of
    the width past it: the frame cuts through the vehicle) and the distance of the region to the
    vehicle's nearer end (share of the width)."""
    w = valid.shape[1]
    vc = np.flatnonzero(valid[y : y + bh].any(axis=0))
    if not vc.size:
        return 0.0, 0.0, 0.0
    left, right = x - int(vc[0]), int(vc[-1]) - (x + bw - 1)
    band = max(3, round(0.03 * w))
    if left <= right:
        beyond = content_cols[max(0, int(vc[0]) - band) : int(vc[0])]
    else:
        beyond = content_cols[int(vc[-1]) + 1 : int(vc[-1]) + 1 + band]
    cut = float(beyond.sum()) / band
    veh = min(abs(x - int(cont[0])), abs(int(cont[-1]) - (x + bw - 1))) / w if cont.size else 0.0
    return max(0, min(left, right)) / w, cut, veh


def _affine_ratio(bo: np.ndarray, bn: np.ndarray, reg: np.ndarray, box, params: Params) -> float:
    """The local shear / stretch re-check (``regions.affine_residual``) as a share of the unwarped
    tolerant change: a tilted wall or a stretched frame end is explained by such a warp, a change
    of the cargo is not."""
    base, best = affine_residual(bo, bn, reg, box, params)
    return 1.0 if base <= 1e-9 else best / base


def _crop(img: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = box
    h, w = img.shape
    pad = max(0, -x0, -y0, x1 - w, y1 - h)
    if pad:
        img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0.0)
        x0, y0, x1, y1 = x0 + pad, y0 + pad, x1 + pad, y1 + pad
    return cv2.resize(img[y0:y1, x0:x1], (PATCH, PATCH), interpolation=cv2.INTER_AREA)


@cache
def _session(path: str):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def logits(scal: np.ndarray, patches: np.ndarray, path: Path = MODEL_PATH) -> np.ndarray:
    """The model's logit per candidate."""
    if not len(scal):
        return np.zeros(0, np.float32)
    out = _session(str(path)).run(None, {"scalars": scal, "patches": patches})[0]
    return np.asarray(out, np.float32).reshape(-1)


# scalar columns of candidate_inputs: distance to the nearest wall column, the wall re-check's
# flag, how far the destination's frame reaches past the region, the shear / stretch re-check
_WALL_D, _WALL_FLAG, _FRAME_REACH, _AFFINE = 18, 22, 26, 30


def at_wall(scal: np.ndarray, params: Params) -> np.ndarray:
    """Candidates at a wall (vehicle end, container end wall, cab/trailer junction: within
    ``WALL_BAND`` of the width, or flagged by the wall re-check) or within ``WALL_BAND`` of the
    destination frame's end: where the hand-made score's clean alarms are."""
    if not len(scal):
        return np.zeros(0, bool)
    return (
        (scal[:, _WALL_D] <= params.WALL_BAND)
        | (scal[:, _WALL_FLAG] > 0.5)
        | (scal[:, _FRAME_REACH] <= params.WALL_BAND)
    )


def second_opinion(
    base: np.ndarray, lg: np.ndarray, wall: np.ndarray, params: Params, affine: np.ndarray | None = None
) -> np.ndarray:
    """Candidate scores with the verifier as a second opinion (``VERIFY_SECOND_OPINION``): the
    hand-made score ``base`` stands unless the logit is confident. Below ``VERIFY_VETO_LOGIT`` (at a
    wall, ``wall``, when ``VERIFY_VETO_WALLS``) a region is cleared (its score put below the
    threshold, ranked by its logit); above ``VERIFY_ADD_LOGIT`` it is suspicious whatever its
    hand-made score. Scores stay in the threshold's units (``DEFAULT_THRESHOLD``). With
    ``VERIFY_AFFINE_SCORE`` the hand-made score first keeps only the share of the change that the
    local shear / stretch re-check leaves (``affine``, scalar column 30 of ``candidate_inputs``)."""
    base = np.asarray(base, np.float64)
    if params.VERIFY_AFFINE_SCORE and affine is not None:
        base = base * np.clip(np.asarray(affine, np.float64), 0.0, 1.0)
    lg = np.asarray(lg, np.float64)
    veto = lg < params.VERIFY_VETO_LOGIT
    if params.VERIFY_VETO_WALLS:
        veto &= np.asarray(wall, bool)
    cleared = DEFAULT_THRESHOLD * np.exp(np.clip(lg - params.VERIFY_VETO_LOGIT, -30, 0))
    out = np.where(veto, np.minimum(base, cleared), base)
    added = DEFAULT_THRESHOLD * np.exp(np.clip(lg - params.VERIFY_ADD_LOGIT, 0, 30))
    return np.where(lg > params.VERIFY_ADD_LOGIT, np.maximum(out, added), out)


def verify(maps: dict, regions: list, span, details: dict, params: Params) -> list:
    """``regions`` re-scored by the verifier, best first: score = DEFAULT_THRESHOLD x
    exp(logit - VERIFY_LOGIT) (see the module's docstring), or with ``VERIFY_SECOND_OPINION`` the
    hand-made score overruled only where the model is confident (``second_opinion``; regions
    beyond the candidates keep their hand-made score)."""
    scal, patches = candidate_inputs(maps, regions, span, details, params)
    lg = logits(scal, patches)
    chosen = select(regions, params)
    if params.VERIFY_SECOND_OPINION:
        base = np.array([r[0] for r in chosen])
        scores = second_opinion(base, lg, at_wall(scal, params), params, scal[:, _AFFINE] if len(scal) else None)
        ids = {id(r) for r in chosen}
        out = [(float(v), *r[1:5], {**r[5], "p_logit": float(g)}) for v, g, r in zip(scores, lg, chosen, strict=True)]
        out += [r for r in regions if id(r) not in ids]
        out.sort(key=lambda r: -r[0])
        return out
    out = []
    for v, r in zip(lg, chosen, strict=True):
        score = float(DEFAULT_THRESHOLD * np.exp(np.clip(v - params.VERIFY_LOGIT, -30, 30)))
        if params.VERIFY_OR_SCORE > 0:  # a hand-made score this high is suspicious whatever the model says
            score = max(score, DEFAULT_THRESHOLD * float(r[0]) / params.VERIFY_OR_SCORE)
        out.append((score, *r[1:5], {**r[5], "p_logit": float(v)}))
    out.sort(key=lambda r: -r[0])
    return out
