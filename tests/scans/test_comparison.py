"""Scan comparison on generated images only (no real data needed)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from scans.benchmark.pairs import ScannerParams, make_pair, second_scanner, synthetic_scan, tamper, to_attenuation
from scans.comparison import DEFAULT_THRESHOLD, Params, compare_scans, get_threshold, load_scan


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
        # scaled by its own bright level (the air), not by 65535 (see the 12-bit test below)
        assert abs(float(out[50, 100]) - img[50, 100] / np.percentile(img, 99.9)) < 1e-4
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


def test_region_score_prefers_compact_regions_a_shift_does_not_explain():
    from scans.comparison import regions

    base = {"rs": 0.002, "ratio": 0.8, "shape": 1.0}
    assert regions.region_score(base, Params()) == pytest.approx(0.0016)  # plain: rs x ratio
    learned = Params(USE_LEARNED=True)

    def region_score(f):
        return regions.region_score(f, learned)

    assert region_score(base) > region_score({**base, "rs": 0.001})  # more change, higher score
    assert region_score(base) > region_score({**base, "ratio": 0.4})  # more explained by a shift
    assert region_score(base) > region_score({**base, "shape": 0.5})  # elongated
    assert region_score({**base, "rs": 0.0}) == 0.0


def test_verifier_rescores_regions_on_the_thresholds_scale(scan):
    from scans.comparison import verifier
    from scans.comparison.regions import find_regions

    box = (330, 120, 110, 90)
    a = tamper(to_attenuation(scan), np.random.default_rng(5), "add", box)
    params = Params(USE_VERIFIER=True)
    res = compare_scans(scan, _dest(a, 2), params=params, debug=True)
    assert res.registered and res.boxes
    maps = res.details["debug"]
    regions, _ = find_regions(maps, None, params)
    scal, patches = verifier.candidate_inputs(maps, regions, None, {}, params)
    assert scal.shape == (min(len(regions), params.N_VERIFY), verifier.N_SCALAR)
    assert patches.shape[1:] == (verifier.N_CHANNELS, verifier.PATCH, verifier.PATCH)
    assert np.isfinite(scal).all() and np.isfinite(patches).all()
    # suspicious exactly when the best logit exceeds VERIFY_LOGIT
    for score, *_, f in verifier.verify(maps, regions, None, {}, params):
        assert (score > DEFAULT_THRESHOLD) == (f["p_logit"] > params.VERIFY_LOGIT)


def test_details_report_plain_area_change(scan):
    rng = np.random.default_rng(5)
    box = (330, 120, 110, 90)
    a = tamper(to_attenuation(scan), rng, "remove", box)
    res = compare_scans(scan, _dest(a, 2))
    assert 0 < res.details["area_change"] < 1
    assert res.boxes[0][4] == pytest.approx(res.score, rel=1e-3)


def test_cab_mask_only_covers_a_short_end():
    from scans.comparison.regions import container_span

    h, w = 300, 1000
    ao = np.zeros((h, w), np.float32)
    ao[60:240, 20:800] = 1.0  # container: roof at row 60 over 78 % of the length
    ao[120:240, 820:990] = 1.0  # tractor: lower, 17 %
    params = Params()
    assert container_span(ao, params)[0] <= 25 and 790 <= container_span(ao, params)[1] < 810  # the tractor is masked
    # a roof line over 45 %: the other 55 % is too long to be a tractor and stays scored
    ao2 = np.zeros((h, w), np.float32)
    ao2[60:240, 10:460] = 1.0
    for x in range(480, 990):  # a load with an uneven top (a flat-bed, say)
        ao2[100 + int(50 * abs(np.sin(x / 23.0))) : 240, x] = 1.0
    x0, x1 = container_span(ao2, params)
    assert x0 <= 15 and x1 == w - 1


def test_even_change_of_busy_cargo_starts_a_region():
    """Taking out part of a busy load lowers it evenly by less than its own texture: few pixels
    leave their neighbours' range, but the local mean moves.  The coherent-change channel seeds
    a region there (scored, like every region, by its tolerant change: on the tune pairs this
    turned two missed removals into detections, docs/scans-comparison.md)."""
    from scans.comparison.changes import change_maps
    from scans.comparison.regions import find_regions

    rng = np.random.default_rng(0)
    h, w = 300, 900
    tex = cv2.GaussianBlur((rng.random((h, w)) > 0.5).astype(np.float32), (0, 0), 1.5)
    ao = (1.5 + 0.3 * tex / tex.std()).astype(np.float32)
    # the destination: half a pixel of misalignment, sensor noise, and the load 0.25 lighter in a box
    adw = cv2.warpAffine(ao, np.float32([[1, 0, 1.0], [0, 1, 0.5]]), (w, h), borderMode=cv2.BORDER_REPLICATE)
    box = (350, 120, 150, 80)
    adw[120:200, 350:500] -= 0.25
    adw += rng.normal(0, 0.02, adw.shape).astype(np.float32)
    valid = np.ones((h, w), bool)

    def regions(params):
        return find_regions(change_maps(ao, adw, valid, {}, {}, params), None, params)[0]

    found = regions(Params())
    assert found and _overlaps(found[0][1:5], box), found[:2]
    assert regions(replace(Params(), LP_SIGMA=0.0)) == []  # the tolerant difference alone starts nothing
    # the same busy load unchanged, with the same misalignment: nothing, with the channel too
    adw[120:200, 350:500] += 0.25
    assert regions(replace(Params(), LP_SIGMA=6.0)) == []


def test_vehicle_end_misaligned_by_a_late_speed_change_is_realigned():
    from scans.comparison.registration import end_shifts

    ao = to_attenuation(synthetic_scan(3, width=900, height=340)).astype(np.float32)
    h, w = ao.shape
    # the destination's last 150 columns drift by up to 14 px (the vehicle slowed down at the end)
    drift = np.clip((np.arange(w) - 750) / 150.0, 0, 1).astype(np.float32) * 14
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    adw = cv2.remap(ao, gx - drift[None, :], gy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    valid = np.ones_like(ao, bool)
    details: dict = {}
    edx = end_shifts(ao, adw, valid, details, Params())
    assert [s[0] for s in details["end_shifts"]] == ["right"]
    assert 10 <= edx[-20] <= 16 and abs(edx[100]) < 1e-6 and abs(edx[450]) < 1e-6


def test_intensity_curve_turning_down_past_the_data_keeps_the_pair_registered(scan, monkeypatch):
    """A quadratic fit that is monotone on the data but turns down before the saturation level
    once put the common ceiling below zero: every pixel clipped, the pair 'unregistered'."""
    from scans.comparison import changes

    monkeypatch.setattr(changes, "_fit_intensity", lambda *a: np.array([-0.79, 2.1156, 0.029]))
    res = compare_scans(scan, _dest(to_attenuation(scan), 1))
    assert res.registered, res.details.get("reason")
    assert 0 < res.details["ceiling"] <= -np.log(Params().SAT_LEVEL)


def test_saturated_share_of_the_load_is_reported(scan):
    """Cargo darker than the scanners' saturation cannot be compared: the result says how much."""
    res = compare_scans(scan, _dest(to_attenuation(scan), 1))
    light = res.details["saturated_share"]
    a = to_attenuation(scan).copy()
    a[100:250, 150:500] = 6.0  # a dense block: black in both scans
    from scans.benchmark.pairs import from_attenuation

    dense = from_attenuation(a)
    res = compare_scans(dense, _dest(a, 1))
    assert res.details["saturated_share"] > light + 0.15, (light, res.details["saturated_share"])


