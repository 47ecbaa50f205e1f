"""Indexes the dashboard needs at 10M rows, on PostgreSQL only (the embedded SQLite holds demo data).

- seal search: a GIN index so ``seal_numbers @> '["S123"]'`` is an index lookup;
- an office's list newest first: (office, declared_at, id) on each side, so the keyset pager
  reads one short index range per office and side and merges them (see declarations/paging.py).
"""

from django.db import migrations

INDEXES = {
    "decl_seals_gin": "USING gin (seal_numbers jsonb_path_ops)",
    "decl_origin_declared": "(origin_id, declared_at DESC, id DESC)",
    "decl_dest_declared": "(destination_id, declared_at DESC, id DESC)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON declarations_transitdeclaration {definition}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0003_casework")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
