"""The reader on rendered plates with a place covered (mud or a bolt over one character), in vehicle scenes.

    python bench/anpr_occlusion.py --n 100 --seed 1 [--place 0]

For each scene a standard plate is drawn, one character (``--place``: 0 is the first digit, 2 the letter, 6 the
province's first digit; -1: a random one) is hidden under a blob (``anpr.training.synth.cover``, as the
``--occluded`` training plates are), and the photo is read as the app reads it (seeds of its own: the training
set's seeds are 31 and up, the scenes here use ``--seed`` × 100,003 + i). Prints one JSON
line: how many were read right, read wrong (a plate given that is not the truth), refused; of the refused, how
many show their steady places (``Reading.partial``) and whether those places are right; the confidence of the
wrong reads. A covered character cannot be read: the right outcome is a refusal, or a read a person reviews.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> None:
    from anpr.recognition import get_engine
    from anpr.training.render import find_fonts, random_plate, render_plate, render_scene
    from anpr.training.synth import cover

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--place", type=int, default=0, choices=range(-1, 8))
    ap.add_argument("--weights", help="another plate_crnn ONNX file (e.g. a held-out model)")
    a = ap.parse_args(argv)
    if a.weights:
        from anpr.recognition.engines import PlateCRNNEngine

        eng = PlateCRNNEngine(a.weights)
    else:
        eng = get_engine()
    fonts = find_fonts()
    if not eng.available or not fonts:
        sys.exit(f"reader or fonts unavailable: {eng.unavailable_reason or 'no Persian fonts'}")
    right = wrong = refused = shown = shown_wrong = 0
    wrong_conf: list[float] = []
    for i in range(a.n):
        rng = random.Random(a.seed * 100_003 + i)
        truth = random_plate(rng)
        boxes: list = []
        plate = render_plate(truth, fonts, rng, boxes=boxes)
        k = a.place if a.place >= 0 else rng.randrange(len(truth))
        plate = cover(plate, boxes[k], rng)
        r = eng.read_image(render_scene("", fonts, rng, plate=plate)[0])
        if r.plate == truth:
            right += 1
        elif r.plate:
            wrong += 1
            wrong_conf.append(round(float(r.confidence), 3))
        else:
            refused += 1
            if r.partial:
                shown += 1
                shown_wrong += any(c != "?" and c != t for c, t in zip(r.partial, truth))
    print(json.dumps({
        "n": a.n, "seed": a.seed, "place": a.place, "right": right, "wrong": wrong, "refused": refused,
        "refused_showing_places": shown, "showing_a_wrong_place": shown_wrong,
        "wrong_confidence_median": float(np.median(wrong_conf)) if wrong_conf else None,
        "wrong_below_review_confidence": sum(c < 0.95 for c in wrong_conf),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
