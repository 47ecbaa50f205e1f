"""CTC decoding with the Iranian plate grammar: 2 digits, a letter, 3 digits, 2 region digits.

The model emits per-frame log-probabilities over ``CHARSET`` (index 0 is the CTC
blank). :func:`decode_plate` finds the best CTC path whose collapsed label is
exactly eight symbols with a letter at position 3 and digits elsewhere, so a
letter can never be read where a digit belongs and vice versa.
"""

from __future__ import annotations

import numpy as np

from declarations.plates import ALL_PLATE_LETTERS, NONZERO_PLACES

DIGITS = "0123456789"
# class i+1 ↔ CHARSET[i]; class 0 = blank. The Persian letters, then D and S of diplomatic and service
# plates (appended last, so a model trained without them — 35 classes — decodes the same).
CHARSET = DIGITS + ALL_PLATE_LETTERS
N_CLASSES = len(CHARSET) + 1
GRAMMAR = "DDLDDDDD"
_NEG = -1e9


def encode(text: str) -> list[int]:
    return [CHARSET.index(c) + 1 for c in text]


def greedy(logp: np.ndarray, charset: str = CHARSET) -> str:
    """Unconstrained best-path decoding (what the model 'sees')."""
    best = logp.argmax(axis=1)
    out, prev = [], 0
    for k in best:
        if k != prev and k != 0:
            out.append(charset[k - 1])
        prev = k
    return "".join(out)


def _allowed(grammar: str, n_classes: int = N_CLASSES) -> np.ndarray:
    """Mask (len(grammar), n_classes): digits where ``grammar`` has D, letters where it has L, any where ``*``.

    Every charset here is the ten digits first, then letters."""
    mask = np.zeros((len(grammar), n_classes), bool)
    for k, g in enumerate(grammar):
        lo, hi = {"D": (1, 1 + len(DIGITS)), "L": (1 + len(DIGITS), n_classes)}.get(g, (1, n_classes))
        mask[k, lo:hi] = True
    return mask


def _plate_allowed() -> np.ndarray:
    """The Iranian plate's mask: ``GRAMMAR``, and no 0 first in a digit group (``NONZERO_PLACES``: no plate
    is issued so, and a person's reading of one is refused by the same rule)."""
    mask = _allowed(GRAMMAR)
    mask[list(NONZERO_PLACES), 1 + DIGITS.index("0")] = False
    return mask


_ALLOWED = _plate_allowed()


def has_plate_form(text: str) -> bool:
    """``text`` is a plate the grammar allows: digits and the letter in their places, no group led by 0."""
    return (
        len(text) == len(GRAMMAR)
        and all(c.isdigit() == (g == "D") for c, g in zip(text, GRAMMAR, strict=True))
        and all(text[k] != "0" for k in NONZERO_PLACES)
    )


def decode_plate(logp: np.ndarray, grammar_mask: np.ndarray = _ALLOWED) -> tuple[str, float, list[float]]:
    """Best grammar-conforming CTC path (Viterbi).

    ``logp`` is (T, N_CLASSES) log-probabilities. Returns (text, confidence,
    per-character peak probabilities); confidence is their geometric mean.
    """
    text, conf, peaks, _ = decode_grammar(logp, grammar_mask)
    return text, conf, peaks


def decode_grammar(
    logp: np.ndarray, grammar_mask: np.ndarray = _ALLOWED, charset: str = CHARSET
) -> tuple[str, float, list[float], float]:
    """:func:`decode_plate` for any grammar mask and charset, also returning the path's log-probability
    (to compare grammars of different lengths)."""
    T, C = logp.shape
    grammar_mask = grammar_mask[:, :C]  # a model with fewer classes (no D/S)
    K = grammar_mask.shape[0]
    if T < K:
        return "", 0.0, [], _NEG
    blank = logp[:, 0]
    # E[k, c]: best score ending at frame t emitting char k as class c; B[j]: blank after j chars.
    E = np.full((K, C), _NEG)
    B = np.full(K + 1, _NEG)
    B[0] = blank[0]
    E[0] = np.where(grammar_mask[0], logp[0], _NEG)
    bpE = np.zeros((T, K, C), np.int8)  # 0 stay, 1 from blank k, 2 from emit k-1 (class in bpC)
    bpC = np.zeros((T, K, C), np.int16)
    bpB = np.zeros((T, K + 1), np.int8)  # 0 stay, 1 from emit j-1 (class in bpBC)
    bpBC = np.zeros((T, K + 1), np.int16)
    cols = np.arange(C)
    rows = np.arange(K)
    prev = np.full((K, C), _NEG)  # row 0 stays _NEG: the first character has no predecessor
    for t in range(1, T):
        # The same recursion as a stack of the three predecessors and its argmax, with fewer arrays made
        # (ties go to the first: stay, then blank, then the previous character).
        # blanks
        eargs = E.argmax(axis=1)
        emax = E[rows, eargs]
        fromE = np.concatenate(([_NEG], emax))
        bpB[t] = fromE > B
        bpBC[t, 1:] = eargs
        nB = np.maximum(B, fromE) + blank[t]
        # emits: from the previous character's best class, or its second best where that is the same class
        E2 = E.copy()
        E2[rows, eargs] = _NEG
        arg2 = E2.argmax(axis=1)
        hit = cols[None, :] == eargs[:-1, None]
        prev[1:] = np.where(hit, E2[rows, arg2][:-1, None], emax[:-1, None])
        bpC[t, 1:] = np.where(hit, arg2[:-1, None], eargs[:-1, None])
        Bk = B[:K, None]
        best = np.maximum(np.maximum(E, Bk), prev)
        bpE[t] = np.where(E >= best, 0, np.where(Bk >= prev, 1, 2))
        nE = np.where(grammar_mask, best + logp[t][None, :], _NEG)
        E, B = nE, nB
    # end: blank K or emit K-1
    if B[K] >= E[K - 1].max():
        state = ("b", K, 0)
    else:
        state = ("e", K - 1, int(E[K - 1].argmax()))
    score = float(max(B[K], E[K - 1].max()))
    if score <= _NEG / 2:
        return "", 0.0, [], _NEG
    chars = [""] * K
    peaks = [0.0] * K
    probs = np.exp(logp)
    for t in range(T - 1, -1, -1):
        kind, k, c = state
        if kind == "e":
            chars[k] = charset[c - 1]
            peaks[k] = max(peaks[k], float(probs[t, c]))
            ch = bpE[t, k, c]
            if t == 0:
                break
            if ch == 1:
                state = ("b", k, 0)
            elif ch == 2:
                state = ("e", k - 1, int(bpC[t, k, c]))
        else:
            if t == 0:
                break
            if bpB[t, k] == 1:
                state = ("e", k - 1, int(bpBC[t, k]))
    text = "".join(chars)
    conf = float(np.exp(np.mean(np.log(np.maximum(peaks, 1e-6))))) if all(chars) else 0.0
    return text, conf, peaks, score


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    y = x - m
    return y - np.log(np.exp(y).sum(axis=axis, keepdims=True))


