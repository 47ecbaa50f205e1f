"""The scan comparison on scans written as 12- and 14-bit detectors write them into 16-bit files.

    python manage.py scans_make_pairs --data /work/shared/data/scans/dev --out /tmp/p4242 --n 90 --seed 4242 --split heldout
    python bench/scans_bitdepth.py /tmp/p4242 [--limit N]

Each pair is compared as generated (8-bit) and again with both images rewritten as 16-bit arrays holding
12- or 14-bit values (``value * (2**bits - 1)``). Prints one JSON line: detection and false alarm at the
shipped threshold per depth, and how far the deeper scores lie from the 8-bit ones.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    import cv2

    cv2.setNumThreads(1)
    from scans.comparison import ALGORITHM_VERSION, compare_scans, get_threshold

    pairs = Path(args.pairs)
    labels = json.loads((pairs / "labels.json").read_text())[: args.limit or None]
    depths = {"8": None, "12in16": 12, "14in16": 14}
    scores: dict[str, list[float]] = {k: [] for k in depths}
    verdicts: dict[str, list[str]] = {k: [] for k in depths}
    for lab in labels:
        o = cv2.imread(str(pairs / f"{lab['id']:04d}_origin.png"), cv2.IMREAD_GRAYSCALE)
        d = cv2.imread(str(pairs / f"{lab['id']:04d}_dest.jpg"), cv2.IMREAD_GRAYSCALE)
        for name, bits in depths.items():
            if bits:
                o2, d2 = ((a.astype(np.uint32) * (2**bits - 1) // 255).astype(np.uint16) for a in (o, d))
            else:
                o2, d2 = o, d
            r = compare_scans(o2, d2)
            scores[name].append(r.score if r.score == r.score else float("nan"))
            verdicts[name].append(r.verdict)
    tampered = np.array([bool(lab["tampered"]) for lab in labels])
    out = {"pairs": str(pairs), "n": len(labels), "algorithm": ALGORITHM_VERSION, "threshold": get_threshold(None)}
    for name in depths:
        sus = np.array([v == "suspicious" for v in verdicts[name]])
        ok = np.array([v == "consistent" for v in verdicts[name]])
        out[name] = {
            "detection": round(float(sus[tampered].mean()), 4) if tampered.any() else None,
            "false_alarm": round(float((~ok)[~tampered].mean()), 4) if (~tampered).any() else None,
        }
        if name != "8":
            diff = np.abs(np.array(scores[name]) - np.array(scores["8"]))
            out[name]["max_abs_score_diff"] = round(float(np.nanmax(diff)), 5)
            out[name]["same_verdict"] = round(
                float(np.mean([a == b for a, b in zip(verdicts[name], verdicts["8"])])), 4
            )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
