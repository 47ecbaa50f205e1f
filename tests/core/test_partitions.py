"""The partition commands on the embedded default (SQLite): nothing is partitioned, nothing to do."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's behaviour (PostgreSQL: test_partitions_pg.py)")
def test_on_sqlite_the_commands_and_the_nightly_job_do_nothing():
    from core.tasks import partitions_daily

    out = io.StringIO()
    call_command("partitions", "list", stdout=out)
    assert "not PostgreSQL" in out.getvalue()
    assert partitions_daily.delay().get() == {"created": {}, "archived": [], "kept": {}}


def test_record_tables_refuse_a_retention_below_five_years(settings):
    from core import partitions

    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "auditlog_logentry": 59}
    with pytest.raises(ValueError, match="at least 5 years"):
        partitions.retention_months("auditlog_logentry")
