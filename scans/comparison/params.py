"""The comparison's tuned parameters (one frozen object) and its verdict threshold.

``compare_scans`` takes a ``Params`` (default: ``Params()``) and passes it down to every stage,
so an experiment changes a value for one call without touching the module:
``dataclasses.replace(Params(), LP_SIGMA=0.0)`` (``bench/scans_tune.py --set LP_SIGMA=0``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# Frozen after tuning on synthetic pairs from the dev scans (see docs/scans-comparison.md).
DEFAULT_THRESHOLD = 0.0006

# The comparison code's version, recorded on every comparison with its ``Params`` so that a verdict
# can be recomputed later from the stored images (``manage.py scans_reproduce``). Bump it with
# every change that can move a score (a stage's code, a constant outside ``Params``).
ALGORITHM_VERSION = "2026.12.07"


@dataclass(frozen=True)
class Params:
    """Values frozen after tuning on the tune split (docs/scans-comparison.md)."""

    WORK_AREA: int = 320_000  # pixels of the working copy of the origin
    MIN_INLIERS: int = 12
    MIN_ALIGN_NCC: float = 0.3
    ZSEED: float = 2.5  # change (in noise units, smoothed) that starts a region
    ZLOW: float = 1.6  # ... and that a region grows over
    MIN_CHANGE: float = 0.04  # attenuation change below this never seeds a region (4 % transmission)
    LP_SIGMA: float = 6.0  # scale (working px) of the coherent-change channel; 0 = off
    LP_ZSEED: float = 4.0
    LP_MIN_CHANGE: float = 0.2
    MIN_SIGMA: float = 0.02  # floor of the noise estimate (attenuation units)
    SAT_LEVEL: float = 5.0 / 255.0  # display values darker than this are treated as saturated
    TOL_RADIUS: int = 3  # neighbourhood radius of the tolerant difference (working pixels)
    SHIFT_X: float = 0.008  # local re-registration search of a candidate region: share of the width ...
    SHIFT_Y: int = 2  # ... and rows
    END_SHIFT: float = 0.03  # search range at the vehicle's two ends (share of the width); 0 = off
    END_RAMP: float = 3.0  # ... and how many end windows the found shift ramps in over
    # where the vehicle runs into the origin frame's border (cut by the frame), a second end window this many
    # windows inside, searched over END_CUT_RANGE of the width; 0 = off (docs/benchmarks.md, sixteenth pass)
    END_CUT_RANGE: float = 0.0
    END_CUT_INSET: float = 3.0
    # ... and, where the border window does match, the inner window decides when it matches better by this; 0 = off
    END_CUT_MARGIN: float = 0.0
    # where the speed warp's upper and lower halves disagree by more than this (working px), a half that locked
    # onto the wrong column is replaced by the other (registration._pick_halves); 0 = off (docs/benchmarks.md,
    # "Fourteenth pass on the hard pairs": 3 passed on the shipped threshold but not the FA <= 0.01 step)
    SHEAR_PICK: float = 0.0
    # smoothing before the change maps in the transmission domain with this sigma (working px);
    # 0 = in the attenuation domain, sigma 1.2 (the shipped method; 1.2 was tried, see the docs)
    T_BLUR: float = 0.0
    N_SHIFT_CHECK: int = 6  # best regions re-checked with a local shift
    CAB_MAX_SHARE: float = 0.3  # longest stretch at one end of the vehicle that can be the tractor
    # Walls: a tall thin region (height >= WALL_ASPECT x width) within WALL_BAND of the width from
    # an end of the vehicle or of the container span (end walls, the cab/trailer junction) is
    # re-checked with a wider x shift (WALL_SHIFT_X of the width); 0 = off
    WALL_SHIFT_X: float = 0.03
    WALL_BAND: float = 0.05
    WALL_ASPECT: float = 2.0
    # any region at a wall or within WALL_BAND of the destination frame's end keeps only the change
    # a local shear / stretch of the destination leaves (seventh pass; off, see docs/benchmarks.md)
    WALL_AFFINE: bool = False
    # Near-black channel (eighth pass, docs/benchmarks.md "Eighth pass"; DARK_CHANNEL switches it on,
    # the other values are the eighth pass's candidate). Where the origin predicts a destination
    # darker than DARK_GREY grey levels over DARK_MARGIN working px (the pixels the attenuation domain
    # clips at the common ceiling), away from the frame's end and from the origin's own last
    # DARK_ORIGIN_FLOOR grey levels, the destination is compared in its own grey levels: the grey the
    # origin's level predicts (binned median) is subtracted (DARK_TOLERANT: only the part outside the
    # grey range the origin's 7x7 neighbourhood predicts), and the local mean of that residual (sigma
    # LP_SIGMA), in units of its own spread per grey level (at least DARK_MIN_SIGMA), seeds regions
    # above DARK_ZSEED and DARK_MIN_GREY grey levels and grows them above DARK_ZLOW. A region adds
    # DARK_UNIT x its noise units above DARK_ZLOW to its area x change: per pixel, or (DARK_SIGNED)
    # its mean signed units over its near-black pixels, so that misalignment's dipoles cancel. The
    # local shift check does not apply to that part.
    DARK_CHANNEL: bool = False
    DARK_GREY: float = 12.0
    DARK_MARGIN: int = 12
    DARK_ORIGIN_FLOOR: float = 2.0
    DARK_TOLERANT: bool = False
    DARK_MIN_SIGMA: float = 0.25
    DARK_ZSEED: float = 5.0
    DARK_MIN_GREY: float = 1.0
    DARK_ZLOW: float = 2.0
    DARK_UNIT: float = 0.03
    DARK_SIGNED: bool = True
    # Learned region score (off: not validated yet, see docs/scans-comparison.md "Learned score").
    # When on, the 10 largest regions are re-checked and only they are scored, as in its fit.
    USE_LEARNED: bool = False
    N_SHIFT_CHECK_LEARNED: int = 10
    # Learned verifier of candidate regions (scans/comparison/verifier.py; off: not better on the
    # held-out hard pairs, docs/benchmarks.md "Fourth pass" and "Fifth pass"): the N_VERIFY best regions are
    # re-scored by a small model; a pair is suspicious when a region's logit exceeds VERIFY_LOGIT
    # (the score is mapped so that the verdict threshold keeps its meaning)
    USE_VERIFIER: bool = False
    N_VERIFY: int = 10
    VERIFY_LOGIT: float = 5.62
    # second, lower-seeded candidate pass for the verifier (fifth pass): grown regions the ordinary
    # seeds miss but that reach ZSEED2 (or the coherent channel LP_ZSEED2) are candidates too, the
    # N_VERIFY2 best of them scored by the verifier besides the N_VERIFY best ordinary ones; 0 = off
    N_VERIFY2: int = 0
    ZSEED2: float = 2.0
    LP_ZSEED2: float = 3.0
    # with the verifier on, a region whose hand-made score exceeds this is suspicious too; 0 = off
    VERIFY_OR_SCORE: float = 0.0
    # the verifier as a second opinion over the hand-made score (sixth pass; off, see
    # docs/benchmarks.md "Sixth pass"): the hand-made verdict stands unless the model is confident.
    # A region the hand-made score calls changed is cleared when its logit is below
    # VERIFY_VETO_LOGIT (with VERIFY_VETO_WALLS only at a wall or the destination frame's end,
    # where the clean alarms are); a region it misses is suspicious when its logit exceeds
    # VERIFY_ADD_LOGIT. Needs USE_VERIFIER.
    VERIFY_SECOND_OPINION: bool = False
    VERIFY_VETO_LOGIT: float = -1.75
    VERIFY_VETO_WALLS: bool = False
    VERIFY_ADD_LOGIT: float = 3.0
    # ... and the hand-made score of the candidates times the share of their change that the local
    # shear / stretch re-check (verifier._affine_ratio) leaves
    VERIFY_AFFINE_SCORE: bool = False
    # Learned dense change map (eighteenth pass, scans/comparison/dense.py; off, see docs/benchmarks.md
    # "Eighteenth pass"): a small net gives a change probability per pixel; the pair's score is its highest
    # value inside the vehicle after a Gaussian of DENSE_SIGMA working px, suspicious when logit(p) > DENSE_LOGIT
    USE_DENSE: bool = False
    DENSE_LOGIT: float = 3.5643
    DENSE_SIGMA: float = 2.0
    # what the net sees (dense.CHANNELS): "maps", the registered pair and its change maps; "images", the
    # registered pair and its saturated / valid masks only (nineteenth pass). Must match dense.onnx.
    DENSE_INPUTS: str = "maps"
    # Fusion of the dense map with the hand-made score (twentieth pass, dense.fuse_regions; off, see
    # docs/benchmarks.md "Twentieth pass"). With USE_DENSE: "off", the dense map alone decides; "and", a
    # hand-made region is suspicious only when its score exceeds FUSE_HAND and the dense map's highest smoothed
    # logit over its box exceeds DENSE_LOGIT (both agree, at the same place); "mean", when the mean of
    # log(score / FUSE_HAND) and (logit - DENSE_LOGIT) is above 0. The boxes are the hand-made regions'.
    DENSE_FUSION: str = "off"
    FUSE_HAND: float = 0.0006
    # A veto that sees each hand-made region's own features (twenty-second pass, veto.py): a region is
    # suspicious only when its hand-made score exceeds FUSE_HAND and a logistic regression on its features
    # (VETO_WEIGHTS: bias, one weight per veto.FEATURES, optionally one for the dense map's logit over it)
    # exceeds VETO_LOGIT. Takes the place of the dense fusion. Shipped in the twenty-fourth pass
    # (docs/benchmarks.md "Twenty-fourth pass") as a pure veto at the shipped threshold (FUSE_HAND 0.0006: it
    # can only remove alarms), weights of the twenty-third pass (592 fit regions), VETO_LOGIT the lowest veto
    # logit at the change of the tampered validation pairs detected there.
    REGION_VETO: bool = True
    VETO_LOGIT: float = -0.5491
    VETO_WEIGHTS: tuple[float, ...] = (
        -7.745874,
        1.37465,
        -0.140819,
        -0.204824,
        -3.988027,
        10.549104,
        0.885399,
        -0.366993,
        16.691792,
    )


def get_threshold(threshold: float | None = None) -> float:
    """Explicit threshold, else ``settings.SCANS_COMPARISON_THRESHOLD``, else the default."""
    if threshold is not None:
        return float(threshold)
    try:
        from django.conf import settings

        value = settings.SCANS_COMPARISON_THRESHOLD
    except Exception:  # Django missing or not configured (the benchmarks run without it)
        value = None
    return float(value) if value is not None else DEFAULT_THRESHOLD


def params_to_dict(params: Params) -> dict:
    """``Params`` as plain JSON (stored on each comparison)."""
    return dataclasses.asdict(params)


def params_from_dict(values: dict) -> tuple[Params, list[str], list[str]]:
    """``Params`` from stored values: (params, names stored but unknown to this code, names this
    code has that were not stored: they take today's default)."""
    names = {f.name: f for f in dataclasses.fields(Params)}
    unknown = sorted(set(values) - set(names))
    missing = sorted(set(names) - set(values))
    kept = {k: type(getattr(Params(), k))(v) for k, v in values.items() if k in names}
    if "VETO_WEIGHTS" in kept:
        kept["VETO_WEIGHTS"] = tuple(float(v) for v in kept["VETO_WEIGHTS"])
    return Params(**kept), unknown, missing
