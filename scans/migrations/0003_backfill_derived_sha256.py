"""Derived files of scans stored before their hash was recorded (previews, change overlays)."""

from django.db import migrations

from core.backfill import backfill_sha256


def forwards(apps, schema_editor):
    backfill_sha256(apps, schema_editor, "scans", "Scan", [("thumbnail", "thumbnail_sha256"), ("web_image", "web_image_sha256")])
    backfill_sha256(apps, schema_editor, "scans", "ScanComparison", [("heatmap", "heatmap_sha256")])


class Migration(migrations.Migration):
    dependencies = [("scans", "0002_derived_file_sha256")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
