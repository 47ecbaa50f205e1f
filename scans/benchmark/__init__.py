"""Benchmark of the scan comparison: synthetic origin/destination pairs (``pairs``) and the
figures on a folder of them (``bench``); run by the ``scans_make_pairs`` and ``scans_bench``
commands and ``bench/scans_tune.py``. Not used by the app at run time."""
