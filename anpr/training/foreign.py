"""Train the plate-type classifier and the foreign (Latin) plate reader (training-only; needs torch).

    python -m anpr.training.foreign synth-latin --n 40000 --seed 11 --out /tmp/anpr/latin.npz
    python -m anpr.training.foreign synth-types --n 24000 --seed 12 --out /tmp/anpr/types.npz
    python -m anpr.training.foreign reader --synth /tmp/anpr/latin.npz --steps 2500 --out /tmp/anpr/latin.pt
    python -m anpr.training.foreign classifier --synth /tmp/anpr/types.npz \
        --data /work/shared/data/plates/dev --holdout 0.2 --split-seed 0 --steps 1500 --out /tmp/anpr/type.pt
    python -m anpr.training.foreign export-reader --ckpt /tmp/anpr/latin.pt --out anpr/recognition/weights/plate_latin.onnx
    python -m anpr.training.foreign export-classifier --ckpt /tmp/anpr/type.pt --out anpr/recognition/weights/plate_type.onnx

The reader is trained on rendered foreign plates only (``layouts.py``). The classifier on rendered
plates of every class plus, for the class ``ir``, the real dev crops and vehicle boxes whose plate
string is not held out (``--holdout``/``--split-seed`` as in ``train.py``: the held-out plates measure
how many real Iranian plates it keeps).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

import cv2
import numpy as np
import torch
from torch import nn

from anpr.recognition.foreign import (
    FOREIGN_CHARSET,
    IRANIAN_DS,
    N_FOREIGN_CLASSES,
    PLATE_CLASSES,
    decode_country,
    letterbox,
    standardise_type,
)
from anpr.recognition.preprocess import normalise, to_gray_small
from anpr.training import layouts
from anpr.training.data import held_out_files, load_real
from anpr.training.model import CRNN
from anpr.training.render import augment_crop, find_fonts, random_plate, render_plate
from anpr.training.train import seed_all
from declarations.plates import LATIN_PLATE_LETTERS


def _camera(plate_rgb: np.ndarray, rng: random.Random, mild: bool = False) -> np.ndarray:
    """Camera-like BGR crop of a flat plate, keeping the plate's shape (two-line plates stay square)."""
    h, w = plate_rgb.shape[:2]
    return augment_crop(plate_rgb, rng, out_size=(max(64, round(128 * w / h)), 128), mild=mild)


def synth_latin(n: int, seed: int):
    rng = random.Random(seed)
    xs = np.zeros((n, 32, 160), np.uint8)
    ys, cs = [], []
    for i in range(n):
        country, text, plate = layouts.random_foreign(rng, rng.choice(layouts.FOREIGN) if rng.random() < 0.5 else None)
        xs[i] = to_gray_small(_camera(plate, rng))
        ys.append(text)
        cs.append(country)
    return xs, ys, cs


def render_type(cls: str, fonts: list[str], rng: random.Random) -> np.ndarray:
    """A flat plate (RGB) of class ``cls``."""
    if cls in ("ir", IRANIAN_DS):
        while True:  # the standard layout with a Persian letter, or with a Latin D / S
            text = random_plate(rng)
            if (text[2] in LATIN_PLATE_LETTERS) == (cls == IRANIAN_DS):
                return render_plate(text, fonts, rng)
    if cls in layouts.IRANIAN_OTHER:
        return layouts.render_iranian_other(cls, fonts, rng)
    return layouts.random_foreign(rng, cls)[2]


def synth_types(n: int, seed: int, ds_weight: float = 1.0):
    rng = random.Random(seed)
    fonts = find_fonts()
    # ir a third, the other Iranian layouts and each country evenly; D/S ds_weight times as often (it differs
    # from ir by one letter only).
    weights = [len(PLATE_CLASSES) / 2] + [1.0] * (len(PLATE_CLASSES) - 1)
    weights[PLATE_CLASSES.index(IRANIAN_DS)] = ds_weight
    xs = np.zeros((n, 48, 144, 3), np.uint8)
    ys = np.zeros(n, np.int64)
    for i in range(n):
        k = rng.choices(range(len(PLATE_CLASSES)), weights=weights)[0]
        xs[i] = letterbox(_camera(render_type(PLATE_CLASSES[k], fonts, rng), rng))
        ys[i] = k
    return xs, ys


