"""Every read a change to the photo path could move, written to one JSON file to compare two runs.

For a change behind a switch in ``anpr.recognition.engines`` (``--set NAME=VALUE``, for example
``--set ZONE_STRIP_BOXES=false`` for the code as it was): the dev set's vehicle photos (plate, refusal,
type, box), ``run_types`` (other Iranian layouts, crops and photos) and ``run_foreign`` per seed, with
timings left out, the rendered motorcycle plate crops sent as photos, and small rendered photos of a car or a
motorcycle of a two-line plate's shape. Two runs are compared with
``--compare A.json B.json``::

    OMP_NUM_THREADS=1 python bench/anpr_layout_reads.py --data /work/shared/data/plates/dev --out on.json
    OMP_NUM_THREADS=1 python bench/anpr_layout_reads.py --data /work/shared/data/plates/dev --out off.json \\
        --set ZONE_STRIP_BOXES=false
    python bench/anpr_layout_reads.py --compare off.json on.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

TYPE_SEEDS = (1405, 1510, 1511, 1512, 1513)
FOREIGN_SEEDS = (1404, 1410, 1411, 1412, 1413)


def _untimed(d):
    return {k: _untimed(v) for k, v in d.items() if "ms" not in k} if isinstance(d, dict) else d


def _value(text: str):
    return {"true": True, "false": False}.get(text.lower(), json.loads(text) if text[:1].isdigit() else text)


def collect(data: str, sets: list[str], n: int) -> dict:
    import django

    django.setup()
    import cv2

    from anpr.recognition import engines
    from anpr.recognition.bench import _camera_crop, _engine, read_labels, run_foreign, run_types
    from anpr.training import layouts
    from anpr.training.render import find_fonts, random_plate, render_scene

    for s in sets:
        name, _, value = s.partition("=")
        assert hasattr(engines, name), name
        setattr(engines, name, _value(value))
    eng = _engine(None, None, None)
    out: dict = {"set": sets, "dev_photos": {}, "types": {}, "foreign": {}}
    for r in read_labels(data):
        if (r.get("kind") or "crop") == "vehicle":
            x = eng.read_image(cv2.imread(os.path.join(data, r["file"])))
            out["dev_photos"][r["file"]] = [x.plate, x.review_reason, x.plate_type, list(x.box) if x.box else None]
    for seed in TYPE_SEEDS:
        out["types"][seed] = _untimed(run_types(n, seed=seed))
    for seed in FOREIGN_SEEDS:
        out["foreign"][seed] = _untimed(run_foreign(4 * n, seed=seed))
    fonts, rng = find_fonts(), random.Random(1406)
    named = whole = text = 0
    for _ in range(4 * n):
        crop = _camera_crop(layouts.render_iranian_other("ir_motorcycle", fonts, rng), rng, mild=rng.random() < 0.5)
        r = eng.read_image(crop)
        named += not r.plate and r.plate_type == "ir_motorcycle"
        whole += not r.plate and r.plate_type == "ir_motorcycle" and r.box == (0, 0, crop.shape[1], crop.shape[0])
        text += bool(r.plate)
    out["motorcycle_crops_as_photos"] = {"n": 4 * n, "named": named, "shown_whole": whole, "given_text": text}
    # Small photos of a two-line plate's shape that are not crops: rendered scenes scaled down, a car's plate
    # (must stay read) and a motorcycle's (named), alternately.
    out["small_photos"] = {}
    for size in ((533, 400), (480, 360), (352, 288)):
        rng = random.Random(1407)
        car = moto = 0
        for i in range(60):
            text_ = random_plate(rng) if i % 2 else ""
            plate = None if text_ else layouts.render_iranian_other("ir_motorcycle", fonts, rng)
            scene = render_scene(text_, fonts, rng, plate=plate)[0]
            r = eng.read_image(cv2.resize(scene, size, interpolation=cv2.INTER_AREA))
            car += bool(text_) and r.plate == text_
            moto += not text_ and r.plate_type == "ir_motorcycle"
        out["small_photos"]["x".join(map(str, size))] = {"car_plates_read": car, "motorcycle_named": moto, "of": 30}
    return out


def compare(a: dict, b: dict) -> dict:
    moved = [f for f in a["dev_photos"] if a["dev_photos"][f] != b["dev_photos"].get(f)]
    kinds = next(iter(a["types"].values())).keys()

    def total(d, kind, key):
        return sum(round(d["types"][s][kind]["scenes"][key] * d["types"][s][kind]["scenes"]["n"]) for s in d["types"])

    return {
        "dev_photos_moved": moved,
        "foreign_identical": a["foreign"] == b["foreign"],
        "type_crops_identical": all(
            {k: v for k, v in a["types"][s][t].items() if k != "scenes"}
            == {k: v for k, v in b["types"][s][t].items() if k != "scenes"}
            for s in a["types"]
            for t in kinds
        ),
        "photos_named": {t: [total(a, t, "type_named"), total(b, t, "type_named")] for t in kinds},
        "photos_given_text": {t: [total(a, t, "given_text"), total(b, t, "given_text")] for t in kinds},
        "motorcycle_crops_as_photos": [a["motorcycle_crops_as_photos"], b["motorcycle_crops_as_photos"]],
        "small_photos": [a.get("small_photos"), b.get("small_photos")],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="the dev plate set (labels.csv)")
    ap.add_argument("--out", help="where the reads go (JSON)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="an engines module setting")
    ap.add_argument("--n", type=int, default=70, help="photos per layout and seed (foreign: 4n crops)")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = ap.parse_args()
    if args.compare:
        a, b = (json.loads(Path(p).read_text()) for p in args.compare)
        print(json.dumps(compare(a, b), ensure_ascii=False))
        return
    if not (args.data and args.out):
        ap.error("--data and --out, or --compare")
    Path(args.out).write_text(json.dumps(collect(args.data, args.set, args.n), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
