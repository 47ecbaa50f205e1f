"""python manage.py demo_totp <username> — the current two-factor code of a demo user.

For the embedded default and development only (refused in a deployment): whoever walks the demo
logs in as hq or it without a phone. It reads the key from the database, which whoever can run
this command can read anyway.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from accounts import two_factor
from accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-factor (TOTP) code of a user (embedded default or DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **opts):
        if not (settings.DEBUG or settings.EMBEDDED):
            raise CommandError("demo_totp works only in the embedded default or with DEBUG on, never in a deployment.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        device = two_factor.totp_device(user)
        if device is None:
            raise CommandError(
                f"{username} has no authenticator: run seed_demo, or enrol at /accounts/two-factor/enrol/."
            )
        now = time.time()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        left = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        self.stderr.write(f"valid for {left} more seconds (and the next 30); each code works once.")
