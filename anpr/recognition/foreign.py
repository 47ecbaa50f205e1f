"""The plate-type classifier and the foreign (Latin) plate reader, both small ONNX models.

Every crop is first given a *plate type* by :class:`PlateTypeModel` (``PLATE_CLASSES``):

- ``ir``: the standard Iranian layout (any colour), read by the Iranian CRNN;
- ``ir_free_zone``, ``ir_motorcycle``, ``ir_old``: Iranian plates of another layout, not read:
  left to a person with the type named;
- ``ir_diplomatic_service``: the standard layout with a Latin D or S (diplomatic and service
  plates): left to a person with the type named (the shipped reader has no D or S and would give
  them another plate's text);
- a country code (``TR``, ``IQ``, ``AF``, ``AZ``, ``AM``, ``TM``, ``PK``, ``GE``, ``DE``, ``PL``,
  ``NL``, ``BG``, ``RO``, ``LT``): read by :class:`ForeignReader`, a CRNN over digits and Latin
  letters, decoded under that country's plate forms (e.g. Turkey ``DD L DDDD``, ``DD LL DDD`` …)
  so that a letter is never read where that country has a digit.

The canonical form keeps the country: ``TR:34ABC123`` (``Reading.plate_with_country``).
Both models are trained on rendered plates only (``anpr/training/layouts.py``,
``anpr/training/foreign.py``); figures and what real data would be needed:
``docs/anpr-recognition.md``.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from anpr.recognition.decode import _allowed, decode_grammar, greedy
from anpr.recognition.preprocess import normalise, to_gray_small

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
TYPE_WEIGHTS = WEIGHTS_DIR / "plate_type.onnx"
FOREIGN_WEIGHTS = WEIGHTS_DIR / "plate_latin.onnx"

FOREIGN_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
N_FOREIGN_CLASSES = len(FOREIGN_CHARSET) + 1

# Kept in step with anpr/training/layouts.py (the renderer the models were trained on).
IRANIAN_OTHER = ["ir_free_zone", "ir_motorcycle", "ir_old"]
IRANIAN_DS = "ir_diplomatic_service"
COUNTRY_FORMS: dict[str, list[str]] = {
    "TR": ["DD L DDDD", "DD LL DDD", "DD LL DDDD", "DD LLL DD", "DD LLL DDD"],
    "IQ": ["DD L DDDDD", "DDDDD", "DDDDDD"],
    "AF": ["DDDDD", "DDDDDD", "LLL DDDDD"],
    "AZ": ["DD-LL-DDD"],
    "AM": ["DD LL DDD", "DDD LL DD"],
    "TM": ["LL DDDD LL", "DD LL DDDD"],
    "PK": ["LLL DDDD", "LLL DDD", "LL DDDD", "LLL-DD-DDDD"],
    "GE": ["LL-DDD-LL"],
    "DE": ["L LL DDDD", "LL L DDD", "LLL LL DDD", "L L DDDD"],
    "PL": ["LL DDDDD", "LLL DDDD", "LL DDDLL"],
    "NL": ["DD-LLL-D", "D-LLL-DD", "LL-DDD-L", "DD-LL-LL"],
    "BG": ["LL DDDD LL", "L DDDD LL"],
    "RO": ["L DD LLL", "LL DD LLL", "L DDD LLL"],
    "LT": ["LLL DDD"],
}
FOREIGN = list(COUNTRY_FORMS)
PLATE_CLASSES = ["ir", *IRANIAN_OTHER, IRANIAN_DS, *FOREIGN]
TYPE_NAMES = {
    "ir": "Iranian plate",
    "ir_free_zone": "Iranian free-zone plate",
    "ir_motorcycle": "Iranian motorcycle plate (two lines)",
    "ir_old": "Iranian plate of an older format",
    IRANIAN_DS: "Iranian diplomatic or service plate",
}

TYPE_H, TYPE_W = 48, 144  # classifier input: the crop letterboxed, colour kept


def grammar(form: str) -> str:
    """A drawn form ("DD L DDDD") → the grammar of its characters ("DDLDDDD")."""
    return "".join(c for c in form if c in "DL")


def letterbox(crop_bgr: np.ndarray) -> np.ndarray:
    """BGR crop → uint8 (TYPE_H, TYPE_W, 3), scaled to fit with its shape kept (two-line plates stay
    square), the rest filled with the crop's mean colour."""
    img = crop_bgr if crop_bgr.ndim == 3 else cv2.cvtColor(crop_bgr, cv2.COLOR_GRAY2BGR)
    h, w = img.shape[:2]
    s = min(TYPE_H / max(h, 1), TYPE_W / max(w, 1))
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    canvas = np.empty((TYPE_H, TYPE_W, 3), np.uint8)
    canvas[:] = small.reshape(-1, 3).mean(axis=0).astype(np.uint8)
    y0, x0 = (TYPE_H - nh) // 2, (TYPE_W - nw) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = small
    return canvas


def standardise_type(boxed: np.ndarray) -> np.ndarray:
    """uint8 (…, TYPE_H, TYPE_W, 3) → float32 (…, 3, TYPE_H, TYPE_W), standardised over all channels at
    once (colour kept)."""
    x = boxed.astype(np.float32)
    axes = (-3, -2, -1)
    x = (x - x.mean(axis=axes, keepdims=True)) / (x.std(axis=axes, keepdims=True) + 8.0)
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


