"""API fuzzing benchmark: schemathesis over /api/schema/ with every role's credentials, longer
than the suite's bounded run (tests/security/test_api_fuzz.py), in process through the WSGI app.

Runs against the database ``DATABASE_URL`` names (a seeded demo database, say), inside one
transaction that is rolled back at the end: the personas it logs in as (hq, it, an inspector, two
office clerks, the integration client by token, a camera by token, anonymous), their offices and
the records whose ids it fuzzes are its own and disappear with it. What the fuzzed transitions
and imports write is rolled back too.

Checks: ``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance``,
``response_schema_conformance``. Prints one JSON line per principal and a total line
(cases, failures, 5xx count, duration); exits 1 when any check failed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transit .venv/bin/python bench/api_fuzz.py --max-examples 60
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402


class _Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=60, help="cases per operation, principal and mode")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--include", action="append", default=[], help="only paths starting with this (repeatable)")
    parser.add_argument("--no-negative", action="store_true", help="only schema-valid cases")
    args = parser.parse_args()

    from accounts.models import Role
    from tests.factories import OfficeFactory, ProvinceFactory, UserFactory
    from tests.security import fixtures
    from tests.security.apifuzz import Principal, fuzz, load_schema

    settings.AXES_ENABLED = False  # the personas log in by session, never by password; nothing to lock
    settings.ANPR_RATE_LIMIT_PER_MINUTE = 10**9  # the camera's cases are fuzz, not a flood to throttle
    settings.MEDIA_ROOT = str(Path(settings.MEDIA_ROOT) / f"bench-api-fuzz-{os.getpid()}")  # removed at the end
    request_started.disconnect(close_old_connections)  # the requests share this transaction
    request_finished.disconnect(close_old_connections)
    tag = f"{int(time.time()) % 100000:05d}"
    lines: list[dict] = []
    try:
        with transaction.atomic():
            waz = ProvinceFactory(code=f"Z{tag[-2:]}W", name_en="Fuzz West")
            thr = ProvinceFactory(code=f"Z{tag[-2:]}T", name_en="Fuzz Tehran")
            bzg = OfficeFactory(code=f"Y{tag[-2:]}B", province=waz)
            thr_office = OfficeFactory(code=f"Y{tag[-2:]}T", province=thr)
            users = {
                "hq": UserFactory(username=f"fuzz-hq-{tag}", role=Role.HQ),
                "it": UserFactory(username=f"fuzz-it-{tag}", role=Role.IT),
                "inspector": UserFactory(username=f"fuzz-insp-{tag}", role=Role.INSPECTOR, province=waz),
                "origin_clerk": UserFactory(username=f"fuzz-bzg-{tag}", role=Role.OFFICE, office=bzg),
                "dest_clerk": UserFactory(username=f"fuzz-thr-{tag}", role=Role.OFFICE, office=thr_office),
            }
            ics = UserFactory(username=f"fuzz-ics-{tag}", role=Role.INTEGRATION)
            from anpr import services as anpr_services

            camera, token = anpr_services.camera_register(office=bzg, code=f"FZ-{tag}", direction="out")
            camera.token = token
            path_ids = fixtures.make_evidence(bzg, thr_office, users["origin_clerk"], users["dest_clerk"], camera)
            principals = [fixtures.session_principal(name, user) for name, user in users.items()]
            principals += [
                Principal("ics_token", headers={"Authorization": f"Token {fixtures.api_token(ics)}"}),
                Principal("camera_token", headers={"Authorization": f"Camera {token}"}),
                Principal("anonymous"),
            ]
            from declarations.models import TransitDeclaration

            declarations = TransitDeclaration.objects.count()
            schema = load_schema()
            total_cases = total_failures = total_5xx = 0
            started = time.monotonic()
            for who in principals:
                outcome = fuzz(
                    schema,
                    [who],
                    max_examples=args.max_examples,
                    seed=args.seed,
                    include=tuple(args.include),
                    negative=not args.no_negative,
                    path_ids=path_ids,
                )
                total_cases += outcome.cases
                total_failures += len(outcome.failures)
                total_5xx += outcome.server_errors
                line = {
                    "principal": who.name,
                    "cases": outcome.cases,
                    "failures": len(outcome.failures),
                    "server_errors": outcome.server_errors,
                    "statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
                    "seconds": round(outcome.seconds, 1),
                }
                if outcome.failures:
                    line["failed"] = [
                        f"{op} [{check}]: {detail[:300]}" for (_, op, check), detail in outcome.failures.items()
                    ]
                print(json.dumps(line, ensure_ascii=False), flush=True)
                lines.append(line)
            summary = {
                "total": True,
                "cases": total_cases,
                "failures": total_failures,
                "server_errors": total_5xx,
                "seconds": round(time.monotonic() - started, 1),
                "operations": sum(1 for _ in schema.get_all_operations()),
                "max_examples": args.max_examples,
                "seed": args.seed,
                "database": connection.vendor,
                "declarations": declarations,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            }
            print(json.dumps(summary), flush=True)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        import shutil

        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)  # the rolled-back rows' files
    return 1 if any(line["failures"] for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
