"""What each model version was trained on, read from its manifest (``RecognitionModel.manifest``) for the
models page.

A trained version's manifest names the rendered plates and, for each reviewed crop, the read, the label a
person gave it, the plate and the crop's SHA-256 (``anpr.retraining``); the shipped weights' names only their
file. The counts of crops and plates come from the manifest itself; the cameras and the dates of the labels
from the ``PlateLabel`` rows it names (a label is never changed, only added to). A label no longer found is
counted as such, never guessed. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import PlateLabel, RecognitionModel

# Why a reviewed crop was left out of a run (``retraining.reviewed_samples``), in the page's language.
LEFT_OUT = {
    "foreign": _("foreign plates"),
    "other_layout": _("Iranian plates of another layout"),
    "no_crop": _("no plate crop stored"),
    "crop_changed": _("crop changed since it was stored"),
    "undecodable": _("crop not readable as an image"),
}
CHUNK = 900  # label ids per query: under SQLite's oldest limit of bound variables


@dataclass
class Part:
    """The reviewed crops of one side of the split (trained on, or held out)."""

    crops: int = 0
    plates: int = 0
    cameras: int = 0
    first_label: dt.datetime | None = None
    last_label: dt.datetime | None = None
    labels_missing: int = 0  # label ids of the manifest no longer in the table


@dataclass
class TrainingData:
    """A version's manifest, summarised; ``recorded`` is False for a version registered without one."""

    recorded: bool
    shipped: bool = False
    file: str = ""
    ensemble: list[str] = field(default_factory=list)
    rendered: int | None = None
    rendered_seed: int | None = None
    fonts: list[str] = field(default_factory=list)
    train: Part | None = None
    heldout: Part | None = None
    holdout_share: float | None = None
    split_seed: int | None = None
    left_out: list[tuple[str, int]] = field(default_factory=list)
    steps: int | None = None
    batch: int | None = None
    lr: float | None = None
    trainer: str = ""


def _rows(manifest: dict, side: str) -> list[list]:
    rows = (manifest.get("reviewed") or {}).get(side)
    return [list(r) for r in rows if isinstance(r, list | tuple) and len(r) >= 3] if isinstance(rows, list) else []


def _labels(ids: set[int]) -> dict[int, tuple[int, dt.datetime]]:
    """(camera id, when labelled) of each label id found; one query per ``CHUNK`` ids."""
    found: dict[int, tuple[int, dt.datetime]] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        qs = PlateLabel.objects.filter(pk__in=ordered[i : i + CHUNK]).values_list("pk", "camera_id", "at")
        found.update({pk: (camera_id, at) for pk, camera_id, at in qs})
    return found


def _part(rows: list[list], labels: dict[int, tuple[int, dt.datetime]]) -> Part:
    seen = [labels[r[1]] for r in rows if r[1] in labels]
    dates = [at for _camera, at in seen]
    return Part(
        crops=len(rows),
        plates=len({r[2] for r in rows}),
        cameras=len({camera for camera, _at in seen}),
        first_label=min(dates, default=None),
        last_label=max(dates, default=None),
        labels_missing=len(rows) - len(seen),
    )


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def training_data(versions: Iterable[RecognitionModel]) -> dict[int, TrainingData]:
    """Each version's training data by its pk. Runs one query per ``CHUNK`` distinct label ids named by
    all the manifests together (each run names every label it used, so the versions share most)."""
    versions = list(versions)
    ids = {r[1] for m in versions for side in ("train", "heldout") for r in _rows(m.manifest or {}, side)}
    labels = _labels({i for i in ids if isinstance(i, int)})
    return {m.pk: _summary(m, labels) for m in versions}


def _summary(model: RecognitionModel, labels: dict[int, tuple[int, dt.datetime]]) -> TrainingData:
    manifest = model.manifest if isinstance(model.manifest, dict) else {}
    if not manifest:
        return TrainingData(recorded=False)
    if model.source == RecognitionModel.Source.SHIPPED:
        ensemble = manifest.get("ensemble")
        return TrainingData(
            recorded=True,
            shipped=True,
            file=str(manifest.get("file", "")),
            ensemble=[str(name) for name in ensemble] if isinstance(ensemble, list) else [],
        )
    rendered = manifest.get("rendered") or {}
    split = manifest.get("split") or {}
    options = manifest.get("options") or {}
    left_out = (manifest.get("reviewed") or {}).get("left_out") or {}
    trainer = manifest.get("trainer") or {}
    return TrainingData(
        recorded=True,
        rendered=_int(rendered.get("n")),
        rendered_seed=_int(rendered.get("seed")),
        fonts=[str(f) for f in rendered.get("fonts") or []],
        train=_part(_rows(manifest, "train"), labels) if "reviewed" in manifest else None,
        heldout=_part(_rows(manifest, "heldout"), labels) if "reviewed" in manifest else None,
        holdout_share=split.get("holdout") if isinstance(split.get("holdout"), int | float) else None,
        split_seed=_int(split.get("seed")),
        left_out=[(str(LEFT_OUT.get(k, k)), n) for k, n in left_out.items() if _int(n)],
        steps=_int(options.get("steps")),
        batch=_int(options.get("batch")),
        lr=options.get("lr") if isinstance(options.get("lr"), int | float) else None,
        trainer=str(trainer.get("trainer", "")) if isinstance(trainer, dict) else "",
    )
