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
    DCHANGE_PNG_SCALE,
    DEST_VISIBLE_GREY,
    ScannerParams,
    display_change,
    second_scanner,
    synthetic_scan,
    tamper,
    to_attenuation,
    write_pairs,
)
from scans.comparison import DEFAULT_THRESHOLD, Params, compare_scans, dense, load_scan

ON = replace(Params(), REGION_VETO=False, USE_DENSE=True)


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
    shipped = compare_scans(scan, dest, params=replace(Params(), REGION_VETO=False))  # the hand-made score

    def boom(*args, **kwargs):
        raise AssertionError("the dense map ran with USE_DENSE off")

    monkeypatch.setattr(dense, "dense_regions", boom)
    off = compare_scans(scan, dest, params=replace(Params(), REGION_VETO=False, DENSE_LOGIT=-5.0, DENSE_SIGMA=1.0))
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
    assert [(tmp_path / "masks" / f"{i:04d}_dchange.png").exists() for i in range(3)] == [False, False, True]
    change = cv2.imread(str(tmp_path / "masks" / "0002_change.png"), cv2.IMREAD_GRAYSCALE) / CHANGE_PNG_SCALE
    x, y, w, h = labels[2]["box"]
    inside = change[y : y + h, x : x + w]
    assert inside.max() > 0.02 and change.sum() == pytest.approx(inside.sum(), rel=0.02)
    shown = cv2.imread(str(tmp_path / "masks" / "0002_dchange.png"), cv2.IMREAD_GRAYSCALE) / DCHANGE_PNG_SCALE
    assert shown[y : y + h, x : x + w].max() >= DEST_VISIBLE_GREY and shown.sum() == pytest.approx(
        shown[y : y + h, x : x + w].sum(), rel=0.05
    )


def test_what_the_destination_shows_is_nothing_where_its_display_saturates():
    """Nineteenth pass, ``--target dest``: the same change of attenuation is shown in light cargo and
    rounded away in cargo the destination's display curve takes to black."""
    a = np.full((60, 120), 0.5, np.float32)
    a[:, 60:] = 9.0  # beyond the display's black
    changed = a.copy()
    changed[20:40, 10:30] += 0.3
    changed[20:40, 80:100] += 0.3
    p = _scanner_params()
    shown = display_change(a, changed, p)
    assert shown[25:35, 15:25].min() >= DEST_VISIBLE_GREY
    assert shown[:, 70:].max() < DEST_VISIBLE_GREY


def _scanner_params() -> ScannerParams:
    return ScannerParams(
        mirrored=False,
        pitch=1.0,
        speed=1.0,
        warp_amp=0.0,
        settle_px=0.0,
        gain=1.0,
        offset=0.0,
        gamma=1.0,
        blur=0.8,
        noise=0.0,
        jpeg=90,
        shift=(0.0, 0.0),
    )


def test_the_dest_target_keeps_only_the_pixels_the_destination_shows():
    from bench.scans_dense import target_of

    t = np.zeros((4, 4), np.float16)
    t[1:3, 1:3] = 0.1
    dgrey = np.zeros((4, 4), np.float16)
    dgrey[1, 1:3] = 5.0
    assert target_of({"t": t, "dgrey": dgrey}, "all").sum() == 4
    assert target_of({"t": t, "dgrey": dgrey}, "dest").tolist() == (
        [[False] * 4, [False, True, True, False], [False] * 4, [False] * 4]
    )


def test_the_training_script_agrees_with_the_app_on_channels_and_visibility():
    import bench.scans_dense as bench_dense

    assert bench_dense.CHANNELS == dense.CHANNELS
    assert bench_dense.DEST_VISIBLE_GREY == DEST_VISIBLE_GREY


class _Session:
    """Stands for the ONNX model: records what it is fed, answers a flat logit map."""

    def __init__(self, n_in):
        self.n_in, self.fed = n_in, []

    def get_inputs(self):
        return [type("I", (), {"shape": [1, self.n_in, "h", "w"]})()]

    def run(self, _names, feeds):
        x = feeds["x"]
        self.fed.append(x)
        return [np.full((1, 1, x.shape[2] // 2, x.shape[3] // 2), -4.0, np.float32)]


def test_images_inputs_feed_the_net_the_pair_and_its_masks_only(scan, monkeypatch):
    """Nineteenth pass, ``DENSE_INPUTS="images"``: the registered origin, the normalised destination, the
    saturated and valid masks; not the residual, the tolerant change or the coherent residual."""
    session = _Session(4)
    monkeypatch.setattr(dense, "_session", lambda path: session)
    a = to_attenuation(scan)
    res = compare_scans(scan, _dest(a, 2), params=replace(ON, DENSE_INPUTS="images"))
    assert res.registered and len(session.fed) == 1
    fed = session.fed[0][0]
    assert fed.shape[0] == 4
    full = dense_inputs_of(scan, a)
    h, w = full.shape[1:]
    np.testing.assert_allclose(fed[:, :h, :w], full[[0, 1, 5, 6]], atol=1e-6)
    assert 0.0 < res.details["dense_p"] < 0.05


def dense_inputs_of(scan, a):
    """The eight channels of the same pair, as the comparison computes them."""
    from scans.comparison.core import find_changes
    from scans.comparison.io import as_float
    from scans.comparison.registration import register, working_copy

    params = Params()  # the comparison's maps, without running a model
    o, s_o = working_copy(as_float(scan), params)
    d, s_d = working_copy(as_float(_dest(a, 2)), params)
    details: dict = {"work_scale": s_o, "work_scale_dest": s_d}
    reg = register(o, d, details, {}, params)
    assert reg is not None
    _, _, maps = find_changes(*reg, s_o, details, {}, params)
    return dense.dense_inputs(maps)


def test_a_model_that_takes_other_inputs_than_dense_inputs_is_refused(scan, monkeypatch):
    monkeypatch.setattr(dense, "_session", lambda path: _Session(8))
    with pytest.raises(ValueError, match="DENSE_INPUTS"):
        compare_scans(scan, _dest(to_attenuation(scan), 2), params=replace(ON, DENSE_INPUTS="images"))
    with pytest.raises(ValueError, match="unknown DENSE_INPUTS"):
        dense.dense_inputs({}, "pixels")
