"""Indexes a province's monthly return needs at 10M rows, on PostgreSQL only (as in 0005).

A province's return reads its offices' rows: the open ones and those settled in the month
(origin, settled_at), the month's departures from its offices (origin, departed_at) and
arrivals at them (destination, arrived_at). Without these PostgreSQL scans the whole table
(or the whole country's month) and throws away nine rows in ten.
"""

from django.db import migrations

INDEXES = {
    "decl_origin_settled": "(origin_id, settled_at)",
    "decl_origin_departed": "(origin_id, departed_at) WHERE departed_at IS NOT NULL",
    "decl_dest_arrived": "(destination_id, arrived_at) WHERE arrived_at IS NOT NULL",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON declarations_transitdeclaration {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0006_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
