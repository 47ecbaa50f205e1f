"""The learned dense change map (``Params.USE_DENSE``, eighteenth pass; off by default): off, a comparison is
the shipped one and the model is never run; on, a pair with a change scores above the same pair without it,
and the generator can write the per-pixel change the map was trained on."""

from __future__ import annotations

import json
from dataclasses import replace

import cv2
import numpy as np
import pytest

from scans.benchmark.pairs import (
    CHANGE_PNG_SCALE,
    ScannerParams,
    second_scanner,
    synthetic_scan,
    tamper,
    to_attenuation,
    write_pairs,
)
from scans.comparison import DEFAULT_THRESHOLD, Params, compare_scans, dense, load_scan

ON = replace(Params(), USE_DENSE=True)


def _dest(a: np.ndarray, seed: int) -> np.ndarray:
    p = ScannerParams(
        mirrored=False,
        pitch=0.85,
        speed=1.12,
        warp_amp=0.012,
        settle_px=3.0,
        gain=1.15,
        offset=0.02,
        gamma=1.3,
        blur=0.8,
        noise=0.01,
        jpeg=80,
        shift=(0.02, -0.02),
    )
    ok, buf = cv2.imencode(".jpg", second_scanner(a, np.random.default_rng(seed), p), [cv2.IMWRITE_JPEG_QUALITY, 80])
    return load_scan(buf.tobytes())


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    return synthetic_scan(3, width=900, height=340)


BOX = (330, 120, 110, 90)


def test_off_the_comparison_is_the_shipped_one_and_the_model_is_not_run(scan, monkeypatch):
    a = tamper(to_attenuation(scan), np.random.default_rng(5), "add", BOX)
    dest = _dest(a, 2)
    shipped = compare_scans(scan, dest)

    def boom(*args, **kwargs):
        raise AssertionError("the dense map ran with USE_DENSE off")

    monkeypatch.setattr(dense, "dense_regions", boom)
    off = compare_scans(scan, dest, params=replace(Params(), DENSE_LOGIT=-5.0, DENSE_SIGMA=1.0))
    assert off.score == shipped.score and off.boxes == shipped.boxes and off.verdict == shipped.verdict
    assert "dense_p" not in off.details


def test_on_a_pair_with_a_change_scores_above_the_same_pair_without_it(scan):
    a = to_attenuation(scan)
    clean = compare_scans(scan, _dest(a, 2), params=ON)
    changed = compare_scans(scan, _dest(tamper(a, np.random.default_rng(5), "add", BOX), 2), params=ON)
    assert clean.registered and changed.registered
    assert changed.score > clean.score
    assert 0.0 <= clean.details["dense_p"] < changed.details["dense_p"] <= 1.0
    x, y, w, h, _ = changed.boxes[0]
    assert x < BOX[0] + BOX[2] and BOX[0] < x + w and y < BOX[1] + BOX[3] and BOX[1] < y + h
    # on the threshold's scale: suspicious exactly when logit(p) > DENSE_LOGIT
    p = changed.details["dense_p"]
    assert (changed.score > DEFAULT_THRESHOLD) == (np.log(p / (1 - p)) > ON.DENSE_LOGIT)


def test_the_generator_writes_the_change_of_tampered_pairs_only_and_the_same_pairs(tmp_path):
    plain = write_pairs(tmp_path / "plain", n=3, seed=7)
    labels = write_pairs(tmp_path / "masks", n=3, seed=7, masks=True)
    assert labels == plain == json.loads((tmp_path / "masks" / "labels.json").read_text())
    for i in range(3):
        a = (tmp_path / "plain" / f"{i:04d}_dest.jpg").read_bytes()
        assert a == (tmp_path / "masks" / f"{i:04d}_dest.jpg").read_bytes()
    assert [(tmp_path / "masks" / f"{i:04d}_change.png").exists() for i in range(3)] == [False, False, True]
    change = cv2.imread(str(tmp_path / "masks" / "0002_change.png"), cv2.IMREAD_GRAYSCALE) / CHANGE_PNG_SCALE
    x, y, w, h = labels[2]["box"]
    inside = change[y : y + h, x : x + w]
    assert inside.max() > 0.02 and change.sum() == pytest.approx(inside.sum(), rel=0.02)
