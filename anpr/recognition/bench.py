"""Accuracy and speed of an engine over a labelled folder (labels.csv: file,plate,kind).

Crops (kind ``crop``) are read directly; vehicle photos go through localisation first. ``kept``
is the share of (Iranian) images given Iranian text, the rest being refused as not Iranian.
``--foreign N`` also renders N Latin-lettered plates (``anpr.training.render``) and reports the
share refused, the N crops once camera-like and once mild, and N/4 pasted into scenes.
Runs without Django: ``python -m anpr.recognition.bench DIR [--engine NAME] [--foreign N]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time

import cv2
import numpy as np

from anpr.recognition.engines import PlateCRNNEngine, get_engine
from anpr.recognition.localise import iou


def edit_distance(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def _summary(rows: list[dict]) -> dict:
    if not rows:
        return {"n": 0, "exact": 0.0, "char": 0.0, "median_ms": 0.0, "p95_ms": 0.0}
    ms = np.array([r["ms"] for r in rows])
    return {
        "n": len(rows),
        "kept": round(float(np.mean([not r["refused"] for r in rows])), 4),
        "exact": round(float(np.mean([r["exact"] for r in rows])), 4),
        "char": round(float(np.mean([r["char"] for r in rows])), 4),
        "median_ms": round(float(np.median(ms)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
    }


def run_bench(
    data_dir: str,
    engine: str | None = None,
    files: set[str] | None = None,
    details: list | None = None,
    weights: str | None = None,
) -> dict:
    """Benchmark dict (see module doc). ``files`` restricts to those labels.csv entries;
    ``weights`` runs plate_crnn with another ONNX file (e.g. a held-out model)."""
    eng = PlateCRNNEngine(weights) if weights else get_engine(engine)
    if not eng.available:
        return {"engine": eng.name, "error": eng.unavailable_reason, "n": 0}
    boxes = {}
    bp = os.path.join(data_dir, "vehicle_plate_boxes.csv")
    if os.path.exists(bp):
        for r in csv.DictReader(open(bp, encoding="utf-8")):
            boxes[r["file"]] = tuple(int(float(r[k])) for k in "xywh")
    labels = list(csv.DictReader(open(os.path.join(data_dir, "labels.csv"), encoding="utf-8")))
    if files is not None:
        labels = [r for r in labels if r["file"] in files]
    # Warm-up (model already loaded once by get_engine; first run allocates).
    eng.read_crop(np.full((128, 640, 3), 200, np.uint8))
    rows = []
    for r in labels:
        img = cv2.imread(os.path.join(data_dir, r["file"]))
        if img is None:
            continue
        kind = r.get("kind") or "crop"
        t = time.perf_counter()
        reading = eng.read_image(img) if kind == "vehicle" else eng.read_crop(img)
        ms = (time.perf_counter() - t) * 1000
        truth = r["plate"]
        row = {
            "file": r["file"],
            "kind": kind,
            "truth": truth,
            "read": reading.plate,
            "raw": reading.raw_text,
            "conf": round(reading.confidence, 3),
            "refused": bool(reading.not_iranian),
            "ms": ms,
            "exact": reading.plate == truth,
            "char": max(0.0, 1 - edit_distance(reading.plate, truth) / 8),
        }
        if kind == "vehicle" and r["file"] in boxes:
            row["iou"] = iou(reading.box, boxes[r["file"]]) if reading.box else 0.0
        rows.append(row)
    if details is not None:
        details.extend(rows)
    out = {"engine": eng.name, **_summary(rows)}
    by_kind = {}
    for kind in ("crop", "vehicle"):
        sub = [r for r in rows if r["kind"] == kind]
        if sub:
            s = _summary(sub)
            by_kind[kind] = {k: s[k] for k in ("n", "kept", "exact", "char", "median_ms")}
            ious = [float(r["iou"]) for r in sub if "iou" in r]
            if ious:
                by_kind[kind]["loc_iou_median"] = round(float(np.median(ious)), 3)
                by_kind[kind]["loc_iou_ge_0_5"] = round(float(np.mean(np.array(ious) >= 0.5)), 3)
    out["by_kind"] = by_kind
    return out


def run_foreign(n: int, engine: str | None = None, seed: int = 1404) -> dict:
    """Share of rendered Latin-lettered plates the engine refuses (gives no Iranian text)."""
    import random

    from anpr.training.render import augment_crop, random_foreign_plate, render_foreign_plate, render_scene

    eng = get_engine(engine)
    if not eng.available:
        return {"engine": eng.name, "error": eng.unavailable_reason, "n": 0}
    rng = random.Random(seed)
    out: dict = {"engine": eng.name}
    for name, mild in (("camera_crops", False), ("mild_crops", True)):
        refused = 0
        for _ in range(n):
            plate = render_foreign_plate(random_foreign_plate(rng), rng, None if rng.random() < 0.3 else "")
            refused += eng.read_crop(augment_crop(plate, rng, mild=mild)).plate == ""
        out[name] = {"n": n, "refused": round(refused / n, 4)}
    refused, scenes = 0, max(1, n // 4)
    for _ in range(scenes):
        plate = render_foreign_plate(random_foreign_plate(rng), rng, None if rng.random() < 0.3 else "")
        refused += eng.read_image(render_scene("", [], rng, plate=plate)[0]).plate == ""
    out["scenes"] = {"n": scenes, "refused": round(refused / scenes, 4)}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data")
    ap.add_argument("--engine", default=None)
    ap.add_argument("--files", help="JSON file with a 'files' list to restrict to (e.g. a held-out split)")
    ap.add_argument("--weights", help="plate_crnn ONNX file to use instead of the shipped one")
    ap.add_argument("--errors", action="store_true", help="also print misread images (to stderr)")
    ap.add_argument("--foreign", type=int, default=0, help="also measure refusal on N rendered Latin plates")
    a = ap.parse_args(argv)
    files = set(json.load(open(a.files, encoding="utf-8"))["files"]) if a.files else None
    details: list = []
    print(json.dumps(run_bench(a.data, a.engine, files, details, a.weights), ensure_ascii=False))
    if a.foreign:
        print(json.dumps({"foreign": run_foreign(a.foreign, a.engine)}, ensure_ascii=False))
    if a.errors:
        import sys

        for r in details:
            if not r["exact"]:
                print(
                    json.dumps(
                        {k: (round(v, 1) if isinstance(v, float) else v) for k, v in r.items()}, ensure_ascii=False
                    ),
                    file=sys.stderr,
                )


if __name__ == "__main__":
    main()
