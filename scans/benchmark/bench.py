"""Benchmark of the scan comparison on a directory of pairs (format: see scans.benchmark.pairs).

Counting rules:

* detection = tampered pairs judged "suspicious" / all tampered pairs;
* false_alarm = unchanged pairs NOT judged "consistent" / all unchanged pairs, i.e. an
  "unregistered" unchanged pair counts as a false alarm (it needs a person, it is never a pass);
* an "unregistered" tampered pair counts as missed (not detected);
* localisation = detected tampered pairs whose top box intersects the true box / detected (a
  change split into several regions, ``boxes`` in the label: the top box intersects one of them);
* unregistered = share of all pairs that could not be registered;
* median_s = median wall time per pair, loading both images included; median_cpu_s = median
  CPU time of the process per pair (``scans_bench`` runs OpenCV on one thread, so this is the time
  on one core even when other work shares the machine and stretches the wall time);
* by_visibility (pairs whose labels carry ``dest_change``, see ``pairs.dest_visibility``):
  detection over the tampered pairs whose change is in the destination image (mean change in the
  true box at least ``pairs.DEST_VISIBLE_GREY`` grey levels) and over the rest, which no
  comparison of the two images can find. A breakdown only: the headline figures count all pairs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ..comparison import compare_scans, load_scan
from .pairs import DEST_VISIBLE_GREY


def _intersects(a, b) -> bool:
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _iou(a, b) -> float:
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    return inter / float(aw * ah + bw * bh - inter) if inter else 0.0


def evaluate(pairs_dir: str | Path, threshold: float | None = None, limit: int = 0, params=None) -> list[dict]:
    """Run the comparison on every pair; one record per pair (score, verdict, box, time).
    ``params``: the comparison's ``Params`` (default ``Params()``)."""
    pairs_dir = Path(pairs_dir)
    labels = json.loads((pairs_dir / "labels.json").read_text())
    if limit:
        labels = labels[:limit]
    out = []
    for lab in labels:
        i = lab["id"]
        t = time.perf_counter()
        c = time.process_time()
        origin = load_scan(pairs_dir / f"{i:04d}_origin.png")
        dest = load_scan(pairs_dir / f"{i:04d}_dest.jpg")
        res = compare_scans(origin, dest, threshold=threshold, params=params)
        dt = time.perf_counter() - t
        cpu = time.process_time() - c
        out.append(
            {
                "id": i,
                "tampered": bool(lab["tampered"]),
                "kind": lab.get("kind"),
                "box": lab.get("box"),
                "boxes": lab.get("boxes"),
                "score": res.score,
                "verdict": res.verdict,
                "registered": res.registered,
                "top": list(res.boxes[0]) if res.boxes else None,
                # per region (the first 20, best first): x, y, w, h, score and, with the dense fusion, the
                # hand-made score and the dense logit (None where the model was not run), so that a false
                # alarm can be attributed to either
                "regions": [
                    [*box, *fused]
                    for box, fused in zip(res.boxes, res.details.get("fused_regions") or [[]] * len(res.boxes))
                ],
                "dense_skipped": res.details.get("dense_skipped", False) if "fused_regions" in res.details else None,
                "seconds": dt,
                "cpu_seconds": cpu,
                "width": int(origin.shape[1]),
                "mirrored": res.details.get("mirrored"),
                "reason": res.details.get("reason"),
                "saturated_share": res.details.get("saturated_share"),
                "dest_change": lab.get("dest_change"),
                "dest_change_ratio": lab.get("dest_change_ratio"),
            }
        )
    return out


def _hits(r: dict) -> bool:
    """The top box intersects the true box (or one of the true boxes of a split change)."""
    return bool(r["top"]) and any(_intersects(r["top"], b) for b in (r.get("boxes") or [r["box"]]))


def summarise(records: list[dict], threshold: float | None = None) -> dict:
    """Figures from ``evaluate`` records; ``threshold`` re-judges registered pairs by score."""

    def suspicious(r):
        if not r["registered"]:
            return None
        return r["score"] > threshold if threshold is not None else r["verdict"] == "suspicious"

    tam = [r for r in records if r["tampered"]]
    clean = [r for r in records if not r["tampered"]]
    det = [r for r in tam if suspicious(r)]
    fa = [r for r in clean if suspicious(r) is not False]  # unregistered counts as an alarm
    loc = [r for r in det if _hits(r)]
    by_kind = {}
    for kind in sorted({r["kind"] for r in tam}):
        rs = [r for r in tam if r["kind"] == kind]
        d = [r for r in rs if suspicious(r)]
        lk = [r for r in d if _hits(r)]
        by_kind[kind] = {
            "n": len(rs),
            "detection": round(len(d) / len(rs), 4),
            "localisation": round(len(lk) / len(d), 4) if d else 0.0,
        }
    by_visibility: dict[str, object] = {}
    if any(r.get("dest_change") is not None for r in tam):
        by_visibility["threshold_grey"] = DEST_VISIBLE_GREY
        for name, rs in (
            ("visible", [r for r in tam if (r.get("dest_change") or 0.0) >= DEST_VISIBLE_GREY]),
            ("invisible", [r for r in tam if (r.get("dest_change") or 0.0) < DEST_VISIBLE_GREY]),
        ):
            d = [r for r in rs if suspicious(r)]
            by_visibility[name] = {
                "n": len(rs),
                "detection": round(len(d) / len(rs), 4) if rs else 0.0,
                "missed_by_kind": {
                    k: sum(r["kind"] == k for r in rs if r not in d) for k in sorted({r["kind"] for r in rs})
                },
            }
    secs = [r["seconds"] for r in records]
    cpus = [r["cpu_seconds"] for r in records if "cpu_seconds" in r]
    return {
        "n": len(records),
        "detection": round(len(det) / len(tam), 4) if tam else 0.0,
        "false_alarm": round(len(fa) / len(clean), 4) if clean else 0.0,
        "localisation": round(len(loc) / len(det), 4) if det else 0.0,
        "unregistered": round(sum(not r["registered"] for r in records) / len(records), 4) if records else 0.0,
        "median_s": round(float(np.median(secs)), 3) if secs else 0.0,
        "median_cpu_s": round(float(np.median(cpus)), 3) if cpus else 0.0,
        "by_kind": by_kind,
        **({"by_visibility": by_visibility} if by_visibility else {}),
    }


def run_bench(pairs_dir: str | Path, threshold: float | None = None, limit: int = 0) -> dict:
    """Evaluate the pairs in ``pairs_dir`` and return the summary figures."""
    return summarise(evaluate(pairs_dir, threshold=threshold, limit=limit))
