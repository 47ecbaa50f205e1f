"""Training of the learned dense change map (``scans/comparison/dense.py``, ``Params.USE_DENSE``).

Tune pairs only (``scans_make_pairs ... --split tune --masks``: tampered pairs carry their per-pixel
change, ``NNNN_change.png``). Three steps:

    # 1. registration + change maps of each pair, cached as arrays (app's venv; ~1.5 s a pair)
    python bench/scans_dense.py extract --out /tmp/s18/cache /tmp/s18/tr_h61 /tmp/s18/va_h63 ...
    # 2. training and ONNX export (torch, a separate venv: /tmp/torchvenv)
    /tmp/torchvenv/bin/python bench/scans_dense.py train --cache /tmp/s18/cache --train tr_h61 tr_p62 \\
        --minutes 30 --onnx scans/comparison/dense.onnx
    # 3. pair statistics of cached pairs with the ONNX model (app's venv), threshold on the validation sets
    python bench/scans_dense.py score --cache /tmp/s18/cache --sets va_h63 va_p64 [--records R.json]

Nineteenth pass: ``train --target dest`` marks only the change the destination's display shows
(``NNNN_dchange.png`` >= ``pairs.DEST_VISIBLE_GREY``), not every changed pixel; ``train/score --inputs
images`` gives the net only the registered origin and destination and the saturated / valid masks
(``dense.CHANNELS``, ``Params.DENSE_INPUTS``), not the hand-made change channels.

Twentieth pass: train on ``--split tune-fit`` pairs and choose on ``--split tune-val`` pairs (other scans);
``train --augment SHARE`` gives that share of the crops another destination display curve and saturation level
(``augment``); ``extract`` keeps the hand-made regions and the noise map, ``score`` the dense logit over each
region, and ``choose`` applies the pass's rule to the dense map alone and its fusions with the hand-made score
(``Params.DENSE_FUSION``).

Twenty-second pass: ``extract --clean-only`` (calibration sets: only their clean pairs), ``score`` keeps each
hand-made region's own features (``veto.region_features``) and whether its box holds changed pixels (``--no-model``:
only those), and ``choose --calib`` counts the calibration sets' clean alarms with the hard set's; ``choose --modes
fv0 fv1 --fit-records`` fits the region veto (``Params.REGION_VETO``, ``fit_veto``) on fit pairs' regions and
puts it in the place of the dense logit.

Twenty-third pass: ``choose --pure-veto`` (the veto at the shipped threshold, FUSE_HAND 0.0006, its VETO_LOGIT
the highest that loses no tampered pair the hand-made score detects on the validation sets, ``_veto_point``) and
``--fit-min-hand`` (the veto fitted on fit regions above it; default 0.0002, the twenty-second pass's).

Twenty-fourth pass: ``choose --located-only`` (with ``--pure-veto``): only the tampered pairs detected AT their
change set the point, by their regions above 0.0006 that hold it (``scans_bench``'s localisation test: the box
intersects the label's ``box`` or one of its ``boxes``); a pair "detected" only by a region away from its change
(a frame-end strip) does not. ``--veto-weights`` runs ``choose`` with fixed weights in place of a fit. ``choose``
prints the located detections (detected, top box at the change) of each row.

``extract`` also records the shipped hand-made score and top box of each pair (``find_changes`` with
the defaults), so ``score`` compares both on the same pairs. Never point it at held-out pairs: they are
run once, by ``scans_bench --set USE_DENSE=true --set DENSE_LOGIT=...``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_CHANGE = 0.02  # |attenuation change| a pixel must have to count as changed (target of the net)
# as ``scans.comparison.dense.CHANNELS`` and ``scans.benchmark.pairs.DEST_VISIBLE_GREY`` (the torch venv has
# no OpenCV to import them; tests/scans/test_dense_map.py checks that they agree)
CHANNELS = {"maps": (0, 1, 2, 3, 4, 5, 6, 7), "images": (0, 1, 5, 6)}
DEST_VISIBLE_GREY = 1.0
MIN_SIGMA = 0.02  # as ``Params.MIN_SIGMA``: the noise's floor (attenuation)


def target_of(it: dict, kind: str) -> np.ndarray:
    """The net's target (bool, working px): "all", every pixel whose attenuation changed by more than
    TARGET_CHANGE; "dest", only those whose change the destination's display shows (at least
    ``pairs.DEST_VISIBLE_GREY``, ``NNNN_dchange.png``): a change rounded away or saturated is not
    in the destination for anyone, and asking the net to find it teaches it to guess."""
    t = it["t"] > TARGET_CHANGE
    if kind == "dest":
        t &= it["dgrey"] >= DEST_VISIBLE_GREY
    return t


def _blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """A separable Gaussian of ``sigma`` px (reflected borders), as ``cv2.GaussianBlur`` (no OpenCV here)."""
    r = int(3 * sigma + 0.5)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    p = np.pad(a, r, mode="reflect")
    p = np.apply_along_axis(lambda v: np.convolve(v, k, mode="valid"), 0, p)
    return np.apply_along_axis(lambda v: np.convolve(v, k, mode="valid"), 1, p).astype(np.float32)


def augment(xc: np.ndarray, tc: np.ndarray, sc: np.ndarray, rng: np.random.Generator) -> None:
    """Twentieth pass, ``train --augment``: another display curve and saturation level for the destination
    of one crop (in place, all its destination channels alike), so that the net cannot learn the tune scans'
    own clean appearance. In attenuation (``a`` = 3 x channel 1) the destination becomes ``a + d(a)``, with
    ``d`` a random smooth monotone-preserving curve (gain, gamma and offset of the display act as a slope, a
    curvature and a shift in attenuation), and, half of the time, a display that saturates earlier: ``a``
    clipped at a level between the crop's 80th and 99th percentile (those pixels marked saturated, and a
    change there no longer a target). The residual, the tolerant change (in noise units, ``sc``: the noise
    per pixel) and the coherent residual move by the same ``d``. ``xc``: the 8 channels (``dense_inputs``).
    Numpy only: the torch venv has no OpenCV."""
    vf = xc[6] > 0.5
    if vf.sum() < 16:
        return
    a = xc[1] * 3.0
    ref = float(np.median(a[vf]))
    u = a - ref
    d = rng.uniform(-0.03, 0.03) * u + rng.uniform(-0.015, 0.015) * u * u + rng.uniform(-0.02, 0.02)
    a2 = np.maximum(a + d, 0.0)
    if rng.random() < 0.5:
        ceil = float(np.quantile(a[vf], rng.uniform(0.8, 0.99)))
        hit = vf & (a2 >= ceil)
        a2 = np.where(hit, ceil, a2)
        xc[5] = np.maximum(xc[5], hit.astype(np.float32))
        tc[hit] = 0.0
    d = (a2 - a) * vf
    xc[1] = a2 / 3.0 * vf
    xc[2] = np.clip(xc[2] / 2.0 + d, -1, 1) * 2.0 * vf
    xc[3] = np.clip((xc[3] * 5.0 * sc + d) / sc, -10, 10) / 5.0 * vf
    xc[4] = np.clip(xc[4] / 3.0 + _blur(d.astype(np.float32), 6.0), -1, 1) * 3.0 * vf


def extract(args) -> None:
    import cv2

    from scans.benchmark.pairs import CHANGE_PNG_SCALE, DCHANGE_PNG_SCALE
    from scans.comparison import Params, load_scan
    from scans.comparison.core import find_changes
    from scans.comparison.dense import dense_inputs, vehicle_zone
    from scans.comparison.io import as_float
    from scans.comparison.regions import container_span
    from scans.comparison.registration import register, working_copy

    cv2.setNumThreads(1)
    params = Params()
    for d in map(Path, args.pairs):
        out = Path(args.out) / d.name
        out.mkdir(parents=True, exist_ok=True)
        labels = json.loads((d / "labels.json").read_text())
        if args.limit:
            labels = labels[: args.limit]
        if args.clean_only:  # calibration pairs: only the clean ones count (twenty-second pass)
            labels = [lab for lab in labels if not lab["tampered"]]
        t0 = time.time()
        for lab in labels:
            f = out / f"{lab['id']:04d}.npz"
            if f.exists():
                continue
            i = lab["id"]
            origin = as_float(load_scan(d / f"{i:04d}_origin.png"))
            o, s_o = working_copy(origin, params)
            dd, s_d = working_copy(as_float(load_scan(d / f"{i:04d}_dest.jpg")), params)
            details: dict = {"work_scale": s_o, "work_scale_dest": s_d}
            meta = {"lab": lab, "s_o": s_o, "registered": False, "score": None, "top": None}
            reg = register(o, dd, details, {}, params)
            found = None if reg is None else find_changes(*reg, s_o, details, {}, params)
            if found is None:
                np.savez_compressed(f, meta=json.dumps(meta))
                continue
            regions, _, maps = found
            meta.update(
                registered=True,
                score=float(regions[0][0]) if regions else 0.0,
                top=[round(v / s_o) for v in regions[0][1:5]] if regions else None,
                span=container_span(reg[0], params),
                # the hand-made regions (score, x, y, w, h in working px), for the fusion (twentieth pass)
                regions=[[float(r[0]), *(int(v) for v in r[1:5])] for r in regions[:20]],
            )
            h, w = o.shape
            target = np.zeros((h, w), np.float32)
            dgrey = np.zeros((h, w), np.float32)  # what the destination's display shows of it, grey levels
            cp = d / f"{i:04d}_change.png"
            if cp.exists():
                ch = cv2.imread(str(cp), cv2.IMREAD_GRAYSCALE).astype(np.float32) / CHANGE_PNG_SCALE
                target = cv2.resize(ch, (w, h), interpolation=cv2.INTER_AREA)
            dp = d / f"{i:04d}_dchange.png"
            if dp.exists():
                dg = cv2.imread(str(dp), cv2.IMREAD_GRAYSCALE).astype(np.float32) / DCHANGE_PNG_SCALE
                dgrey = cv2.resize(dg, (w, h), interpolation=cv2.INTER_AREA)
            span = meta["span"]
            meta["span"] = None if span is None else [int(span[0]), int(span[1])]
            np.savez_compressed(
                f,
                meta=json.dumps(meta),
                x=dense_inputs(maps).astype(np.float16),
                target=target.astype(np.float16),
                dgrey=dgrey.astype(np.float16),
                zone=vehicle_zone(maps, span),
                sigma=maps["sigma"].astype(np.float16),  # noise per pixel (attenuation), for --augment
            )
        print(f"{d.name}: {len(labels)} pairs, {time.time() - t0:.0f} s", flush=True)


# --------------------------------------------------------------------------- training (torch)


def _net(n_in: int = 8):
    import torch
    from torch import nn

    def block(i, o, stride=1, dil=1):
        return nn.Sequential(nn.Conv2d(i, o, 3, stride, padding=dil, dilation=dil), nn.BatchNorm2d(o), nn.ReLU())

    class DenseNet(nn.Module):
        """A tiny U-Net: /2 (16, 24 ch), /4 (32 ch, dilations 2 and 4), /8 (32 ch), back to /2; the
        logit map is at /2 (``dense.change_probability`` resizes it)."""

        def __init__(self, n_in: int = 8):
            super().__init__()
            self.e1 = nn.Sequential(block(n_in, 16, 2), block(16, 24))
            self.e2 = nn.Sequential(block(24, 32, 2), block(32, 32, dil=2), block(32, 32, dil=4))
            self.e3 = nn.Sequential(block(32, 32, 2), block(32, 32, dil=2))
            self.d2 = block(64, 32)
            self.d1 = block(56, 24)
            self.head = nn.Conv2d(24, 1, 1)

        def forward(self, x):
            f1 = self.e1(x)
            f2 = self.e2(f1)
            f3 = self.e3(f2)
            u2 = self.d2(torch.cat([f2, nn.functional.interpolate(f3, scale_factor=2.0, mode="nearest")], 1))
            u1 = self.d1(torch.cat([f1, nn.functional.interpolate(u2, scale_factor=2.0, mode="nearest")], 1))
            return self.head(u1)

    return DenseNet(n_in)


def _load_set(cache: Path, names: list[str]) -> list[dict]:
    items = []
    for name in names:
        for f in sorted((cache / name).glob("*.npz")):
            z = np.load(f)
            meta = json.loads(str(z["meta"]))
            if not meta["registered"]:
                continue
            items.append(
                {
                    "x": z["x"],
                    "t": z["target"],
                    "dgrey": z["dgrey"] if "dgrey" in z else np.zeros_like(z["target"]),
                    "zone": z["zone"],
                    "sigma": z["sigma"] if "sigma" in z else None,
                    "meta": meta,
                    "name": f"{name}:{f.stem}",
                }
            )
    return items


def train(args) -> None:
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    chans = list(CHANNELS[args.inputs])
    items = _load_set(Path(args.cache), args.train)
    for it in items:
        it["t"] = target_of(it, args.target)
        del it["dgrey"]
    pos = [it for it in items if it["t"].any()]
    print(
        f"{len(items)} pairs, {len(pos)} with a change (target {args.target}, inputs {args.inputs}, "
        f"augment {args.augment})",
        flush=True,
    )
    net = _net(len(chans))
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    ch, cw = args.crop
    bce = nn.BCEWithLogitsLoss(reduction="none")

    def crop(it, on_change: bool):
        x, t = it["x"], it["t"]
        _, h, w = x.shape
        hh, ww = min(ch, h - h % 8), min(cw, w - w % 8)
        if on_change:
            ys, xs = np.nonzero(t)
            k = rng.integers(len(ys))
            y0 = int(np.clip(ys[k] - rng.integers(0, hh), 0, h - hh))
            x0 = int(np.clip(xs[k] - rng.integers(0, ww), 0, w - ww))
        else:
            y0, x0 = int(rng.integers(0, h - hh + 1)), int(rng.integers(0, w - ww + 1))
        xc = np.zeros((x.shape[0], ch, cw), np.float32)
        tc = np.zeros((ch, cw), np.float32)
        mc = np.zeros((ch, cw), np.float32)
        xc[:, :hh, :ww] = x[:, y0 : y0 + hh, x0 : x0 + ww]
        tc[:hh, :ww] = t[y0 : y0 + hh, x0 : x0 + ww]
        # loss where the destination was imaged (valid, channel 6)
        mc[:hh, :ww] = x[6, y0 : y0 + hh, x0 : x0 + ww]
        if args.augment and rng.random() < args.augment:
            sc = np.full((ch, cw), MIN_SIGMA, np.float32)
            if it["sigma"] is not None:
                sc[:hh, :ww] = np.maximum(it["sigma"][y0 : y0 + hh, x0 : x0 + ww], MIN_SIGMA)
            augment(xc, tc, sc, rng)
        if rng.random() < 0.5:
            xc, tc, mc = xc[:, :, ::-1], tc[:, ::-1], mc[:, ::-1]
        return xc[chans], tc, mc

    t_end = time.time() + 60 * args.minutes
    step, losses = 0, []
    net.train()
    while time.time() < t_end:
        batch = [
            crop(pos[rng.integers(len(pos))], True)
            if rng.random() < args.pos_share
            else crop(items[rng.integers(len(items))], False)
            for _ in range(args.batch)
        ]
        xb = torch.from_numpy(np.stack([b[0] for b in batch]).copy())
        tb = torch.from_numpy(np.stack([b[1] for b in batch]).copy())[:, None]
        mb = torch.from_numpy(np.stack([b[2] for b in batch]).copy())[:, None]
        # the net's output is at /2: targets pooled (a half-resolution pixel is changed when any of its 4 is)
        t2 = nn.functional.max_pool2d(tb, 2)
        m2 = nn.functional.avg_pool2d(mb, 2)
        out = net(xb)
        w = m2 * (1 + (args.pos_weight - 1) * t2)
        loss = (bce(out, t2) * w).sum() / w.sum().clamp(min=1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        step += 1
        if step % 100 == 0:
            print(f"step {step} loss {np.mean(losses[-100:]):.4f} {time.strftime('%H:%M:%S')}", flush=True)
        if step == args.decay_at:
            for g in opt.param_groups:
                g["lr"] = args.lr / 5
    net.eval()
    torch.save(net.state_dict(), args.onnx + ".pt")
    dummy = torch.zeros(1, len(chans), 64, 128)
    torch.onnx.export(
        net,
        (dummy,),
        args.onnx,
        input_names=["x"],
        output_names=["logit"],
        dynamic_axes={"x": {2: "h", 3: "w"}, "logit": {2: "h2", 3: "w2"}},
        opset_version=17,
        dynamo=False,
    )
    print(f"{step} steps, wrote {args.onnx}", flush=True)


# --------------------------------------------------------------------------- scoring (onnxruntime)


def score(args) -> None:
    from scans.benchmark.bench import summarise
    from scans.comparison.dense import box_logit, change_probability, pair_statistic
    from scans.comparison.veto import region_features

    model = Path(args.model)
    recs = []
    t0 = time.time()
    for name in args.sets:
        for f in sorted((Path(args.cache) / name).glob("*.npz")):
            z = np.load(f)
            meta = json.loads(str(z["meta"]))
            lab = meta["lab"]
            rec = {
                "pair": f"{name}:{lab['id']}",
                "set": name,
                "tampered": lab["tampered"],
                "kind": lab.get("kind"),
                "box": lab.get("box"),
                "boxes": lab.get("boxes"),
                "registered": meta["registered"],
                "score": meta["score"] if meta["registered"] else float("nan"),
                "top": meta["top"],
                "seconds": 0.0,
            }
            if meta["registered"]:
                # the hand-made regions' own features (``veto.region_features``, twenty-second pass) and whether
                # each box holds changed pixels (the veto's label on fit pairs)
                xa = z["x"].astype(np.float32)
                content = xa[7] > 0.5
                rec["region_feats"] = [
                    region_features(r[0], r[1:5], xa[0] * 3.0, xa[5] > 0.5, xa[6] > 0.5, content, meta.get("span"))
                    for r in meta.get("regions", [])
                ]
                changed = z["target"].astype(np.float32) > TARGET_CHANGE
                rec["region_hits"] = [
                    bool(changed[max(0, r[2]) : r[2] + max(1, r[4]), max(0, r[1]) : r[1] + max(1, r[3])].any())
                    for r in meta.get("regions", [])
                ]
                rec["hand_regions"] = [
                    [r[0], *(round(v / meta["s_o"]) for v in r[1:5])] for r in meta.get("regions", [])
                ]
            if meta["registered"] and not args.no_model:
                x = z["x"][list(CHANNELS[args.inputs])].astype(np.float32)
                prob = change_probability(x, model)
                s_o = meta["s_o"]
                for sig in args.sigmas:
                    p, sm = pair_statistic(prob, z["zone"], sig)
                    p = float(np.clip(p, 1e-6, 1 - 1e-6))
                    rec[f"logit_{sig:g}"] = float(np.log(p / (1 - p)))
                    smz = np.where(z["zone"], sm, -1)
                    yy, xx = np.unravel_index(int(np.argmax(smz)), smz.shape)
                    rec[f"peak_{sig:g}"] = [round(xx / s_o), round(yy / s_o)]
                    # the hand-made regions with the dense logit over each (for the fusion, ``choose``)
                    rec[f"regions_{sig:g}"] = [
                        [r[0], box_logit(sm, r[1:5]), *(round(v / s_o) for v in r[1:5])]
                        for r in meta.get("regions", [])
                    ]
            recs.append(rec)
    print(f"{len(recs)} pairs scored in {time.time() - t0:.0f} s", flush=True)
    if args.records:
        Path(args.records).write_text(json.dumps(recs))
    if not args.no_model:
        report(recs, args.sigmas, summarise)


def _with(recs, key, sig):
    out = []
    for r in recs:
        r2 = dict(r)
        if r["registered"]:
            r2["score"] = r[key]
            px, py = r[f"peak_{sig:g}"]
            r2["top"] = [px - 2, py - 2, 5, 5]  # the peak (the box of its region contains it)
        out.append(r2)
    return out


def report(recs, sigmas, summarise) -> None:
    sets = sorted({r["set"] for r in recs})
    for s in sets:
        rs = [r for r in recs if r["set"] == s]
        hand = summarise(rs, threshold=0.0006)
        print(f"{s} hand-made at 0.0006: det {hand['detection']} fa {hand['false_alarm']} loc {hand['localisation']}")
        clean = sorted((r["score"] if r["registered"] else np.inf) for r in rs if not r["tampered"])
        for fa in (0.01, 0.05):
            k = int(fa * len(clean))
            thr = clean[::-1][k] if k < len(clean) else 0.0
            sm = summarise(rs, threshold=thr)
            print(f"   hand FA<={fa}: thr {thr:.5g} det {sm['detection']} fa {sm['false_alarm']}")
        for sig in sigmas:
            key = f"logit_{sig:g}"
            rs2 = _with(rs, key, sig)
            clean = sorted((r["score"] if r["registered"] else np.inf for r in rs2 if not r["tampered"]), reverse=True)
            print(f"  dense sigma {sig:g}: highest clean {[round(v, 2) for v in clean[:6]]}")
            for fa in (0.0, 0.01, 0.02, 0.05):
                k = int(fa * len(clean))
                thr = clean[k] if k < len(clean) else -30.0
                sm = summarise(rs2, threshold=thr)
                kinds = {k2: v["detection"] for k2, v in sm["by_kind"].items()}
                print(
                    f"    FA<={fa}: logit {thr:.3f} det {sm['detection']} fa {sm['false_alarm']} "
                    f"loc {sm['localisation']} {kinds}"
                )


# --------------------------------------------------------------------------- the twentieth pass's rule

FUSE_HANDS = (0.0002, 0.0003, 0.0004, 0.0006, 0.0008, 0.001, 0.0015, 0.002)


def fit_veto(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Twenty-second pass's region veto (``veto.VETO_WEIGHTS``): a logistic regression fitted by Newton steps on
    standardised features, L2 penalty ``l2`` on the standardised weights (bias unpenalised), no class weights;
    returned in raw units: [bias, one weight per column of ``x``]."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    a = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    pen = np.full(a.shape[1], l2)
    pen[0] = 0.0
    w = np.zeros(a.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -30, 30)))
        g = a.T @ (p - y) + pen * w
        h = (a * (p * (1 - p))[:, None]).T @ a + np.diag(pen) + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return np.concatenate([[w[0] - float(np.sum(w[1:] * mu / sd))], w[1:] / sd])


def _veto_rows(recs: list[dict], mode: str, sig: float, min_hand: float = 0.0002) -> tuple[np.ndarray, np.ndarray]:
    """The veto's training rows from ``score`` records of fit pairs: every cached region with a hand-made score
    above ``min_hand`` (the lowest FUSE_HAND), its features (``fv1``: and the dense logit over it), label: its
    box holds changed pixels."""
    xs, ys = [], []
    for r in recs:
        if not r["registered"]:
            continue
        for i, (feat, hit) in enumerate(zip(r["region_feats"], r["region_hits"])):
            if r["hand_regions"][i][0] <= min_hand:
                continue
            f = list(feat)
            if mode == "fv1":
                f.append(r[f"regions_{sig:g}"][i][1])
            xs.append(f)
            ys.append(bool(hit and r["tampered"]))
    return np.array(xs), np.array(ys)


def _regions_of(r: dict, mode: str, sig: float, weights=None) -> list:
    """A record's hand-made regions as [hand, partner, *box]: the partner is the dense logit ("and", "mean") or
    the veto's logit ("fv0": the region's features; "fv1": and the dense logit)."""
    if mode in ("and", "mean"):
        return r[f"regions_{sig:g}"]
    from scans.comparison.veto import veto_logit

    out = []
    for i, (hand, *box) in enumerate(r["hand_regions"]):
        f = list(r["region_feats"][i])
        if mode == "fv1":
            f.append(r[f"regions_{sig:g}"][i][1])
        out.append([hand, veto_logit(f, weights), *box])
    return out


def _fused(
    recs: list[dict], mode: str, sig: float, hand_thr: float, at: float | None = None, weights=None
) -> list[dict]:
    """Records re-scored so that a threshold on the score is DENSE_LOGIT: "dense", the dense map alone (its
    pair logit, the top box its peak); "and" / "mean", the hand-made regions fused as ``dense.fused_score``
    does (``_zscore``). ``at``: the DENSE_LOGIT the app will run with, so that for "and" the top box is the
    region the app puts first (the largest min(log(hand / FUSE_HAND), logit - DENSE_LOGIT)); the verdicts do
    not depend on it."""
    out = []
    for r in recs:
        r2 = dict(r)
        if r["registered"]:
            if mode == "dense":
                r2["score"] = r[f"logit_{sig:g}"]
                px, py = r[f"peak_{sig:g}"]
                r2["top"] = [px - 2, py - 2, 5, 5]
            else:
                best: tuple[float, list | None] = (-np.inf, None)
                for hand, lg, *box in _regions_of(r, mode, sig, weights):
                    z = _zscore("mean" if mode == "mean" else "and", hand, lg, hand_thr, at)
                    if z > best[0]:
                        best = (z, box)
                r2["score"], r2["top"] = best
        out.append(r2)
    return out


def _zscore(mode: str, hand: float, lg: float, hand_thr: float, at: float | None = None) -> float:
    """A region's fused score such that it is above a threshold L exactly when ``dense.fused_score`` at
    DENSE_LOGIT L is above the verdict threshold: "and", hand > FUSE_HAND and logit > L (``at`` given:
    min(log(hand / FUSE_HAND), logit - at) + at, the app's order of regions); "mean", log(hand / FUSE_HAND)
    + logit > L."""
    zh = float(np.log(max(hand, 1e-12) / hand_thr))
    if mode == "and":
        if at is not None:
            return min(zh, lg - at) + at
        return lg if zh > 0 else -np.inf
    return zh + lg


def _point(rs: list[dict], k: int, summarise) -> tuple[float, dict]:
    """The lowest threshold with at most k clean alarms (unregistered count as alarms) and the figures there,
    rounded up to 4 decimals: the value the app runs with (``DENSE_LOGIT``), which must not let through the
    clean pair that sets the point (the twentieth pass printed 1.2305 for 1.2305053)."""
    clean = sorted((r["score"] if r["registered"] else np.inf for r in rs if not r["tampered"]), reverse=True)
    n_unreg = sum(not r["registered"] for r in rs if not r["tampered"])
    if k < n_unreg:
        k = n_unreg
    thr = clean[k] if k < len(clean) else -np.inf
    thr = math.ceil(thr * 1e4) / 1e4 if np.isfinite(thr) else -30.0
    return float(thr), summarise(rs, threshold=thr)


def _at_change(r: dict, box) -> bool:
    """``box`` (x, y, w, h, original px) holds the record's change: ``scans_bench``'s localisation test."""
    from scans.benchmark.bench import _intersects

    return any(_intersects(box, b) for b in (r.get("boxes") or [r["box"]]) if b)


def _located(recs: list[dict], thr: float) -> int:
    """Correctly located detections: tampered pairs above ``thr`` whose top box holds the change."""
    from scans.benchmark.bench import _hits

    return sum(bool(r["tampered"] and r["registered"] and r["score"] > thr and _hits(r)) for r in recs)


def _veto_point(
    recs: list[dict], mode: str, sig: float, weights, hand_thr: float = 0.0006, located: bool = False
) -> tuple[float, str]:
    """Twenty-third pass, ``choose --pure-veto``: the highest VETO_LOGIT (4 decimals, as the app runs it) at which
    the veto, with FUSE_HAND = ``hand_thr`` (the shipped threshold), loses no tampered pair of ``recs`` that the
    hand-made score detects there: the lowest, over those pairs, of the largest veto logit among their regions
    above ``hand_thr``, rounded down (one step lower if the rounding leaves it equal). Returns it and the pair
    that sets it (-30.0 and "" when no pair is detected: nothing is vetoed). Twenty-fourth pass, ``located``
    (``--located-only``): only regions above ``hand_thr`` that hold the pair's change count (``_at_change``),
    and a pair with none, "detected" only away from its change, does not set the point."""
    best: tuple[float, str] = (np.inf, "")
    for r in recs:
        if not (r["tampered"] and r["registered"] and r["score"] > hand_thr):
            continue
        lgs = [
            lg
            for hand, lg, *box in _regions_of(r, mode, sig, weights)
            if hand > hand_thr and (not located or _at_change(r, box))
        ]
        if not lgs:
            continue
        m = max(lgs)
        if m < best[0]:
            best = (m, r.get("pair", ""))
    if not np.isfinite(best[0]):
        return -30.0, ""
    v = math.floor(best[0] * 1e4) / 1e4
    if v >= best[0]:
        v -= 1e-4
    return round(v, 4), best[1]


def choose(args) -> None:
    """The rule in /tmp/s20/RULE.txt (docs/benchmarks.md, twentieth pass; the twenty-first pass ran it with
    ``--modes dense and``) on validation records of ``score``. Twenty-second pass: ``--calib`` sets (clean pairs
    only, ``extract --clean-only``) join the hard set's clean pairs for every count of clean alarms (k, each
    threshold); ``fv0`` / ``fv1``, the fusion "and" with the region veto (``veto.py``) fitted on ``--fit-records``
    (``score`` records of the fit pairs, one file per ``--records`` file) in place of the dense logit."""
    from scans.benchmark.bench import summarise

    hard_set, plain_set = args.hard, args.plain
    rows = []
    shipped = None
    fits = args.fit_records or [None] * len(args.records)
    if len(fits) != len(args.records):
        raise SystemExit("--fit-records: one file per --records file")
    for path, fit_path in zip(args.records, fits):
        recs = json.loads(Path(path).read_text())
        hard = [r for r in recs if r["set"] == hard_set or r["set"] in args.calib]
        plain = [r for r in recs if r["set"] == plain_set]
        if shipped is None:
            s_h, s_p = summarise(hard, threshold=0.0006), summarise(plain, threshold=0.0006)
            k = sum(r["score"] > 0.0006 or not r["registered"] for r in hard if not r["tampered"])
            _, s01 = _point(hard, int(0.01 * sum(not r["tampered"] for r in hard)), summarise)
            n_loc = (_located(hard, 0.0006), _located(plain, 0.0006))
            shipped = {"k": k, "hard": s_h, "plain": s_p, "located": n_loc}
            print(
                f"S shipped at 0.0006: hard det {s_h['detection']} fa {s_h['false_alarm']} (k = {k}) "
                f"loc {s_h['localisation']} located {n_loc[0]} {_kinds(s_h)}; FA<=0.01 det {s01['detection']}; "
                f"plain det {s_p['detection']} fa {s_p['false_alarm']} located {n_loc[1]}"
            )
        k = shipped["k"]
        n01 = int(0.01 * sum(not r["tampered"] for r in hard))
        fit = json.loads(Path(fit_path).read_text()) if fit_path else None
        for mode in args.modes:
            for sig in (0.0,) if mode == "fv0" else args.sigmas:
                weights = None
                fixed = getattr(args, "veto_weights", None)
                if mode in ("fv0", "fv1") and fixed:  # twenty-fourth pass: weights given, no fit
                    weights = [float(v) for v in fixed.split(",")]
                    print(f"veto {mode} sigma {sig:g}: weights given {weights}")
                elif mode in ("fv0", "fv1"):
                    if fit is None:
                        raise SystemExit(f"--modes {mode} needs --fit-records")
                    xs, ys = _veto_rows(fit, mode, sig, getattr(args, "fit_min_hand", 0.0002))
                    weights = [round(float(v), 6) for v in fit_veto(xs, ys)]
                    print(
                        f"veto {mode} sigma {sig:g}: {len(ys)} fit regions, {int(ys.sum())} changed; weights {weights}"
                    )
                pure = getattr(args, "pure_veto", False) and mode in ("fv0", "fv1")
                hands = (0.0006,) if pure else FUSE_HANDS if mode in ("and", "fv0", "fv1") else (0.0006,)
                for ht in hands:
                    h2 = _fused(hard, mode, sig, ht, weights=weights)
                    if pure:  # twenty-third pass: keep every tampered pair S detects, hard and plain
                        located = getattr(args, "located_only", False)
                        thr, by = _veto_point(hard + plain, mode, sig, weights, ht, located=located)
                        print(
                            f"pure veto {mode} sigma {sig:g}{' located only' if located else ''}: "
                            f"VETO_LOGIT {thr} (set by {by})"
                        )
                    else:
                        thr, _ = _point(h2, k, summarise)
                    _, s01 = _point(h2, n01, summarise)
                    fh, fp = _fused(hard, mode, sig, ht, thr, weights), _fused(plain, mode, sig, ht, thr, weights)
                    sm, sp = summarise(fh, threshold=thr), summarise(fp, threshold=thr)
                    n_fa = round(sm["false_alarm"] * sum(not r["tampered"] for r in hard))
                    rows.append(
                        {
                            "model": Path(path).stem,
                            "mode": mode,
                            "sigma": sig,
                            "fuse_hand": ht,
                            "dense_logit": round(thr, 4),
                            "hard": sm,
                            "n_fa": n_fa,
                            "plain": sp,
                            "det01": s01["detection"],
                            "weights": weights,
                            "located": (_located(fh, thr), _located(fp, thr)),
                        }
                    )
    order = {"fv0": 0, "and": 1, "fv1": 2, "mean": 3, "dense": 4}

    def key(r):
        if getattr(args, "pure_veto", False):  # equal detection by construction: the fewest clean alarms
            return (-r["hard"]["detection"], r["n_fa"], -r["sigma"])
        return (
            -r["hard"]["detection"],
            -r["plain"]["detection"],
            r["plain"]["false_alarm"],
            -r["det01"],
            -r["sigma"],
            abs(np.log(r["fuse_hand"] / 0.0006)),
        )

    best_per = {}
    for r in rows:
        kk = (r["model"], r["mode"])
        if kk not in best_per or key(r) < key(best_per[kk]):
            best_per[kk] = r
    for r in sorted(rows, key=lambda r: (r["model"], order[r["mode"]], r["sigma"], r["fuse_hand"])):
        mark = "*" if best_per[(r["model"], r["mode"])] is r else " "
        print(
            f"{mark} {r['model']} {r['mode']:5s} sigma {r['sigma']:g} hand {r['fuse_hand']:g} logit {r['dense_logit']}: "
            f"hard det {r['hard']['detection']} fa {r['hard']['false_alarm']} ({r['n_fa']}) "
            f"loc {r['hard']['localisation']} located {r['located'][0]} {_kinds(r['hard'])}; FA<=0.01 det "
            f"{r['det01']}; plain det {r['plain']['detection']} fa {r['plain']['false_alarm']} loc "
            f"{r['plain']['localisation']} located {r['located'][1]}"
        )
    finalists = sorted(
        best_per.values(), key=lambda r: (-r["hard"]["detection"], r["n_fa"], order[r["mode"]], r["model"])
    )
    c = finalists[0]
    s_h, s_p = shipped["hard"], shipped["plain"]
    gate = (
        c["hard"]["detection"] > s_h["detection"]
        or (c["hard"]["detection"] == s_h["detection"] and c["hard"]["false_alarm"] < s_h["false_alarm"])
    ) and (c["plain"]["detection"] >= s_p["detection"] and c["plain"]["false_alarm"] <= s_p["false_alarm"])
    if getattr(args, "located_only", False):
        # twenty-fourth pass: fewer clean alarms, no fewer located detections (hard and plain), plain unchanged
        gate = (
            c["n_fa"] < shipped["k"]
            and sum(c["located"]) >= sum(shipped["located"])
            and c["plain"]["detection"] == s_p["detection"]
            and c["plain"]["false_alarm"] == s_p["false_alarm"]
        )
    if c["mode"] in ("fv0", "fv1"):
        values = f"VETO_LOGIT={c['dense_logit']} VETO_WEIGHTS={','.join(map(str, c['weights']))}"
    else:
        values = f"DENSE_LOGIT={c['dense_logit']}"
    print(
        f"CHOSEN: {c['model']} {c['mode']} DENSE_SIGMA={c['sigma']:g} FUSE_HAND={c['fuse_hand']:g} "
        f"{values}; val gate {'met' if gate else 'NOT met'}"
    )


def _kinds(sm: dict) -> dict:
    return {k: v["detection"] for k, v in sm["by_kind"].items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("pairs", nargs="+")
    e.add_argument("--out", required=True)
    e.add_argument("--limit", type=int, default=0, help="only the first N pairs of each directory")
    e.add_argument("--clean-only", action="store_true", help="only the clean pairs (calibration of clean alarms)")
    t = sub.add_parser("train")
    t.add_argument("--cache", required=True)
    t.add_argument("--train", nargs="+", required=True)
    t.add_argument("--minutes", type=float, default=30)
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--crop", type=int, nargs=2, default=(128, 256))
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--decay-at", type=int, default=10**9)
    t.add_argument("--pos-share", type=float, default=0.5)
    t.add_argument("--pos-weight", type=float, default=3.0)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--onnx", required=True)
    t.add_argument("--target", choices=("all", "dest"), default="all", help="dest: only what the destination shows")
    t.add_argument("--inputs", choices=("maps", "images"), default="maps", help="images: no hand-made change channels")
    t.add_argument(
        "--augment",
        type=float,
        default=0.0,
        help="share of crops whose destination gets another display curve and saturation level (0 = off)",
    )
    s = sub.add_parser("score")
    s.add_argument("--cache", required=True)
    s.add_argument("--sets", nargs="+", required=True)
    s.add_argument("--model", default=str(Path(__file__).resolve().parent.parent / "scans/comparison/dense.onnx"))
    s.add_argument("--sigmas", type=float, nargs="+", default=(2.0, 4.0))
    s.add_argument("--records", default=None)
    s.add_argument("--inputs", choices=("maps", "images"), default="maps", help="as the model was trained")
    s.add_argument("--no-model", action="store_true", help="only the regions' own features (the veto without the map)")
    c = sub.add_parser("choose", help="the twentieth pass's rule on validation records of score")
    c.add_argument("--records", nargs="+", required=True, help="score --records of each model (same pairs)")
    c.add_argument("--hard", required=True, help="the hard validation set's name")
    c.add_argument("--plain", required=True, help="the plain validation set's name")
    c.add_argument("--sigmas", type=float, nargs="+", default=(2.0, 4.0))
    c.add_argument(
        "--modes", nargs="+", choices=("dense", "and", "mean", "fv0", "fv1"), default=("dense", "and", "mean")
    )
    c.add_argument("--calib", nargs="*", default=[], help="sets of clean pairs that join the hard set's clean pairs")
    c.add_argument("--fit-records", nargs="*", default=None, help="score records of the fit pairs (fv0, fv1)")
    c.add_argument(
        "--fit-min-hand", type=float, default=0.0002, help="the veto is fitted on fit regions above this hand score"
    )
    c.add_argument(
        "--pure-veto",
        action="store_true",
        help="fv0 / fv1 at FUSE_HAND 0.0006 only, VETO_LOGIT losing no tampered pair detected there (23rd pass)",
    )
    c.add_argument(
        "--located-only",
        action="store_true",
        help="with --pure-veto: only pairs detected at their change (a region above 0.0006 holding it) set the point",
    )
    c.add_argument("--veto-weights", default=None, help="fixed VETO_WEIGHTS (comma-separated) in place of a fit")
    args = ap.parse_args()
    {"extract": extract, "train": train, "score": score, "choose": choose}[args.cmd](args)


if __name__ == "__main__":
    main()
