"""An index on the reversed serial, on PostgreSQL only (as in 0005), so that a search by a serial's end
(``?q=8606``, ``filters.serial_end_q``) is a seek, not a scan of 10M serials.

The expression is the one Django writes for ``Reverse("serial")`` with ``startswith`` (``REVERSE(serial)::text
LIKE '6068%'``); ``text_pattern_ops`` lets LIKE with a fixed beginning use it whatever the collation.
"""

from django.db import migrations

NAME = "decl_serial_reversed"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON declarations_transitdeclaration (REVERSE(serial) text_pattern_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0029_comparison_incomplete")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
