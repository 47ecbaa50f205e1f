"""Retraining benchmark: real plate crops reviewed by people, then one real ``anpr_train`` run.

Stands in for weeks of reviewing: each crop of ``--data`` (``labels.csv``, kind ``crop``) becomes a
read of a camera whose stored crop is that image, and a reviewer persona reads its plate through the
review service (``anpr.review.read_label``), exactly as the review page does. Then it runs
``manage.py anpr_train`` with the options given after ``--`` and prints the command's JSON line
with the wall time of each phase. Images are read in place and stored only in the media folder
of the throw-away database you point it at (never in the project)::

    export DATABASE_URL=sqlite:////tmp/retrain/db.sqlite3 MEDIA_ROOT=/tmp/retrain/media
    .venv/bin/python manage.py migrate -v0
    OMP_NUM_THREADS=1 .venv/bin/python bench/anpr_retrain.py --data /work/shared/data/plates/dev \\
        -- --steps 300 --synth 3000 --holdout 0.2 --min-heldout 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")


def motion_night(data: bytes, seed: int) -> bytes:
    """The crop as a badly set camera takes it: long exposure on a moving truck at night."""
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    rng = np.random.default_rng(seed)
    h, w = img.shape[:2]
    kernel = np.zeros((15, 15), np.float32)
    kernel[7, :] = 1 / 15
    img = cv2.filter2D(img, -1, kernel)
    img = cv2.resize(cv2.resize(img, (w // 6, h // 6), interpolation=cv2.INTER_AREA), (w, h))
    f = np.power(img.astype(np.float32) / 255, 2.5) * 0.5 + 0.05 + rng.normal(0, 0.05, img.shape)
    ok, enc = cv2.imencode(".jpg", np.clip(f * 255, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 25])
    assert ok
    return enc.tobytes()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with labels.csv and crops/ (read only)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N crops")
    ap.add_argument(
        "--camera",
        choices=["as-is", "motion-night"],
        default="as-is",
        help="the bench camera's own flaw, applied to every crop: motion-night = a long exposure on moving "
        "trucks at night (horizontal motion blur of 15 px, a sixth of the resolution, dark, noisy, JPEG 25)",
    )
    ap.add_argument("train_args", nargs=argparse.REMAINDER, help="after --: options of anpr_train")
    a = ap.parse_args(argv)

    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import CustomsOffice, Province, Role, User
    from anpr import ingest, review, services
    from anpr.models import PlateLabel, PlateRead
    from anpr.recognition.bench import read_labels

    t0 = time.time()
    province, _ = Province.objects.get_or_create(code="BENCH", defaults={"name_fa": "آزمون", "name_en": "bench"})
    office, _ = CustomsOffice.objects.get_or_create(
        code="RETRAIN",
        defaults={"name_fa": "گمرک آزمون", "name_en": "bench office", "province": province, "kind": "border"},
    )
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"role": Role.HQ})
    camera = services.camera_register(office=office, code=f"RETRAIN-{int(t0)}", direction="in")[0]
    # The reviewer types the plate the image shows: the dev-set errata apply (anpr/recognition/label_errata.csv).
    rows = [r for r in read_labels(a.data) if r["kind"] == "crop"]
    if a.limit:
        rows = rows[: a.limit]
    start = timezone.now() - dt.timedelta(days=1)
    for i, row in enumerate(rows):
        data = (Path(a.data) / row["file"]).read_bytes()
        if a.camera == "motion-night":
            data = motion_night(data, seed=i)
        at = start + dt.timedelta(seconds=i)
        item = ingest.ReadInput(captured_at=at, plate_raw="", photo=data, client_event_id=f"retrain-{t0}-{i}")
        (r,) = ingest.reads_ingest(camera=camera, items=[item])
        name = default_storage.save(f"anpr/crops/{camera.pk}/{r.id}.jpg", ContentFile(data))
        PlateRead.objects.filter(pk=r.id).update(
            crop=name, crop_sha256=hashlib.sha256(data).hexdigest(), recognition="done", confidence=0.5
        )
        review.read_label(read=PlateRead.objects.get(pk=r.id), by=reviewer, plate=row["plate"])
    setup = time.time() - t0
    print(
        json.dumps(
            {
                "phase": "reviewed",
                "camera": a.camera,
                "crops": len(rows),
                "labels": PlateLabel.objects.count(),
                "s": round(setup, 1),
            }
        )
    )
    t1 = time.time()
    args = [x for x in a.train_args if x != "--"]
    call_command("anpr_train", *args)
    print(json.dumps({"phase": "anpr_train", "args": args, "s": round(time.time() - t1, 1)}))


if __name__ == "__main__":
    main()
