"""Pre-render a synthetic training set to a .npz (grey INPUT_H × INPUT_W crops + plate strings).

python -m anpr.training.synth --n 60000 --seed 1 --out /tmp/anpr/synth.npz
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import cv2
import numpy as np

from anpr.recognition.preprocess import to_gray_small
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


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    t = time.time()
    xs, labels = make(a.n, a.seed)
    np.savez_compressed(a.out, x=xs, y=np.array(labels))
    print(f"{a.n} plates in {time.time() - t:.0f} s → {a.out}")


if __name__ == "__main__":
    main()