_PLATE_CLASSES = np.array([c.isdigit() for c in CHARSET])


def quick_score(logp: np.ndarray) -> float:
    """Cheap plate-likeness of a crop (for choosing among localisation candidates).

    Geometric mean of the peak probability of each greedy character, halved when the
    greedy text does not have the plate's shape (2 digits, letter, 5 digits).
    """
    best = logp.argmax(axis=1)
    peak = logp.max(axis=1)
    starts = np.flatnonzero((best != 0) & np.concatenate([[True], best[1:] != best[:-1]]))
    if len(starts) == 0:
        return 0.0
    # Peak log-probability within each run of the same class: the frames from one start to the next whose
    # class is the run's first frame's (the first run begins at frame 0). One reduceat, not a loop.
    bounds = np.concatenate([[0], starts[1:]])
    own = best == np.repeat(best[bounds], np.diff(np.append(bounds, len(best))))
    peaks = np.maximum.reduceat(np.where(own, peak, -np.inf).astype(peak.dtype), bounds)
    conf = float(np.exp(np.mean(peaks)))
    cls = best[starts] - 1
    shape_ok = len(cls) == 8 and bool(np.all(_PLATE_CLASSES[cls] == np.array([c == "D" for c in GRAMMAR])))
    return conf if shape_ok else conf * 0.5 * min(len(cls), 8) / 8


def ctc_log_likelihood(logp: np.ndarray, text: str, charset: str = CHARSET) -> float:
    """log P(text | frames): the CTC forward sum over every alignment of ``text`` (not only the best path).

    Summing over alignments lets models that place the same characters on different frames agree."""
    T, C = logp.shape
    labels = [charset.index(c) + 1 for c in text]
    if not labels or max(labels) >= C:
        return _NEG
    ext = np.zeros(2 * len(labels) + 1, np.int64)  # blank, c1, blank, c2, …, blank
    ext[1::2] = labels
    S = len(ext)
    if T < len(labels):
        return _NEG
    # the skip s-2 → s is allowed into a label different from the one two states back
    skip = np.zeros(S, bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    alpha = np.full(S, -np.inf)
    alpha[0], alpha[1] = logp[0, ext[0]], logp[0, ext[1]]
    for t in range(1, T):
        prev1 = np.concatenate([[-np.inf], alpha[:-1]])
        prev2 = np.where(skip, np.concatenate([[-np.inf, -np.inf], alpha[:-2]]), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, prev1), prev2) + logp[t, ext]
    return float(np.logaddexp(alpha[-1], alpha[-2]))


def rescore(logps: list[np.ndarray], n_decoded: int | None = None) -> tuple[str, float]:
    """One read from several outputs for the same plate (an ensemble's models, framings of the crop).

    The candidates are the grammar-constrained reads of the first ``n_decoded`` outputs (all by default)
    and the unconstrained (greedy) reads of the others that already have the plate's form (the same text
    their constrained read would give, without its cost); the one with the highest CTC log-likelihood
    summed over all the outputs wins (so an output sure of a character outweighs one that hesitates,
    whatever frames each reads it on). Confidence: the mean of the winning read's confidences among the
    outputs that read it."""
    n = len(logps) if n_decoded is None else n_decoded
    reads = [decode_plate(lp) for lp in logps[:n]]
    cands = list(dict.fromkeys(text for text, _, _ in reads if text))
    for lp in logps[n:]:
        seen = greedy(lp)
        if has_plate_form(seen) and seen not in cands:
            cands.append(seen)
    if not cands:
        return "", 0.0
    scores = [sum(ctc_log_likelihood(lp, c) for lp in logps) for c in cands]
    best = cands[int(np.argmax(scores))]
    confs = [conf for text, conf, _ in reads if text == best]
    if not confs:  # read only unconstrained: the confidence of the first output that reads it
        lp = next(lp for lp in logps[n:] if greedy(lp) == best)
        confs = [decode_plate(lp)[1]]
    return best, float(np.mean(confs))
