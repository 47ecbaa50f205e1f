"""The real labelled plates for training (no torch, so that the split can be tested without it): the dev
folder's labels through the errata, and the held-out split by plate."""

from __future__ import annotations

import csv
import os
import random

import cv2

from anpr.recognition.bench import ERRATA, read_labels


def split_plates(plates: list[str], holdout: float, seed: int) -> set[str]:
    """Distinct plate strings held out (deterministic for a given seed)."""
    uniq = sorted(set(plates))
    rng = random.Random(seed)
    rng.shuffle(uniq)
    return set(uniq[: round(len(uniq) * holdout)])


def load_real(data_dir: str, errata: bool = True):
    """[(file, plate, kind, bgr_image_for_training, plate_as_labelled)] — vehicle photos cut at their true box;
    ``plate`` is corrected by the dev-set errata unless ``errata`` is false (anpr.recognition.bench.read_labels)."""
    boxes = {}
    p = os.path.join(data_dir, "vehicle_plate_boxes.csv")
    if os.path.exists(p):
        for r in csv.DictReader(open(p, encoding="utf-8")):
            boxes[r["file"]] = tuple(int(float(r[k])) for k in "xywh")
    out = []
    for r in read_labels(data_dir, errata):
        img = cv2.imread(os.path.join(data_dir, r["file"]))
        if img is None:
            continue
        if r["kind"] == "vehicle":
            if r["file"] not in boxes:
                continue
            out.append((r["file"], r["plate"], "vehicle", (img, boxes[r["file"]]), r["labelled"]))
        else:
            out.append(
                (r["file"], r["plate"], "crop", cv2.resize(img, (320, 64), interpolation=cv2.INTER_AREA), r["labelled"])
            )
    return out


def held_out_files(real: list, holdout: float, seed: int) -> set[str]:
    """Files held out of training: split by the plate *as labelled* (the split every figure before the errata
    used), then closed so that no plate straddles the split once corrected (a corrected frame joins the held-out
    frames of its car). ``real``: :func:`load_real` items."""
    if holdout <= 0:
        return set()
    errata = {}
    with open(ERRATA, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            errata[(r["file"], r["labelled"])] = r["corrected"]
    true = {r[0]: errata.get((r[0], r[4]), r[4]) for r in real}
    out_labels = split_plates([r[4] for r in real], holdout, seed)
    files = {r[0] for r in real if r[4] in out_labels}
    while True:
        plates = {true[f] for f in files}
        more = {f for f, p in true.items() if p in plates} - files
        if not more:
            return files
        files |= more
