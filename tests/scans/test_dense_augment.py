"""``bench/scans_dense.py train --augment`` (twentieth pass): a crop's destination gets another display curve
and saturation level, and every destination channel moves with it, so the net is shown the same clean pair as
it would look from another scanner; the origin is left as it is."""

from __future__ import annotations

import numpy as np

from bench.scans_dense import augment


def _crop(rng: np.random.Generator):
    a = rng.uniform(0.2, 3.0, (32, 48)).astype(np.float32)
    x = np.zeros((8, 32, 48), np.float32)
    x[0] = a / 3.0
    x[1] = a / 3.0
    x[6] = 1.0
    x[7] = 1.0
    return x


def test_the_destination_channels_move_together_and_the_origin_stays():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        x = _crop(rng)
        t = np.ones((32, 48), np.float32)
        before = x.copy()
        augment(x, t, np.full((32, 48), 0.05, np.float32), np.random.default_rng(seed))
        d = (x[1] - before[1]) * 3.0
        assert np.abs(d).max() > 0.0
        assert np.array_equal(x[[0, 6, 7]], before[[0, 6, 7]])
        # the residual (x2) and the tolerant change in noise units (x3, noise 0.05) shift by the same d
        assert np.allclose(x[2] / 2.0, np.clip(d, -1, 1), atol=1e-5)
        assert np.allclose(x[3] * 5.0 * 0.05, np.clip(d / 0.05, -10, 10) * 0.05, atol=1e-5)
        # a destination clipped earlier: those pixels are saturated and no longer a change to find
        sat = x[5] > 0.5
        assert np.array_equal(t == 0.0, sat)


def test_without_anything_imaged_the_crop_is_left_alone():
    x = np.zeros((8, 16, 16), np.float32)
    t = np.zeros((16, 16), np.float32)
    augment(x, t, np.full((16, 16), 0.02, np.float32), np.random.default_rng(0))
    assert not x.any()


def test_it_runs_where_training_runs_without_opencv(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "cv2", None)  # the torch venv has numpy and torch only
    rng = np.random.default_rng(1)
    x = _crop(rng)
    before = x.copy()
    augment(x, np.zeros((32, 48), np.float32), np.full((32, 48), 0.05, np.float32), rng)
    assert not np.array_equal(x[4], before[4])  # the coherent residual moved too
