"""Learned dense change map (``Params.USE_DENSE``; eighteenth pass, off: see docs/benchmarks.md).

The hand-made scores cannot tell a faint change of the cargo from what a second scanner's display
curve does to end walls, the chassis and cargo near saturation. A small fully-convolutional net
(``dense.onnx``, trained by ``bench/scans_dense.py`` on generated tune pairs, supervised by the
generator's per-pixel change, ``scans_make_pairs --masks``) sees the registered pair and its change
maps and gives a change probability per pixel. A pair's score is the highest smoothed probability
inside the vehicle (container span, cab masked as for the regions), mapped onto the region score's
units as the verifier does: ``DEFAULT_THRESHOLD * exp(logit(p) - DENSE_LOGIT)``, so the verdict
threshold keeps its meaning and a pair is suspicious exactly when ``logit(p) > DENSE_LOGIT``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

from .params import DEFAULT_THRESHOLD, Params
from .registration import vehicle_content

MODEL_PATH = Path(__file__).with_name("dense.onnx")
N_IN = 8  # input channels of the change maps (``dense_inputs``)
# The channels the net sees, by ``Params.DENSE_INPUTS``: "maps" all eight; "images" (nineteenth pass) only
# the registered origin, the normalised destination and the saturated / valid masks, without the hand-made
# change channels (residual, tolerant change, coherent residual), so that the net cannot copy them
CHANNELS = {"maps": (0, 1, 2, 3, 4, 5, 6, 7), "images": (0, 1, 5, 6)}
STRIDE = 8  # the net's input sides are padded to a multiple of this
# how the dense map and the hand-made score are combined (``Params.DENSE_FUSION``, twentieth pass)
FUSIONS = ("off", "and", "mean")


def dense_inputs(maps: dict, inputs: str = "maps") -> np.ndarray:
    """The net's input (channels, h, w), float32, from ``changes.change_maps``: registered origin and
    normalised destination (attenuation / 3), residual, signed tolerant change in noise units,
    coherent residual, saturated, valid, vehicle content; ``inputs``: which of them (``CHANNELS``)."""
    if inputs not in CHANNELS:
        raise ValueError(f"unknown DENSE_INPUTS {inputs!r}: one of {sorted(CHANNELS)}")
    bo, bn, resid, valid = maps["origin"], maps["dest"], maps["resid"], maps["valid"]
    zc = np.clip(maps["change"] / maps["sigma"], -10, 10) / 5.0
    lp = maps.get("lp", np.zeros_like(bo))
    vf = valid.astype(np.float32)
    chans = [
        bo / 3.0,
        bn / 3.0 * vf,
        np.clip(resid, -1, 1) * 2.0 * vf,
        zc * vf,
        np.clip(lp, -1, 1) * 3.0 * vf,
        maps["saturated"].astype(np.float32),
        vf,
        vehicle_content(bo).astype(np.float32),
    ]
    x = np.stack(chans).astype(np.float32)
    return x if inputs == "maps" else x[list(CHANNELS[inputs])]


def vehicle_zone(maps: dict, span) -> np.ndarray:
    """Where the pair's score is taken: valid vehicle pixels, within the container span (plus 1 %
    of the width) when there is one (the cab is not scored, as for the regions)."""
    bo, valid = maps["origin"], maps["valid"]
    zone = valid & vehicle_content(bo)
    if span is not None:
        w = bo.shape[1]
        m = int(0.01 * w)
        cols = np.zeros(w, bool)
        cols[max(0, span[0] - m) : min(w, span[1] + m + 1)] = True
        zone &= cols[None, :]
    return zone


@cache
def _session(path: str):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def change_probability(x: np.ndarray, path: Path = MODEL_PATH) -> np.ndarray:
    """Per-pixel change probability (h, w) for the input ``x`` (N_IN, h, w)."""
    _, h, w = x.shape
    ph, pw = -h % STRIDE, -w % STRIDE
    xp = np.pad(x, ((0, 0), (0, ph), (0, pw)))[None]
    sess = _session(str(path))
    want = sess.get_inputs()[0].shape[1]
    if isinstance(want, int) and want != x.shape[0]:
        raise ValueError(f"{path.name} takes {want} input channels, not {x.shape[0]}: DENSE_INPUTS does not match it")
    logit = sess.run(None, {"x": xp.astype(np.float32)})[0][0, 0]
    if logit.shape != (h + ph, w + pw):  # the net's output is at a lower resolution
        logit = cv2.resize(logit, (w + pw, h + ph), interpolation=cv2.INTER_LINEAR)
    return (1.0 / (1.0 + np.exp(-logit[:h, :w]))).astype(np.float32)


def pair_statistic(prob: np.ndarray, zone: np.ndarray, sigma: float) -> tuple[float, np.ndarray]:
    """The highest probability inside ``zone`` after a Gaussian of ``sigma`` working px (a robust
    maximum: one pixel does not decide), and the smoothed map."""
    sm = cv2.GaussianBlur(prob, (0, 0), sigma) if sigma > 0 else prob
    return (float(sm[zone].max()) if zone.any() else 0.0), sm


def dense_regions(maps: dict, span, details: dict, params: Params) -> list:
    """Regions from the dense map, best first, as ``find_regions`` gives them: (score, x, y, w, h,
    features) in working pixels; score = DEFAULT_THRESHOLD * exp(logit(p) - DENSE_LOGIT) of the
    region's highest smoothed probability."""
    prob = change_probability(dense_inputs(maps, params.DENSE_INPUTS))
    zone = vehicle_zone(maps, span)
    best, sm = pair_statistic(prob, zone, params.DENSE_SIGMA)
    details["dense_p"] = round(best, 6)
    cut = max(0.5 * best, 0.05)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(((sm >= cut) & zone).astype(np.uint8), connectivity=8)
    out = []
    for k in range(1, n):
        x, y, bw, bh, _area = (int(v) for v in stats[k])
        p = float(np.clip(sm[y : y + bh, x : x + bw][lab[y : y + bh, x : x + bw] == k].max(), 1e-6, 1 - 1e-6))
        lg = float(np.log(p / (1 - p)))
        score = float(DEFAULT_THRESHOLD * np.exp(np.clip(lg - params.DENSE_LOGIT, -30, 30)))
        out.append((score, x, y, bw, bh, {"dense_logit": lg, "rs": 0.0, "ratio": 1.0}))
    out.sort(key=lambda r: -r[0])
    return out


