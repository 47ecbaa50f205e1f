"""Monthly returns' stored files (XLSX, PDF, CSV) built before their hash was recorded."""

from django.db import migrations

from core.backfill import backfill_sha256


def forwards(apps, schema_editor):
    backfill_sha256(apps, schema_editor, "reports", "MonthlyReturn", [("xlsx", "xlsx_sha256"), ("pdf", "pdf_sha256"), ("csv", "csv_sha256")])


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_file_sha256_and_problem_alerts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
