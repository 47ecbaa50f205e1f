"""The speed warp's halves: a half that locked onto the wrong column of periodic cargo is replaced by the other
(``Params.SHEAR_PICK``, off by default); a real shear, each half right at its own shift, keeps the blend."""

import numpy as np

from scans.comparison.registration import _pick_halves

H, W, STRIP, PERIOD = 128, 384, 24, 12


def _grids():
    gx, gy = np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32))
    return gx, gy


def _blend(top, bot, gy):
    wy = np.clip((gy - H / 4) / (H / 2), -0.25, 1.25)
    return top[0][None, :] * (1 - wy) + bot[0][None, :] * wy, top[1][None, :] * (1 - wy) + bot[1][None, :] * wy


def _shift(value: float):
    return np.full(W, value, np.float32), np.zeros(W, np.float32)


def _pick(ao, ad, top, bot):
    gx, gy = _grids()
    sdx, sdy = _blend(top, bot, gy)
    out = _pick_halves(ao, ad, gx.copy(), gy.copy(), gx, gy, 0.0, top, bot, sdx, sdy, STRIP, 3.0)
    return sdx, out[0]


def test_a_half_locked_onto_the_next_column_of_periodic_cargo_takes_the_other_halfs_shift():
    rng = np.random.default_rng(1)
    ao = rng.random((H, W)).astype(np.float32)  # a texture found once: the lower half's cargo
    bars = (np.arange(W) % PERIOD < PERIOD // 2).astype(np.float32)
    ao[: H // 2] = bars[None, :] + 0.01 * rng.random((H // 2, W)).astype(np.float32)  # repeated columns above
    # The destination is the origin itself (no shift); the upper half's search locked one period off.
    blend, picked = _pick(ao, ao.copy(), _shift(PERIOD), _shift(0.0))
    assert float(np.abs(blend[: H // 2]).mean()) > 4  # the blend shears the upper rows
    inner = picked[:, 2 * STRIP : -2 * STRIP]
    assert float(np.abs(inner).max()) < 0.5  # both halves now take the lower half's shift (none)


def test_a_real_shear_keeps_the_blend():
    rng = np.random.default_rng(2)
    ao = rng.random((H, W)).astype(np.float32)
    ad = ao.copy()
    ad[: H // 2] = np.roll(ao[: H // 2], 4, axis=1)  # the upper rows are 4 px on, the lower 4 px back
    ad[H // 2 :] = np.roll(ao[H // 2 :], -4, axis=1)
    blend, picked = _pick(ao, ad, _shift(4.0), _shift(-4.0))
    assert np.allclose(picked, blend)
