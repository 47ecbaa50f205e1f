"""Crop → model input, shared by training and inference (numpy + OpenCV only)."""

from __future__ import annotations

import cv2
import numpy as np

INPUT_H, INPUT_W = 32, 160


def to_gray_small(img_bgr: np.ndarray) -> np.ndarray:
    """Plate crop (BGR or grey, any size) → uint8 grey INPUT_H × INPUT_W."""
    if img_bgr.ndim == 3:
        g = cv2.cvtColor(img_bgr, cv2.COLOR_BGR2GRAY)
    else:
        g = img_bgr
    interp = cv2.INTER_AREA if g.shape[1] > INPUT_W else cv2.INTER_LINEAR
    return cv2.resize(g, (INPUT_W, INPUT_H), interpolation=interp)


def normalise(gray_small: np.ndarray) -> np.ndarray:
    """uint8 (…, H, W) → float32 standardised per image."""
    x = gray_small.astype(np.float32)
    m = x.mean(axis=(-2, -1), keepdims=True)
    s = x.std(axis=(-2, -1), keepdims=True)
    return (x - m) / (s + 8.0)
