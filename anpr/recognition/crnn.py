"""The project's own plate reader: a small CRNN-CTC run with onnxruntime, grammar-constrained decoding."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from anpr.recognition.decode import N_CLASSES, decode_plate, greedy
from anpr.recognition.preprocess import normalise, to_gray_small

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "plate_crnn.onnx"
# Further members of the shipped ensemble, read with DEFAULT_WEIGHTS (decode.rescore); empty: one model.
ENSEMBLE_WEIGHTS: tuple[Path, ...] = ()
# A smaller model that scores a photo's candidate boxes for the shipped reader (None: the reader scores them).
SCORER_WEIGHTS: Path | None = None


class CRNNModel:
    """ONNX session wrapper; one per process (see :func:`load_model`)."""

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

    def logp(self, crops_bgr: list[np.ndarray]) -> np.ndarray:
        """(N, T, N_CLASSES) log-probabilities for a list of plate crops."""
        x = normalise(np.stack([to_gray_small(c) for c in crops_bgr]))[:, None].astype(np.float32)
        with self._lock:
            out = self.session.run(None, {self.input_name: x})[0]
        assert out.shape[-1] <= N_CLASSES, "weights do not match the plate character set"
        return out

    def read(self, crops_bgr: list[np.ndarray]) -> list[tuple[str, str, float]]:
        """[(raw greedy text, grammar-decoded plate or '', confidence)] per crop."""
        res = []
        for lp in self.logp(crops_bgr):
            raw = greedy(lp)
            text, conf, _ = decode_plate(lp)
            res.append((raw, text, conf))
        return res


_MODELS: dict[str, CRNNModel] = {}
_MODELS_LOCK = threading.Lock()


def load_model(path: str | os.PathLike | None = None) -> CRNNModel:
    path = str(path or DEFAULT_WEIGHTS)
    with _MODELS_LOCK:
        if path not in _MODELS:
            _MODELS[path] = CRNNModel(path)
        return _MODELS[path]