@pytest.mark.parametrize("kind", ["add_dense", "remove_dark", "swap_split"])
def test_hard_pairs_make_the_faint_kinds_and_say_where(kind):
    from scans.benchmark.pairs import HARD_KINDS

    assert kind in HARD_KINDS
    src = synthetic_scan(12, width=900, height=340)
    donor = synthetic_scan(13, width=900, height=340)
    origin, dest_jpeg, label = make_pair(src, np.random.default_rng(1), True, kind=kind, donor=donor, hard=True)
    assert label["kind"] == kind and label["scanner"]["hard_lines"] is True
    x, y, w, h = label["box"]
    a0, a1 = to_attenuation(src), to_attenuation(origin)
    assert np.array_equal(a0, a1)  # the origin is the untouched source
    if kind == "swap_split":
        parts = label["boxes"]
        assert 3 <= len(parts) <= 6
        for bx, by, bw, bh in parts:  # small regions inside the union box
            assert bw * bh / src.size < 0.01 and x <= bx and bx + bw <= x + w and y <= by and by + bh <= y + h
    else:
        assert "boxes" not in label
    assert load_scan(dest_jpeg).ndim == 2


def test_hard_scanner_draws_every_nuisance_from_its_extremes():
    from scans.benchmark.pairs import random_scanner

    rng = np.random.default_rng(0)
    hard = [random_scanner(rng, hard=True) for _ in range(200)]
    for p in hard:
        assert 0.6 <= p.pitch <= 1.5 and not 0.8 < p.pitch < 1.2
        assert not 0.77 < p.gamma < 1.3 and 3.0 <= p.settle_px <= 6.0 and 55 <= p.jpeg <= 75
    assert 0.3 < np.mean([p.mirrored for p in hard]) < 0.7


