"""The permission matrix of docs/security.md, checked cell by cell with real requests.

One source of truth: the test reads the table from the document (``tests/security/matrix.py``),
fails on a URL the table does not name and on a row whose URL is gone, then makes each row's
request as each principal, in each of three scopes (``tests/security/world.py``), and compares
the status. Every answer that is not refused is also searched for the serials of declarations
outside the principal's scope: a serial seen there is a leak even with the right status.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from declarations.models import TransitDeclaration
from tests.scans import images
from tests.security import matrix, world

ROWS = matrix.parse()
# Rows whose check belongs to work not merged yet: (row id, reason). Each is a strict xfail, so it
# fails the day the behaviour arrives and the line is to be removed.
PENDING: dict[str, str] = {}


@pytest.fixture(scope="module")
def the_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at the end; each test
    runs in a savepoint of it, so what a request changes is undone before the next one."""
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = world.build()
            w.media = media
            visible = {
                p: set(TransitDeclaration.objects.for_user(u).values_list("serial", flat=True))
                for p, u in w.users.items()
            }
            w.hidden = {p: set(w.serials.values()) - visible.get(p, set()) for p in world.PRINCIPALS}
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def w(_media_axes_and_eager_celery, settings, the_world):
    """The world, with its files: each test's own media directory is replaced by the module's."""
    settings.MEDIA_ROOT = the_world.media
    return the_world


# --- requests ---------------------------------------------------------------------------------


def _fill(text: str, w: world.World, scope: str, principal: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(w.obj(m.group(1), scope, principal)), text)


def url_for(row: matrix.Row, w: world.World, scope: str, principal: str) -> str:
    if row.name == "admin:*":
        return reverse("admin:index")
    args, _, query = row.request.partition("?")
    kwargs = {}
    for part in args.split():
        if part == "-":
            continue
        key, _, value = part.partition("=")
        try:
            kwargs[key] = w.obj(value, scope, principal)
        except KeyError:
            kwargs[key] = value  # a literal (a report code, a file format)
    url = reverse(row.name, kwargs=kwargs)
    return url + ("?" + _fill(query, w, scope, principal) if query else "")


