"""``bench/scans_dense.py choose`` (twentieth and twenty-first passes): the operating point it prints is the
value the app runs with (``DENSE_LOGIT`` to 4 decimals), so it must not let through a clean pair the exact
point stops."""

from __future__ import annotations

from bench.scans_dense import _point
from scans.benchmark.bench import summarise


def _rec(i: int, score: float, tampered: bool) -> dict:
    box = [10 * i, 0, 5, 5]
    return {
        "id": i,
        "tampered": tampered,
        "kind": "add" if tampered else None,
        "box": box,
        "boxes": None,
        "registered": True,
        "score": score,
        "top": box,
        "seconds": 0.0,
    }


def test_the_point_is_rounded_up_to_the_value_the_app_runs_with():
    # the second highest clean pair sets the point for k = 1; its logit has more than 4 decimals
    recs = [_rec(0, 2.0, False), _rec(1, 1.2305053, False), _rec(2, 0.5, False), _rec(3, 3.0, True)]
    thr, sm = _point(recs, 1, summarise)
    assert thr == 1.2306 and round(thr, 4) == thr
    assert sm["false_alarm"] == round(1 / 3, 4)  # at the printed value only the highest clean pair alarms
    assert summarise(recs, threshold=round(thr, 4))["false_alarm"] == sm["false_alarm"]


def test_the_region_veto_is_fitted_on_fit_regions_and_finds_the_direction_that_separates_them():
    """Twenty-second pass: ``fit_veto`` (logistic regression, Newton steps, raw units) on the rows ``_veto_rows``
    takes from fit records: regions above the lowest FUSE_HAND, labelled by the change under their box."""
    import numpy as np

    from bench.scans_dense import _veto_rows, fit_veto
    from scans.comparison.veto import FEATURES, veto_logit

    rng = np.random.default_rng(0)
    recs = []
    for i in range(200):
        tampered = i % 2 == 1
        sat = float(rng.uniform(0.0, 0.4) if tampered else rng.uniform(0.5, 1.0))  # clean alarms: saturated
        feats = [[-7.0, -5.0, 0.0, 0.1, 0.1, sat, 1.0, 1.0], [-9.0, -6.0, 0.0, 0.1, 0.1, 0.9, 1.0, 1.0]]
        recs.append(
            {
                "registered": True,
                "tampered": tampered,
                "hand_regions": [[0.001, 0, 0, 5, 5], [0.0001, 9, 9, 5, 5]],  # the second is below 0.0002
                "region_feats": feats,
                "region_hits": [tampered, tampered],
                "regions_2": [[0.001, 3.0, 0, 0, 5, 5], [0.0001, 1.0, 9, 9, 5, 5]],
            }
        )
    x, y = _veto_rows(recs, "fv0", 2.0)
    assert x.shape == (200, len(FEATURES)) and y.sum() == 100
    w = fit_veto(x, y)
    assert len(w) == len(FEATURES) + 1 and w[1 + FEATURES.index("saturated")] < 0
    assert veto_logit([-7, -5, 0, 0.1, 0.1, 0.1, 1, 1], w) > 0 > veto_logit([-7, -5, 0, 0.1, 0.1, 0.9, 1, 1], w)
    x1, _ = _veto_rows(recs, "fv1", 2.0)
    assert x1.shape == (200, len(FEATURES) + 1) and (x1[:, -1] == 3.0).all()  # the dense logit last


def test_choose_counts_the_calibration_clean_pairs_with_the_hard_set(tmp_path, capsys):
    """``choose --calib``: the calibration sets' clean pairs join the hard set's for k and every threshold."""
    import argparse
    import json

    from bench.scans_dense import choose

    def rec(s, i, score, tampered, logit):
        r = _rec(i, score, tampered)
        r.update(set=s, pair=f"{s}:{i}", logit_2=logit, peak_2=[10 * i + 2, 2], regions_2=[[score, logit, *r["box"]]])
        return r

    recs = [rec("h", 0, 0.002, True, 5.0), rec("h", 1, 0.0001, False, 0.0), rec("h", 2, 0.0001, False, 0.0)]
    recs += [rec("p", 3, 0.002, True, 5.0), rec("p", 4, 0.0001, False, 0.0)]
    recs += [rec("c", 10 + i, 0.001, False, 1.0 + i) for i in range(3)]  # three calibration clean alarms
    path = tmp_path / "val.json"
    path.write_text(json.dumps(recs))
    args = argparse.Namespace(
        records=[str(path)], hard="h", plain="p", sigmas=(2.0,), modes=("dense",), calib=["c"], fit_records=None
    )
    choose(args)
    out = capsys.readouterr().out
    assert "(k = 3)" in out  # the three calibration pairs above 0.0006; without them k would be 0


