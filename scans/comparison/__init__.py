"""X-ray scan comparison: origin vs destination scan of the same truck.

Pure numpy/OpenCV; no Django models.  See docs/scans-comparison.md.
"""

from .core import DEFAULT_THRESHOLD, ComparisonResult, compare_scans, get_threshold
from .io import as_float, load_scan

__all__ = ["DEFAULT_THRESHOLD", "ComparisonResult", "as_float", "compare_scans", "get_threshold", "load_scan"]
