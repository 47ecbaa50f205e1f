"""Is the plate in a crop an Iranian plate? The reader must never give Iranian text to a foreign one.

The CRNN knows only Persian digits and the Iranian plate letters, and its decoder forces the
Iranian grammar, so it turns any plate into *some* Iranian text (a Latin plate came back as
``11ق85165`` at 0.75). Until foreign plates are read, a crop is taken as Iranian only when:

- **shape**: it is a one-line plate (a crop at least ``MIN_ASPECT`` times wider than high; square
  and two-line plates are foreign);
- **character shapes**: the model's unconstrained (greedy) read already has the Iranian form,
  two digits, a letter, five digits, with no help from the grammar;
- **stability**: the crop nudged seven ways (padded or trimmed a little on each side, ``NUDGES``)
  reads, character by character, as the crop itself: on average at least ``MIN_AGREEMENT`` of the
  eight characters stay the same (a nudge may add a character of the clutter beyond the plate;
  in the letter's place any letter counts, as ب and پ differ by dots that can flicker). Persian
  glyphs the model was trained on read the same however the crop falls; Latin letters, which it
  has never seen, are mapped to whichever Persian character is nearest, and that changes with
  each nudge.

Layout cues were measured and not used alone: the blue strip is on EU and Turkish plates too, and a
detector of the boxed region code missed a quarter of the real Iranian crops (tight crops cut the
box). Figures (Iranian reads kept, foreign plates refused): ``docs/benchmarks.md``.
"""

from __future__ import annotations

import cv2
import numpy as np

from anpr.recognition.decode import GRAMMAR, greedy

MIN_ASPECT = 2.5  # a one-line plate is 52 × 11 cm (4.7:1); crops with margins stay above 3
MIN_AGREEMENT = 0.92  # mean share of the eight characters a nudged read keeps

# Why a crop is not read as Iranian (kept with the read; anpr.reasons translates them for pages).
NOT_ONE_LINE = "not a one-line plate (square and two-line plates are not the Iranian layout)"
NOT_IRANIAN_FORM = "the characters do not read as an Iranian plate (Latin letters or another layout)"
NOT_STABLE = "the characters do not read as Persian digits and letters (a foreign plate?)"


def _pad(img: np.ndarray, left: float, right: float, top: float, bottom: float) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.copyMakeBorder(img, int(top * h), int(bottom * h), int(left * w), int(right * w), cv2.BORDER_REPLICATE)


def _trim(img: np.ndarray, left: float, right: float, top: float, bottom: float) -> np.ndarray:
    h, w = img.shape[:2]
    return img[int(top * h) : h - int(bottom * h), int(left * w) : w - int(right * w)]


def reframe(img: np.ndarray, frame: tuple[float, float, float, float]) -> np.ndarray:
    """The crop framed otherwise: ``frame`` is (left, right, top, bottom) as shares of its size, a positive
    share padded (edge pixels repeated), a negative one trimmed."""
    pads = [max(v, 0.0) for v in frame]
    trims = [max(-v, 0.0) for v in frame]
    if any(trims):
        img = _trim(img, *trims)
    if any(pads):
        img = _pad(img, *pads)
    return img


# The seven nudges of the stability check, as frames (left, right, top, bottom) for :func:`reframe`.
NUDGE_FRAMES: tuple[tuple[float, float, float, float], ...] = (
    (0.05, 0, 0, 0),
    (0, 0.05, 0, 0),
    (0, 0, 0.1, 0.1),
    (0, 0, -0.06, 0),
    (0, 0, 0, -0.06),
    (-0.03, 0, 0, 0),
    (0, -0.03, 0, 0),
)
NUDGES = tuple(lambda c, f=f: reframe(c, f) for f in NUDGE_FRAMES)


def has_iranian_form(text: str) -> bool:
    """Two digits, a letter, five digits: the form of the eight symbols on an Iranian plate."""
    return len(text) == len(GRAMMAR) and all(c.isdigit() == (g == "D") for c, g in zip(text, GRAMMAR, strict=True))


