"""The vehicle's end where the origin's frame cuts it (``Params.END_CUT_RANGE``): the window at the border holds
a part cut off in one scan, so the end realignment looks again further in, over a wider range; a border window
that matches where it is decides that end as before (a change near the end must not move it). With
``Params.END_CUT_MARGIN`` the inner window also decides where the border window matches, but clearly worse."""

from dataclasses import replace

import cv2
import numpy as np

from scans.benchmark.pairs import synthetic_scan, to_attenuation
from scans.comparison import Params
from scans.comparison.registration import end_shifts

ON = replace(Params(), END_CUT_RANGE=0.07)


def _cut_vehicle() -> np.ndarray:
    """A scan whose vehicle runs into the right border, as a frame that cut the tractor leaves it."""
    ao = to_attenuation(synthetic_scan(3, width=900, height=340)).astype(np.float32)
    cols = np.flatnonzero(ao.max(axis=0) > 0.2)
    return np.ascontiguousarray(ao[:, : int(cols[-1]) - 60])


def _drifted(ao: np.ndarray, px: float, over: int) -> np.ndarray:
    h, w = ao.shape
    drift = np.clip((np.arange(w) - (w - over)) / (over / 4), 0, 1).astype(np.float32) * px
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(ao, gx - drift[None, :], gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def test_an_end_cut_by_the_frame_and_misaligned_beyond_the_usual_search_is_realigned():
    ao = _cut_vehicle()
    h, w = ao.shape
    adw = _drifted(ao, 40, 260)  # the last 260 columns 40 px off: beyond END_SHIFT's search (3 % of the width)
    win = max(24, w // 24)
    rng = np.random.default_rng(0)
    adw[:, w - win :] = rng.random((h, win)).astype(np.float32)  # the border: a part only one frame shows
    valid = np.ones_like(ao, bool)
    details: dict = {}
    assert not np.any(end_shifts(ao, adw, valid, details, Params()))  # off: nothing found, the end stays 40 px out
    details = {}
    edx = end_shifts(ao, adw, valid, details, ON)
    assert [s[0] for s in details["end_shifts"]] == ["right"]
    assert 36 <= edx[-win * 3] <= 44 and abs(edx[w // 2]) < 1e-6


def test_a_border_window_that_matches_decides_its_end_even_with_a_change_further_in():
    ao = _cut_vehicle()
    h, w = ao.shape
    win = max(24, w // 24)
    adw = ao.copy()
    adw[40:300, w - 4 * win : w - 2 * win] += 0.8  # something added inside the inset window
    details: dict = {}
    edx = end_shifts(ao, adw, np.ones_like(ao, bool), details, ON)
    assert details["end_shifts"] == [] and not np.any(edx)


MARGIN = replace(ON, END_CUT_MARGIN=0.05)


def test_a_border_window_that_matches_worse_than_the_window_further_in_gives_way_to_it():
    ao = _cut_vehicle()
    h, w = ao.shape
    adw = _drifted(ao, 40, 260)
    win = max(24, w // 24)
    # the border: partly a part only one frame shows, partly the vehicle 10 px on, so it matches, but poorly
    part = ao[:, w - 80 : w - 10]
    other = ao[:, w // 3 : w // 3 + 70]  # a part only one frame shows
    adw[:, w - 70 :] = 0.5 * part + 0.5 * other
    valid = np.ones_like(ao, bool)
    details: dict = {}
    edx = end_shifts(ao, adw, valid, details, ON)
    assert not (36 <= edx[-win * 3] <= 44)  # without the margin the border window decides, and not at 40 px
    details = {}
    edx = end_shifts(ao, adw, valid, details, MARGIN)
    assert [s[0] for s in details["end_shifts"]] == ["right"]
    assert 36 <= edx[-win * 3] <= 44 and abs(edx[w // 2]) < 1e-6


def test_with_the_margin_a_change_further_in_still_leaves_a_matching_border_window_in_charge():
    ao = _cut_vehicle()
    h, w = ao.shape
    win = max(24, w // 24)
    adw = ao.copy()
    adw[40:300, w - 4 * win : w - 2 * win] += 0.8
    details: dict = {}
    edx = end_shifts(ao, adw, np.ones_like(ao, bool), details, MARGIN)
    assert details["end_shifts"] == [] and not np.any(edx)
