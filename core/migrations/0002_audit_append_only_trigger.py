"""On PostgreSQL, the audit tables refuse UPDATE and DELETE whoever sends them (the application's role
included): a trigger raises. SQLite has no such guard; the application's own guards hold there.

TRUNCATE is not refused: Django's test runner empties tables with it between transactional tests.
A database superuser can still disable the trigger (``ALTER TABLE … DISABLE TRIGGER``); the hash
chain (``audit_verify``) is what shows such a change. See docs/audit.md.
"""

from django.db import migrations

TABLES = ("auditlog_logentry", "core_auditseal")

CREATE = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS {t}_append_only ON {t};
CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
    for t in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS audit_append_only();\n"
)


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no parameters: the % in the message stays

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_seal")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
