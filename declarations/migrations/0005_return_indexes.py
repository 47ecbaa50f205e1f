"""Kept empty: the monthly return's indexes on departed_at and arrived_at are declared on the
model and created by 0006_evidence_time_indexes (this migration once created them by hand,
which made 0006 fail with "already exists")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("declarations", "0004_dashboard_indexes")]

    operations: list = []
