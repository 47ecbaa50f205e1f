"""X-ray scan comparison: origin vs destination scan of the same truck.

Pure numpy/OpenCV; no Django models.  See docs/scans-comparison.md.  Modules: ``params`` (the
tuned values, one frozen ``Params``, and the threshold), ``registration``, ``changes`` (change
maps), ``regions``, and ``core`` (``compare_scans``: the stages in order, boxes, verdict, heat map).
"""

from .core import ComparisonResult, compare_scans
from .io import as_float, load_scan
from .params import ALGORITHM_VERSION, DEFAULT_THRESHOLD, Params, get_threshold, params_from_dict, params_to_dict

__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD",
    "ComparisonResult",
    "Params",
    "as_float",
    "compare_scans",
    "get_threshold",
    "load_scan",
    "params_from_dict",
    "params_to_dict",
]
