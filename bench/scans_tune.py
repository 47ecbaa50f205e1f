"""Tune-split figures of the scan comparison from cached registrations (for threshold choice).

    python manage.py scans_make_pairs --data /work/shared/data/scans/dev --out /tmp/tune_s21 --n 400 --seed 21 --split tune
    python bench/scans_tune.py --cache /tmp/tune_cache /tmp/tune_s21 /tmp/tune_s22

The SIFT/affine stage (``registration.register_affine``, about a third of a pair's time) is
cached per pair in ``--cache``; every later stage (speed warp, vehicle ends, change maps,
regions) runs from it with the code as it is, so a change to those stages is re-scored on 800
pairs in a few minutes on two processes. Prints detection / false alarm per threshold, the
threshold that keeps false alarm at or under 2 %, the highest clean scores and the missed pairs.
``--set NAME=VALUE`` scores with a field of ``scans.comparison.Params`` changed (``LP_SIGMA=0``,
``END_SHIFT=0``, ``CAB_MAX_SHARE=1`` turn this session's three steps off); the cached stage
(working copies, affine, ``MIN_INLIERS``) always runs with the defaults.
Never point it at held-out pairs: they are run once, by ``scans_bench``, with a frozen threshold.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scans.benchmark.bench import summarise
from scans.comparison import Params, get_threshold, load_scan
from scans.comparison.core import find_changes
from scans.comparison.io import as_float
from scans.comparison.registration import refine_warp, register_affine, working_copy

THRESHOLDS = (0.0003, 0.0004, 0.0005, 0.0006, 0.0007, 0.001)


def _affine(job: tuple[Path, dict, Path]) -> Path:
    pairs, lab, out = job
    if not out.exists():
        params = Params()  # the cache does not depend on --set
        origin = as_float(load_scan(pairs / f"{lab['id']:04d}_origin.png"))
        o, s_o = working_copy(origin, params)
        d, s_d = working_copy(as_float(load_scan(pairs / f"{lab['id']:04d}_dest.jpg")), params)
        details = {"work_scale": s_o, "work_scale_dest": s_d}
        aff = register_affine(o, d, details, {}, params)
        out.write_bytes(
            pickle.dumps({"lab": lab, "s_o": s_o, "width": origin.shape[1], "details": details, "aff": aff})
        )
    return out


def _score(job: tuple[Path, Params]) -> dict:
    path, params = job
    z = pickle.loads(path.read_bytes())
    lab = z["lab"]
    rec = {
        "source": lab.get("source"),
        "pair": f"{path.parent.name}:{lab['id']}",
        "tampered": lab["tampered"],
        "kind": lab.get("kind"),
        "box": lab.get("box"),
        "boxes": lab.get("boxes"),
        "dest_change": lab.get("dest_change"),
        "dest_change_ratio": lab.get("dest_change_ratio"),
        "seconds": 0.0,
        "width": z["width"],
        "registered": False,
        "score": float("nan"),
        "top": None,
    }
    details = dict(z["details"])
    reg = None if z["aff"] is None else refine_warp(*z["aff"], details, {}, params)
    found = None if reg is None else find_changes(*reg, z["s_o"], details, {}, params)
    if found is not None:
        regions = found[0]
        top = [round(v / z["s_o"]) for v in regions[0][1:5]] if regions else None
        rec.update(registered=True, score=float(regions[0][0]) if regions else 0.0, top=top)
        rec["saturated_share"] = details.get("saturated_share")
    return rec


PARAM_NAMES = tuple(f.name for f in dataclasses.fields(Params))


def _override(text: str) -> tuple[str, float | int | bool]:
    """``NAME=VALUE`` -> (name, value of the field's type); NAME a field of ``Params``."""
    name, _, value = text.partition("=")
    if name not in PARAM_NAMES or not value:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected NAME=VALUE with NAME one of scans.comparison.Params: {', '.join(PARAM_NAMES)}"
        )
    kind = type(getattr(Params(), name))
    try:
        if kind is bool and value.lower() in ("true", "false"):
            return name, value.lower() == "true"
        number = float(value)
        if kind is int and not number.is_integer():
            raise ValueError
        return name, kind(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: {name} takes a {kind.__name__}") from None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", help="directories written by scans_make_pairs --split tune")
    ap.add_argument("--cache", required=True, help="where the affine stage is cached (one file per pair)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument(
        "--set",
        type=_override,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="score with a field of scans.comparison.Params changed, e.g. LP_SIGMA=0 (a step off)",
    )
    ap.add_argument("--records", default=None, help="also write the per-pair records (JSON) here")
    ap.add_argument("--target-fa", type=float, default=0.02, help="false-alarm share the best threshold keeps to")
    args = ap.parse_args()
    overrides = dict(args.set)
    params = dataclasses.replace(Params(), **overrides)
    jobs = []
    for d in map(Path, args.pairs):
        out = Path(args.cache) / d.name
        out.mkdir(parents=True, exist_ok=True)
        jobs += [(d, lab, out / f"{lab['id']:04d}.pkl") for lab in json.loads((d / "labels.json").read_text())]
    with Pool(args.processes) as pool:
        files = pool.map(_affine, jobs, chunksize=4)
        recs = pool.map(_score, [(f, params) for f in files], chunksize=8)
    clean = sorted((r["score"] if r["registered"] else np.inf for r in recs if not r["tampered"]), reverse=True)
    allowed = int(args.target_fa * len(clean))
    best = clean[allowed] if allowed < len(clean) else 0.0
    table = {}
    for thr in (*THRESHOLDS, best):
        s = summarise(recs, threshold=thr)
        table[f"{thr:.6g}"] = {
            "detection": s["detection"],
            "false_alarm": s["false_alarm"],
            "localisation": s["localisation"],
            "by_kind": {k: v["detection"] for k, v in s["by_kind"].items()},
        }
    thr = get_threshold()
    out = {
        "set": overrides,
        "n": len(recs),
        "tampered": sum(r["tampered"] for r in recs),
        "threshold": thr,
        "at_threshold": summarise(recs, threshold=thr),
        "by_threshold": table,
        "threshold_at_target_false_alarm": best,
        "at_target": summarise(recs, threshold=best),
        "highest_clean": [
            (round(r["score"], 6), r["pair"])
            for r in sorted((r for r in recs if not r["tampered"] and r["registered"]), key=lambda r: -r["score"])[:10]
        ],
        "missed": [r["pair"] for r in recs if r["tampered"] and not (r["registered"] and r["score"] > thr)],
    }
    if args.records:
        Path(args.records).write_text(json.dumps(recs))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
