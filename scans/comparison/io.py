"""Loading scans as greyscale float32 in 0..1 (dark = dense)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def as_float(img: np.ndarray) -> np.ndarray:
    """Any greyscale/colour array (integers of any width, float) -> 2-D float32 in 0..1."""
    img = np.asarray(img)
    if img.ndim == 3:
        if img.shape[2] == 4:
            img = img[:, :, :3]
        if img.shape[2] == 1:
            img = img[:, :, 0]
        else:
            img = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_BGR2GRAY)
    if img.ndim != 2 or img.size == 0:
        raise ValueError(f"not a 2-D image: shape {img.shape}")
    if img.dtype == np.uint8:
        return img.astype(np.float32) / 255.0
    if np.issubdtype(img.dtype, np.integer) and img.dtype.itemsize > 1:
        # Detectors of 12 or 14 bits write into 16-bit files, so 65535 may be far above the brightest value (the
        # air): scaled by 65535 such a scan is nearly black and its dense cargo falls below the attenuation floor.
        # Scaled by its own bright level (the 99.9th percentile, the air beside the vehicle) it reads as the
        # scanner saw it; between two scans this is a gain difference, which the comparison already absorbs.
        # So are 32-bit integer TIFFs (and signed 16-bit ones, stored as 32-bit): their counts are far below
        # 2³¹, and divided by it every pixel was black. Negative counts are no light at all.
        f = np.clip(img.astype(np.float32), 0, None)
        bright = float(np.percentile(f, 99.9)) if f.size else 65535.0
        return np.clip(f / max(bright, 255.0), 0, 1)
    if img.dtype == bool:
        return img.astype(np.float32)
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        return np.clip(img.astype(np.float32) / float(info.max), 0, 1)
    out = img.astype(np.float32)
    hi = float(np.nanmax(out)) if out.size else 1.0
    if hi > 1.0:  # float data in another range: scale by its maximum
        out = out / hi
    return np.clip(np.nan_to_num(out), 0, 1)


def load_scan(src: str | Path | bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """Read an 8- or 16-bit PNG/JPEG/TIFF (path, bytes or array) as greyscale float32 in 0..1."""
    if isinstance(src, np.ndarray):
        return as_float(src)
    if isinstance(src, bytes | bytearray | memoryview):
        buf = np.frombuffer(bytes(src), np.uint8)
        img = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if buf.size else None
        where = "<bytes>"
    else:
        where = str(src)
        img = cv2.imread(where, cv2.IMREAD_UNCHANGED)
        if img is None and Path(where).exists():  # non-ASCII paths on some platforms
            img = cv2.imdecode(np.fromfile(where, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise ValueError(f"cannot decode image {where}")
    return as_float(img)
