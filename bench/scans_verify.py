"""Training data, training and tune figures of the learned region verifier (``Params.USE_VERIFIER``).

    python manage.py scans_make_pairs --data /work/shared/data/scans/dev --out /tmp/scans4/tune_h32 --n 250 --seed 32 --split tune --hard
    python bench/scans_verify.py extract --cache /tmp/scans4/cache --out /tmp/scans4/feat /tmp/scans4/tune_h32 ...
    python bench/scans_verify.py train --feat /tmp/scans4/feat --train tune_h32 tune_h33 tune_h34 --val tune_h31 --model scans/comparison/verifier.onnx

``extract`` runs the comparison's stages from the cached affine stage (``bench/scans_tune.py``'s
cache) exactly as ``compare_scans`` does with ``USE_VERIFIER`` on, and stores for each pair the
verifier's inputs of its candidate regions, their boxes (origin pixels) and the pair's label.
Labels of candidates: a region of a tampered pair that intersects the true box (or one of the
split boxes) is positive; every region of a clean pair is negative; the other regions of a
tampered pair are left out. ``train`` fits a small CNN (patches) + MLP (scalars) in torch, exports it
to ONNX and prints the pair-level figures of the validation seed per logit threshold and the
threshold that keeps false alarm at or under ``--target-fa``. ``breakdown`` lists the hand-made
score's misses (per kind and cause) and clean alarms (per cause) of tune sets; ``second`` chooses
the second-opinion thresholds (``Params.VERIFY_SECOND_OPINION``) on a hard and a plain validation
set; ``heldout`` is the one run on held-out pairs with the choices fixed. Tune pairs only, but
``heldout``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scans_tune import _affine, _override
from scans.benchmark.bench import _intersects, summarise
from scans.comparison import Params
from scans.comparison.changes import change_maps
from scans.comparison.regions import container_span, find_regions
from scans.comparison.registration import refine_warp
from scans.comparison.verifier import N_SCALAR, at_wall, candidate_inputs, second_opinion, select

SECOND_COL = 31  # the scalar feature "from the second candidate pass" (verifier.candidate_inputs)


def _extract(path: Path, out: Path, params: Params) -> None:
    z = pickle.loads(path.read_bytes())
    lab = z["lab"]
    rec = {"pair": f"{path.parent.name}:{lab['id']}", "tampered": lab["tampered"], "kind": lab.get("kind")}
    rec.update(box=lab.get("box"), boxes=lab.get("boxes"), registered=False)
    details = dict(z["details"])
    t = time.process_time()
    reg = None if z["aff"] is None else refine_warp(*z["aff"], details, {}, params)
    maps = None if reg is None else change_maps(*reg, details, {}, params)
    scal = np.zeros((0, N_SCALAR), np.float32)
    patches = np.zeros((0, 5, 24, 24), np.float32)
    boxes, base = [], []
    if maps is not None:
        span = container_span(reg[0], params)
        regions, _ = find_regions(maps, span, params)
        scal, patches = candidate_inputs(maps, regions, span, details, params)
        cands = select(regions, params)
        boxes = [[round(v / z["s_o"]) for v in r[1:5]] for r in cands]
        base = [float(r[0]) for r in cands]
        rec.update(registered=True, base_score=float(regions[0][0]) if regions else 0.0)
    truth = (lab.get("boxes") or [lab["box"]]) if lab["tampered"] else []
    hit = [any(_intersects(b, tb) for tb in truth) for b in boxes]
    if maps is not None and truth:  # rank of the first region on the true box among all regions (None: none)
        ranks = [
            k
            for k, r in enumerate(regions)
            if any(_intersects([round(v / z["s_o"]) for v in r[1:5]], tb) for tb in truth)
        ]
        rec.update(hit_rank=ranks[0] if ranks else None)
    rec.update(cpu_s=time.process_time() - t)
    np.savez_compressed(
        out,
        scal=scal,
        patches=patches.astype(np.float16),
        boxes=np.array(boxes).reshape(-1, 4),
        base=np.array(base),
        hit=np.array(hit, bool),
        rec=json.dumps(rec),
    )


def extract(args) -> None:
    params = dataclasses.replace(Params(), USE_VERIFIER=True)
    for d in map(Path, args.pairs):
        cache = Path(args.cache) / d.name
        cache.mkdir(parents=True, exist_ok=True)
        out = Path(args.out) / d.name
        out.mkdir(parents=True, exist_ok=True)
        t = time.time()
        for lab in json.loads((d / "labels.json").read_text())[: args.limit or None]:
            f = out / f"{lab['id']:04d}.npz"
            if f.exists():
                continue
            _extract(_affine((d, lab, cache / f"{lab['id']:04d}.pkl")), f, params)
        print(d.name, round(time.time() - t, 1), "s", flush=True)


def load(feat: Path, names: list[str]) -> list[dict]:
    pairs = []
    for name in names:
        for f in sorted((feat / name).glob("*.npz")):
            z = np.load(f)
            pairs.append(
                {"rec": json.loads(str(z["rec"])), **{k: z[k] for k in ("scal", "patches", "boxes", "base", "hit")}}
            )
    return pairs


def _model(mean: np.ndarray, std: np.ndarray, use_patches: bool):
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
            self.use_patches = use_patches
            self.cnn = nn.Sequential(
                nn.Conv2d(5, 16, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(32, 32, 3, padding=1),
                nn.ReLU(),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
            )
            self.mlp = nn.Sequential(nn.Linear(N_SCALAR, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 32), nn.ReLU())
            self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64 if use_patches else 32, 1))

        def forward(self, scalars, patches):
            s = self.mlp((scalars - self.mean) / self.std)
            if self.use_patches:
                s = torch.cat([s, self.cnn(patches)], dim=1)
            return self.head(s)

    return Net()


def _pair_scores(pairs: list[dict], lg_all: np.ndarray) -> list[dict]:
    """Pair records as ``summarise`` takes them: score = best logit, top = its box."""
    recs, i = [], 0
    for p in pairs:
        n = len(p["scal"])
        lg = lg_all[i : i + n]
        i += n
        r = dict(p["rec"])
        r.update(
            seconds=0.0,
            score=float(lg.max()) if n else -99.0,
            top=[int(v) for v in p["boxes"][int(lg.argmax())]] if n else None,
        )
        recs.append(r)
    return recs


def _group(r: dict) -> str:
    """hard or plain: the generator's settings of a pair's set (``tune_hNN`` / ``tune_pNN``)."""
    return "hard" if r["pair"].split(":")[0].split("_")[-1].startswith("h") else "plain"


def _fa_threshold(recs: list[dict], target_fa: float) -> float:
    clean = sorted((r["score"] if r["registered"] else np.inf for r in recs if not r["tampered"]), reverse=True)
    allowed = int(target_fa * len(clean))
    return clean[allowed] if allowed < len(clean) else -99.0


def figures(recs: list[dict], target_fa: float) -> dict:
    """Figures at the lowest threshold that keeps false alarm at or under ``target_fa`` in each
    group of pairs (hard and plain validation pairs separately) - the pooled figures below it."""
    thr = max(_fa_threshold([r for r in recs if _group(r) == g], target_fa) for g in {_group(r) for r in recs})
    s = summarise(recs, threshold=thr)
    return {
        "threshold": thr,
        "detection": s["detection"],
        "false_alarm": s["false_alarm"],
        "localisation": s["localisation"],
        "by_kind": {k: v["detection"] for k, v in s["by_kind"].items()},
    }


def per_set(recs: list[dict], threshold: float) -> dict:
    """``summarise`` at ``threshold`` for each pair set (the part of ``pair`` before the colon)."""
    sets = sorted({r["pair"].split(":")[0] for r in recs})
    out = {}
    for name in sets:
        s = summarise([r for r in recs if r["pair"].split(":")[0] == name], threshold=threshold)
        out[name] = {k: s[k] for k in ("n", "detection", "false_alarm", "localisation")} | {
            "by_kind": {k: v["detection"] for k, v in s["by_kind"].items()}
        }
    return out


def train(args) -> None:
    import torch

    torch.set_num_threads(1)
    feat = Path(args.feat)
    tr = load(feat, args.train)
    va = load(feat, args.val)
    for p in tr + va:  # ablations: without the second pass's candidates, without some features
        if args.no_second:
            keep = p["scal"][:, SECOND_COL] < 0.5
            p.update({k: p[k][keep] for k in ("scal", "patches", "boxes", "base", "hit")})
        if args.drop:
            p["scal"][:, args.drop] = 0.0
    xs, xp, y = [], [], []
    for p in tr:
        keep = p["hit"] if p["rec"]["tampered"] and not args.tampered_negatives else np.ones(len(p["scal"]), bool)
        xs.append(p["scal"][keep])
        xp.append(p["patches"][keep].astype(np.float32))
        y.append(p["hit"][keep].astype(np.float32))
    xs, xp, y = np.concatenate(xs), np.concatenate(xp), np.concatenate(y)
    print(
        json.dumps(
            {
                "train_pairs": len(tr),
                "candidates": len(y),
                "positives": int(y.sum()),
                "tampered_pairs": sum(p["rec"]["tampered"] for p in tr),
                "tampered_with_hit": sum(bool(p["hit"].any()) for p in tr if p["rec"]["tampered"]),
            }
        ),
        flush=True,
    )
    mean, std = xs.mean(0), xs.std(0) + 1e-3
    vs = torch.tensor(np.concatenate([p["scal"] for p in va]))
    vp = torch.tensor(np.concatenate([p["patches"] for p in va]).astype(np.float32))
    base = [
        dict(
            p["rec"],
            seconds=0.0,
            score=float(p["base"].max()) if len(p["base"]) else 0.0,
            top=list(p["boxes"][0]) if len(p["boxes"]) else None,
        )
        for p in va
    ]
    print(
        json.dumps(
            {
                "val_pairs": len(va),
                "hand_made_score_at_target": figures(base, args.target_fa),
                "hand_made_at_0.0006_per_set": per_set(base, 0.0006),
            }
        ),
        flush=True,
    )
    nets = []
    for member in range(args.ensemble):
        torch.manual_seed(args.seed + member)
        net = _model(mean, std, not args.scalars_only)
        _fit(net, xs, xp, y, vs, vp, va, args, np.random.default_rng(args.seed + member))
        nets.append(net)
    net = _mean_module(nets)
    net.eval()
    with torch.no_grad():
        lg = net(vs, vp).squeeze(1).numpy()
    recs = _pair_scores(va, lg)
    out = figures(recs, args.target_fa)
    clean = sorted((round(r["score"], 3), r["pair"]) for r in recs if not r["tampered"])[::-1][:8]
    missed = [
        (round(r["score"], 2), r["pair"], r["kind"])
        for r in recs
        if r["tampered"] and not r["score"] > out["threshold"]
    ]
    # the shipped VERIFY_LOGIT: just above the clean logit that sets the threshold
    logit = round(out["threshold"] + 0.05, 2)
    at = summarise(recs, threshold=logit)
    loose = figures(recs, 0.05)
    print(
        json.dumps(
            {"val": out, "verify_logit": logit, "at_verify_logit": at, "at_0.05": loose}
            | {"per_set_at_verify_logit": per_set(recs, logit), "per_set_at_0.05": per_set(recs, loose["threshold"])}
            | {"highest_clean": clean, "missed": missed}
        ),
        flush=True,
    )
    # the verifier OR the hand-made score above the level where it alone keeps FA <= target
    hm = figures(base, args.target_fa)["threshold"]
    both = [dict(r, score=np.inf if b["score"] > hm else r["score"]) for r, b in zip(recs, base, strict=True)]
    fb = figures(both, args.target_fa)
    print(
        json.dumps(
            {"or_hand_made_above": hm, "val": fb, "per_set": per_set(both, fb["threshold"])}
            | {"at_0.05": (f5 := figures(both, 0.05)), "per_set_at_0.05": per_set(both, f5["threshold"])}
        ),
        flush=True,
    )
    if args.save_scores:
        Path(args.save_scores).write_text(
            json.dumps([dict(r, base=b["score"]) for r, b in zip(recs, base, strict=True)])
        )
    if args.model:
        torch.onnx.export(
            net,
            (torch.tensor(xs[:2]), torch.tensor(xp[:2])),
            args.model,
            input_names=["scalars", "patches"],
            output_names=["logit"],
            dynamic_axes={"scalars": {0: "n"}, "patches": {0: "n"}, "logit": {0: "n"}},
            opset_version=17,
            dynamo=False,
        )
        print("wrote", args.model)


def _mean_module(nets):
    import torch
    from torch import nn

    class Mean(nn.Module):
        """The ensemble's mean logit (one ONNX graph)."""

        def __init__(self):
            super().__init__()
            self.nets = nn.ModuleList(nets)

        def forward(self, scalars, patches):
            return torch.stack([n(scalars, patches) for n in self.nets]).mean(0)

    return Mean()


