"""The permission matrix of docs/security.md, read as data, and the URL names the resolver holds.

The table sits between ``<!-- permission-matrix:start -->`` and ``<!-- permission-matrix:end -->``;
one row per URL name and request::

    | URL name | method | request | anonymous | hq | it | inspector | origin | destination | ics | camera |
    | `declarations:detail` | GET | `pk=declaration` | login | 200 | 200 | 200/200/404 | 200/404/404 | … |

- ``request``: the URL's arguments, ``name=kind`` (a kind of object of the test's world, taken
  in each scope) or ``name=literal``, then optionally ``?query`` whose ``{kind}`` are filled the
  same way; ``-`` for none.
- a cell: one outcome for every scope, or three, ``own/province/other`` (the object in the
  principal's own office, in another office of the same province, in another province).
  An outcome is an HTTP status, or ``login``: a redirect to the login page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
START, END = "<!-- permission-matrix:start -->", "<!-- permission-matrix:end -->"
PRINCIPALS = ("anonymous", "hq", "it", "inspector", "origin", "destination", "ics", "camera")
OUTCOME = re.compile(r"^(login|[1-5][0-9][0-9])$")


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    request: str
    cells: tuple[tuple[str, tuple[str, ...]], ...]  # (principal, outcomes: 1 or 3)
    line: int

    @property
    def id(self) -> str:
        return f"{self.name} {self.method} {self.request}"

    def expected(self, principal: str) -> tuple[str, ...]:
        return dict(self.cells)[principal]


def _strip(cell: str) -> str:
    return cell.strip().strip("`").strip()


def parse(text: str | None = None) -> list[Row]:
    """Rows of the matrix; a malformed row is an error naming its line."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    if START not in text or END not in text:
        raise ValueError(f"{DOC.name} has no permission matrix ({START} … {END})")
    first = text[: text.index(START)].count("\n") + 1
    body = text[text.index(START) + len(START) : text.index(END)]
    rows, header = [], None
    for offset, raw in enumerate(body.splitlines()):
        line = first + offset
        if not raw.strip().startswith("|"):
            continue
        cells = [_strip(c) for c in raw.strip().strip("|").split("|")]
        if header is None:
            header = cells
            expected = ["URL name", "method", "request", *PRINCIPALS]
            if header != expected:
                raise ValueError(f"line {line}: the matrix's header must be {expected}, not {header}")
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        if len(cells) != len(header):
            raise ValueError(f"line {line}: {len(cells)} cells, the header has {len(header)}")
        name, method, request, *outcomes = cells
        parsed = []
        for principal, cell in zip(PRINCIPALS, outcomes, strict=True):
            parts = tuple(p.strip() for p in cell.split("/"))
            if len(parts) not in (1, 3) or not all(OUTCOME.match(p) for p in parts):
                raise ValueError(f"line {line}: cell {principal}={cell!r} is not one outcome or own/province/other")
            parsed.append((principal, parts))
        rows.append(Row(name, method.upper(), request, tuple(parsed), line))
    return rows


def url_names() -> dict[str, str]:
    """Every routed URL name (namespaced) with its pattern; the admin site counts as one, ``admin:*``."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                if ns == "admin":
                    found["admin:*"] = prefix + str(p.pattern)
                    continue
                walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                if not p.name:
                    raise AssertionError(f"{prefix}{p.pattern} has no name: the matrix needs one")
                found[":".join(filter(None, [namespace, p.name]))] = prefix + str(p.pattern)

    walk(get_resolver(), "", "")
    return found
