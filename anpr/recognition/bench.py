"""Accuracy and speed of an engine over a labelled folder (labels.csv: file,plate,kind).

Crops (kind ``crop``) are read directly; vehicle photos go through localisation first. ``kept``
is the share of (Iranian) images given Iranian text, the rest being refused as not Iranian.
``--foreign N`` also renders N foreign plates (``anpr.training.layouts``, every country in turn) and
reports the plate type found, the plates read with their country and the share never given Iranian
text (camera-like and mild crops, N/4 pasted into scenes), and N/4 of each other Iranian layout.
Runs without Django: ``python -m anpr.recognition.bench DIR [--engine NAME] [--foreign N]``.

Labels are read through :func:`read_labels`, which applies ``label_errata.csv``: labels of the dev set that
the image plainly contradicts, each found by eye with its evidence (``--labels-as-given`` reads them as
given). An erratum applies only to the file *and* label it names, so another folder's labels are never
changed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time

import cv2
import numpy as np

from anpr.recognition.engines import Engine, PlateCRNNEngine, get_engine
from anpr.recognition.localise import iou

ERRATA = os.path.join(os.path.dirname(__file__), "label_errata.csv")


def read_labels(data_dir: str, errata: bool = True) -> list[dict]:
    """labels.csv rows (file, plate, kind), with ``labelled`` (the plate as given) on each; with ``errata`` the
    plate of a row that ``label_errata.csv`` names with the same label is the corrected one."""
    fixes = {}
    with open(ERRATA, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            fixes[(r["file"], r["labelled"])] = r["corrected"]
    with open(os.path.join(data_dir, "labels.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["labelled"] = r["plate"]
        if errata:
            r["plate"] = fixes.get((r["file"], r["plate"]), r["plate"])
    return rows


def edit_distance(a: str, b: str) -> int:
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def _char_with_partial(plate: str, partial: str, truth: str) -> float:
    """``char`` of the plate given or, for a read refused with its steady places shown (``Reading.partial``), the
    share of the truth's places shown right ("?" and a place shown wrong both count as missed)."""
    if plate or not partial:
        return max(0.0, 1 - edit_distance(plate, truth) / 8)
    return sum(a == b for a, b in zip(partial, truth)) / max(len(truth), 8)


