"""Recovery codes stored in clear become keyed digests (``accounts.two_factor.recovery_digest``).

The users keep their codes: each stored code is replaced by its digest, which is what a login now
compares. A token that is already a digest (16 hexadecimal characters; codes are 8 base32 ones) is
left alone, so the migration can run twice.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.db import migrations


def _digest(code: str) -> str:
    # The same as accounts.two_factor.recovery_digest at the time of this migration.
    normalised = re.sub(r"[\s\-\u200c]", "", code).lower()
    mac = hmac.new(settings.SECRET_KEY.encode(), b"recovery-code:" + normalised.encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


def hash_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().iterator():
        if not re.fullmatch(r"[0-9a-f]{16}", token.token):
            token.token = _digest(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_office_equipment_since"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop)]
