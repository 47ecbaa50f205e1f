"""The monitoring signals for Prometheus (``core/metrics.py``): how many declarations each holds now.

Read from the national dashboard's cached figures (``selectors.national_signal_counts``): a scrape
adds no query while they are fresh, and counts past ``DASHBOARD_COUNT_CAP`` show as the cap, as on
the dashboard ("10,000+").
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import Metric

from core.metrics import gauge

from . import selectors


def signal_counts() -> Iterable[Metric]:
    counts, _at = selectors.national_signal_counts()
    family = gauge(
        "transit_signal_declarations",
        "Declarations for which a monitoring signal holds, nationally (the dashboard's figure, capped).",
        ["signal"],
    )
    for key, count in counts.items():
        family.add_metric([key], int(count))
    return [family]
