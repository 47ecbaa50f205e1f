"""python manage.py ensure_admin — the first administrator, from ADMIN_USERNAME, ADMIN_PASSWORD and
ADMIN_EMAIL (the deployment's init step runs it at every start; docs/operations.md).

Its lines are in the site's language (``LANGUAGE_CODE``, Persian), the username isolated in them.

Idempotent: a user of that name already there is left as it is, its password never overwritten. A weak
password (the same validators as the password form) is refused with the reasons, and nothing is created.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.services import admin_ensure
from core.errors import DomainError
from core.text import isolate


class Command(BaseCommand):
    help = "Create the first HQ administrator from ADMIN_USERNAME/ADMIN_PASSWORD/ADMIN_EMAIL, once."

    def handle(self, *args, **opts):
        username = os.environ.get("ADMIN_USERNAME", "").strip()
        if not username:
            self.stdout.write(
                _("%(variable)s is not set: no administrator created.") % {"variable": isolate("ADMIN_USERNAME")}
            )
            return
        try:
            user, created = admin_ensure(
                username=username,
                password=os.environ.get("ADMIN_PASSWORD", ""),
                email=os.environ.get("ADMIN_EMAIL", "").strip(),
            )
        except DomainError as exc:
            raise CommandError(
                _("The administrator %(username)s was not created. %(reasons)s")
                % {"username": isolate(username), "reasons": str(exc)}
            ) from exc
        if created:
            self.stdout.write(
                _(
                    "Administrator %(username)s created (HQ, staff, superuser); at the first login the app asks "
                    "for an authenticator (two-factor)."
                )
                % {"username": isolate(user.username)}
            )
        else:
            self.stdout.write(
                _("User %(username)s already exists: left as it is (its password was not changed).")
                % {"username": isolate(user.username)}
            )