def test_bench_counts_a_split_change_hit_on_any_of_its_boxes(tmp_path):
    from scans.benchmark.bench import summarise

    base = {"tampered": True, "registered": True, "score": 1.0, "verdict": "suspicious", "seconds": 1.0}
    split = {**base, "kind": "swap_split", "box": [0, 0, 100, 100], "boxes": [[0, 0, 10, 10], [90, 90, 10, 10]]}
    hit = {**split, "top": [92, 92, 4, 4, 1.0], "cpu_seconds": 0.4}
    miss = {**split, "top": [50, 50, 4, 4, 1.0], "cpu_seconds": 0.6}  # inside the union, between the parts
    s = summarise([hit, miss])
    assert s["by_kind"]["swap_split"] == {"n": 2, "detection": 1.0, "localisation": 0.5}
    assert s["median_cpu_s"] == 0.5


def test_hard_pairs_are_written_and_benchmarked(tmp_path):
    from scans.benchmark.bench import run_bench
    from scans.benchmark.pairs import write_pairs

    labels = write_pairs(tmp_path, n=3, seed=2, hard=True)
    assert [lab["tampered"] for lab in labels] == [False, False, True]
    assert labels[2]["kind"] in ("add", "add_dense", "remove", "remove_dark", "swap", "swap_split")
    res = run_bench(tmp_path)
    assert res["n"] == 3 and res["median_cpu_s"] > 0 and set(res["by_kind"]) == {labels[2]["kind"]}


def test_verifier_second_pass_adds_only_flagged_candidates(scan):
    """The lower-seeded second pass (verifier only) adds at most N_VERIFY2 regions, flagged
    ``second``, and leaves the ordinary regions and the shipped path (verifier off) alone."""
    from scans.comparison import verifier
    from scans.comparison.regions import find_regions

    box = (330, 120, 110, 90)
    a = tamper(to_attenuation(scan), np.random.default_rng(5), "remove", box)
    res = compare_scans(scan, _dest(a, 3), params=Params(USE_VERIFIER=True), debug=True)
    maps = res.details["debug"]
    off, _ = find_regions(dict(maps), None, Params())
    assert not any(r[5].get("second") for r in off)
    low = Params(USE_VERIFIER=True, N_VERIFY2=50, ZSEED2=1.7, LP_ZSEED2=1.0)
    on, _ = find_regions(dict(maps), None, low)
    second = [r for r in on if r[5].get("second")]
    assert second, "a lower seed finds more grown regions"
    assert len(second) <= low.N_VERIFY2
    first = [r for r in on if not r[5].get("second")]
    assert len(first) <= len(off) + 1  # the same ordinary regions (up to a merge of the grown mask)
    chosen = verifier.select(on, replace(low, N_VERIFY2=2))
    assert sum(bool(r[5].get("second")) for r in chosen) <= 2
    none, _ = find_regions(dict(maps), None, replace(low, N_VERIFY2=0))
    assert not any(r[5].get("second") for r in none)


