"""Arrival evidence documents stored before their hash was recorded (0008 added the column, empty for them)."""

from django.db import migrations

from core.backfill import backfill_sha256


def forwards(apps, schema_editor):
    backfill_sha256(apps, schema_editor, "declarations", "ArrivalConfirmation", [("evidence", "evidence_sha256")])


class Migration(migrations.Migration):
    dependencies = [("declarations", "0010_casework_moved_out")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
