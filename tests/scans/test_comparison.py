"""Scan comparison on generated images only (no real data needed)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scans.comparison import DEFAULT_THRESHOLD, compare_scans, get_threshold, load_scan
from scans.pairs import ScannerParams, make_pair, second_scanner, synthetic_scan, tamper, to_attenuation


def _scanner(mirrored: bool = False) -> ScannerParams:
    return ScannerParams(
        mirrored=mirrored,
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


def _dest(a: np.ndarray, seed: int, mirrored: bool = False) -> np.ndarray:
    img = second_scanner(a, np.random.default_rng(seed), _scanner(mirrored))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return load_scan(buf.tobytes())


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    return synthetic_scan(3, width=900, height=340)


def _overlaps(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_unchanged_pair_with_nuisances_is_consistent(scan):
    res = compare_scans(scan, _dest(to_attenuation(scan), 1))
    assert res.registered
    assert res.verdict == "consistent", (res.score, res.boxes[:2])
    assert res.heatmap.shape == (*scan.shape, 3) and res.heatmap.dtype == np.uint8
    assert "timings" in res.details


@pytest.mark.parametrize("kind", ["remove", "add", "swap"])
def test_tampered_pair_is_suspicious_and_localised(scan, kind):
    rng = np.random.default_rng(5)
    box = (330, 120, 110, 90)
    donor = to_attenuation(synthetic_scan(11, width=900, height=340))
    a = tamper(to_attenuation(scan), rng, kind, box, donor=donor)
    res = compare_scans(scan, _dest(a, 2))
    assert res.verdict == "suspicious", (kind, res.score)
    assert _overlaps(res.boxes[0], box), (res.boxes[:3], box)


def test_mirrored_pair(scan):
    rng = np.random.default_rng(7)
    box = (200, 150, 120, 80)
    a = tamper(to_attenuation(scan), rng, "add", box)
    res = compare_scans(scan, _dest(a, 3, mirrored=True))
    assert res.details["mirrored"] is True
    assert res.verdict == "suspicious"
    assert _overlaps(res.boxes[0], box)
    clean = compare_scans(scan, _dest(to_attenuation(scan), 4, mirrored=True))
    assert clean.details["mirrored"] is True and clean.verdict == "consistent"


def test_make_pair_label_and_random_scanner():
    src = synthetic_scan(8, width=800, height=300)
    origin, dest_jpeg, label = make_pair(src, np.random.default_rng(0), tampered=True, kind="add")
    assert label["tampered"] and label["kind"] == "add" and len(label["box"]) == 4
    x, y, w, h = label["box"]
    assert 0 <= x and x + w <= src.shape[1] and 0 <= y and y + h <= src.shape[0]
    assert 0.005 <= w * h / src.size <= 0.06
    dest = load_scan(dest_jpeg)
    assert dest.dtype == np.float32 and dest.ndim == 2


def test_load_16bit_tiff_and_png(tmp_path):
    img = (np.linspace(0, 65535, 200 * 100).reshape(100, 200)).astype(np.uint16)
    for ext in ("tif", "png"):
        p = tmp_path / f"s.{ext}"
        assert cv2.imwrite(str(p), img)
        out = load_scan(p)
        assert out.dtype == np.float32 and out.shape == (100, 200)
        assert out.min() == 0.0 and abs(out.max() - 1.0) < 1e-6
        assert abs(float(out[50, 100]) - img[50, 100] / 65535) < 1e-4
    out8 = load_scan(cv2.imencode(".png", (img // 257).astype(np.uint8))[1].tobytes())
    assert out8.max() == 1.0
    with pytest.raises(ValueError):
        load_scan(b"not an image")


def test_garbage_is_unregistered(scan):
    rng = np.random.default_rng(0)
    noise = cv2.GaussianBlur(rng.random((400, 1000)).astype(np.float32), (0, 0), 2)
    res = compare_scans(scan, noise)
    assert res.verdict == "unregistered" and not res.registered
    flat = compare_scans(scan, np.full((300, 800), 0.9, np.float32))
    assert flat.verdict == "unregistered"


def test_threshold_sources(settings):
    assert get_threshold(0.5) == 0.5
    settings.SCANS_COMPARISON_THRESHOLD = 0.123
    assert get_threshold() == 0.123
    del settings.SCANS_COMPARISON_THRESHOLD
    assert get_threshold() == DEFAULT_THRESHOLD > 0


def _swap_tractor(a: np.ndarray) -> np.ndarray:
    """Same container, another tractor: everything beyond the container's front wall differs."""
    b = a.copy()
    x_end = int(a.shape[1] * 0.97) - int(a.shape[1] * 0.16)  # synthetic_scan's container end
    b[:, x_end + 6 :] = float(np.percentile(a, 1))
    cv2.rectangle(b, (x_end + 20, 120), (a.shape[1] - 15, 265), 0.45, -1)
    cv2.rectangle(b, (x_end + 30, 190), (x_end + 90, 262), 1.8, -1)
    cv2.circle(b, (x_end + 60, 300), 25, 1.2, 6)
    return b


@pytest.mark.parametrize("mirrored", [False, True])
def test_swapped_tractor_is_not_flagged_but_cargo_change_is(scan, mirrored):
    b = _swap_tractor(to_attenuation(scan))
    res = compare_scans(scan, _dest(b, 5, mirrored))
    assert res.registered and res.details["container_span"] is not None
    assert res.verdict == "consistent", (res.score, res.boxes[:2])
    box = (330, 120, 110, 90)
    c = tamper(b, np.random.default_rng(5), "add", box)
    res = compare_scans(scan, _dest(c, 6, mirrored))
    assert res.verdict == "suspicious" and _overlaps(res.boxes[0], box), (res.score, res.boxes[:2])


def test_region_score_prefers_compact_regions_a_shift_does_not_explain(monkeypatch):
    from scans.comparison import core

    base = {"rs": 0.002, "ratio": 0.8, "shape": 1.0}
    assert core.region_score(base) == pytest.approx(0.0016)  # plain: rs x ratio
    monkeypatch.setattr(core, "USE_LEARNED", True)
    region_score = core.region_score
    assert region_score(base) > region_score({**base, "rs": 0.001})  # more change, higher score
    assert region_score(base) > region_score({**base, "ratio": 0.4})  # more explained by a shift
    assert region_score(base) > region_score({**base, "shape": 0.5})  # elongated
    assert region_score({**base, "rs": 0.0}) == 0.0


def test_details_report_plain_area_change(scan):
    rng = np.random.default_rng(5)
    box = (330, 120, 110, 90)
    a = tamper(to_attenuation(scan), rng, "remove", box)
    res = compare_scans(scan, _dest(a, 2))
    assert 0 < res.details["area_change"] < 1
    assert res.boxes[0][4] == pytest.approx(res.score, rel=1e-3)
