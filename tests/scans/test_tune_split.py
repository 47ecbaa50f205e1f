"""The tune split's own split by source scan (twentieth pass): ``scans_make_pairs --split tune-fit`` and
``--split tune-val`` draw pairs from two disjoint parts of the tune scans (about 70 / 30), so that a learned
model's threshold is chosen on scans it was not trained on; the tune, held-out and whole pairs stay byte for
byte what they were."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import pytest
from django.core.management import call_command

from scans.benchmark.pairs import list_sources, split_of, synthetic_scan, write_pairs

DEV = Path("/work/shared/data/scans/dev")

# sha256 of the labels the code before the sub-split wrote (seed 2, 3 pairs from the 12 scans below): which
# source each pair was drawn from, and every drawn change and scanner setting. Only what is drawn: the images'
# bytes depend on the CPU OpenCV runs on (its SIMD paths round differently), and so do the labels' measures of
# the destination image (``MEASURED``), so a digest of either held on one machine and failed on the next; the
# code before and after gave the same images and labels on each machine tried.
BEFORE = {
    "all": "fd4820561512511ba5be41be4a72b602e30a145864d763cac81aec6c0b47bd7c",
    "tune": "01af3bf94c8163af633f2a581cba1589f4a9f597800fdb33fbdc1537ebb65ce4",
    "heldout": "cad036b63897dfa0f6104c6410a2a513ccbc954bf488f768f7163e6e91f1dfc6",
}
MEASURED = ("dest_change", "dest_noise", "dest_change_ratio")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("scans")
    for i in range(12):
        cv2.imwrite(str(d / f"scan_{i}.png"), synthetic_scan(i, width=480, height=200))
    return d


def _digest(out: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(out.iterdir()):
        if f.suffix not in (".png", ".jpg"):
            drawn = [{k: v for k, v in lab.items() if k not in MEASURED} for lab in json.loads(f.read_text())]
            h.update(f.name.encode())
            h.update(json.dumps(drawn, sort_keys=True).encode())
    return h.hexdigest()


@pytest.mark.parametrize("split", ["all", "tune", "heldout"])
def test_the_existing_splits_give_the_same_pairs_byte_for_byte(data, tmp_path, split):
    write_pairs(tmp_path / split, n=3, seed=2, data_dir=data, split=split)
    assert _digest(tmp_path / split) == BEFORE[split]
    names = sorted(f.name for f in (tmp_path / split).iterdir())
    assert names == [f"{i:04d}_{end}" for i in range(3) for end in ("dest.jpg", "origin.png")] + ["labels.json"]


def test_tune_fit_and_tune_val_share_out_the_tune_scans_between_them(data):
    tune = {p.name for p in list_sources(data, "tune")}
    fit = {p.name for p in list_sources(data, "tune-fit")}
    val = {p.name for p in list_sources(data, "tune-val")}
    assert fit and val
    assert fit | val == tune and not fit & val
    assert not (fit | val) & {p.name for p in list_sources(data, "heldout")}


def test_the_command_writes_pairs_from_the_validation_scans_only(data, tmp_path):
    call_command("scans_make_pairs", data=str(data), out=str(tmp_path / "val"), n=6, seed=3, split="tune-val")
    val = {p.name for p in list_sources(data, "tune-val")}
    labels = json.loads((tmp_path / "val" / "labels.json").read_text())
    assert len(labels) == 6 and {lab["source"] for lab in labels} <= val


@pytest.mark.skipif(not DEV.exists(), reason="the dev scans are not on this machine")
def test_on_the_dev_scans_about_a_third_of_the_tune_scans_are_for_validation():
    names = lambda split: {p.relative_to(DEV).as_posix() for p in list_sources(DEV, split)}  # noqa: E731
    tune, fit, val = names("tune"), names("tune-fit"), names("tune-val")
    assert fit | val == tune and not fit & val
    assert 0.2 < len(val) / len(tune) < 0.4
    assert names("heldout") == {n for n in names("all") if split_of(n) == "heldout"}
