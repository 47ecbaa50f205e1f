"""The audit trail's hash chain: how a seal's hash is made, how seals are written, how the chain is checked.

Each django-auditlog ``LogEntry`` gets one ``AuditSeal`` (``core.models``) in the same transaction:

    hash = SHA-256(canonical JSON of {entry: the entry's fields as stored, seal: seq, actor,
                   role, interface, reference, prev_hash})

where ``prev_hash`` is the hash of the seal before it (``GENESIS`` for the first) and ``seq``
counts from 1 without gaps. Changing any stored field of any entry or seal, deleting an entry or
a seal, or inserting one in the middle changes a hash that a later link depends on, so
``verify`` finds it: the first broken link, by entry id.

Writers are serialised so the chain cannot fork: on PostgreSQL by a transaction-scoped advisory
lock (held to the end of the writing transaction: a long import holds the chain for its
duration), on SQLite by the database's own single writer; ``seq`` is unique either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, transaction

GENESIS = "0" * 64
# pg_advisory_xact_lock key for the chain head: any 64-bit number no other code uses ("AUDITCHN").
CHAIN_LOCK = 0x4155444954434E


# The entry's columns that the hash covers: every column of auditlog_logentry.
ENTRY_FIELDS = (
    "id",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
    "actor_email",
)
SEAL_FIELDS = ("seq", "entry_id", "actor_name", "actor_role", "via", "via_ref", "prev_hash")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return str(value)


def canonical(data: dict) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8 (what the hash is taken over)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def seal_hash(entry: dict, seal: dict) -> str:
    """The hash of one link: ``entry`` holds ``ENTRY_FIELDS`` as read from the database, ``seal`` ``SEAL_FIELDS``."""
    doc = {"entry": {f: entry.get(f) for f in ENTRY_FIELDS}, "seal": {f: seal.get(f) for f in SEAL_FIELDS}}
    return hashlib.sha256(canonical(doc)).hexdigest()


def _entry_values(entry_model, pks, using: str) -> dict[int, dict]:
    pks = list(pks)
    rows = entry_model._base_manager.using(using).filter(pk__in=pks).values(*ENTRY_FIELDS)
    out = {row["id"]: row for row in rows}
    missing = [pk for pk in pks if pk not in out]
    if missing and connections[using].vendor == "postgresql":
        out.update(_archived_entry_values(entry_model, missing, using))
    return out


def _archived_entry_values(entry_model, pks: list[int], using: str) -> dict[int, dict]:
    """Entries of months archived past retention (``core.partitions``): their detached tables stay in
    the archive schema, and are read through the model so the values are converted as stored ones are."""
    from core.partitions import archived_tables

    out: dict[int, dict] = {}
    for table in archived_tables(entry_model._meta.db_table):
        query = f"SELECT * FROM {table} WHERE id = ANY(%s)"  # noqa: S608 (a name from the catalogue)
        for obj in entry_model._base_manager.using(using).raw(query, [pks]):
            out[obj.pk] = {f: getattr(obj, f) for f in ENTRY_FIELDS}
    return out


def write_seal(entry, *, who: dict, using: str) -> None:
    """Seal ``entry`` (just inserted) as the next link, inside the caller's transaction (or a new one).

    ``who`` holds actor_name, actor_role, via, via_ref. Runs three queries and, on PostgreSQL,
    takes the chain lock until the transaction ends."""
    from auditlog.models import LogEntry

    from core.models import AuditSeal

    connection = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        head = AuditSeal.objects.using(using).order_by("-seq").values("seq", "hash").first()
        seal = AuditSeal(
            seq=head["seq"] + 1 if head else 1,
            entry_id=entry.pk,
            prev_hash=head["hash"] if head else GENESIS,
            **who,
        )
        values = _entry_values(LogEntry, [entry.pk], using)[entry.pk]
        seal.hash = seal_hash(values, {f: getattr(seal, f) for f in SEAL_FIELDS})
        seal.save(using=using)


def seal_bulk(entry_ids: list[int], *, who: dict, using: str, batch: int = 2000) -> int:
    """Seal entries written in bulk (no signal sealed them), in the order given, as the next links of the
    chain: what ``write_seal`` does for one, with one read of the entries and one insert of the seals per
    ``batch``. Inside the caller's transaction (or a new one); on PostgreSQL takes the chain lock until the
    transaction ends. ``who`` holds actor_name, actor_role, via, via_ref, the same for every entry."""
    from auditlog.models import LogEntry

    from core.models import AuditSeal

    connection = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        head = AuditSeal.objects.using(using).order_by("-seq").values("seq", "hash").first()
        seq, prev = (head["seq"], head["hash"]) if head else (0, GENESIS)
        for i in range(0, len(entry_ids), batch):
            ids = entry_ids[i : i + batch]
            entries = _entry_values(LogEntry, ids, using)
            seals = []
            for pk in ids:
                seq += 1
                seal = {"seq": seq, "entry_id": pk, "prev_hash": prev, **who}
                prev = seal_hash(entries[pk], seal)
                seals.append(AuditSeal(hash=prev, **seal))
            AuditSeal.objects.using(using).all().bulk_append(seals, batch_size=batch)
    return len(entry_ids)


@dataclass
class Verdict:
    ok: bool
    count: int = 0
    last_hash: str = GENESIS
    entry_id: int | None = None
    problem: str = ""
    expected: str = ""
    found: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.count} entries, last hash {self.last_hash}"
        where = f"entry {self.entry_id}" if self.entry_id is not None else "the chain"
        return f"first broken link: {where}: {self.problem} (expected {self.expected}, found {self.found})"


def verify(*, using: str = "default", chunk: int = 2000, anchors: dict[int, str] | None = None) -> Verdict:
    """Walk the chain from the first seal; the first broken link, or the count and the last hash.

    Checks in order, per link: the sequence has no gap, ``prev_hash`` is the previous link's hash,
    the entry still exists, and the entry and seal as stored still hash to the sealed hash; then
    that no entry is left without a seal. ``anchors`` ({seq: hash} kept outside the database, e.g.
    printed in a monthly return) must match too: they catch a chain rewritten from the start."""
    from auditlog.models import LogEntry

    from core.models import AuditSeal

    anchors = dict(anchors or {})
    expected_seq, prev, count, last_seq = 1, GENESIS, 0, 0
    prev_entry: int | None = None
    seals = AuditSeal.objects.using(using).order_by("seq")
    while True:
        rows = list(seals.filter(seq__gt=last_seq).values("hash", *SEAL_FIELDS)[:chunk])
        if not rows:
            break
        entries = _entry_values(LogEntry, (r["entry_id"] for r in rows), using)
        for row in rows:
            entry_id, seq = row["entry_id"], row["seq"]
            if seq != expected_seq:
                after = f"after entry {prev_entry}" if prev_entry is not None else "at the start"
                return Verdict(
                    False,
                    count,
                    prev,
                    entry_id,
                    f"seal(s) missing {after} (entries deleted)",
                    f"seq {expected_seq}",
                    f"seq {seq}",
                )
            if row["prev_hash"] != prev:
                return Verdict(
                    False,
                    count,
                    prev,
                    entry_id,
                    f"seq {seq} does not follow the link before it",
                    prev,
                    row["prev_hash"],
                )
            values = entries.get(entry_id)
            if values is None:
                return Verdict(
                    False,
                    count,
                    prev,
                    entry_id,
                    f"seq {seq}: the entry was deleted, its seal remains",
                    "the entry",
                    "nothing",
                )
            actual = seal_hash(values, row)
            if actual != row["hash"]:
                return Verdict(
                    False, count, prev, entry_id, f"seq {seq}: the entry or its seal was altered", row["hash"], actual
                )
            if seq in anchors and anchors.pop(seq) != row["hash"]:
                return Verdict(
                    False, count, prev, entry_id, f"seq {seq} differs from the anchored hash", "the anchor", row["hash"]
                )
            prev, prev_entry, count, expected_seq, last_seq = row["hash"], entry_id, count + 1, seq + 1, seq
    if anchors:
        seq = min(anchors)
        return Verdict(
            False, count, prev, None, f"the anchored seq {seq} is beyond the chain's end", anchors[seq], "no such link"
        )
    unsealed = (
        LogEntry._base_manager.using(using)
        .filter(seal__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if unsealed is not None:
        return Verdict(
            False, count, prev, unsealed, "the entry has no seal (written around the chain)", "a seal", "none"
        )
    return Verdict(True, count, prev)