def _fit(net, xs, xp, y, vs, vp, va, args, rng) -> None:
    import torch

    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-3)
    pos_w = torch.tensor((len(y) - y.sum()) / max(y.sum(), 1.0))
    loss_f = torch.nn.BCEWithLogitsLoss(pos_weight=pos_w)
    ts, tp, ty = torch.tensor(xs), torch.tensor(xp), torch.tensor(y)
    for epoch in range(args.epochs):
        net.train()
        order = rng.permutation(len(y))
        tot = 0.0
        for b in range(0, len(order), 64):
            idx = torch.tensor(order[b : b + 64])
            pb = tp[idx]
            if rng.random() < 0.5:  # mirrored scans are as likely as not
                pb = torch.flip(pb, dims=[3])
            loss = loss_f(net(ts[idx], pb).squeeze(1), ty[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss.detach()) * len(idx)
        if epoch == args.epochs - 1:
            net.eval()
            with torch.no_grad():
                lg = net(vs, vp).squeeze(1).numpy()
            f1 = figures(_pair_scores(va, lg), args.target_fa)
            print(json.dumps({"epoch": epoch + 1, "loss": round(tot / len(y), 4), "val_at_target": f1}), flush=True)


def _second_records(pairs: list[dict], params: Params) -> list[dict]:
    """Pair records (``summarise``) of the second opinion: per candidate ``verifier.second_opinion``
    over the stored hand-made scores and the logits in ``p["lg"]``; the best candidate decides."""
    out = []
    for p in pairs:
        score, top = 0.0, None
        if len(p["base"]):
            sc = second_opinion(p["base"], p["lg"], at_wall(p["scal"], params), params, p["scal"][:, 30])
            k = int(np.argmax(sc))
            score, top = float(sc[k]), [int(v) for v in p["boxes"][k]]
        out.append(dict(p["rec"], seconds=0.0, score=score, top=top))
    return out


def second(args) -> None:
    """The second-opinion thresholds (``VERIFY_VETO_LOGIT``, ``VERIFY_ADD_LOGIT``, with and
    without ``VERIFY_VETO_WALLS``) on the validation pairs of one hard and one plain set, with
    ``--model``: among the settings that lose no detection and add no false alarm against the
    hand-made score at 0.0006 in either set, the one with the largest hard detection minus false
    alarm; ties go to the highest add logit and the middle of the run of veto logits that reach
    it. ``--affine``: the grid with ``VERIFY_AFFINE_SCORE`` (the reference stays the plain score)."""
    from scans.comparison.params import DEFAULT_THRESHOLD
    from scans.comparison.verifier import logits

    feat = Path(args.feat)
    sets = {name: load(feat, [name]) for name in (args.hard, args.plain)}
    for ps in sets.values():
        for p in ps:
            p["lg"] = logits(p["scal"], p["patches"].astype(np.float32), Path(args.model))
    base = dataclasses.replace(Params(), USE_VERIFIER=True)

    def fig(name: str, params: Params) -> dict:
        return summarise(_second_records(sets[name], params), threshold=DEFAULT_THRESHOLD)

    # the reference is the hand-made score itself: no veto, no add (not the Params defaults, which
    # since the sixth pass hold its chosen add logit)
    hand_made = dataclasses.replace(base, VERIFY_VETO_LOGIT=-99.0, VERIFY_ADD_LOGIT=99.0)
    ref = {n: summarise(_second_records(ps, hand_made), threshold=DEFAULT_THRESHOLD) for n, ps in sets.items()}
    print(
        json.dumps(
            {
                "hand_made": {
                    n: {k: s[k] for k in ("detection", "false_alarm", "localisation", "by_kind")}
                    for n, s in ref.items()
                }
            }
        )
    )
    rows = []
    vetos = [round(float(v), 2) for v in np.arange(-14.0, 8.01, 0.25)]
    for walls in (True, False):
        for veto in vetos:
            for add in [*(round(float(a), 2) for a in np.arange(3.0, 14.01, 1.0)), 99.0]:
                pr = dataclasses.replace(
                    base,
                    VERIFY_AFFINE_SCORE=args.affine,
                    VERIFY_SECOND_OPINION=True,
                    VERIFY_VETO_LOGIT=veto,
                    VERIFY_VETO_WALLS=walls,
                    VERIFY_ADD_LOGIT=add,
                )
                h, pl = fig(args.hard, pr), fig(args.plain, pr)
                rows.append((walls, veto, add, h["detection"], h["false_alarm"], pl["detection"], pl["false_alarm"]))
    if args.rows:
        Path(args.rows).write_text(json.dumps(rows))
    H, P = ref[args.hard], ref[args.plain]
    ok = [
        r
        for r in rows
        if r[3] >= H["detection"] and r[4] <= H["false_alarm"] and r[5] >= P["detection"] and r[6] <= P["false_alarm"]
    ]
    if not ok:
        print(json.dumps({"settings_kept": 0, "note": "every setting loses a detection or adds an alarm"}))
        return
    best = max(r[3] - r[4] for r in ok)
    top = [r for r in ok if r[3] - r[4] == best]
    # the most conservative add (highest), then the veto in the middle of its run
    walls, add = top[0][0], max(r[2] for r in top if r[0] == top[0][0])
    run = sorted(r[1] for r in top if r[0] == walls and r[2] == add)
    veto = run[len(run) // 2]
    chosen = dataclasses.replace(
        base,
        VERIFY_AFFINE_SCORE=args.affine,
        VERIFY_SECOND_OPINION=True,
        VERIFY_VETO_LOGIT=veto,
        VERIFY_VETO_WALLS=walls,
        VERIFY_ADD_LOGIT=add,
    )
    out = {"settings_kept": len(ok), "best_det_minus_fa": best, "top": top[:20], "veto_run": run}
    out["chosen"] = {"VERIFY_VETO_LOGIT": veto, "VERIFY_VETO_WALLS": walls, "VERIFY_ADD_LOGIT": add}
    out["chosen"]["VERIFY_AFFINE_SCORE"] = args.affine
    for name in sets:
        s = fig(name, chosen)
        out[name] = {k: s[k] for k in ("detection", "false_alarm", "localisation", "by_kind")}
    print(json.dumps(out))


def _alarm_cause(p: dict) -> str:
    """Where a clean pair's best candidate lies (scalar columns of ``candidate_inputs``): at a wall
    (18, 22), at the destination frame's end (26), at the crop's lower edge (29), on saturated
    cargo (15), or elsewhere."""
    if not p["rec"]["registered"]:
        return "unregistered"
    s = p["scal"][int(np.argmax(p["base"]))]
    parts = [
        name
        for name, on in (
            ("wall", s[22] > 0.5 or s[18] < 0.05),
            ("frame_end", s[26] < 0.02),
            ("lower_edge", s[29] < 0.05),
            ("saturated", s[15] > 0.3),
        )
        if on
    ]
    return "+".join(parts) or "other"


def _miss_cause(p: dict) -> str:
    """Why a tampered pair is missed: not registered, no candidate on the true box (``no_region``
    or the rank of the first region on it beyond the candidates), or a low hand-made score on the
    true box (``+saturated``: over 30 % of the region at the ceiling; ``+shift``: a local shift
    explains half of it)."""
    r = p["rec"]
    if not r["registered"]:
        return "unregistered"
    if not p["hit"].any():
        return "no_region" if r.get("hit_rank") is None else f"rank_{r['hit_rank']}"
    hits = np.flatnonzero(p["hit"])
    s = p["scal"][hits[int(np.argmax(p["base"][hits]))]]
    return "low_score" + ("+saturated" if s[15] > 0.3 else "") + ("+shift" if s[2] < 0.5 else "")


def breakdown(args) -> None:
    """Misses per kind and cause and clean alarms per cause of the hand-made score at the verdict
    threshold, from the stored candidates of each set (tune sets only)."""
    from collections import Counter

    from scans.comparison.params import DEFAULT_THRESHOLD

    for name in args.sets:
        ps = load(Path(args.feat), [name])
        best = [float(p["base"].max()) if len(p["base"]) else 0.0 for p in ps]
        alarms = [
            p
            for p, b in zip(ps, best, strict=True)
            if not p["rec"]["tampered"] and not (p["rec"]["registered"] and b <= DEFAULT_THRESHOLD)
        ]
        missed = [
            p
            for p, b in zip(ps, best, strict=True)
            if p["rec"]["tampered"] and not (p["rec"]["registered"] and b > DEFAULT_THRESHOLD)
        ]
        out = {
            "set": name,
            "pairs": len(ps),
            "tampered": sum(p["rec"]["tampered"] for p in ps),
            "missed": Counter(f"{p['rec']['kind']}:{_miss_cause(p).split('+')[0]}" for p in missed),
            "missed_pairs": [(p["rec"]["pair"], p["rec"]["kind"], _miss_cause(p)) for p in missed],
            "alarms": Counter(_alarm_cause(p) for p in alarms),
            "alarm_pairs": [(p["rec"]["pair"], _alarm_cause(p)) for p in alarms],
        }
        print(json.dumps(out))


def heldout(args) -> None:
    """One run of the comparison with the verifier on (``VERIFY_LOGIT`` = the first ``--logit``;
    ``--set`` other ``Params`` fields, e.g. the second opinion's) over a pair set; figures at each
    ``--logit`` from that one run (``scans_bench`` would print the first with the verifier on by
    default, the others with ``--threshold``)."""
    from scans.benchmark.bench import evaluate
    from scans.comparison.params import DEFAULT_THRESHOLD

    params = dataclasses.replace(Params(), USE_VERIFIER=True, VERIFY_LOGIT=args.logit[0], **dict(args.set))
    recs = evaluate(args.pairs, limit=args.limit, params=params)
    Path(args.out).write_text(json.dumps(recs))
    for lg in args.logit:
        thr = DEFAULT_THRESHOLD * float(np.exp(lg - args.logit[0]))
        print(json.dumps({"logit": lg, "threshold": thr} | summarise(recs, threshold=thr)), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("pairs", nargs="+")
    e.add_argument("--cache", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--limit", type=int, default=0, help="the first LIMIT pairs of each set")
    t = sub.add_parser("train")
    t.add_argument("--feat", required=True)
    t.add_argument("--train", nargs="+", required=True)
    t.add_argument("--val", nargs="+", required=True)
    t.add_argument("--model", default=None)
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--target-fa", type=float, default=0.01)
    t.add_argument("--scalars-only", action="store_true")
    t.add_argument("--no-second", action="store_true", help="leave out the second pass's candidates")
    t.add_argument("--drop", type=int, nargs="*", default=[], help="scalar feature columns set to 0 (ablation)")
    t.add_argument("--save-scores", default=None, help="write the validation pairs' records (best logit) here")
    t.add_argument(
        "--tampered-negatives", action="store_true", help="a tampered pair's regions off the true box are negatives too"
    )
    t.add_argument("--ensemble", type=int, default=1, help="members trained with seeds seed, seed+1, ... (mean logit)")
    b = sub.add_parser("breakdown")
    b.add_argument("--feat", required=True)
    b.add_argument("sets", nargs="+", help="folders under --feat (tune sets)")
    s2 = sub.add_parser("second")
    s2.add_argument("--feat", required=True)
    s2.add_argument("--model", required=True)
    s2.add_argument("--hard", required=True, help="the hard validation set (a folder under --feat)")
    s2.add_argument("--plain", required=True, help="the plain validation set")
    s2.add_argument("--affine", action="store_true", help="with VERIFY_AFFINE_SCORE (the reference stays without)")
    s2.add_argument("--rows", default=None, help="write every setting's figures (JSON) here")
    h = sub.add_parser("heldout")
    h.add_argument("pairs")
    h.add_argument("--logit", type=float, nargs="+", required=True, help="the first is VERIFY_LOGIT")
    h.add_argument("--limit", type=int, default=0)
    h.add_argument("--out", required=True, help="the per-pair records (JSON)")
    h.add_argument("--set", type=_override, action="append", default=[], metavar="NAME=VALUE", help="a Params field")
    args = ap.parse_args()
    {"extract": extract, "train": train, "breakdown": breakdown, "second": second, "heldout": heldout}[args.cmd](args)


if __name__ == "__main__":
    main()
