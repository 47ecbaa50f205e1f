"""A veto of the hand-made regions that sees each region's own features (``Params.REGION_VETO``; twenty-second
pass, off: see docs/benchmarks.md "Twenty-second pass").

The fusion "and" of the twentieth pass lets a hand-made region through only where the dense map's logit over its
box agrees; held out, the clean pairs it let through sat in the band of the hand-made score just above
``FUSE_HAND`` with a map that believed them. Here the partner is a small logistic regression on what the
comparison already knows of the region: its hand-made score, size and shape, where it lies against the vehicle's
and the frame's ends, how much of it is saturated, its level and how much of it is valid, and, when its last
weight is given, the dense map's logit over it (``dense.box_logit``). A region is suspicious only when its
hand-made score exceeds ``FUSE_HAND`` **and** the regression's logit exceeds ``VETO_LOGIT``; its score is mapped
as ``dense.fused_score`` maps the fusion's, so the verdict threshold keeps its meaning.

``VETO_WEIGHTS``: the bias, then one weight per ``FEATURES`` (raw units, fitted by ``bench/scans_dense.py
veto``), then optionally one for the dense logit (the model then runs, with ``DENSE_SIGMA`` / ``DENSE_INPUTS``).
The features are computed from the change maps' arrays only, so that the bench computes them from its cache
exactly as the app does.
"""

from __future__ import annotations

import numpy as np

from .params import DEFAULT_THRESHOLD, Params

FEATURES = ("log_hand", "log_area", "log_aspect", "span_end", "frame_end", "saturated", "level", "valid")
END_CAP = 0.25  # distances to the ends are capped at this share of the width


def region_features(
    hand: float,
    box,
    origin: np.ndarray,
    saturated: np.ndarray,
    valid: np.ndarray,
    content: np.ndarray,
    span,
) -> list[float]:
    """``FEATURES`` of one hand-made region: ``hand`` its score, ``box`` (x, y, w, h) in working px; ``origin``
    the registered origin's attenuation, ``saturated`` / ``valid`` the change maps' masks, ``content`` the
    vehicle's content (``registration.vehicle_content``), ``span`` the container span (working px) or None
    (the vehicle's columns then). Distances are shares of the width, capped at ``END_CAP``."""
    h, w = origin.shape
    x, y, bw, bh = (int(v) for v in box)
    bw, bh = max(1, bw), max(1, bh)
    sl = (slice(max(0, y), y + bh), slice(max(0, x), x + bw))
    if span is None:
        cols = np.flatnonzero(content.any(axis=0))
        span = (int(cols[0]), int(cols[-1])) if cols.size else (0, w - 1)
    x0, x1 = x, x + bw - 1
    span_end = min(max(x0 - e, e - x1, 0) for e in span) / w  # 0 when the box reaches over an end
    frame_end = min(x0, w - 1 - x1) / w
    part_sat = saturated[sl]
    part_valid = valid[sl]
    return [
        float(np.log(max(hand, 1e-12))),
        float(np.log(bw * bh / (h * w))),
        float(np.log(bh / bw)),
        float(min(span_end, END_CAP)),
        float(min(max(frame_end, 0.0), END_CAP)),
        float(part_sat.mean()) if part_sat.size else 0.0,
        float(origin[sl].mean()) if part_sat.size else 0.0,
        float(part_valid.mean()) if part_valid.size else 0.0,
    ]


def veto_logit(features: list[float], weights) -> float:
    """The regression's logit: bias + weights . features (``features`` with the dense logit last when the
    weights have one more)."""
    wts = np.asarray(weights, np.float64)
    return float(wts[0] + np.dot(wts[1 : 1 + len(features)], features))


def uses_dense(params: Params) -> bool:
    """Whether ``VETO_WEIGHTS`` has a weight for the dense logit (the model must run)."""
    n = len(params.VETO_WEIGHTS)
    if n not in (len(FEATURES) + 1, len(FEATURES) + 2):
        raise ValueError(
            f"VETO_WEIGHTS has {n} values: the bias and one per feature ({len(FEATURES)}), optionally one more "
            "for the dense logit"
        )
    return n == len(FEATURES) + 2


def vetoed_score(hand: float, logit: float, params: Params) -> float:
    """A region's score on the threshold's scale: above ``DEFAULT_THRESHOLD`` exactly when ``hand > FUSE_HAND``
    and ``logit > VETO_LOGIT``."""
    z = min(float(np.log(max(hand, 1e-12) / params.FUSE_HAND)), logit - params.VETO_LOGIT)
    return float(DEFAULT_THRESHOLD * np.exp(np.clip(z, -30, 30)))


def veto_regions(
    maps: dict, span, regions: list, details: dict, params: Params, threshold: float = DEFAULT_THRESHOLD
) -> list:
    """The hand-made regions re-scored by the veto (``vetoed_score``), best first, each keeping its box; its
    features get ``hand_score`` and ``veto_logit``; ``details["fused_regions"]`` has [hand-made score, veto
    logit] of the first 20. With a dense weight the model runs only when a region's hand-made score exceeds
    ``FUSE_HAND`` (scaled with the threshold, as ``dense.needs_model``); otherwise the regions score as
    ``vetoed_score(hand, +inf)``."""
    from .registration import vehicle_content

    with_dense = uses_dense(params)
    sm = None
    cut = params.FUSE_HAND * min(1.0, threshold / DEFAULT_THRESHOLD)
    if with_dense and any(r[0] > cut for r in regions):
        from .dense import change_probability, dense_inputs, pair_statistic, vehicle_zone

        prob = change_probability(dense_inputs(maps, params.DENSE_INPUTS))
        best, sm = pair_statistic(prob, vehicle_zone(maps, span), params.DENSE_SIGMA)
        details["dense_p"] = round(best, 6)
    elif with_dense:
        details["dense_skipped"] = True
    content = vehicle_content(maps["origin"])
    out = []
    for score, x, y, bw, bh, feats in regions:
        lg: float = np.inf
        if not with_dense or sm is not None:
            f = region_features(score, (x, y, bw, bh), maps["origin"], maps["saturated"], maps["valid"], content, span)
            if sm is not None:
                from .dense import box_logit

                f.append(box_logit(sm, (x, y, bw, bh)))
            lg = veto_logit(f, params.VETO_WEIGHTS)
        extra = {"hand_score": score, "veto_logit": None if np.isinf(lg) else lg}
        out.append((vetoed_score(score, lg, params), x, y, bw, bh, {**feats, **extra}))
    out.sort(key=lambda r: -r[0])
    details["fused_regions"] = [
        [float(f"{r[5]['hand_score']:.6g}"), None if r[5]["veto_logit"] is None else round(r[5]["veto_logit"], 4)]
        for r in out[:20]
    ]
    return out
