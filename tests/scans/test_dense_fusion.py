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
    shipped = compare_scans(scan, dest, params=replace(Params(), REGION_VETO=False))  # the hand-made score

    def boom(*args, **kwargs):
        raise AssertionError("the dense map ran with USE_DENSE off")

    monkeypatch.setattr(dense, "change_probability", boom)
    for fusion in ("and", "mean"):
        off = compare_scans(
            scan, dest, params=replace(Params(), REGION_VETO=False, DENSE_FUSION=fusion, FUSE_HAND=1e-9)
        )
        assert (off.score, off.boxes, off.verdict) == (shipped.score, shipped.boxes, shipped.verdict)
        assert "dense_p" not in off.details
    assert Params().DENSE_FUSION == "off" and not Params().USE_DENSE


@pytest.mark.parametrize("fusion", ["and", "mean"])
def test_on_a_tampered_pair_is_suspicious_at_the_change_and_its_clean_twin_is_not(scan, fusion):
    on = replace(Params(), REGION_VETO=False, USE_DENSE=True, DENSE_FUSION=fusion)
    a = to_attenuation(scan)
    clean = compare_scans(scan, _dest(a, 2), params=on)
    changed = compare_scans(scan, _dest(tamper(a, np.random.default_rng(5), "add", BOX), 2), params=on)
    assert clean.registered and changed.registered
    assert changed.verdict == "suspicious" and clean.verdict == "consistent"
    assert changed.score > clean.score
    x, y, w, h, _ = changed.boxes[0]
    assert x < BOX[0] + BOX[2] and BOX[0] < x + w and y < BOX[1] + BOX[3] and BOX[1] < y + h


def test_and_needs_both_scores_above_their_thresholds_and_mean_their_mean():
    p = replace(Params(), REGION_VETO=False, USE_DENSE=True, DENSE_FUSION="and", FUSE_HAND=0.001, DENSE_LOGIT=2.0)
    assert dense.fused_score(0.002, 2.5, p) > DEFAULT_THRESHOLD
    assert dense.fused_score(0.002, 1.5, p) < DEFAULT_THRESHOLD  # the dense map disagrees
    assert dense.fused_score(0.0009, 9.0, p) < DEFAULT_THRESHOLD  # the hand-made score disagrees
    m = replace(p, DENSE_FUSION="mean")
    assert dense.fused_score(0.0009, 9.0, m) > DEFAULT_THRESHOLD  # a strong dense map carries a weak region
    assert dense.fused_score(0.001 * np.e, 1.0, m) == pytest.approx(DEFAULT_THRESHOLD)
    with pytest.raises(ValueError):
        dense.fused_score(0.002, 2.5, replace(p, DENSE_FUSION="or"))


def _counting(monkeypatch) -> list:
    """Count the runs of the dense model (``dense.change_probability``)."""
    calls: list = []
    real = dense.change_probability

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(dense, "change_probability", counted)
    return calls


@pytest.mark.parametrize("threshold", [None, DEFAULT_THRESHOLD / 2])
def test_and_skips_the_model_when_no_region_passes_the_hand_made_threshold_and_the_verdict_is_the_same(
    scan, monkeypatch, threshold
):
    """With "and" the dense map can only veto a region whose hand-made score exceeds FUSE_HAND (scaled with the
    verdict threshold): when none does, the model is not run, and the verdict is the one the model would give."""
    thr = threshold if threshold is not None else DEFAULT_THRESHOLD
    a = to_attenuation(scan)
    pairs = {"clean": _dest(a, 2), "changed": _dest(tamper(a, np.random.default_rng(5), "add", BOX), 2)}
    for name, dest in pairs.items():
        hand = compare_scans(scan, dest, params=replace(Params(), REGION_VETO=False)).score  # the best hand-made region
        assert hand > 0, name
        # FUSE_HAND just above the best hand-made score (at this threshold): no region passes
        above = replace(
            Params(),
            REGION_VETO=False,
            USE_DENSE=True,
            DENSE_FUSION="and",
            FUSE_HAND=hand * 1.01 * DEFAULT_THRESHOLD / thr,
        )
        calls = _counting(monkeypatch)
        skipped = compare_scans(scan, dest, params=above, threshold=threshold)
        assert calls == [], name
        assert skipped.verdict == "consistent" and skipped.score <= thr
        assert skipped.details.get("dense_skipped") is True
        # the same comparison with the model forced to run gives the same verdict and the same boxes
        monkeypatch.setattr(dense, "needs_model", lambda *args, **kwargs: True)
        ran = compare_scans(scan, dest, params=above, threshold=threshold)
        assert calls == [1], name
        assert ran.verdict == skipped.verdict and ran.score <= thr
        assert sorted(b[:4] for b in ran.boxes) == sorted(b[:4] for b in skipped.boxes)
        monkeypatch.undo()
        # FUSE_HAND just below it: that region passes, so the model runs and may veto it
        below = replace(above, FUSE_HAND=hand * 0.99 * DEFAULT_THRESHOLD / thr)
        calls = _counting(monkeypatch)
        res = compare_scans(scan, dest, params=below, threshold=threshold)
        assert calls == [1], name
        assert "dense_skipped" not in res.details and "dense_p" in res.details
        monkeypatch.undo()


def test_mean_always_runs_the_model(scan, monkeypatch):
    """With "mean" a strong dense map can carry a weak region: the model always runs."""
    dest = _dest(to_attenuation(scan), 2)
    calls = _counting(monkeypatch)
    compare_scans(
        scan, dest, params=replace(Params(), REGION_VETO=False, USE_DENSE=True, DENSE_FUSION="mean", FUSE_HAND=1.0)
    )
    assert calls == [1]


def test_the_bench_records_keep_each_regions_hand_made_score_and_dense_logit(scan, tmp_path):
    """A held-out false alarm of the fusion can be attributed: ``scans_bench --records`` keeps, per region, its
    box, fused score, hand-made score and dense logit (None where the model was not needed)."""
    import json

    import cv2

    from scans.benchmark.bench import evaluate

    a = to_attenuation(scan)
    cv2.imwrite(str(tmp_path / "0000_origin.png"), scan)
    dest = _dest(tamper(a, np.random.default_rng(5), "add", BOX), 2)
    cv2.imwrite(str(tmp_path / "0000_dest.jpg"), np.round(dest * 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 95])
    (tmp_path / "labels.json").write_text(json.dumps([{"id": 0, "tampered": True, "kind": "add", "box": BOX}]))
    on = replace(Params(), REGION_VETO=False, USE_DENSE=True, DENSE_FUSION="and", FUSE_HAND=1e-9)
    (rec,) = json.loads(json.dumps(evaluate(tmp_path, params=on)))
    assert rec["regions"] and not rec["dense_skipped"]
    for x, y, w, h, fused, hand, logit in rec["regions"]:
        assert hand >= 0 and isinstance(logit, float)
        assert fused == pytest.approx(dense.fused_score(hand, logit, on), rel=1e-3, abs=1e-6)
    assert rec["top"] == rec["regions"][0][:5]
    (skipped,) = evaluate(tmp_path, params=replace(on, FUSE_HAND=1.0))
    assert skipped["dense_skipped"] and all(r[6] is None and r[5] >= 0 for r in skipped["regions"])
    (shipped,) = evaluate(tmp_path, params=replace(Params(), REGION_VETO=False))  # the hand-made comparison
    assert all(len(r) == 5 for r in shipped["regions"]) and shipped["dense_skipped"] is None
