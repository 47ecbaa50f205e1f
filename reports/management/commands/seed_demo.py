"""python manage.py seed_demo --declarations N — realistic demo data, demo users per role.

Declarations are written in bulk (``declarations.demo.DemoBuilder``), the closed ones with the ended
judicial cases that closed them (``casework.demo.CLOSED_CASES``); then the demo users, then the
evidence behind every monitoring signal, made by each app through its own services
(``reports.demo.evidence_demo``: cameras, plate reads, scans, comparisons, permits, letters, cases,
inspections, problems, last month's return) for a bounded sample whatever N is.

Prints progress, and at the end the seed rate beside the rate of the plain COPY
of the same rows (PostgreSQL), measured in the same run.

It lives in ``reports``, the top app that may import every other app's demo evidence.
"""

import json
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import two_factor
from accounts.models import TOKEN_PREFIX_LEN, ApiToken, CustomsOffice, Province, Role, User
from accounts.offices_data import ensure_offices
from accounts.services import api_token_issue
from casework.demo import CLOSED_CASES
from declarations.demo import DemoBuilder
from declarations.models import TransitDeclaration
from reports.demo import evidence_demo

CREDENTIALS = Path(settings.BASE_DIR) / "var" / "demo_credentials.txt"
DEMO_USERS = [
    # username, role, office code, province code, name, title
    ("hq", Role.HQ, None, None, "سارا توکلی", "کارشناس دفتر ترانزیت"),
    ("it", Role.IT, None, None, "بهرام صالحی", "کارشناس دفتر فاوا"),
    ("inspector", Role.INSPECTOR, None, "WAZ", "حمید نظری", "بازرس گمرک استان آذربایجان غربی"),
    ("bazargan", Role.OFFICE, "BZG", None, "رضا احمدی", "کارشناس ترانزیت گمرک بازرگان"),
    ("tehran", Role.OFFICE, "THR", None, "مریم کریمی", "کارشناس ترانزیت گمرک تهران"),
    # Its name shows on Persian pages (who registered a declaration, who changed one meanwhile): in Persian.
    ("ics", Role.INTEGRATION, None, None, "سامانه جامع گمرکی (اتصال)", "سامانه جامع گمرکی"),
]