def to_type_input(crop_bgr: np.ndarray) -> np.ndarray:
    """BGR crop → the classifier's float32 (3, TYPE_H, TYPE_W) input."""
    return standardise_type(letterbox(crop_bgr))


class _Onnx:
    def __init__(self, path: str | os.PathLike):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = int(os.environ.get("ANPR_ORT_THREADS", "1"))
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.path = str(path)
        self._lock = threading.Lock()

    def run(self, x: np.ndarray) -> np.ndarray:
        with self._lock:
            return self.session.run(None, {self.input_name: x})[0]


class PlateTypeModel(_Onnx):
    def probs(self, crops_bgr: list[np.ndarray]) -> np.ndarray:
        """(N, len(PLATE_CLASSES)) class probabilities."""
        out = self.run(np.stack([to_type_input(c) for c in crops_bgr]).astype(np.float32))
        assert out.shape[-1] == len(PLATE_CLASSES), "plate_type weights do not match the plate classes"
        e = np.exp(out - out.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def classify(self, crop_bgr: np.ndarray) -> tuple[str, float, np.ndarray]:
        p = self.probs([crop_bgr])[0]
        k = int(p.argmax())
        return PLATE_CLASSES[k], float(p[k]), p


@cache
def _masks(country: str) -> list[tuple[str, np.ndarray]]:
    return [(form, _allowed(grammar(form), N_FOREIGN_CLASSES)) for form in COUNTRY_FORMS[country]]


class ForeignReader(_Onnx):
    def logp(self, crops_bgr: list[np.ndarray]) -> np.ndarray:
        x = normalise(np.stack([to_gray_small(c) for c in crops_bgr]))[:, None].astype(np.float32)
        out = self.run(x)
        assert out.shape[-1] == N_FOREIGN_CLASSES, "plate_latin weights do not match the Latin character set"
        return out

    def read(self, crop_bgr: np.ndarray, country: str) -> tuple[str, str, float]:
        """(raw greedy text, text under the country's forms, confidence)."""
        lp = self.logp([crop_bgr])[0]
        return (greedy(lp, FOREIGN_CHARSET), *decode_country(lp, country)[:2])

    def read_best(self, crop_bgr: np.ndarray, country_probs: dict[str, float]) -> tuple[str, str, str, float]:
        """(raw text, country, text, confidence) under the country, among the likely ones, whose forms
        and classifier probability best explain the crop: log p(country) + the CTC path's log-probability.
        Layouts alike (EU strips, Turkey and Armenia) are told apart by their letter/digit forms."""
        lp = self.logp([crop_bgr])[0]
        best: tuple[float, str, str, float] = (-np.inf, "", "", 0.0)
        for country, p in country_probs.items():
            text, conf, score = decode_country(lp, country)
            total = np.log(max(p, 1e-6)) + score
            if text and total > best[0]:
                best = (total, country, text, conf)
        return greedy(lp, FOREIGN_CHARSET), best[1], best[2], best[3]


def decode_country(logp: np.ndarray, country: str) -> tuple[str, float, float]:
    """Best read of ``logp`` under any of the country's plate forms: (text, confidence, path log-probability)."""
    best = ("", 0.0, -np.inf)
    for _form, mask in _masks(country) if country in COUNTRY_FORMS else []:
        text, conf, _, score = decode_grammar(logp, mask, FOREIGN_CHARSET)
        if text and score > best[2]:
            best = (text, conf, score)
    if not best[0]:  # no form fits (or an unknown country): the unconstrained read, with its confidence
        text = greedy(logp, FOREIGN_CHARSET)
        peak = logp.max(axis=1)
        return text, float(np.exp(np.mean(peak))) * 0.5 if text else 0.0, float(peak.sum()) - 50.0
    return best


def latin_score(logp: np.ndarray) -> float:
    """Cheap plate-likeness of a crop for the Latin reader: geometric mean of the greedy characters' peak
    probabilities, scaled down below five characters (a badge or a word is short)."""
    best = logp.argmax(axis=1)
    starts = np.flatnonzero((best != 0) & np.concatenate([[True], best[1:] != best[:-1]]))
    if len(starts) == 0:
        return 0.0
    runs = np.split(np.arange(starts[0], len(best)), starts[1:] - starts[0])  # each from a character's start
    peaks = [logp[r, best[r[0]]].max() for r in runs]
    return float(np.exp(np.mean(peaks))) * min(len(starts), 5) / 5


_MODELS: dict[str, _Onnx] = {}
_LOCK = threading.Lock()


def load_type_model(path: str | os.PathLike | None = None) -> PlateTypeModel | None:
    return _load(PlateTypeModel, path or TYPE_WEIGHTS)  # type: ignore[return-value]


def load_foreign_reader(path: str | os.PathLike | None = None) -> ForeignReader | None:
    return _load(ForeignReader, path or FOREIGN_WEIGHTS)  # type: ignore[return-value]


def _load(cls, path) -> _Onnx | None:
    path = str(path)
    if not os.path.exists(path):
        return None
    with _LOCK:
        if path not in _MODELS:
            _MODELS[path] = cls(path)
        return _MODELS[path]
