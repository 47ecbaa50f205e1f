"""DRF's plain ``authtoken`` keys become hashed ``ApiToken`` rows, and the plain keys are deleted.

The clients keep their key: the lookup prefix is the key's first characters, the hash is of the
whole key. Each copied key expires ``API_TOKEN_DAYS`` after this migration (the old keys never
did). ``rest_framework.authtoken`` is no longer installed, so its table is read with plain SQL
when it exists (a database that never had it has nothing to copy); it is left empty.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

PREFIX_LEN = 10
TABLE = "authtoken_token"


def copy_and_forget_plain_keys(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    days = settings.API_TOKEN_DAYS
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {TABLE}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            name="DRF authtoken (migrated)",
            prefix=key[:PREFIX_LEN],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            expires_at=now + dt.timedelta(days=days) if days else None,
        )
        if isinstance(created, str):  # SQLite may hand back the text it stores
            created = parse_datetime(created)
        if created is not None and timezone.is_naive(created):  # SQLite keeps UTC without a zone
            created = timezone.make_aware(created, dt.timezone.utc)
        ApiToken.objects.filter(pk=token.pk).update(created_at=created or now)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_tokens_hashed")]

    operations = [migrations.RunPython(copy_and_forget_plain_keys, migrations.RunPython.noop)]
