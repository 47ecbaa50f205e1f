"""The dense map fused with the hand-made score (``Params.DENSE_FUSION``, twentieth pass; off by default): off,
a comparison is the shipped one and the model is never run; on, a region is suspicious where both say change
("and") or by the mean of the two ("mean"), and a generated pair with a change scores above its clean twin."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scans.benchmark.pairs import synthetic_scan, tamper, to_attenuation
from scans.comparison import DEFAULT_THRESHOLD, Params, compare_scans, dense
from tests.scans.test_dense_map import BOX, _dest


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    return synthetic_scan(3, width=900, height=340)


def test_off_the_comparison_is_the_shipped_one_and_the_model_is_not_run(scan, monkeypatch):
    dest = _dest(tamper(to_attenuation(scan), np.random.default_rng(5), "add", BOX), 2)
    shipped = compare_scans(scan, dest)

    def boom(*args, **kwargs):
        raise AssertionError("the dense map ran with USE_DENSE off")

    monkeypatch.setattr(dense, "change_probability", boom)
    for fusion in ("and", "mean"):
        off = compare_scans(scan, dest, params=replace(Params(), DENSE_FUSION=fusion, FUSE_HAND=1e-9))
        assert (off.score, off.boxes, off.verdict) == (shipped.score, shipped.boxes, shipped.verdict)
        assert "dense_p" not in off.details
    assert Params().DENSE_FUSION == "off" and not Params().USE_DENSE


@pytest.mark.parametrize("fusion", ["and", "mean"])
def test_on_a_tampered_pair_is_suspicious_at_the_change_and_its_clean_twin_is_not(scan, fusion):
    on = replace(Params(), USE_DENSE=True, DENSE_FUSION=fusion)
    a = to_attenuation(scan)
    clean = compare_scans(scan, _dest(a, 2), params=on)
    changed = compare_scans(scan, _dest(tamper(a, np.random.default_rng(5), "add", BOX), 2), params=on)
    assert clean.registered and changed.registered
    assert changed.verdict == "suspicious" and clean.verdict == "consistent"
    assert changed.score > clean.score
    x, y, w, h, _ = changed.boxes[0]
    assert x < BOX[0] + BOX[2] and BOX[0] < x + w and y < BOX[1] + BOX[3] and BOX[1] < y + h


def test_and_needs_both_scores_above_their_thresholds_and_mean_their_mean():
    p = replace(Params(), USE_DENSE=True, DENSE_FUSION="and", FUSE_HAND=0.001, DENSE_LOGIT=2.0)
    assert dense.fused_score(0.002, 2.5, p) > DEFAULT_THRESHOLD
    assert dense.fused_score(0.002, 1.5, p) < DEFAULT_THRESHOLD  # the dense map disagrees
    assert dense.fused_score(0.0009, 9.0, p) < DEFAULT_THRESHOLD  # the hand-made score disagrees
    m = replace(p, DENSE_FUSION="mean")
    assert dense.fused_score(0.0009, 9.0, m) > DEFAULT_THRESHOLD  # a strong dense map carries a weak region
    assert dense.fused_score(0.001 * np.e, 1.0, m) == pytest.approx(DEFAULT_THRESHOLD)
    with pytest.raises(ValueError):
        dense.fused_score(0.002, 2.5, replace(p, DENSE_FUSION="or"))
