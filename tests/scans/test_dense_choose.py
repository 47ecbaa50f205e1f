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