def test_the_pure_veto_point_keeps_every_tampered_pair_the_hand_made_score_detects():
    """Twenty-third pass, ``choose --pure-veto``: at FUSE_HAND 0.0006 the point is the lowest, over the tampered
    pairs above 0.0006, of their best region's veto logit (regions above 0.0006 only), rounded down to the 4
    decimals the app runs with; a pair below 0.0006 or a region below it does not move it."""
    from bench.scans_dense import _fused, _veto_point
    from scans.comparison.veto import FEATURES

    def rec(i, tampered, regions):  # regions: (hand, level feature) pairs; the veto's logit is the level
        r = _rec(i, max(h for h, _ in regions), tampered)
        r["pair"] = f"v:{i}"
        r["hand_regions"] = [[h, *r["box"]] for h, _ in regions]
        r["region_feats"] = [[0.0] * FEATURES.index("level") + [lv] + [0.0] for _, lv in regions]
        return r

    weights = [0.0] * (1 + len(FEATURES))
    weights[1 + FEATURES.index("level")] = 1.0
    recs = [
        rec(0, True, [(0.002, 1.23456), (0.003, -5.0)]),  # its best region above 0.0006: 1.23456
        rec(1, True, [(0.001, 0.5), (0.0005, -9.0)]),  # 0.5 sets the point; the region below 0.0006 does not
        rec(2, True, [(0.0004, -20.0)]),  # not detected at 0.0006: ignored
        rec(3, False, [(0.001, 0.2)]),  # a clean alarm the veto clears
        rec(4, False, [(0.001, 0.7)]),  # one it keeps
    ]
    recs[1]["region_feats"][0][FEATURES.index("level")] = 0.50004  # rounded down, not to 0.5
    thr, by = _veto_point(recs, "fv0", 0.0, weights)
    assert (thr, by) == (0.5, "v:1")
    sm = summarise(_fused(recs, "fv0", 0.0, 0.0006, thr, weights), threshold=thr)
    assert sm["detection"] == round(2 / 3, 4) and sm["false_alarm"] == 0.5  # 0 and 1 kept, 3 cleared
    recs[1]["region_feats"][0][FEATURES.index("level")] = 0.5  # exactly on a 4-decimal value: one step lower
    assert _veto_point(recs, "fv0", 0.0, weights)[0] == 0.4999
    assert _veto_point(recs[2:], "fv0", 0.0, weights) == (-30.0, "")  # nothing detected: nothing vetoed


def test_choose_pure_veto_prints_the_point_and_keeps_the_shipped_detection(tmp_path, capsys):
    """``choose --pure-veto --fit-min-hand``: FUSE_HAND 0.0006 only, the candidate with the fewest clean alarms."""
    import argparse
    import json

    from bench.scans_dense import choose
    from scans.comparison.veto import FEATURES

    def rec(s, i, score, tampered, sat):
        r = _rec(i, score, tampered)
        feats = [-7.0, -5.0, 0.0, 0.1, 0.1, sat, 1.0, 1.0]
        r.update(set=s, pair=f"{s}:{i}", hand_regions=[[score, *r["box"]]], region_feats=[feats])
        r["region_hits"] = [tampered]
        return r

    fit = [rec("f", i, 0.00015, i % 2 == 1, 0.1 if i % 2 else 0.9) for i in range(40)]  # all below 0.0002
    val = [rec("h", 0, 0.002, True, 0.1), rec("h", 1, 0.002, False, 0.9), rec("h", 2, 0.002, False, 0.05)]
    val += [rec("p", 3, 0.002, True, 0.2), rec("p", 4, 0.0001, False, 0.9)]
    fp, vp = tmp_path / "fit.json", tmp_path / "val.json"
    fp.write_text(json.dumps(fit))
    vp.write_text(json.dumps(val))
    args = argparse.Namespace(
        records=[str(vp)],
        hard="h",
        plain="p",
        sigmas=(2.0,),
        modes=("fv0",),
        calib=[],
        fit_records=[str(fp)],
        fit_min_hand=0.0001,
        pure_veto=True,
    )
    choose(args)
    out = capsys.readouterr().out
    assert "(k = 2)" in out and "40 fit regions" in out and "pure veto fv0" in out
    assert "hand 0.0006" in out and "hand 0.0002" not in out  # FUSE_HAND fixed at the shipped threshold
    assert "hard det 1.0 fa 0.5 (1)" in out and "val gate met" in out and len(FEATURES) == 8