class TypeCNN(nn.Module):
    def __init__(self, n_classes: int = len(PLATE_CLASSES)):
        super().__init__()

        def cbr(i, o):
            return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]

        self.f = nn.Sequential(
            *cbr(3, 16), nn.MaxPool2d(2), *cbr(16, 32), nn.MaxPool2d(2), *cbr(32, 64), nn.MaxPool2d(2),
            *cbr(64, 96), nn.MaxPool2d(2), *cbr(96, 128),
        )  # fmt: skip
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(128 * 2, n_classes))

    def forward(self, x):
        f = self.f(x)
        return self.head(torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], 1))


def _real_crop(item, rng: random.Random) -> np.ndarray:
    """A real crop or vehicle box, loosely re-cut (BGR)."""
    kind, src = item[2], item[3]
    if kind == "vehicle":
        img, (x, y, w, h) = src
        H, W = img.shape[:2]
        x0 = int(max(0, x - rng.uniform(-0.03, 0.1) * w))
        x1 = int(min(W, x + w + rng.uniform(-0.03, 0.1) * w))
        y0 = int(max(0, y - rng.uniform(-0.05, 0.3) * h))
        y1 = int(min(H, y + h + rng.uniform(-0.05, 0.3) * h))
        crop = img[y0:y1, x0:x1]
    else:
        crop = src
    crop = np.clip(crop.astype(np.float32) * rng.uniform(0.6, 1.3) + rng.uniform(-30, 30), 0, 255).astype(np.uint8)
    if rng.random() < 0.15:
        crop = np.ascontiguousarray(crop[..., ::-1])
    return crop


def train_reader(a):
    syn = np.load(a.synth)
    sx, sy = syn["x"], [str(s) for s in syn["y"]]
    sc = [str(c) for c in syn["c"]]
    n_val = 1000
    vx, vy, vc = sx[:n_val], sy[:n_val], sc[:n_val]
    sx, sy = sx[n_val:], sy[n_val:]
    model = CRNN(n_classes=N_FOREIGN_CLASSES)
    rng = random.Random(a.seed)

    def batch():
        idx = [rng.randrange(len(sy)) for _ in range(a.batch)]
        x = torch.from_numpy(normalise(sx[idx])[:, None])
        tg = torch.tensor([FOREIGN_CHARSET.index(c) + 1 for i in idx for c in sy[i]], dtype=torch.long)
        lens = torch.tensor([len(sy[i]) for i in idx], dtype=torch.long)
        return x, tg, lens

    @torch.no_grad()
    def evaluate():
        model.eval()
        lp = torch.log_softmax(model(torch.from_numpy(normalise(vx)[:, None])), -1).numpy()
        model.train()
        reads = [decode_country(lp[i], vc[i])[0] for i in range(len(vy))]
        return {"n": len(vy), "exact": round(float(np.mean([r == y for r, y in zip(reads, vy)])), 4)}

    _ctc_loop(model, batch, a, evaluate)


