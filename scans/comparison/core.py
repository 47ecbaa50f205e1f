"""Origin/destination X-ray scan comparison (numpy + OpenCV only).

Steps (all on a working copy of about ``Params.WORK_AREA`` pixels):

1. attenuation domain ``a = -log(I)``: gain/dose and a power display curve become a gain;
2. registration (``registration``): SIFT matches + RANSAC affine (separate x/y scale: pitch and
   speed), tried on the destination as is and mirrored; then per-column-strip shift correction
   for the non-linear vehicle-speed warp;
3. intensity normalisation (``changes``): robust polynomial fit destination -> origin attenuation;
4. stripe removal (row/column detector artefacts) on the residual;
5. tolerant difference: a pixel counts as changed only if it is outside the range of the
   other image's small neighbourhood (both ways), so settling and residual misalignment of
   a few pixels do not count; normalised by the level-dependent noise;
6. regions (``regions``): connected components of the change, scored by area x attenuation
   change as a share of the scan area; the score is the best region's.

The tuned values are one frozen ``Params`` passed down from ``compare_scans`` to every stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from .changes import change_maps
from .io import as_float
from .params import DEFAULT_THRESHOLD, Params, get_threshold
from .regions import container_span, find_regions, saturated_share
from .registration import dest_box, register, working_copy

__all__ = ["DEFAULT_THRESHOLD", "ComparisonResult", "Params", "compare_scans", "find_changes", "get_threshold"]


@dataclass
class ComparisonResult:
    score: float
    verdict: str  # "consistent" | "suspicious" | "unregistered"
    registered: bool
    boxes: list[tuple[int, int, int, int, float]] = field(default_factory=list)
    heatmap: np.ndarray | None = None
    details: dict = field(default_factory=dict)


def find_changes(
    ao: np.ndarray,
    adw: np.ndarray,
    valid: np.ndarray,
    s_o: float,
    details: dict,
    timings: dict,
    params: Params,
    threshold: float = DEFAULT_THRESHOLD,
):
    """From a registered pair to its changed regions: (regions best first, region mask, change
    maps), or None when the aligned images do not agree.  ``s_o``: working scale of the origin
    (for the container span in origin pixels); ``threshold``: the verdict's (the fusion "and" does not run
    the dense model when it cannot change the verdict there)."""
    maps = change_maps(ao, adw, valid, details, timings, params)
    if maps is None:
        return None
    span = container_span(ao, params)
    details["container_span"] = None if span is None else [int(span[0] / s_o), int(span[1] / s_o)]
    regions, mask = find_regions(maps, span, params)
    details["saturated_share"] = saturated_share(ao, maps, span)
    # the best plain area x change (share of the scan x attenuation), before the learned factor
    details["area_change"] = round(max((r[5]["rs"] * r[5]["ratio"] for r in regions), default=0.0), 6)
    if params.USE_VERIFIER:
        from .verifier import verify

        regions = verify(maps, regions, span, details, params)
    if params.REGION_VETO:
        from .veto import veto_regions

        regions = veto_regions(maps, span, regions, details, params, threshold)
    elif params.USE_DENSE:
        from .dense import dense_regions, fuse_regions

        if params.DENSE_FUSION == "off":
            regions = dense_regions(maps, span, details, params)
        else:
            regions = fuse_regions(maps, span, regions, details, params, threshold)
    return regions, mask, maps


def compare_scans(
    origin, dest, *, threshold: float | None = None, debug: bool = False, params: Params | None = None
) -> ComparisonResult:
    """Compare an origin scan with a destination scan of the same vehicle.

    ``origin``/``dest``: arrays (uint8, uint16 or float 0..1; grey or BGR).  Returns a
    ``ComparisonResult``; boxes are (x, y, w, h, region score) in origin pixels, best first;
    ``details["dest_boxes"]`` has, for each box in the same order, its place [x, y, w, h, region score]
    in destination pixels (the destination as stored, not mirrored), or None where it falls outside the
    destination's frame; the heat map is a BGR overlay the size of the origin.  ``params``: the tuned values
    (default ``Params()``), passed down to every stage.
    """
    t0 = time.perf_counter()
    thr = get_threshold(threshold)
    params = Params() if params is None else params
    o_full = as_float(origin)
    d_full = as_float(dest)
    H, W = o_full.shape
    o, s_o = working_copy(o_full, params)
    d, s_d = working_copy(d_full, params)
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

    warp: dict = {}
    reg = register(o, d, details, timings, params, warp_out=warp)
    if reg is None:
        return _unregistered()
    found = find_changes(*reg, s_o, details, timings, params, thr)
    if found is None:
        return _unregistered()
    regions, mask, maps = found
    zs, zthr, inv = maps["z"], params.ZSEED, 1.0 / s_o
    boxes = [
        (int(x * inv), int(y * inv), max(1, round(bw * inv)), max(1, round(bh * inv)), round(rs, 6))
        for rs, x, y, bw, bh, _ in regions[:20]
    ]
    # the same regions where the destination has them (its pane in the viewer); no figure depends on them
    dest_boxes: list[list[float] | None] = []
    for rs, x, y, bw, bh, _ in regions[:20]:
        db = dest_box(
            warp["map"],
            (x, y, bw, bh),
            mirrored=bool(details.get("mirrored")),
            dest_work_shape=d.shape,
            s_d=s_d,
            dest_shape=d_full.shape,
        )
        dest_boxes.append(None if db is None else [*db, round(rs, 6)])
    details["dest_boxes"] = dest_boxes
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