def _png(name="scan.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, images.png(seed=5), content_type="image/png")


# Rows without URL arguments whose body names an object of each scope.
BODY_IN_SCOPE = {"reports:returns", "casework:letter_send_batch", "api-return-build", "scans-api-list", "api-problems"}


def body_for(row: matrix.Row, w: world.World, scope: str, principal: str):
    """The request's body: valid where the action would succeed, so the status says who may."""
    obj = lambda kind: w.obj(kind, scope, principal)  # noqa: E731
    now = timezone.now()
    bodies = {
        "declarations:action": lambda: {"settle-remarks": "matrix"},
        "declarations:import": lambda: {"file": _upload("ics.csv", b"serial\n")},
        "scans:upload": lambda: {"stage": "destination", "scanner_id": "NUC-7", "files": _png()},
        "scans:review": lambda: {"decision": "accept", "remark": "the load was checked"},
        "scans:reuse_review": lambda: {"decision": "confirmed"},
        "reports:returns": lambda: {"year": "1500", "month": "1", "province": obj("province")},
        "reports:return_submit": lambda: {"confirmed": "on"},
        "reports:inspection_new": lambda: {},
        "reports:problem_new": lambda: {},
        "reports:problem": lambda: {"action": "acknowledge"},
        "casework:letter_send_batch": lambda: {"letters": [obj("letter")]},
        "casework:letter_answer": lambda: {"answered_on": "", "answer": ""},
        "casework:case_new": lambda: {},
        "accounts:lockouts": lambda: {"username": "nobody"},
        "set_language": lambda: {"language": "fa", "next": "/"},
        "anpr-api-read-create": lambda: {
            "captured_at": (now - dt.timedelta(minutes=5)).isoformat(),
            "plate": "22ب34511",
        },
        "anpr-api-read-bulk": lambda: {"reads": []},
        "api-return-build": lambda: {"year": 1500, "month": 1, "province": obj("province")},
        "api-problems": lambda: {},
        "scans-api-review": lambda: {"decision": "accept", "remark": "the load was checked"},
        "scans-api-reuse-reviews": lambda: {"decision": "confirmed"},
        "scans-api-list": lambda: {
            "declaration": obj("declaration"),
            "stage": "destination",
            "scanner_id": "NUC-7",
            "captured_at": (now - dt.timedelta(hours=1)).isoformat(),
            "file": _png(),
        },
        "api-declaration-import-": lambda: [],
        "api-declaration-settle": lambda: {"remarks": "matrix"},
        "api-token": lambda: {"username": "m_origin", "password": "wrong-password"},
    }
    return bodies.get(row.name, dict)()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# Rows asked from a client on the public network (a documentation address, outside
# METRICS_ALLOWED_NETWORKS): the operations endpoints answer by network, not by user.
FROM_PUBLIC_NETWORK = {"readyz", "metrics"}


def request(client, row: matrix.Row, w: world.World, scope: str, principal: str):
    url = url_for(row, w, scope, principal)
    headers = w.headers.get(principal, {})
    if row.name in FROM_PUBLIC_NETWORK:
        headers = {**headers, "REMOTE_ADDR": "203.0.113.7"}
    if row.method == "GET":
        return client.get(url, **headers)
    body = body_for(row, w, scope, principal)
    is_file = isinstance(body, dict) and any(hasattr(v, "read") for v in body.values())
    if url.startswith("/api/") and not is_file:
        return client.post(url, body, content_type="application/json", **headers)
    return client.post(url, body, **headers)


def content(response) -> bytes:
    """The answer's bytes, with an XLSX (or any zip) unpacked so its cells can be searched."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = b"".join(z.read(n) for n in z.namelist())
    return data


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    return str(response.status_code)


def observe(client, row: matrix.Row, w: world.World, principal: str) -> list[str]:
    """One outcome per scope, and the serials of out-of-scope declarations the answers named."""
    results, leaks = [], []
    scoped = row.request != "-" or row.name in BODY_IN_SCOPE
    for scope in world.SCOPES if scoped else world.SCOPES[:1]:
        client.logout()
        if principal in w.users and principal != "ics":  # the integration client uses its token
            client.force_login(w.users[principal])
        response = request(client, row, w, scope, principal)
        results.append(outcome(response))
        if response.status_code < 300:
            body = content(response)
            leaks += [f"{scope}: {s}" for s in w.hidden[principal] if s.encode() in body]
    return results, leaks


# --- the checks -------------------------------------------------------------------------------


def test_every_url_has_a_row_and_every_row_a_url():
    routed = matrix.url_names()
    named = {row.name for row in ROWS}
    missing = sorted(f"{name} ({pattern})" for name, pattern in routed.items() if name not in named)
    gone = sorted(f"{row.name} (docs/security.md line {row.line})" for row in ROWS if row.name not in routed)
    assert not missing, "URLs the permission matrix does not mention: " + ", ".join(missing)
    assert not gone, "rows of the permission matrix whose URL no longer exists: " + ", ".join(gone)


def test_the_matrix_has_no_row_twice():
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


CELLS = [
    pytest.param(
        row,
        principal,
        id=f"{row.name}-{row.method}-{principal}",
        marks=[pytest.mark.xfail(strict=True, reason=PENDING[row.id])] if row.id in PENDING else [],
    )
    for row in ROWS
    for principal in matrix.PRINCIPALS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "principal"), CELLS)
def test_cell(client, w, row, principal):
    got, leaks = observe(client, row, w, principal)
    expected = list(row.expected(principal))
    if len(expected) == 1:
        expected *= len(got)
    if os.environ.get("MATRIX_DRAFT"):
        with open(os.environ["MATRIX_DRAFT"], "a") as out:
            out.write(f"{row.id}\t{principal}\t{'/'.join(got)}\t{' '.join(leaks)}\n")
    assert not leaks, f"{row.id} as {principal} names declarations outside the scope: {leaks}"
    assert got == expected, (
        f"{row.id} as {principal}: got {'/'.join(got)}, the matrix says {'/'.join(expected)} "
        f"(docs/security.md line {row.line}; scopes own/province/other)"
    )