class Command(BaseCommand):
    help = "Seed realistic demo data: offices, carriers, declarations of every status and anomaly, demo users."

    def add_arguments(self, parser):
        parser.add_argument("--declarations", type=int, default=20000)
        parser.add_argument("--months", type=int, default=18, help="history length (60 for the five-year case)")
        parser.add_argument("--chunk", type=int, default=50000)
        parser.add_argument("--seed", type=int, default=1404)
        parser.add_argument("--once", action="store_true", help="do nothing if demo data is already there")
        parser.add_argument("--no-users", action="store_true")
        parser.add_argument(
            "--no-evidence", action="store_true", help="declarations only: no cameras, reads, scans, letters…"
        )
        parser.add_argument("--json", action="store_true", help="print the timing summary as one JSON line")
        parser.add_argument(
            "--credentials",
            default=None,
            help="where the demo users' passwords, second-factor keys and token are written (a test's own file)",
        )
        parser.add_argument(
            "--baseline",
            type=int,
            default=0,
            help="also time a plain COPY of this many more rows into the finished indexed tables (rolled back)",
        )

    def handle(self, *args, **opts):
        ensure_offices()
        fresh = not (opts["once"] and TransitDeclaration.objects.exists())
        if fresh:
            self.seed(opts)
        elif not opts["json"]:
            self.stdout.write("Demo data already present; not seeding again (--once).")
        if not opts["no_users"]:
            self.users(
                Path(opts["credentials"]) if opts["credentials"] else None
            )  # before the evidence: its notifications reach the demo users
        evidence = self.evidence(opts) if fresh and not opts["no_evidence"] else {}
        if opts["json"] and fresh:
            self.stdout.write(json.dumps({**self.result, **evidence}))

    def evidence(self, opts):
        started = time.perf_counter()

        def progress(step, seconds):
            if not opts["json"]:
                self.stdout.write(f"  evidence: {step} ({seconds:.1f} s)")

        counts = evidence_demo(n_declarations=opts["declarations"], seed=opts["seed"], progress=progress)
        elapsed = time.perf_counter() - started
        if not opts["json"]:
            self.stdout.write(f"Evidence in {elapsed:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        return {"evidence_seconds": round(elapsed, 1), "evidence": counts}

    def seed(self, opts):
        n = opts["declarations"]
        # The closed declarations are written with their ended judicial cases (casework's bulk writer).
        builder = DemoBuilder(seed=opts["seed"], months=opts["months"], closed_cases=CLOSED_CASES)
        started = time.perf_counter()

        def progress(done, total):
            if opts["json"]:
                return
            rate = done / (time.perf_counter() - started)
            self.stdout.write(f"  {done:,}/{total:,} declarations ({rate:,.0f}/s)")

        timing = builder.build(n, chunk=opts["chunk"], progress=progress, baseline_rows=opts["baseline"])
        elapsed = time.perf_counter() - started - timing.baseline_copy
        baseline_rate = timing.baseline_rows / timing.baseline_copy if timing.baseline_copy else None
        result = {
            "declarations": n,
            "rows": timing.rows,
            "seconds": round(elapsed, 1),
            "rate_per_s": round(n / elapsed),
            "generate_s": round(timing.generate, 1),
            "write_s": round(timing.write, 1),
            "rebuild_indexes_s": round(timing.rebuild, 1),
            "baseline_copy_rows": timing.baseline_rows,
            "baseline_copy_rate_per_s": round(baseline_rate) if baseline_rate else None,
            "ratio_to_baseline_copy": round(n / elapsed / baseline_rate, 3) if baseline_rate else None,
            "database": "postgresql" if builder.writer.pg else "sqlite",
        }
        self.result = result
        if not opts["json"]:
            self.stdout.write(
                f"Seeded {n:,} declarations in {elapsed:.1f} s ({result['rate_per_s']:,}/s); "
                f"COPY of the same rows {timing.write:.1f} s, index rebuild {timing.rebuild:.1f} s."
            )
            if baseline_rate:
                self.stdout.write(
                    f"Plain COPY into the indexed tables: {baseline_rate:,.0f}/s; "
                    f"seed rate is {result['ratio_to_baseline_copy']:.0%} of it."
                )

    @transaction.atomic
    def users(self, credentials: Path | None = None):
        credentials = credentials or CREDENTIALS
        lines = []
        stored = {}
        stored_keys = {}
        stored_codes: dict[str, list[str]] = {}
        if credentials.exists():
            for line in credentials.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 2:
                    stored[parts[0]] = parts[1]
                for part in parts[2:]:
                    if part.startswith("token="):
                        stored_keys[parts[0]] = part.removeprefix("token=")
                    if part.startswith("recovery="):
                        stored_codes[parts[0]] = part.removeprefix("recovery=").split(",")
        for username, role, office, province, name, title in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            password = stored.get(username)
            if user is None or password is None:
                password = secrets.token_urlsafe(9)
                user = user or User(username=username)
                user.set_password(password)
            first, _, last = name.partition(" ")
            user.first_name, user.last_name, user.title, user.role = first, last, title, role
            user.office = CustomsOffice.objects.get(code=office) if office else None
            user.province = Province.objects.get(code=province) if province else None
            user.is_staff = role in (Role.HQ, Role.IT)
            user.is_superuser = role == Role.HQ
            user.save()
            extra = ""
            if role == Role.INTEGRATION:
                extra = f"token={self.demo_key(user, stored_keys.get(username, ''))}"
            if two_factor.required_for(user):
                # HQ and IT must pass a second factor: an authenticator enrolled here (add the key to
                # any TOTP app, or run `manage.py demo_totp <user>` for the current code).
                device = two_factor.enrol_for_demo(user)
                # And a set of recovery codes, as the account page makes them: with none, every login said
                # that few were left. Each works once, instead of the six-digit code.
                codes = two_factor.recovery_codes_for_demo(user, stored_codes.get(username, []))
                extra = f"recovery={','.join(codes)} totp={two_factor.secret_base32(device).replace(' ', '')}"
            lines.append(f"{username} {password} {role} {office or province or '-'} {extra}".rstrip())
        credentials.parent.mkdir(parents=True, exist_ok=True)
        credentials.write_text("\n".join(lines) + "\n")
        credentials.chmod(0o600)
        self.stdout.write(f"\nDemo users (username password role scope) — also in {credentials}:")
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            f"Open {settings.SITE_URL.rstrip('/')}/ and log in; the admin is at /admin/ (user 'hq').\n"
            "hq and it then ask for a two-factor code: add their totp= key to an authenticator app, or run\n"
            "  .venv/bin/python manage.py demo_totp hq\n"
            "or type one of their recovery= codes (each works once).\n"
        )

    @staticmethod
    def demo_key(user: User, written: str) -> str:
        """The key written in the credentials file last time while its token still works (only its
        hash is in the database), otherwise a new token's key."""
        if written:
            token = ApiToken.objects.usable().filter(user=user, prefix=written[:TOKEN_PREFIX_LEN]).first()
            if token is not None and token.matches(written):
                return written
        return api_token_issue(user=user, name="seed_demo")[1]
