"""python manage.py ensure_admin — the first administrator, from ADMIN_USERNAME, ADMIN_PASSWORD and
ADMIN_EMAIL (the deployment's init step runs it at every start; docs/operations.md).

Idempotent: a user of that name already there is left as it is, its password never overwritten. A weak
password (the same validators as the password form) is refused with the reasons, and nothing is created.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from accounts.services import admin_ensure
from core.errors import DomainError


class Command(BaseCommand):
    help = "Create the first HQ administrator from ADMIN_USERNAME/ADMIN_PASSWORD/ADMIN_EMAIL, once."

    def handle(self, *args, **opts):
        username = os.environ.get("ADMIN_USERNAME", "").strip()
        if not username:
            self.stdout.write("ADMIN_USERNAME is not set: no administrator created.")
            return
        try:
            user, created = admin_ensure(
                username=username,
                password=os.environ.get("ADMIN_PASSWORD", ""),
                email=os.environ.get("ADMIN_EMAIL", "").strip(),
            )
        except DomainError as exc:
            raise CommandError(f"The administrator {username!r} was not created. {exc}") from exc
        if created:
            self.stdout.write(
                f"Administrator {user.username!r} created (HQ, staff, superuser); at the first login the "
                "app asks for an authenticator (two-factor)."
            )
        else:
            self.stdout.write(f"User {user.username!r} already exists: left as it is (its password was not changed).")
