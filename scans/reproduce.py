"""Recompute a stored comparison from its stored images, version and parameters (read only).

A comparison records the comparison code's version (``ALGORITHM_VERSION``), its ``Params`` and
the threshold it used. ``reproduce`` reads both stored originals (their SHA-256 checked against
the scan rows first: evidence that changed is not compared), runs the comparison again with the
stored parameters and threshold, and says whether verdict, score and boxes are the same.
``manage.py scans_reproduce <id>`` prints the outcome; nothing is written.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from .models import Scan, ScanComparison

# Scores are floats from float32 image arithmetic: equal up to this relative difference.
SCORE_REL_TOL = 1e-6


@dataclass
class Reproduction:
    comparison_id: int
    matches: bool
    stored: dict
    recomputed: dict
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "comparison": self.comparison_id,
            "matches": self.matches,
            "differences": self.differences,
            "notes": self.notes,
            "stored": self.stored,
            "recomputed": self.recomputed,
        }


class CannotReproduce(Exception):
    """The comparison cannot be recomputed (no result, or a stored image changed)."""


def _read_checked(scan: Scan) -> bytes:
    with scan.original.open("rb") as fh:
        data = fh.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != scan.sha256:
        raise CannotReproduce(
            f"the stored original of scan {scan.pk} has SHA-256 {digest[:12]}..., its record says "
            f"{scan.sha256[:12]}...: the file changed since upload"
        )
    return data


def _score_equal(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=SCORE_REL_TOL, abs_tol=1e-12)


def reproduce(comparison: ScanComparison) -> Reproduction:
    """Recompute ``comparison`` and compare with what is stored (see the module's docstring)."""
    from .comparison import ALGORITHM_VERSION, compare_scans, load_scan, params_from_dict

    if comparison.status != ScanComparison.Status.DONE:
        raise CannotReproduce(f"comparison {comparison.pk} has no result (status {comparison.status})")
    notes = []
    if not comparison.algorithm_version:
        notes.append("no algorithm version recorded (made before versions were recorded): today's code is used")
    elif comparison.algorithm_version != ALGORITHM_VERSION:
        notes.append(
            f"recorded with algorithm version {comparison.algorithm_version}, this code is {ALGORITHM_VERSION}:"
            " a difference may come from the code"
        )
    params, unknown, missing = params_from_dict(comparison.algorithm_params or {})
    if unknown:
        notes.append("stored parameters this code does not know (ignored): " + ", ".join(unknown))
    if missing and comparison.algorithm_params:
        notes.append("parameters not stored, today's defaults used: " + ", ".join(missing))
    origin = load_scan(_read_checked(comparison.origin_scan))
    dest = load_scan(_read_checked(comparison.dest_scan))
    result = compare_scans(origin, dest, threshold=comparison.threshold, params=params)
    score = result.score if math.isfinite(result.score) else None
    recomputed: dict = {
        "verdict": result.verdict,
        "score": score,
        "registered": bool(result.registered),
        "boxes": [[int(x), int(y), int(w), int(h), round(float(s), 6)] for x, y, w, h, s in result.boxes],
    }
    stored: dict = {
        "verdict": comparison.verdict,
        "score": comparison.score,
        "registered": comparison.registered,
        "boxes": comparison.boxes,
    }
    differences = []
    if recomputed["verdict"] != stored["verdict"]:
        differences.append(f"verdict: stored {stored['verdict']}, recomputed {recomputed['verdict']}")
    if recomputed["registered"] != stored["registered"]:
        differences.append(f"aligned: stored {stored['registered']}, recomputed {recomputed['registered']}")
    if not _score_equal(stored["score"], recomputed["score"]):
        differences.append(f"score: stored {stored['score']}, recomputed {recomputed['score']}")
    if [b[:4] for b in stored["boxes"]] != [b[:4] for b in recomputed["boxes"]]:
        differences.append("changed regions differ")
    return Reproduction(
        comparison_id=comparison.pk,
        matches=not differences,
        stored=stored,
        recomputed=recomputed,
        differences=differences,
        notes=notes,
    )