def test_verifier_affine_recheck_explains_a_shear_not_a_change():
    from scans.comparison.verifier import _affine_ratio

    rng = np.random.default_rng(1)
    h, w = 200, 600
    bo = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 1.0) * 3
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    box = (300, 10, 30, 180)
    reg = np.zeros((h, w), bool)
    reg[10:190, 300:330] = True
    # the destination sheared in x about the region's centre (a tilted wall / cargo): up to 5.4 px
    # off at the region's ends, more than the tolerant difference absorbs
    sheared = cv2.remap(bo, xx + 0.06 * (yy - 100), yy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    assert _affine_ratio(bo, sheared, reg, box, Params()) < 0.3
    changed = bo.copy()
    changed[20:180, 305:325] += 1.0  # a change of the cargo: no warp explains it
    assert _affine_ratio(bo, changed, reg, box, Params()) > 0.7


def test_verifier_frame_end_features():
    from scans.comparison.verifier import _frame_end

    h, w = 100, 1000
    valid = np.zeros((h, w), bool)
    valid[:, 100:900] = True  # the destination frame ends at columns 100 and 899
    content = np.zeros(w, bool)
    content[50:950] = True  # the vehicle goes on past both frame ends
    cont = np.flatnonzero(content)
    reach, cut, veh = _frame_end(valid, content, cont, 120, 10, 40, 50)
    assert reach == pytest.approx(0.02) and cut == pytest.approx(1.0) and veh == pytest.approx(0.07)
    content[:100] = False  # the vehicle starts where the frame does: nothing cut on that side
    reach, cut, veh = _frame_end(valid, content, np.flatnonzero(content), 120, 10, 40, 50)
    assert cut == 0.0 and veh == pytest.approx(0.02)


def test_verifier_second_opinion_keeps_the_hand_made_verdict_unless_confident():
    from scans.comparison.verifier import at_wall, second_opinion

    params = Params(
        USE_VERIFIER=True,
        VERIFY_SECOND_OPINION=True,
        VERIFY_VETO_LOGIT=-1.0,
        VERIFY_VETO_WALLS=True,
        VERIFY_ADD_LOGIT=8.0,
    )
    t = DEFAULT_THRESHOLD
    base = np.array([3 * t, 3 * t, 0.5 * t, 0.5 * t, 2 * t])
    lg = np.array([-3.0, -3.0, 9.0, 2.0, 2.0])
    wall = np.array([True, False, False, False, True])
    out = second_opinion(base, lg, wall, params)
    # a confident "clean" at a wall clears the region; away from a wall the hand-made verdict stands
    assert out[0] < t and out[1] == 3 * t
    # a confident "changed" makes a missed region suspicious; an unsure logit changes nothing
    assert out[2] > t and out[3] == 0.5 * t and out[4] == 2 * t
    # without the wall restriction the veto clears the second region too
    anywhere = second_opinion(base, lg, wall, replace(params, VERIFY_VETO_WALLS=False))
    assert anywhere[1] < t and anywhere[0] < t
    # unsure logits (between the veto and the add logit) never overrule the hand-made score
    plain = second_opinion(base, np.array([0.5, 1.0, 7.0, 2.0, 2.0]), wall, params)
    assert np.array_equal(plain, base)
    # the shear / stretch share scales the hand-made score only with VERIFY_AFFINE_SCORE
    affine = np.array([1.0, 0.1, 1.0, 1.0, 0.2])
    neutral = replace(params, VERIFY_VETO_LOGIT=-9.0, VERIFY_ADD_LOGIT=99.0)
    assert np.array_equal(second_opinion(base, lg, wall, neutral, affine), base)
    scaled = second_opinion(base, lg, wall, replace(neutral, VERIFY_AFFINE_SCORE=True), affine)
    assert scaled[1] == pytest.approx(0.3 * t) and scaled[4] == pytest.approx(0.4 * t) and scaled[0] == 3 * t
    # at_wall: by distance to a wall column, the wall re-check's flag or the frame's end
    scal = np.zeros((3, 32), np.float32)
    scal[:, 18] = [0.01, 0.5, 0.5]
    scal[:, 22] = [0.0, 1.0, 0.0]
    scal[:, 26] = [0.5, 0.5, 0.5]
    assert at_wall(scal, params).tolist() == [True, True, False]
    scal[2, 26] = 0.0
    assert at_wall(scal, params)[2]


def test_verifier_second_opinion_in_the_comparison(scan):
    """With the second opinion on and thresholds out of the model's reach, the verdict and the
    score are the hand-made score's (the ten best regions shift-checked, as the verifier needs)."""
    box = (330, 120, 110, 90)
    a = tamper(to_attenuation(scan), np.random.default_rng(5), "add", box)
    dest = _dest(a, 2)
    hand = compare_scans(scan, dest, params=Params(N_SHIFT_CHECK=10))
    neutral = Params(USE_VERIFIER=True, VERIFY_SECOND_OPINION=True, VERIFY_VETO_LOGIT=-99.0, VERIFY_ADD_LOGIT=99.0)
    same = compare_scans(scan, dest, params=neutral)
    assert same.verdict == hand.verdict == "suspicious" and same.score == pytest.approx(hand.score)
    assert same.boxes[0][:4] == hand.boxes[0][:4]
    # a veto everywhere that every logit is under clears the candidates (here every region)
    cleared = compare_scans(
        scan,
        dest,
        params=replace(neutral, VERIFY_VETO_LOGIT=99.0, VERIFY_VETO_WALLS=False),
    )
    assert cleared.details["n_regions"] <= 10 and cleared.verdict == "consistent"


def test_scans_verify_breakdown_causes_and_second_opinion_records():
    """The tune-pair helpers of bench/scans_verify.py on stored candidates made up here."""
    from bench.scans_verify import _alarm_cause, _miss_cause, _second_records

    t = DEFAULT_THRESHOLD
    scal = np.zeros((2, 32), np.float32)
    scal[:, 18] = 0.5  # far from walls
    scal[:, 26] = 0.5  # far from the frame's end
    scal[:, 29] = 0.5  # far from the lower edge
    scal[:, 2] = 1.0  # no shift explains it
    scal[0, 22] = 1.0  # the first candidate: flagged by the wall re-check
    rec = {"pair": "tune_h31:1", "tampered": False, "kind": None, "registered": True, "box": None, "boxes": None}
    clean = {"rec": rec, "scal": scal, "base": np.array([2 * t, 0.1 * t]), "hit": np.zeros(2, bool)}
    clean["boxes"] = np.array([[0, 0, 5, 20], [50, 10, 8, 8]])
    assert _alarm_cause(clean) == "wall"
    assert _alarm_cause({**clean, "rec": {**rec, "registered": False}}) == "unregistered"
    tam_rec = {**rec, "tampered": True, "kind": "remove_dark", "box": [50, 10, 8, 8], "hit_rank": 1}
    tampered = {**clean, "rec": tam_rec, "hit": np.array([False, True])}
    assert _miss_cause(tampered) == "low_score"
    assert _miss_cause({**tampered, "hit": np.zeros(2, bool), "rec": {**tam_rec, "hit_rank": None}}) == "no_region"
    # second-opinion records: the clean wall alarm is vetoed, the faint true region added
    params = Params(VERIFY_VETO_LOGIT=-1.0, VERIFY_VETO_WALLS=True, VERIFY_ADD_LOGIT=3.0)
    recs = _second_records([{**clean, "lg": np.array([-4.0, 0.0])}, {**tampered, "lg": np.array([0.0, 5.0])}], params)
    assert recs[0]["score"] < t and recs[1]["score"] > t and recs[1]["top"] == [50, 10, 8, 8]


def test_dest_visibility_measures_the_change_the_destination_shows():
    """The destination rendered again from the untampered attenuation with the identical scanner:
    no change shows 0, a change inside cargo the scanner saturates shows (nearly) 0, a removal in
    visible cargo many grey levels; the pair's own destination is the same with or without it."""
    import copy

    from scans.benchmark.pairs import DEST_VISIBLE_GREY, dest_visibility, random_scanner

    a = to_attenuation(synthetic_scan(12, width=900, height=340))
    rng = np.random.default_rng(4)
    p = random_scanner(rng, hard=True)
    twin = copy.deepcopy(rng)
    box = [330, 120, 110, 90]
    same = dest_visibility(a, [box], copy.deepcopy(twin), p, second_scanner(a, copy.deepcopy(twin), p))
    assert same["dest_change"] == 0.0 and same["dest_noise"] >= 0.28
    black = a.copy()
    black[100:250, 300:480] = 8.0  # far beyond any display's saturation
    hidden = tamper(black, np.random.default_rng(5), "add_dense", (330, 120, 110, 90))
    v = dest_visibility(black, [box], copy.deepcopy(twin), p, second_scanner(hidden, copy.deepcopy(twin), p))
    assert v["dest_change"] < DEST_VISIBLE_GREY
    removed = tamper(a, np.random.default_rng(5), "remove", (330, 120, 110, 90))
    v = dest_visibility(a, [box], copy.deepcopy(twin), p, second_scanner(removed, copy.deepcopy(twin), p))
    assert v["dest_change"] > 5 * DEST_VISIBLE_GREY and v["dest_change_ratio"] > 1
    # make_pair records it and its destination does not depend on it (same rng -> same bytes)
    src = synthetic_scan(12, width=900, height=340)
    _, d1, lab1 = make_pair(src, np.random.default_rng(9), True, kind="remove", hard=True)
    _, d2, lab2 = make_pair(src, np.random.default_rng(9), True, kind="remove", hard=True)
    assert d1 == d2 and lab1 == lab2 and lab1["dest_change"] > 0
    _, _, clean = make_pair(src, np.random.default_rng(9), False, hard=True)
    assert "dest_change" not in clean


def test_bench_breaks_detection_down_by_visibility_in_the_destination():
    from scans.benchmark.bench import summarise

    base = {"tampered": True, "registered": True, "verdict": "suspicious", "seconds": 1.0, "kind": "add"}
    recs = [
        {**base, "box": [0, 0, 10, 10], "top": [0, 0, 5, 5], "score": 1.0, "dest_change": 12.0},
        {**base, "box": [0, 0, 10, 10], "top": None, "score": 0.0, "verdict": "consistent", "dest_change": 0.2},
        {**base, "box": [0, 0, 10, 10], "top": None, "score": 0.0, "verdict": "consistent", "dest_change": 3.0},
    ]
    s = summarise(recs)
    v = s["by_visibility"]
    assert v["visible"]["n"] == 2 and v["visible"]["detection"] == 0.5 and v["invisible"]["n"] == 1
    assert v["invisible"]["missed_by_kind"] == {"add": 1} and s["detection"] == round(1 / 3, 4)
    assert "by_visibility" not in summarise([{**r, "dest_change": None} for r in recs])


def test_end_affine_recheck_is_off_by_default_and_keeps_a_cargo_change(scan):
    """``WALL_AFFINE`` (off): regions at a wall or the frame's end keep only what a local shear or
    stretch leaves; a change of the cargo in the middle of the load is not touched."""
    from scans.comparison.regions import near_end

    assert Params().WALL_AFFINE is False
    valid = np.zeros((100, 1000), bool)
    valid[:, 100:900] = True
    assert near_end(110, 20, 10, 50, [], valid, 50)  # 10 px from the frame's left end
    assert near_end(500, 20, 10, 50, [505], valid, 50)  # at a wall column
    assert not near_end(500, 20, 10, 50, [], valid, 50)
    box = (330, 120, 110, 90)
    a = tamper(to_attenuation(scan), np.random.default_rng(5), "remove", box)
    dest = _dest(a, 3)
    on = compare_scans(scan, dest, params=Params(WALL_AFFINE=True))
    off = compare_scans(scan, dest)
    assert on.verdict == off.verdict == "suspicious" and _overlaps(on.boxes[0], box)


def test_dark_channel_sees_a_change_of_a_few_grey_levels_near_black():
    """``DARK_CHANNEL`` (off by default): cargo the destination shows within a few grey levels of
    black is clipped at the common ceiling in the attenuation domain, so a change there starts no
    region; compared in the destination's own grey levels, in units of their noise, it does, and
    the same dark load unchanged gives nothing."""
    from scans.comparison.changes import change_maps
    from scans.comparison.regions import find_regions

    assert Params().DARK_CHANNEL is False
    rng = np.random.default_rng(1)
    h, w = 300, 900
    tex = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 2.0)
    tex = (tex - tex.mean()) / tex.std()
    ao = (1.2 + 0.2 * tex).astype(np.float32)
    ao[150:] = 3.65 + 0.05 * tex[150:]  # the lower half: dense cargo, ~6.6 grey levels in the origin ...

    def dest(delta: float) -> np.ndarray:
        a = cv2.warpAffine(ao, np.float32([[1, 0, 0.5], [0, 1, 0.5]]), (w, h), borderMode=cv2.BORDER_REPLICATE)
        grey = 255.0 * np.exp(-1.3 * a)  # ... ~2.2 in the destination, whose display curve is darker
        grey[190:260, 400:520] += delta  # part of the dense load taken out: 2 grey levels lighter
        grey = np.round(grey + rng.normal(0, 0.6, grey.shape))  # noise and 8-bit quantisation
        return (-np.log(np.clip(grey, 1.0, 255.0) / 255.0)).astype(np.float32)

    box = (400, 190, 120, 70)
    valid = np.ones((h, w), bool)

    def regions(adw, params):
        return find_regions(change_maps(ao, adw, valid, {}, {}, params), None, params)[0]

    changed = dest(2.0)
    on = replace(Params(), DARK_CHANNEL=True)
    assert not any(r[0] > DEFAULT_THRESHOLD and _overlaps(r[1:5], box) for r in regions(changed, Params()))
    found = regions(changed, on)
    assert found and _overlaps(found[0][1:5], box) and found[0][0] > DEFAULT_THRESHOLD, found[:2]
    assert all(r[0] <= DEFAULT_THRESHOLD for r in regions(dest(0.0), on))


