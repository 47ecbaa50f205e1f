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
``logit(p) > VERIFY_LOGIT``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

from .params import DEFAULT_THRESHOLD, Params
from .regions import wall_columns

MODEL_PATH = Path(__file__).with_name("verifier.onnx")
PATCH = 24  # patch side (pixels) the model takes
N_SCALAR = 26
N_CHANNELS = 5


def _stats(values: np.ndarray) -> tuple[float, float]:
    return (float(values.mean()), float(values.max())) if values.size else (0.0, 0.0)


def candidate_inputs(maps: dict, regions: list, span, details: dict, params: Params):
    """Scalar features (n, N_SCALAR) and patches (n, N_CHANNELS, PATCH, PATCH) of the first
    ``params.N_VERIFY`` regions (best hand-made score first; ``regions`` from ``find_regions``
    with their ``label`` in ``maps["labels"]``)."""
    regions = regions[: params.N_VERIFY]
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


def verify(maps: dict, regions: list, span, details: dict, params: Params) -> list:
    """``regions`` re-scored by the verifier, best first: score = DEFAULT_THRESHOLD x
    exp(logit - VERIFY_LOGIT) (see the module's docstring)."""
    scal, patches = candidate_inputs(maps, regions, span, details, params)
    lg = logits(scal, patches)
    out = [
        (
            float(DEFAULT_THRESHOLD * np.exp(np.clip(v - params.VERIFY_LOGIT, -30, 30))),
            *r[1:5],
            {**r[5], "p_logit": float(v)},
        )
        for v, r in zip(lg, regions, strict=False)
    ]
    out.sort(key=lambda r: -r[0])
    return out
