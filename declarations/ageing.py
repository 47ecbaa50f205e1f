"""How long overdue declarations have waited past their deadline, in the buckets the monthly
return uses (0–7, 8–28, 29–40 and over 40 days): counted on the dashboard, filtered on the list.

A declaration is overdue at ``now`` when it is in transit and ``deadline < now``; its age is the
whole days since the deadline, 0 on the first day (the rule of ``reports.returns``, which takes
its buckets from here).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Status

DAY = dt.timedelta(days=1)

# (key, lowest day, highest day or None, label)
BUCKETS = [
    ("d0_7", 0, 7, _("0–7 days past the deadline")),
    ("d8_28", 8, 28, _("8–28 days")),
    ("d29_40", 29, 40, _("29–40 days")),
    ("over_40", 41, None, _("over 40 days")),
]
KEYS = [key for key, *_rest in BUCKETS]
LABELS = {key: label for key, _low, _high, label in BUCKETS}


def bucket_q(now: dt.datetime, key: str) -> Q:
    """Overdue declarations ``low``–``high`` whole days past their deadline at ``now``."""
    low, high = next((lo, hi) for k, lo, hi, _label in BUCKETS if k == key)
    q = Q(status=Status.IN_TRANSIT, deadline__lt=now, deadline__lte=now - low * DAY)
    if high is not None:
        q &= Q(deadline__gt=now - (high + 1) * DAY)
    return q


def counts(qs: QuerySet, now: dt.datetime) -> dict[str, int]:
    """The overdue declarations of ``qs`` per bucket, in one query over the (status, deadline) index."""
    overdue = qs.filter(status=Status.IN_TRANSIT, deadline__lt=now).order_by()
    got = overdue.aggregate(**{key: Count("pk", filter=bucket_q(now, key)) for key in KEYS})
    return {key: got[key] or 0 for key in KEYS}
