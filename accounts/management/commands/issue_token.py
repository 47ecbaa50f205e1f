"""python manage.py issue_token <username> [--days N] [--name LABEL] — a new API token, its key printed once.

The key is stored only as its SHA-256: copy it now into the client's configuration. The lines around it are
in the site's language (``LANGUAGE_CODE``, Persian), the username and the key's prefix isolated in them.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import api_token_issue
from core.dates import format_jalali
from core.errors import DomainError
from core.text import is_persian, isolate


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
            raise CommandError(
                _("%(field)s: no user is named %(username)s.")
                % {
                    "field": capfirst(User._meta.get_field("username").verbose_name),
                    "username": isolate(opts["username"]),
                }
            )
        try:
            token, key = api_token_issue(user=user, name=opts["name"], days=opts["days"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        names = {"prefix": isolate(f"{token.prefix}…"), "username": isolate(user.username)}
        if token.expires_at:
            line = _(
                "Token %(prefix)s of %(username)s expires at %(at)s (Tehran time); the key below is shown only now:"
            ) % {**names, "at": format_jalali(token.expires_at, persian=is_persian())}
        else:
            line = _("Token %(prefix)s of %(username)s never expires; the key below is shown only now:") % names
        self.stderr.write(line)
        self.stdout.write(key)
