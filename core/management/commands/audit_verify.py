"""``manage.py audit_verify``: walk the audit trail's hash chain (``core.audit_chain.verify``).

Exit 0 with the number of entries and the last hash (keep it somewhere outside the database: the
next run with ``--anchor SEQ:HASH`` then also proves the chain was not rewritten from the start);
exit 1 naming the first broken link (entry id, expected and found)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from core.audit_chain import verify


def _anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(f"--anchor {text!r}: expected SEQ:HASH, e.g. 1200:<64 hex digits>")
    return int(seq), digest.lower()


class Command(BaseCommand):
    help = "Check the audit trail's hash chain: exit 0 with the count and last hash, or 1 naming the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--anchor", action="append", default=[], help="SEQ:HASH kept outside the database that the chain must hold"
        )

    def handle(self, *args, **options):
        anchors = dict(_anchor(a) for a in options["anchor"])
        started = time.monotonic()
        verdict = verify(using=options["database"], anchors=anchors)
        elapsed = time.monotonic() - started
        if not verdict.ok:
            raise CommandError(f"{verdict} [checked {verdict.count} links in {elapsed:.1f} s]", returncode=1)
        head = f"{verdict.count}:{verdict.last_hash}"
        self.stdout.write(f"{verdict} (seq:hash to anchor: {head}) in {elapsed:.1f} s")
