"""Pre-render a synthetic training set to a .npz (grey INPUT_H × INPUT_W crops + plate strings).

python -m anpr.training.synth --n 60000 --seed 1 --out /tmp/anpr/synth.npz
python -m anpr.training.synth --negatives --n 6000 --seed 21 --out /tmp/anpr/negatives.npz
python -m anpr.training.synth --occluded --n 6000 --seed 31 --out /tmp/anpr/occluded.npz

``--negatives`` renders the plates the reader must give no text to (the foreign countries' layouts and the
other Iranian layouts), each with an empty plate string (``train finetune --negatives``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import cv2
import numpy as np

from anpr.recognition.preprocess import to_gray_small
from anpr.training import layouts
from anpr.training.render import augment_crop, find_fonts, random_plate, render_plate


def make(n: int, seed: int, fonts: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    cv2.setNumThreads(1)
    fonts = fonts or find_fonts()
    if not fonts:
        sys.exit("no Persian fonts found: apt-get install fonts-farsiweb fonts-noto-core")
    rng = random.Random(seed)
    xs = np.zeros((n, *to_gray_small(np.zeros((8, 8), np.uint8)).shape), np.uint8)
    labels = []
    for i in range(n):
        text = random_plate(rng)
        xs[i] = to_gray_small(augment_crop(render_plate(text, fonts, rng), rng))
        labels.append(text)
    return xs, labels


def cover(plate: np.ndarray, box: tuple[int, int, int, int], rng: random.Random) -> np.ndarray:
    """``plate`` with the character in ``box`` hidden under a blob of mud, dust or paint (a copy)."""
    out = plate.copy()
    x, y, w, h = box
    base = rng.choice([(90, 70, 50), (60, 50, 40), (30, 30, 30), (150, 130, 100), (110, 110, 110)])
    colour = tuple(int(np.clip(c + rng.randint(-15, 15), 0, 255)) for c in base)
    mx, my = max(3, int(w * rng.uniform(0.12, 0.3))), max(3, int(h * rng.uniform(0.08, 0.2)))
    centre = (x + w // 2 + rng.randint(-w // 10, w // 10), y + h // 2)
    cv2.ellipse(out, centre, (w // 2 + mx, h // 2 + my), rng.uniform(-15, 15), 0, 360, colour, -1)
    return out


def make_occluded(n: int, seed: int, fonts: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """``n`` camera-like crops of standard plates with one character covered, each labelled with the characters
    that show (the covered one left out): the reader learns to read nothing where nothing shows, rather than a
    guess (the check then refuses the plate and the person sees its steady places)."""
    cv2.setNumThreads(1)
    fonts = fonts or find_fonts()
    rng = random.Random(seed)
    xs = np.zeros((n, *to_gray_small(np.zeros((8, 8), np.uint8)).shape), np.uint8)
    labels = []
    for i in range(n):
        text = random_plate(rng)
        boxes: list = []
        plate = render_plate(text, fonts, rng, boxes=boxes)
        k = rng.randrange(len(text))
        xs[i] = to_gray_small(augment_crop(cover(plate, boxes[k], rng), rng))
        labels.append(text[:k] + text[k + 1 :])
    return xs, labels


def make_negatives(n: int, seed: int, fonts: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """``n`` camera-like crops of plates that are not the standard Iranian layout, every kind in turn, each
    labelled '' (no text): what the reader sees when a foreign or other-layout plate reaches it."""
    cv2.setNumThreads(1)
    fonts = fonts or find_fonts()
    rng = random.Random(seed)
    kinds = [*layouts.FOREIGN, *layouts.IRANIAN_OTHER]
    xs = np.zeros((n, *to_gray_small(np.zeros((8, 8), np.uint8)).shape), np.uint8)
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind in layouts.IRANIAN_OTHER:
            plate = layouts.render_iranian_other(kind, fonts, rng)
        else:
            plate = layouts.random_foreign(rng, kind)[2]
        h, w = plate.shape[:2]  # a square or two-line plate keeps its shape until the reader squeezes it
        # Mild camera effects: a legible plate of another layout, not a blur (which the reader must not learn
        # to leave blank, as an Iranian plate in the same blur is read).
        xs[i] = to_gray_small(augment_crop(plate, rng, out_size=(max(64, round(128 * w / h)), 128), mild=True))
    return xs, [""] * n


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--negatives", action="store_true", help="foreign and other-layout plates, labelled ''")
    ap.add_argument("--occluded", action="store_true", help="standard plates with one character covered")
    a = ap.parse_args(argv)
    t = time.time()
    xs, labels = (make_negatives if a.negatives else make_occluded if a.occluded else make)(a.n, a.seed)
    np.savez_compressed(a.out, x=xs, y=np.array(labels))
    print(f"{a.n} plates in {time.time() - t:.0f} s → {a.out}")


if __name__ == "__main__":
    main()
