"""python manage.py issue_token <username> [--days N] [--name LABEL] — a new API token, its key printed once.

The key is stored only as its SHA-256: copy it now into the client's configuration.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import api_token_issue
from core.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for a user; the key is printed once and stored only hashed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=None, help="lifetime in days (default API_TOKEN_DAYS; 0: never)"
        )
        parser.add_argument("--name", default="issue_token", help="a label naming the client that will use it")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"username: no user named {opts['username']!r}")
        try:
            token, key = api_token_issue(user=user, name=opts["name"], days=opts["days"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        expires = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "never expires"
        self.stderr.write(f"{token} ({expires}); the key below is shown only now:")
        self.stdout.write(key)
