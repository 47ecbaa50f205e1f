"""A veto of the hand-made regions that sees each region's own features (``Params.REGION_VETO``, twenty-second
pass; off by default): off, a comparison is the shipped one; on, a region is suspicious only when its hand-made
score exceeds ``FUSE_HAND`` and the regression on its features exceeds ``VETO_LOGIT``, and the features are the
ones the bench computes from its cache."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from scans.benchmark.pairs import synthetic_scan, tamper, to_attenuation
from scans.comparison import DEFAULT_THRESHOLD, Params, compare_scans, dense, params_from_dict, params_to_dict, veto
from tests.scans.test_dense_map import BOX, _dest

N = len(veto.FEATURES)


def _weights(bias: float = 0.0, log_hand: float = 0.0, **others: float) -> tuple[float, ...]:
    w = [bias, log_hand] + [0.0] * (N - 1)
    for name, value in others.items():
        w[1 + veto.FEATURES.index(name)] = value
    return tuple(w)


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    return synthetic_scan(3, width=900, height=340)


@pytest.fixture(scope="module")
def pairs(scan) -> dict:
    a = to_attenuation(scan)
    return {"clean": _dest(a, 2), "changed": _dest(tamper(a, np.random.default_rng(5), "add", BOX), 2)}


def test_on_by_default_as_a_pure_veto_and_off_gives_the_hand_made_comparison(scan, pairs, monkeypatch):
    """Twenty-fourth pass: shipped on, at the hand-made threshold (FUSE_HAND 0.0006), fixed weights; with
    REGION_VETO off the veto never runs and the comparison is the hand-made one."""
    p = Params()
    assert p.REGION_VETO is True and p.FUSE_HAND == 0.0006 and p.VETO_LOGIT == -0.5491
    assert len(p.VETO_WEIGHTS) == len(veto.FEATURES) + 1 and not veto.uses_dense(p)
    hand = compare_scans(scan, pairs["changed"], params=replace(Params(), REGION_VETO=False))

    def boom(*args, **kwargs):
        raise AssertionError("the veto ran with REGION_VETO off")

    monkeypatch.setattr(veto, "veto_regions", boom)
    off = compare_scans(
        scan, pairs["changed"], params=replace(Params(), REGION_VETO=False, VETO_WEIGHTS=_weights(-100.0))
    )
    assert (off.score, off.boxes, off.verdict) == (hand.score, hand.boxes, hand.verdict)


def test_a_veto_that_only_repeats_the_hand_made_score_gives_the_hand_made_verdict(scan, pairs):
    """logit = log(hand) with VETO_LOGIT = log(FUSE_HAND): the veto agrees with every region the hand-made score
    passes, so the verdicts are the shipped ones at FUSE_HAND."""
    p = replace(Params(), REGION_VETO=True, VETO_WEIGHTS=_weights(log_hand=1.0), VETO_LOGIT=float(np.log(0.0006)))
    for name, dest in pairs.items():
        shipped = compare_scans(scan, dest, params=replace(Params(), REGION_VETO=False))  # the hand-made score
        res = compare_scans(scan, dest, params=p)
        assert res.verdict == shipped.verdict, name
        assert res.score == pytest.approx(shipped.score, rel=1e-6)
        assert res.details["fused_regions"][0][0] == pytest.approx(shipped.score, rel=1e-5)
    assert compare_scans(scan, pairs["changed"], params=p).verdict == "suspicious"


def test_the_veto_clears_a_region_the_hand_made_score_calls_changed(scan, pairs, monkeypatch):
    p = replace(Params(), REGION_VETO=True, VETO_WEIGHTS=_weights(-5.0), VETO_LOGIT=0.0, FUSE_HAND=1e-9)
    res = compare_scans(scan, pairs["changed"], params=p)
    assert compare_scans(scan, pairs["changed"]).verdict == "suspicious"
    assert res.verdict == "consistent" and res.score < DEFAULT_THRESHOLD
    assert all(lg == pytest.approx(-5.0) for _, lg in res.details["fused_regions"])
    # without a dense weight the model never runs
    monkeypatch.setattr(dense, "change_probability", lambda *a, **k: pytest.fail("the model ran"))
    compare_scans(scan, pairs["changed"], params=p)
    # a veto that sees the region's features: a wide, flat region against a tall one
    tall = replace(p, VETO_WEIGHTS=_weights(0.0, log_aspect=1.0))
    res = compare_scans(scan, pairs["changed"], params=tall)
    x, y, w, h, _ = res.boxes[0]
    assert (res.verdict == "suspicious") == (h > w)


def test_with_a_dense_weight_the_model_runs_only_when_a_region_passes_fuse_hand(scan, pairs, monkeypatch):
    calls: list = []
    real = dense.change_probability

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(dense, "change_probability", counted)
    p = replace(Params(), REGION_VETO=True, VETO_WEIGHTS=(*_weights(-2.0), 1.0), VETO_LOGIT=0.0, FUSE_HAND=1.0)
    res = compare_scans(scan, pairs["changed"], params=p)
    assert calls == [] and res.details["dense_skipped"] is True and res.verdict == "consistent"
    res = compare_scans(scan, pairs["changed"], params=replace(p, FUSE_HAND=1e-9))
    assert calls == [1] and "dense_p" in res.details
    assert all(isinstance(lg, float) for _, lg in res.details["fused_regions"])
    with pytest.raises(ValueError):
        compare_scans(scan, pairs["changed"], params=replace(p, VETO_WEIGHTS=(1.0, 2.0)))


def test_the_features_of_a_region():
    h, w = 100, 400
    origin = np.full((h, w), 0.5, np.float32)
    sat = np.zeros((h, w), bool)
    sat[:, 100:110] = True
    valid = np.ones((h, w), bool)
    content = np.ones((h, w), bool)
    f = dict(zip(veto.FEATURES, veto.region_features(0.001, (100, 10, 20, 40), origin, sat, valid, content, (90, 300))))
    assert f["log_hand"] == pytest.approx(np.log(0.001))
    assert f["log_area"] == pytest.approx(np.log(800 / 40000))
    assert f["log_aspect"] == pytest.approx(np.log(2.0))
    assert f["span_end"] == pytest.approx(10 / 400) and f["frame_end"] == pytest.approx(100 / 400)
    assert f["saturated"] == pytest.approx(0.5) and f["level"] == pytest.approx(0.5) and f["valid"] == 1.0
    # a box over the span's end is at distance 0; far ends are capped; no span: the vehicle's columns
    assert veto.region_features(0.001, (80, 0, 20, 5), origin, sat, valid, content, (90, 300))[3] == 0.0
    assert veto.region_features(0.001, (200, 0, 2, 5), origin, sat, valid, content, None)[4] == veto.END_CAP


def test_the_weights_are_stored_and_read_back_with_the_comparison():
    p = replace(Params(), REGION_VETO=True, VETO_WEIGHTS=_weights(0.5, 1.0), VETO_LOGIT=1.25)
    back, unknown, missing = params_from_dict(json.loads(json.dumps(params_to_dict(p))))
    assert back == p and not unknown and not missing


def test_scans_bench_takes_the_weights_as_numbers(tmp_path, monkeypatch):
    from django.core.management import call_command

    from scans.management.commands import scans_bench

    seen: list = []
    monkeypatch.setattr(scans_bench, "evaluate", lambda *a, params, **k: seen.append(params) or [])
    monkeypatch.setattr(scans_bench, "summarise", lambda records: {})
    call_command("scans_bench", pairs=str(tmp_path), set=["VETO_WEIGHTS=1.5,-2,0.25", "REGION_VETO=true"])
    assert seen[0].VETO_WEIGHTS == (1.5, -2.0, 0.25) and seen[0].REGION_VETO is True