def _summary(rows: list[dict]) -> dict:
    if not rows:
        return {"n": 0, "exact": 0.0, "char": 0.0, "median_ms": 0.0, "p95_ms": 0.0}
    ms = np.array([r["ms"] for r in rows])
    cpu = np.array([r.get("cpu_ms", 0.0) for r in rows])
    return {
        "n": len(rows),
        "kept": round(float(np.mean([not r["refused"] for r in rows])), 4),
        "exact": round(float(np.mean([r["exact"] for r in rows])), 4),
        "char": round(float(np.mean([r["char"] for r in rows])), 4),
        "char_with_partial": round(float(np.mean([r.get("char_with_partial", r["char"]) for r in rows])), 4),
        "median_ms": round(float(np.median(ms)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        # CPU time of the process: the time on one core, whatever else shares the machine (1 ORT thread).
        "median_cpu_ms": round(float(np.median(cpu)), 1),
        "p95_cpu_ms": round(float(np.percentile(cpu, 95)), 1),
    }


def _engine(engine: str | None, weights: str | None, scorer: str | None = None) -> Engine:
    """The engine benchmarked: plate_crnn with other weights (comma-separated: an ensemble; ``scorer``: another
    model scores the boxes), or by name."""
    if weights:
        first, *extra = weights.split(",")
        return PlateCRNNEngine(first, extra_weights=extra, scorer_weights=scorer)
    return get_engine(engine)


def run_bench(
    data_dir: str,
    engine: str | None = None,
    files: set[str] | None = None,
    details: list | None = None,
    weights: str | None = None,
    scorer: str | None = None,
    errata: bool = True,
) -> dict:
    """Benchmark dict (see module doc). ``files`` restricts to those labels.csv entries;
    ``weights`` runs plate_crnn with another ONNX file (e.g. a held-out model), or with an ensemble:
    comma-separated files, the first one scoring boxes and checking the nationality."""
    eng = _engine(engine, weights, scorer)
    if not eng.available:
        return {"engine": eng.name, "error": eng.unavailable_reason, "n": 0}
    boxes = {}
    bp = os.path.join(data_dir, "vehicle_plate_boxes.csv")
    if os.path.exists(bp):
        for r in csv.DictReader(open(bp, encoding="utf-8")):
            boxes[r["file"]] = tuple(int(float(r[k])) for k in "xywh")
    labels = read_labels(data_dir, errata)
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
        t, c = time.perf_counter(), time.process_time()
        reading = eng.read_image(img) if kind == "vehicle" else eng.read_crop(img)
        ms = (time.perf_counter() - t) * 1000
        cpu_ms = (time.process_time() - c) * 1000
        truth = r["plate"]
        row = {
            "file": r["file"],
            "kind": kind,
            "truth": truth,
            "read": reading.plate,
            "raw": reading.raw_text,
            "conf": round(reading.confidence, 3),
            "refused": bool(reading.review_reason),
            "type": reading.plate_type,
            "ms": ms,
            "cpu_ms": cpu_ms,
            "exact": reading.plate == truth,
            "char": max(0.0, 1 - edit_distance(reading.plate, truth) / 8),
            "partial": reading.partial,
            "char_with_partial": _char_with_partial(reading.plate, reading.partial, truth),
        }
        if truth != r["labelled"]:
            row["labelled"] = r["labelled"]
        if kind == "vehicle" and r["file"] in boxes:
            row["iou"] = iou(reading.box, boxes[r["file"]]) if reading.box else 0.0
        rows.append(row)
    if details is not None:
        details.extend(rows)
    out = {"engine": eng.name, **_summary(rows), "errata": sum("labelled" in r for r in rows)}
    # The steady places shown for refused reads: how many reads, places shown, and places shown wrong.
    shown = [(r["partial"], r["truth"]) for r in rows if r["partial"] and not r["read"]]
    out["partial"] = {
        "reads": len(shown),
        "places": sum(len(p) - p.count("?") for p, _ in shown),
        "wrong": sum(a != "?" and a != b for p, t in shown for a, b in zip(p, t.ljust(len(p)))),
    }
    by_kind = {}
    for kind in ("crop", "vehicle"):
        sub = [r for r in rows if r["kind"] == kind]
        if sub:
            s = _summary(sub)
            by_kind[kind] = {
                k: s[k]
                for k in (
                    "n",
                    "kept",
                    "exact",
                    "char",
                    "char_with_partial",
                    "median_ms",
                    "p95_ms",
                    "median_cpu_ms",
                    "p95_cpu_ms",
                )
            }
            ious = [float(r["iou"]) for r in sub if "iou" in r]
            if ious:
                by_kind[kind]["loc_iou_median"] = round(float(np.median(ious)), 3)
                by_kind[kind]["loc_iou_ge_0_5"] = round(float(np.mean(np.array(ious) >= 0.5)), 3)
    out["by_kind"] = by_kind
    # The plate type each (real, Iranian) image was given: how many the classifier would send elsewhere.
    by_type: dict[str, dict] = {}
    for ptype in sorted({str(r["type"]) for r in rows}):
        st = _summary([r for r in rows if r["type"] == ptype])
        by_type[ptype or "unclassified"] = {k: st[k] for k in ("n", "kept", "exact", "char")}
    out["by_type"] = by_type
    return out


def _rate(rows: list[dict], key: str) -> float:
    return round(float(np.mean([bool(r[key]) for r in rows])), 4) if rows else 0.0


def _camera_crop(plate_rgb: np.ndarray, rng, mild: bool) -> np.ndarray:
    from anpr.training.render import augment_crop

    h, w = plate_rgb.shape[:2]
    return augment_crop(plate_rgb, rng, out_size=(max(64, round(128 * w / h)), 128), mild=mild)


def run_foreign(
    n: int, engine: str | None = None, seed: int = 1404, weights: str | None = None, scorer: str | None = None
) -> dict:
    """Rendered foreign plates (``anpr.training.layouts``, a seed never used in training), each country in
    turn: the plate type found, the plate read with its country, and never Iranian text.

    ``exact``: plate and country right; ``read``: the share given a plate (the rest wait for a person);
    ``precision``: of those given a plate, the share exactly right; ``iranian_text``: the share given
    an Iranian plate (must be 0). ``scenes``: N/4 plates pasted into vehicle-like photos."""
    import random

    from anpr.recognition.foreign import FOREIGN
    from anpr.training.layouts import random_foreign
    from anpr.training.render import render_scene

    eng = _engine(engine, weights, scorer)
    if not eng.available:
        return {"engine": eng.name, "error": eng.unavailable_reason, "n": 0}
    rng = random.Random(seed)

    def row(country, truth, r, ms):
        return {
            "country": country,
            "type_ok": r.plate_type == country,
            "given": bool(r.plate),
            "exact": r.plate == truth and r.country == country,
            "char": max(0.0, 1 - edit_distance(r.plate, truth) / max(len(truth), 1)) if r.country == country else 0.0,
            "iranian_text": bool(r.plate) and r.country == "IR",
            "partial": bool(r.partial),  # Persian places shown to the person for a foreign plate (must stay rare)
            "ms": ms,
        }

    def summary(rows):
        given = [r for r in rows if r["given"]]
        return {
            "n": len(rows),
            "type_ok": _rate(rows, "type_ok"),
            "read": _rate(rows, "given"),
            "exact": _rate(rows, "exact"),
            "char": round(float(np.mean([r["char"] for r in rows])), 4) if rows else 0.0,
            "precision": _rate(given, "exact"),
            "iranian_text": _rate(rows, "iranian_text"),
            "partial": _rate(rows, "partial"),
            "median_ms": round(float(np.median([r["ms"] for r in rows])), 1) if rows else 0.0,
        }

    out: dict = {"engine": eng.name}
    for name, mild in (("camera_crops", False), ("mild_crops", True)):
        rows = []
        for i in range(n):
            country, truth, plate = random_foreign(rng, FOREIGN[i % len(FOREIGN)])
            crop = _camera_crop(plate, rng, mild)
            t = time.perf_counter()
            r = eng.read_crop(crop)
            rows.append(row(country, truth, r, (time.perf_counter() - t) * 1000))
        out[name] = summary(rows)
        if not mild:
            out["by_country"] = {c: summary([r for r in rows if r["country"] == c]) for c in FOREIGN}
    rows = []
    for i in range(max(1, n // 4)):
        country, truth, plate = random_foreign(rng, FOREIGN[i % len(FOREIGN)])
        t = time.perf_counter()
        r = eng.read_image(render_scene("", [], rng, plate=plate)[0])
        rows.append(row(country, truth, r, (time.perf_counter() - t) * 1000))
    out["scenes"] = summary(rows)
    return out


def run_types(
    n: int, engine: str | None = None, seed: int = 1405, weights: str | None = None, scorer: str | None = None
) -> dict:
    """Rendered Iranian plates of the layouts the reader does not read (free-zone, motorcycle, older,
    diplomatic D / service S): per type the share classified as that type, left to a person (no text),
    given Iranian text (must be 0 for the first three); for D/S also exact and given wrong text."""
    import random

    from anpr.recognition.foreign import IRANIAN_OTHER
    from anpr.training.layouts import render_iranian_other
    from anpr.training.render import find_fonts, random_plate, render_plate, render_scene

    eng = _engine(engine, weights, scorer)
    fonts = find_fonts()
    if not eng.available or not fonts:
        return {"engine": eng.name, "error": eng.unavailable_reason or "no Persian fonts", "n": 0}
    rng = random.Random(seed)
    out: dict = {}

    def render(kind, rng):
        if kind == "ir_diplomatic_service":
            truth = random_plate(rng)
            truth = truth[:2] + rng.choice("DS") + truth[3:]
            return truth, render_plate(truth, fonts, rng)
        return "", render_iranian_other(kind, fonts, rng)

    for k, kind in enumerate([*IRANIAN_OTHER, "ir_diplomatic_service"]):
        rows = []
        for _ in range(n):
            truth, plate = render(kind, rng)
            r = eng.read_crop(_camera_crop(plate, rng, mild=False))
            rows.append({
                "type_ok": r.plate_type == kind,
                "deferred": not r.plate and bool(r.review_reason),
                "iranian_text": bool(r.plate) and r.country == "IR",
                "exact": bool(truth) and r.plate == truth,
                "wrong_text": bool(r.plate) and r.plate != truth,
                "partial": bool(r.partial),
            })  # fmt: skip
        s: dict[str, object] = {"n": n, "type_ok": _rate(rows, "type_ok"), "to_person": _rate(rows, "deferred"),
                                "partial": _rate(rows, "partial")}  # fmt: skip
        s.update(
            {"iranian_text": _rate(rows, "iranian_text")}
            if kind in IRANIAN_OTHER
            else {"exact": _rate(rows, "exact"), "wrong_text": _rate(rows, "wrong_text")}
        )
        # The same layouts in vehicle-like photos (own rng: the crops' figures stay comparable): any text
        # given to them is wrong (D/S included, which the reader leaves to a person).
        srng = random.Random(seed * 10 + k)
        given = wrong = named = partial = 0
        for _ in range(n):
            truth, plate = render(kind, srng)
            r = eng.read_image(render_scene("", fonts, srng, plate=plate)[0])
            given += bool(r.plate)
            wrong += bool(r.plate) and r.plate != truth
            named += not r.plate and r.plate_type == kind  # to a person with its layout named
            partial += bool(r.partial)
        s["scenes"] = {"n": n, "given_text": round(given / max(n, 1), 4), "wrong_text": round(wrong / max(n, 1), 4),
                       "type_named": round(named / max(n, 1), 4), "partial": round(partial / max(n, 1), 4)}  # fmt: skip
        out[kind] = s
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data")
    ap.add_argument("--engine", default=None)
    ap.add_argument("--files", help="JSON file with a 'files' list to restrict to (e.g. a held-out split)")
    ap.add_argument("--weights", help="plate_crnn ONNX file(s) to use instead of the shipped one (comma: an ensemble)")
    ap.add_argument("--scorer-weights", help="with --weights: a plate_crnn ONNX file that scores the boxes")
    ap.add_argument("--errors", action="store_true", help="also print misread images (to stderr)")
    ap.add_argument("--labels-as-given", action="store_true", help="do not apply label_errata.csv")
    ap.add_argument(
        "--foreign", type=int, default=0, help="also read N rendered foreign plates and N of each other type"
    )
    a = ap.parse_args(argv)
    files = set(json.load(open(a.files, encoding="utf-8"))["files"]) if a.files else None
    details: list = []
    print(
        json.dumps(
            run_bench(a.data, a.engine, files, details, a.weights, a.scorer_weights, not a.labels_as_given),
            ensure_ascii=False,
        )
    )
    if a.foreign:
        foreign = run_foreign(a.foreign, a.engine, weights=a.weights, scorer=a.scorer_weights)
        types = run_types(a.foreign // 4, a.engine, weights=a.weights, scorer=a.scorer_weights)
        print(json.dumps({"foreign": foreign, "by_type": types}))
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