def _in_16_bit_file(a: np.ndarray, bits: int) -> np.ndarray:
    """A scan as a 12- or 14-bit detector writes it into a 16-bit file: values up to 2**bits - 1."""
    f = a.astype(np.float64) / 255 if a.dtype == np.uint8 else a.astype(np.float64)
    return np.round(np.clip(f, 0, 1) * (2**bits - 1)).astype(np.uint16)


@pytest.mark.parametrize("bits", [12, 14])
def test_a_scan_of_fewer_bits_in_a_16_bit_file_is_compared_as_the_scanner_saw_it(scan, bits):
    rng = np.random.default_rng(5)
    donor = to_attenuation(synthetic_scan(11, width=900, height=340))
    changed = tamper(to_attenuation(scan), rng, "remove", (330, 120, 110, 90), donor=donor)
    for dest, verdict in ((_dest(to_attenuation(scan), 1), "consistent"), (_dest(changed, 2), "suspicious")):
        as_8_bit = compare_scans(scan, dest)
        deep = compare_scans(_in_16_bit_file(scan, bits), _in_16_bit_file(dest, bits))
        assert as_8_bit.verdict == deep.verdict == verdict
        # the same score: divided by 65535, such a scan is nearly black and its changes fall below the floor
        assert abs(deep.score - as_8_bit.score) <= 0.1 * as_8_bit.score + 1e-4, (deep.score, as_8_bit.score)