def box_logit(sm: np.ndarray, box) -> float:
    """logit of the highest smoothed probability over a region's box (x, y, w, h, working px)."""
    x, y, bw, bh = (int(v) for v in box)
    part = sm[max(0, y) : y + max(1, bh), max(0, x) : x + max(1, bw)]
    p = float(np.clip(part.max() if part.size else 0.0, 1e-6, 1 - 1e-6))
    return float(np.log(p / (1 - p)))


def fused_score(hand: float, logit: float, params: Params) -> float:
    """A region's score on the threshold's scale from its hand-made score and the dense map's logit over it
    (``Params.DENSE_FUSION``): above ``DEFAULT_THRESHOLD`` exactly when, for "and", ``hand > FUSE_HAND`` and
    ``logit > DENSE_LOGIT``; for "mean", when the mean of the two log-ratios is above 0."""
    zh = float(np.log(max(hand, 1e-12) / params.FUSE_HAND))
    zd = logit - params.DENSE_LOGIT
    if params.DENSE_FUSION == "and":
        z = min(zh, zd)
    elif params.DENSE_FUSION == "mean":
        z = 0.5 * (zh + zd)
    else:
        raise ValueError(f"unknown DENSE_FUSION {params.DENSE_FUSION!r}: one of {FUSIONS}")
    return float(DEFAULT_THRESHOLD * np.exp(np.clip(z, -30, 30)))


def needs_model(regions: list, params: Params, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether the dense map can change the verdict at ``threshold``: with "and" a region's fused score is at
    most ``fused_score(hand, +inf)``, above ``threshold`` only when its hand-made score exceeds ``FUSE_HAND``
    (times ``threshold / DEFAULT_THRESHOLD`` for a lower threshold); when no region does, the pair is consistent
    whatever the map says, and the model is not run. With "mean" a strong map can carry any region."""
    if params.DENSE_FUSION != "and":
        return True
    cut = params.FUSE_HAND * min(1.0, threshold / DEFAULT_THRESHOLD)
    return any(r[0] > cut for r in regions)


def fuse_regions(
    maps: dict, span, regions: list, details: dict, params: Params, threshold: float = DEFAULT_THRESHOLD
) -> list:
    """The hand-made regions re-scored with the dense map (``fused_score``), best first: a region counts
    only where both say change, so an end-wall alarm of the one and a cargo alarm of the other elsewhere in
    the pair do not add up. Each region keeps its box; its features get ``hand_score`` and ``dense_logit``;
    ``details["fused_regions"]`` has [hand-made score, dense logit] of the first 20 in the boxes' order.
    When the map cannot change the verdict at ``threshold`` (``needs_model``) it is not run: each region
    scores ``fused_score(hand, +inf)`` (an upper bound, at most the threshold), its logit None, and
    ``details["dense_skipped"]`` is True."""
    if not needs_model(regions, params, threshold):
        details["dense_skipped"] = True
        out = [
            (fused_score(score, np.inf, params), x, y, bw, bh, {**feats, "hand_score": score, "dense_logit": None})
            for score, x, y, bw, bh, feats in regions
        ]
        out.sort(key=lambda r: -r[0])
        details["fused_regions"] = [[float(f"{r[5]['hand_score']:.6g}"), None] for r in out[:20]]
        return out
    prob = change_probability(dense_inputs(maps, params.DENSE_INPUTS))
    best, sm = pair_statistic(prob, vehicle_zone(maps, span), params.DENSE_SIGMA)
    details["dense_p"] = round(best, 6)
    out = []
    for score, x, y, bw, bh, feats in regions:
        lg = box_logit(sm, (x, y, bw, bh))
        out.append((fused_score(score, lg, params), x, y, bw, bh, {**feats, "hand_score": score, "dense_logit": lg}))
    out.sort(key=lambda r: -r[0])
    details["fused_regions"] = [[float(f"{r[5]['hand_score']:.6g}"), round(r[5]["dense_logit"], 4)] for r in out[:20]]
    return out