def _agreement(nudged: str, seen: str) -> float:
    """Share of the eight characters of ``seen`` read again at their place (any letter for the letter)."""
    same = sum(a == b or (g == "L" and not a.isdigit()) for a, b, g in zip(nudged, seen, GRAMMAR))
    return same / len(seen)


def not_iranian(model, crop_bgr: np.ndarray, logp: np.ndarray, text: str, nudged_out: list | None = None) -> str:
    """Why the crop is not read as an Iranian plate, or '' when it is one.

    ``logp`` is the model's output for the crop and ``text`` its grammar-decoded read. When the nudged
    crops were read, their log-probabilities are appended to ``nudged_out`` (for :func:`vote`).
    """
    h, w = crop_bgr.shape[:2]
    if h == 0 or w / h < MIN_ASPECT:
        return NOT_ONE_LINE
    seen = greedy(logp)
    if not text or not has_iranian_form(seen):
        return NOT_IRANIAN_FORM
    nudged = [c for c in (nudge(crop_bgr) for nudge in NUDGES) if c.size]
    lps = model.logp(nudged)
    if nudged_out is not None:
        nudged_out.extend(lps)
    kept = [_agreement(greedy(lp), seen) for lp in lps]
    if sum(kept) / len(kept) < MIN_AGREEMENT:
        return NOT_STABLE
    return ""


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def one_off_form(model, crop_bgr: np.ndarray, logp: np.ndarray, text: str, nudged_out: list | None = None) -> str:
    """For a crop refused only because its unconstrained read is not of the Iranian form: '' when that read is
    one character from the grammar read ``text`` (a thin ۱ or a doubled digit lost, a character of the clutter
    beyond the plate gained) and the nudged crops read ``text`` as steadily as :func:`not_iranian` asks of an
    Iranian read (mean of 1 - edit distance / 8 at least ``MIN_AGREEMENT``); otherwise why it is not Iranian."""
    if not text or edit_distance(greedy(logp), text) != 1:
        return NOT_IRANIAN_FORM
    nudged = [c for c in (nudge(crop_bgr) for nudge in NUDGES) if c.size]
    lps = model.logp(nudged)
    if nudged_out is not None:
        nudged_out.extend(lps)
    kept = [max(0.0, 1 - edit_distance(greedy(lp), text) / len(text)) for lp in lps]
    return "" if sum(kept) / len(kept) >= MIN_AGREEMENT else NOT_STABLE


def vote(logps: list[np.ndarray], self_weight: float = 2.0) -> tuple[str, float]:
    """One read from the crop's own read (first, weighted ``self_weight``) and its nudged reads:
    each of the eight places takes the character with the most summed peak probability.

    Returns (text, confidence): confidence is the geometric mean over places of the winning
    character's share of the votes times its mean peak probability."""
    from anpr.recognition.decode import decode_plate

    votes: list[dict[str, float]] = [{} for _ in GRAMMAR]
    counts: list[dict[str, int]] = [{} for _ in GRAMMAR]
    total = 0.0
    for j, lp in enumerate(logps):
        text, _, peaks = decode_plate(lp)
        if len(text) != len(GRAMMAR):
            continue
        wgt = self_weight if j == 0 else 1.0
        total += wgt
        for k, (ch, p) in enumerate(zip(text, peaks, strict=True)):
            votes[k][ch] = votes[k].get(ch, 0.0) + wgt * p
            counts[k][ch] = counts[k].get(ch, 0) + 1
    if not total:
        return "", 0.0
    chars, scores = [], []
    for k in range(len(GRAMMAR)):
        ch = max(votes[k], key=votes[k].__getitem__)
        chars.append(ch)
        scores.append(max(votes[k][ch] / total, 1e-6))
    return "".join(chars), float(np.exp(np.mean(np.log(scores))))
