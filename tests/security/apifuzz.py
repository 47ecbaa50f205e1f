"""schemathesis over the app's own OpenAPI schema, in process, once per principal.

Shared by ``tests/security/test_api_fuzz.py`` (a bounded run in the suite) and
``bench/api_fuzz.py`` (a longer run). The schema is the one ``/api/schema/`` serves
(drf-spectacular's generator, called directly so that no principal's access to the schema page
matters); requests go through Django's WSGI handler in this thread, so they see the test's
database transaction.

Every answer is checked with schemathesis's ``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance`` and ``response_schema_conformance``: a 5xx, an undocumented status,
or a body that breaks its documented schema is a failure. Failures are collected, not raised, so
one run names all of them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import hypothesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

# Not fuzzed, and why:
# - /api/token/ exchanges a password for a token: random passwords for real usernames would count
#   as failed logins and lock the accounts out (security probe, finding 2); tests/accounts covers it.
# - /api/hello/ is the test-only endpoint of the first issue (issue 13 §3 removes it in production).
# The WSGI transport sets cookies for this host.
BASE_URL = "http://localhost"
SKIPPED_PATHS = ("/api/token/", "/api/hello/")


@dataclass
class Principal:
    """Who sends the requests: a role's name and the headers (a token) or cookies (a session and
    its CSRF token, with the token in a header too, as a page's script sends it)."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (who, operation, check) -> detail
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        lines = [f"{len(self.failures)} failure(s) in {self.cases} cases ({self.server_errors} x 5xx)"]
        lines += [f"- {who} {op} [{check}]: {detail}" for (who, op, check), detail in sorted(self.failures.items())]
        return "\n".join(lines)


def load_schema():
    """The OpenAPI schema as served, as a schemathesis schema bound to the WSGI app."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    # JSON round trip: the generator's lazy strings and OrderedDicts become plain JSON.
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    raw = json.loads(json.dumps(raw, cls=DjangoJSONEncoder))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    return schema


def _checks():
    from schemathesis import checks

    return [
        checks.not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_schema_conformance,
    ]


def fuzz(
    schema,
    principals: Iterable[Principal],
    *,
    max_examples: int,
    seed: int = 0,
    include: tuple[str, ...] = (),
    negative: bool = True,
    on_case=None,
    path_ids: dict[str, dict] | None = None,
) -> Outcome:
    """Run ``max_examples`` generated cases per operation and principal (valid data, plus as many
    invalid ones with ``negative``); return what came back.

    ``path_ids`` maps an operation's path to path parameters of real records: its cases are then
    drawn with them as well as with generated ones, so that the fuzzed bodies and queries reach a
    real declaration (its transitions, its vehicle) and not only the 404 of a random id."""
    import logging

    from schemathesis import GenerationMode

    checks = _checks()
    outcome = Outcome()
    # A 4xx is the expected answer to most fuzzed requests: Django's warning for each is noise here
    # (a 5xx is still logged, as an error).
    for name in ("django.request", "django.security"):
        logging.getLogger(name).setLevel(logging.ERROR)
    started = time.monotonic()
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path not in SKIPPED_PATHS and (not include or result.ok().path.startswith(include))
    ]
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    for who in principals:
        for operation in operations:
            label = f"{operation.method.upper()} {operation.path}"
            strategies = []
            fixed = (path_ids or {}).get(operation.path)
            for mode in modes:
                for parameters in [None, fixed] if fixed else [None]:
                    try:
                        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=parameters))
                    except Exception:  # an operation with nothing to negate has no negative strategy
                        continue
            strategy = st.one_of(*strategies)

            _run_one(strategy, max_examples * len(strategies), seed, who, label, outcome, checks, on_case)
    outcome.seconds = time.monotonic() - started
    return outcome


def _run_one(strategy, examples, seed, who, label, outcome, checks, on_case) -> None:
    """One operation for one principal: Hypothesis draws the cases, each is sent and checked."""
    from schemathesis.core.failures import FailureGroup

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @hypothesis.seed(seed)
    @hypothesis.given(case=strategy)
    def one(case):
        response = case.call(base_url=BASE_URL, headers=who.headers, cookies=who.cookies)
        outcome.cases += 1
        outcome.statuses[response.status_code] += 1
        if on_case:
            on_case(who, label, case, response)
        try:
            case.validate_response(response, checks=checks, headers=who.headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (who.name, label, type(failure).__name__)
                if key not in outcome.failures:
                    outcome.failures[key] = (
                        f"{response.status_code} {failure.title}: {str(failure.message)[:300]} "
                        f"<- {case.method} {case.formatted_path} query={case.query!r} body={_short(case.body)}"
                    )

    one()


def _short(body) -> str:
    text = repr(body)
    return text if len(text) < 200 else text[:200] + "…"
