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