def test_the_located_only_point_ignores_a_pair_detected_only_away_from_its_change(tmp_path, capsys):
    """Twenty-fourth pass, ``choose --pure-veto --located-only``: a tampered pair whose only region above 0.0006
    lies away from its change (a frame-end strip, as the 23rd pass's ``h4344:68`` and ``cal_h85:23``) does not set
    the point; of a pair with regions on and off its change, only those on it count (scans_bench's test: the box
    intersects the label's ``box`` or one of its ``boxes``)."""
    import argparse
    import json

    from bench.scans_dense import _veto_point, choose
    from scans.comparison.veto import FEATURES

    lv = FEATURES.index("level")

    def rec(s, i, tampered, regions, box=(100, 100, 20, 20), boxes=None):  # regions: (hand, logit, box)
        r = _rec(i, max(h for h, _, _ in regions), tampered)
        r.update(set=s, pair=f"{s}:{i}", box=list(box) if tampered else None, boxes=boxes)
        r["top"] = list(max(regions, key=lambda g: g[0])[2])
        r["hand_regions"] = [[h, *b] for h, _, b in regions]
        r["region_feats"] = [[0.0] * lv + [g] + [0.0] for _, g, _ in regions]
        return r

    at, away = (105, 105, 10, 10), (1050, 0, 47, 499)
    val = [
        rec("h", 0, True, [(0.002, 1.5, at)]),  # detected at its change: 1.5
        rec("h", 1, True, [(0.003, -1.0, away)]),  # "detected" only at the frame's end: sets the old point
        rec("h", 2, True, [(0.004, -2.0, away), (0.001, 0.8, at)]),  # at its change by its second region: 0.8
        rec("h", 3, True, [(0.002, 0.3, (300, 0, 5, 5))], boxes=[[0, 0, 5, 5], [300, 0, 5, 5]]),  # split: 0.3
        rec("h", 4, False, [(0.002, 0.1, away)]),  # clean alarms: cleared only by the located point
        rec("h", 5, False, [(0.002, -0.5, away)]),
        rec("h", 6, False, [(0.002, 2.0, away)]),  # kept by both
        rec("p", 7, True, [(0.002, 3.0, at)]),
        rec("p", 8, False, [(0.0001, 0.0, away)]),
    ]
    weights = [0.0] * (1 + len(FEATURES))
    weights[1 + lv] = 1.0
    assert _veto_point(val, "fv0", 0.0, weights) == (-1.0001, "h:1")  # the 23rd pass's point: set by the strip
    assert _veto_point(val, "fv0", 0.0, weights, located=True) == (0.2999, "h:3")
    path = tmp_path / "val.json"
    path.write_text(json.dumps(val))
    args = argparse.Namespace(
        records=[str(path)],
        hard="h",
        plain="p",
        sigmas=(2.0,),
        modes=("fv0",),
        calib=[],
        fit_records=None,
        veto_weights=",".join(map(str, weights)),
        pure_veto=True,
        located_only=True,
    )
    choose(args)
    out = capsys.readouterr().out
    assert "located only: VETO_LOGIT 0.2999 (set by h:3)" in out
    # S: located 2 of 4 hard (pair 2's top is the strip, pair 1's too); the veto: pair 1 lost, pair 2's top
    # moves to its change, 3 located; clean alarms 3 -> 1
    assert "(k = 3)" in out and "located 2" in out
    assert "hard det 0.75 fa 0.3333 (1) loc 1.0 located 3" in out and "val gate met" in out