def train_classifier(a):
    syn = np.load(a.synth)
    sx, sy = syn["x"], syn["y"]
    n_val = 1500
    vx, vy = sx[:n_val], sy[:n_val]
    sx, sy = sx[n_val:], sy[n_val:]
    rng = random.Random(a.seed)
    train_real, held = [], []
    if a.data:
        real = load_real(a.data)
        out = held_out_files(real, a.holdout, a.split_seed)
        train_real = [r for r in real if r[0] not in out]
        held = [r for r in real if r[0] in out]
        print(f"real: {len(train_real)} train images for class ir, {len(held)} held out", flush=True)
    held_x = np.stack([letterbox(_real_crop(r, random.Random(0))) for r in held]) if held else None
    model = TypeCNN()
    n_real = int(a.batch * a.real_frac) if train_real else 0
    ir = PLATE_CLASSES.index("ir")

    def batch():
        idx = [rng.randrange(len(sy)) for _ in range(a.batch - n_real)]
        xs = [sx[i] for i in idx]
        ys = [int(sy[i]) for i in idx]
        for _ in range(n_real):
            xs.append(letterbox(_real_crop(train_real[rng.randrange(len(train_real))], rng)))
            ys.append(ir)
        return torch.from_numpy(standardise_type(np.stack(xs))), torch.tensor(ys)

    @torch.no_grad()
    def evaluate():
        model.eval()
        pv = model(torch.from_numpy(standardise_type(vx))).argmax(1).numpy()
        msg = {"synth_val": round(float(np.mean(pv == vy)), 4)}
        if held_x is not None:
            ph = model(torch.from_numpy(standardise_type(held_x))).argmax(1).numpy()
            msg["heldout_real_kept_ir"] = round(float(np.mean(ph == ir)), 4)
        model.train()
        return msg

    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.15)
    lossf = nn.CrossEntropyLoss(label_smoothing=0.05)
    t0, run = time.time(), 0.0
    for step in range(1, a.steps + 1):
        x, y = batch()
        loss = lossf(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
        if step % a.log_every == 0 or step == a.steps:
            print(json.dumps({"step": step, "loss": round(run, 4), "min": round((time.time() - t0) / 60, 1),
                              **evaluate()}), flush=True)  # fmt: skip
            torch.save(model.state_dict(), a.out)
    if held:
        with open(os.path.splitext(a.out)[0] + "_heldout.json", "w", encoding="utf-8") as f:
            json.dump({"files": [r[0] for r in held]}, f, ensure_ascii=False)


def _ctc_loop(model, batch, a, evaluate):
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.steps, pct_start=0.15)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    t0, run = time.time(), 0.0
    for step in range(1, a.steps + 1):
        x, tg, lens = batch()
        lp = torch.log_softmax(model(x), -1).permute(1, 0, 2)
        loss = ctc(lp, tg, torch.full((x.shape[0],), lp.shape[0], dtype=torch.long), lens)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
        if step % a.log_every == 0 or step == a.steps:
            print(json.dumps({"step": step, "loss": round(run, 4), "min": round((time.time() - t0) / 60, 1),
                              "val": evaluate()}), flush=True)  # fmt: skip
            torch.save(model.state_dict(), a.out)


def export(model: nn.Module, ckpt: str, out: str, shape: tuple[int, ...], softmax: bool):
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model.eval()

    class Wrap(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            y = self.m(x)
            return torch.log_softmax(y, -1) if softmax else y

    torch.onnx.export(
        Wrap(model), torch.zeros(1, *shape), out, input_names=["image"], output_names=["out"],
        dynamic_axes={"image": {0: "n"}, "out": {0: "n"}}, opset_version=17, dynamo=False,
    )  # fmt: skip
    print(f"exported {out} ({os.path.getsize(out) / 1e6:.2f} MB)")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=["synth-latin", "synth-types", "reader", "classifier", "export-reader",
                                      "export-classifier"])  # fmt: skip
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--synth")
    ap.add_argument("--data")
    ap.add_argument("--ckpt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--real-frac", type=float, default=0.25)
    ap.add_argument("--holdout", type=float, default=0.0)
    ap.add_argument("--split-seed", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=250)
    ap.add_argument("--ds-weight", type=float, default=1.0, help="synth-types: weight of the D/S class")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    cv2.setNumThreads(1)
    seed_all(a.seed)
    t = time.time()
    if a.stage == "synth-latin":
        xs, ys, cs = synth_latin(a.n, a.seed)
        np.savez_compressed(a.out, x=xs, y=np.array(ys), c=np.array(cs))
    elif a.stage == "synth-types":
        xs, yk = synth_types(a.n, a.seed, a.ds_weight)
        np.savez_compressed(a.out, x=xs, y=yk)
    elif a.stage == "reader":
        train_reader(a)
    elif a.stage == "classifier":
        train_classifier(a)
    elif a.stage == "export-reader":
        export(CRNN(n_classes=N_FOREIGN_CLASSES), a.ckpt, a.out, (1, 32, 160), softmax=True)
    else:
        export(TypeCNN(), a.ckpt, a.out, (3, 48, 144), softmax=False)
    print(json.dumps({"stage": a.stage, "minutes": round((time.time() - t) / 60, 1), "out": a.out}))


if __name__ == "__main__":
    main()
