"""Fuzzy plate matching: which declared plates could a (possibly mis-read) plate be?

OCR confuses look-alike characters (6/8/9, ب/پ/ت/ث, س/ش ...). Instead of an
exact-only lookup, a read is expanded into the set of plausible plates within a
cost budget (``variants``), those are looked up with one IN query on the indexed
``Vehicle.plate``, and each candidate gets a score from a weighted edit distance
(``weighted_distance``): confusable substitutions are cheap, others cost 1.

    score = 1 - distance / length      (1.0 = exact)

With the default ``ANPR_MATCH_MIN_SCORE`` of 0.9 on an 8-character plate the
budget is 0.8: two strong confusions, or one strong and one weak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from declarations.plates import ALL_PLATE_LETTERS, FOREIGN_RE, PlateError, guess_plate, normalise_text

STRONG, WEAK = 0.3, 0.5

# (group of mutually confusable characters, cost of swapping two of them)
_CONFUSABLE_GROUPS: list[tuple[str, float]] = [
    # digits, as OCR and low-resolution cameras mix them
    ("689", STRONG),
    ("08", WEAK),
    ("38", WEAK),
    ("56", WEAK),
    ("17", WEAK),
    # Persian letters differing only by dots or a small stroke
    ("بپتث", STRONG),
    ("جچحخ", STRONG),
    ("سش", STRONG),
    ("صض", STRONG),
    ("طظ", STRONG),
    ("عغ", STRONG),
    ("دذ", STRONG),
    ("رزژ", STRONG),
    ("کگ", STRONG),
    ("فق", STRONG),
    ("هو", WEAK),
    # Latin (foreign plates) and Latin/digit look-alikes
    ("0OQD", STRONG),
    ("1I", STRONG),
    ("8B", STRONG),
    ("5S", STRONG),
    ("2Z", STRONG),
    ("6G", WEAK),
    ("UV", WEAK),
    ("MN", WEAK),
]


def _build_costs() -> dict[tuple[str, str], float]:
    costs: dict[tuple[str, str], float] = {}
    for group, cost in _CONFUSABLE_GROUPS:
        for a in group:
            for b in group:
                if a != b:
                    costs[(a, b)] = min(cost, costs.get((a, b), 1.0))
    # Closed over chains (5→6 and 6→8 make 5→8 cost at most 0.8), so that the distance is a metric: with a
    # direct 5→8 at 1.0, "…95"→"…38" (2.0) cost more than going through "…36" (1.5 + 0.3).
    chars = sorted({c for group, _ in _CONFUSABLE_GROUPS for c in group})
    for k in chars:
        for a in chars:
            for b in chars:
                via = costs.get((a, k), 1.0) + costs.get((k, b), 1.0)
                if a != b and via < costs.get((a, b), 1.0):
                    costs[(a, b)] = round(via, 6)
    return costs


SUB_COSTS = _build_costs()
ALTERNATIVES: dict[str, list[tuple[str, float]]] = {}
for (_a, _b), _c in sorted(SUB_COSTS.items()):
    ALTERNATIVES.setdefault(_a, []).append((_b, _c))

# An Iranian plate shape with *any* letter: an OCR'd ذ or چ (not series letters) still has variants.
_LOOSE_IR = re.compile(r"^(\d{2})(\D)(\d{3})(\d{2})$")


def sub_cost(a: str, b: str) -> float:
    return 0.0 if a == b else SUB_COSTS.get((a, b), 1.0)


def weighted_distance(a: str, b: str) -> float:
    """Levenshtein distance where confusable substitutions cost less than 1 (insert/delete cost 1).

    Symmetric, zero only for equal strings, and never more than the plain edit distance.
    """
    if a == b:
        return 0.0
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)] + [0.0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + sub_cost(ca, cb))
        prev = cur
    return round(prev[-1], 6)


def score(read: str, plate: str) -> float:
    length = max(len(read), len(plate), 1)
    return max(0.0, round(1.0 - weighted_distance(read, plate) / length, 6))


def match_key(text: str) -> str:
    """The text a read is matched by: the canonical plate when it parses, else its normalised loose form.

    Empty when the text cannot be a plate at all (nothing to look up).
    """
    if not text:
        return ""
    try:
        plate = guess_plate(text)
        # A foreign plate without a digit is a word the camera picked up, not a plate.
        return plate.text if plate.is_iranian or any(c.isdigit() for c in plate.text) else ""
    except PlateError:
        pass
    try:
        s = normalise_text(text)
    except PlateError:
        return ""
    if _LOOSE_IR.match(s) or (FOREIGN_RE.match(s) and any(c.isdigit() for c in s)):
        return s
    return ""


def _valid_candidate(text: str) -> bool:
    m = _LOOSE_IR.match(text)
    if m:
        return m[2] in ALL_PLATE_LETTERS
    return bool(FOREIGN_RE.match(text))


def substitution_allowed(key: str, i: int, ch: str) -> bool:
    """May ``ch`` stand at position ``i`` of a plate shaped like ``key``?"""
    if _LOOSE_IR.match(key):
        return ch in ALL_PLATE_LETTERS if i == 2 else ch.isdigit()
    return ch.isascii() and ch.isalnum()


@lru_cache(maxsize=50_000)
def variants(key: str, min_score: float) -> dict[str, float]:
    """Plausible plates for a read key, each with the cost of reaching it by confusable substitutions.

    Includes the key itself (cost 0) when it is a valid plate. Bounded by the cost budget that
    ``min_score`` leaves, so a typical Iranian read yields a few dozen variants, never thousands.
    """
    if not key:
        return {}
    budget = (1.0 - min_score) * len(key) + 1e-9
    options = [
        (i, alt, c)
        for i, ch in enumerate(key)
        for alt, c in ALTERNATIVES.get(ch, ())
        if c <= budget and substitution_allowed(key, i, alt)
    ]
    found: dict[str, float] = {}
    if _valid_candidate(key):
        found[key] = 0.0
    # An Iranian-shaped key keeps its shape under ``substitution_allowed`` substitutions, so a variant is a
    # plate exactly when its letter is a series letter: no pattern match per variant.
    iranian = bool(_LOOSE_IR.match(key))
    # Depth-first over substitutions at increasing positions, pruned by the budget.
    stack = [(0, key, 0.0)]
    while stack:
        start, text, cost = stack.pop()
        for n in range(start, len(options)):
            i, alt, c = options[n]
            if cost + c > budget or text[i] != key[i]:
                continue
            new = f"{text[:i]}{alt}{text[i + 1 :]}"
            new_cost = round(cost + c, 6)
            if new_cost < found.get(new, 9.0) and (new[2] in ALL_PLATE_LETTERS if iranian else _valid_candidate(new)):
                found[new] = new_cost
            stack.append((n + 1, new, new_cost))
    return found


@dataclass(frozen=True)
class Candidate:
    declaration_id: int
    vehicle_id: int
    vehicle_plate: str
    score: float
    exact: bool


def best_candidates(key: str, rows: list[dict], min_score: float) -> list[Candidate]:
    """Keep the best-scoring declarations (ties all kept) whose score reaches ``min_score``.

    ``rows`` are declarations found for the read's variants: dicts with ``id``, ``vehicle_id``,
    ``vehicle__plate``. A near plate is not kept when an exact or closer plate also has an open
    declaration: the closer truck is the one seen.
    """
    scored = [(score(key, r["vehicle__plate"]), r) for r in rows]
    scored = [(s, r) for s, r in scored if s >= min_score - 1e-9]
    if not scored:
        return []
    top = max(s for s, _ in scored)
    return [
        Candidate(r["id"], r["vehicle_id"], r["vehicle__plate"], s, r["vehicle__plate"] == key)
        for s, r in scored
        if s >= top - 1e-9
    ]
