"""Indexes the monthly return needs at 10M rows, on PostgreSQL only (as in 0004).

The return counts the month's departures (scan compliance, origin side) and arrivals (scan
and plate-evidence compliance, destination side); without these each is a full scan of the
table. Partial: only rows that have the timestamp.
"""

from django.db import migrations

INDEXES = {
    "decl_departed_at": "(departed_at) WHERE departed_at IS NOT NULL",
    "decl_arrived_at": "(arrived_at) WHERE arrived_at IS NOT NULL",
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
    dependencies = [("declarations", "0004_dashboard_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
