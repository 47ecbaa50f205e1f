"""Plate photos and crops stored before their hash was recorded. A photo shared by many reads (content-addressed) is read once; on a large archive this migration reads every photo once, so it can take long."""

from django.db import migrations

from core.backfill import backfill_sha256


def forwards(apps, schema_editor):
    backfill_sha256(apps, schema_editor, "anpr", "PlateRead", [("photo", "photo_sha256"), ("crop", "crop_sha256")])


class Migration(migrations.Migration):
    dependencies = [("anpr", "0004_photo_crop_sha256")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
