"""The plate reads' monthly partitions (``core.partitions``): which month may leave the table.

A month's reads are archived and leave the database only when no row still there points at them:
a match (so no operation still kept, ended within ``RETENTION_YEARS`` or open, loses its sighting:
``archive_operations --remove`` takes the matches of ended operations out first) or a person's label
(the training data). Foreign keys cannot say so on a partitioned table; this guard does.
"""

from __future__ import annotations

from django.db import connection

from .models import PlateLabel, PlateMatch, PlateRead


def guard(partition: str) -> str:
    qn = connection.ops.quote_name
    reads = f"SELECT {qn('id')} FROM {qn(partition)}"  # noqa: S608 (a partition name from the catalogue)
    counts = []
    with connection.cursor() as cursor:
        for model in (PlateMatch, PlateLabel):
            cursor.execute(
                f"SELECT count(*) FROM {qn(model._meta.db_table)} WHERE {qn('read_id')} IN ({reads})"  # noqa: S608
            )
            counts.append(cursor.fetchone()[0])
    matches, labels = counts
    if matches or labels:
        return f"{matches} plate match(es) and {labels} label(s) still point at its reads"
    return ""


def register() -> None:
    from core import partitions

    partitions.register(PlateRead._meta.db_table, "captured_at", records=True, guard=guard)
