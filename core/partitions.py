"""Monthly partitions of the big append-mostly tables on PostgreSQL (plate reads, audit entries,
notifications): how a table becomes partitioned, how partitions are made ahead, listed, and how
those past their table's retention leave it (detached, archived to a file with its SHA-256,
recorded in ``PartitionArchive``).

Layout: ``<table>`` is ``PARTITION BY RANGE (<time column>)``, one partition per calendar month
in UTC, named ``<table>_pYYYYMM`` ([first instant of the month, first instant of the next)), and
``<table>_default`` for a row no monthly partition takes (the beat job should never let that
happen; ``ensure`` moves such rows into their month once it exists). PostgreSQL requires every
primary key and unique index of a partitioned table to contain the partition key, so the primary
key is ``(id, <time column>)``; ``id`` still comes from one sequence, so it stays unique, and the
ORM keeps using it alone. No foreign key can point INTO such a table: those that did are
``db_constraint=False`` (``PlateMatch.read``, ``PlateLabel.read``, ``AuditSeal.entry``) and their
integrity is the services' (and their tests'), plus the archive guard below.

Apps register their tables (``register``, from ``AppConfig.ready``), with a *guard* that says
why a partition may not leave yet (rows still pointing at it). SQLite (the embedded default) is
not partitioned: every function here is a no-op there.

Retention (``settings.PARTITION_RETENTION_MONTHS``): a partition whose whole month ended more
than that many months ago is *archived*: its rows copied out with ``COPY … (FORMAT csv, HEADER)``
into ``partitions/<table>/<partition>.csv.gz`` in the archive storage, then (under the table's lock,
briefly) detached, re-counted, the file read back and its SHA-256 and row count checked, a
``PartitionArchive`` row written; then the detached table is kept in the ``archive`` schema (``keep_detached``: the audit
trail, whose chain ``audit_verify`` still walks there) or dropped (plate reads, notifications:
the file is their copy). Records of transit operations are kept at least ``RETENTION_YEARS``
(declarations.retention): the settings refuse a shorter retention for such tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

ARCHIVE_SCHEMA = "archive"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


# --- registry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    table: str
    column: str
    # Holds records of transit operations: retention at least RETENTION_YEARS.
    records: bool
    # Keep the detached table (in the archive schema) after its file is written and checked.
    keep_detached: bool
    # guard(partition_name) -> a reason the partition must stay attached, or "" when it may go.
    guard: Callable[[str], str] | None = None


REGISTRY: dict[str, Spec] = {}


def register(
    table: str,
    column: str,
    *,
    records: bool,
    keep_detached: bool = False,
    guard: Callable[[str], str] | None = None,
) -> None:
    for name in (table, column):
        if not _NAME.match(name):
            raise ValueError(f"not a plain SQL name: {name!r}")
    REGISTRY[table] = Spec(table, column, records, keep_detached, guard)


def retention_months(table: str) -> int | None:
    """Months a table's partitions stay attached; None keeps them for ever."""
    months = settings.PARTITION_RETENTION_MONTHS.get(table)
    spec = REGISTRY.get(table)
    if months is not None and spec is not None and spec.records and months < settings.RETENTION_YEARS * 12:
        raise ValueError(
            f"PARTITION_RETENTION_MONTHS[{table!r}] = {months}: records are kept at least "
            f"{settings.RETENTION_YEARS} years ({settings.RETENTION_YEARS * 12} months)"
        )
    return months


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- months ---------------------------------------------------------------------------------------


def month_start(t: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(t, dt.datetime):
        t = t.astimezone(dt.UTC) if t.tzinfo else t
    return dt.datetime(t.year, t.month, 1, tzinfo=dt.UTC)


def add_months(t: dt.datetime, n: int) -> dt.datetime:
    index = t.year * 12 + (t.month - 1) + n
    return t.replace(year=index // 12, month=index % 12 + 1, day=1)


def partition_name(table: str, start: dt.datetime) -> str:
    return f"{table}_p{start:%Y%m}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


# --- converting a table (migrations) --------------------------------------------------------------


def convert_sql_steps(cursor, table: str, column: str, months_ahead: int) -> None:
    """Turn the plain table ``table`` into one partitioned by month on ``column``, keeping its rows,
    ids, columns, defaults, checks, indexes, unique and foreign-key constraints and triggers.

    Every unique index must already contain ``column`` (PostgreSQL's rule); the migration that
    calls this changes them first. No foreign key may point into ``table``: ``DROP TABLE`` fails
    if one does (they are made ``db_constraint=False`` first)."""
    for name in (table, column):
        assert _NAME.match(name), name
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
    if cursor.fetchone()[0] == "p":
        return  # already partitioned
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
        [table],
    )
    cursor_indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
        [table],
    )
    constraints = cursor.fetchall()
    constraint_names = {name for name, _, _ in constraints}
    indexes = [(name, sql) for name, sql in cursor_indexes if name not in constraint_names]
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
    )
    triggers = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT a.attname, a.attidentity FROM pg_attribute a WHERE a.attrelid = %s::regclass "
        "AND a.attidentity <> '' AND NOT a.attisdropped",
        [table],
    )
    identity = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', {_q(column)} AT TIME ZONE 'UTC') FROM {_q(table)}"  # noqa: S608
    )
    months = {dt.datetime(m.year, m.month, 1, tzinfo=dt.UTC) for (m,) in cursor.fetchall()}
    now = month_start(timezone.now())
    months |= {add_months(now, n) for n in range(-1, months_ahead + 1)}

    new = f"{table}__partitioned"
    cursor.execute(
        f"CREATE TABLE {_q(new)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        f"PARTITION BY RANGE ({_q(column)})"
    )
    for start in sorted(months):
        cursor.execute(
            f"CREATE TABLE {_q(partition_name(table, start))} PARTITION OF {_q(new)} FOR VALUES FROM (%s) TO (%s)",
            [start, add_months(start, 1)],
        )
    cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(new)} DEFAULT")
    cursor.execute(f"INSERT INTO {_q(new)} SELECT * FROM {_q(table)}")  # noqa: S608
    cursor.execute(f"DROP TABLE {_q(table)}")  # fails while a foreign key still points into it
    cursor.execute(f"ALTER TABLE {_q(new)} RENAME TO {_q(table)}")
    # PostgreSQL 15 has no identity column on a partitioned table: a sequence of its own instead.
    for col in identity:
        seq = f"{table}_{col}_seq"
        cursor.execute(f"CREATE SEQUENCE {_q(seq)} AS bigint OWNED BY {_q(table)}.{_q(col)}")
        cursor.execute(
            f"SELECT setval(%s, COALESCE((SELECT max({_q(col)}) FROM {_q(table)}), 0) + 1, false)",  # noqa: S608
            [seq],
        )
        cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(col)} SET DEFAULT nextval(%s::regclass)", [seq])
    for name, kind, definition in constraints:
        if kind == "p":
            cols = definition[definition.index("(") + 1 : definition.rindex(")")]
            if column not in [c.strip().strip('"') for c in cols.split(",")]:
                definition = f"PRIMARY KEY ({cols}, {_q(column)})"
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for _name, sql in indexes:
        cursor.execute(sql)  # CREATE INDEX … ON public.<table> …: on a partitioned table, on every partition
    for sql in triggers:
        cursor.execute(sql)  # a row trigger on the parent is cloned on every partition, present and future


def convert(table: str, column: str, months_ahead: int = 3):
    """A ``RunPython`` forward function: partition ``table`` on PostgreSQL, nothing on SQLite."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            convert_sql_steps(cursor, table, column, months_ahead)

    return run


# --- listing --------------------------------------------------------------------------------------


@dataclass
class PartitionInfo:
    table: str
    name: str
    start: dt.datetime | None  # None: the default partition
    end: dt.datetime | None
    rows: int
    bytes: int

    @property
    def is_default(self) -> bool:
        return self.start is None


_BOUND = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


def _parse_bound(text: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    m = _BOUND.search(text)
    if not m:
        return None, None
    return dt.datetime.fromisoformat(m.group(1)), dt.datetime.fromisoformat(m.group(2))


def partitions(table: str, *, exact: bool = False) -> list[PartitionInfo]:
    """The table's attached partitions, oldest first (the default last), with rows and size on disk.

    Rows are the planner's estimate (``reltuples``, kept by autovacuum/ANALYZE) unless ``exact``."""
    if not is_postgresql():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint, "
            "pg_total_relation_size(c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        rows = cursor.fetchall()
        out = []
        for name, bound, estimate, size in rows:
            start, end = _parse_bound(bound)
            if exact:
                cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608
                estimate = cursor.fetchone()[0]
            out.append(PartitionInfo(table, name, start, end, max(int(estimate), 0), int(size)))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(out, key=lambda p: p.start or far)


def is_partitioned(table: str) -> bool:
    if not is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


# --- ensuring partitions ahead --------------------------------------------------------------------


def ensure(
    table: str, months_ahead: int | None = None, now: dt.datetime | None = None, months_back: int = 1
) -> list[str]:
    """Create the monthly partitions from ``months_back`` months back to ``months_ahead`` ahead, the default
    partition, and the month of every row waiting in the default partition (the rows move into it),
    where missing. Returns the names created."""
    if not is_partitioned(table):
        return []
    ahead = settings.PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    spec = REGISTRY.get(table)
    column = spec.column if spec else None
    first = month_start(now or timezone.now())
    existing = {p.name for p in partitions(table)}
    default = f"{table}_default"
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        if default not in existing:
            cursor.execute(f"CREATE TABLE {_q(default)} PARTITION OF {_q(table)} DEFAULT")
            created.append(default)
        months = {add_months(first, n) for n in range(-months_back, ahead + 1)}
        if column and default in existing:
            # A late replay from a camera back after a long outage, say: those months get theirs too.
            cursor.execute(
                f"SELECT DISTINCT date_trunc('month', {_q(column)} AT TIME ZONE 'UTC') FROM {_q(default)}"  # noqa: S608
            )
            months |= {dt.datetime(m.year, m.month, 1, tzinfo=dt.UTC) for (m,) in cursor.fetchall()}
        for start in sorted(months):
            name = partition_name(table, start)
            if name in existing:
                continue
            _create_month(cursor, table, column, name, start, add_months(start, 1))
            created.append(name)
    for name in created:
        log.info("partition %s created", name)
    return created


def _create_month(cursor, table: str, column: str | None, name: str, start: dt.datetime, end: dt.datetime) -> None:
    default = f"{table}_default"
    waiting = 0
    if column:
        cursor.execute(
            f"SELECT count(*) FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s",  # noqa: S608
            [start, end],
        )
        waiting = cursor.fetchone()[0]
    if not waiting or column is None:
        cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)", [start, end])
        return
    # Rows of this month already in the default partition: PostgreSQL refuses the new partition
    # while they are there, so the default is detached (its cloned triggers go with it, so the
    # audit trail's append-only trigger does not refuse the move), the rows moved, and it comes back.
    cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
    cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)", [start, end])
    where = f"{_q(column)} >= %s AND {_q(column)} < %s"
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(default)} WHERE {where}", [start, end])  # noqa: S608
    cursor.execute(f"DELETE FROM {_q(default)} WHERE {where}", [start, end])  # noqa: S608
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(default)} DEFAULT")
    log.warning("partition %s: %s rows moved out of %s", name, waiting, default)


def ensure_all(months_ahead: int | None = None) -> dict[str, list[str]]:
    return {table: ensure(table, months_ahead) for table in REGISTRY}


# --- archiving ------------------------------------------------------------------------------------


class PartitionArchiveError(Exception):
    """An archived partition's file does not match what was recorded."""


def archive_storage() -> Storage:
    """``STORAGES["archive"]`` when the deployment names one (an S3 bucket of its own), else ``ARCHIVE_DIR``."""
    if "archive" in settings.STORAGES:
        return storages["archive"]
    return FileSystemStorage(location=settings.ARCHIVE_DIR)


@dataclass
class Outcome:
    table: str
    name: str
    archived: bool
    reason: str = ""
    rows: int = 0
    file: str = ""
    sha256: str = ""


def due(table: str, now: dt.datetime | None = None) -> list[PartitionInfo]:
    """Monthly partitions whose whole month ended before the table's retention cutoff."""
    months = retention_months(table)
    if months is None:
        return []
    cutoff = add_months(month_start(now or timezone.now()), -months)
    return [p for p in partitions(table) if p.end is not None and p.end <= cutoff]


def _dump(cursor, name: str) -> tuple[tempfile.SpooledTemporaryFile[bytes], int, str]:
    """The partition as gzip'd CSV with a header, its row count and SHA-256."""
    raw = tempfile.TemporaryFile()
    cursor.copy_expert(f"COPY {_q(name)} TO STDOUT WITH (FORMAT csv, HEADER)", raw)
    raw.seek(0)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        while block := raw.read(1 << 20):
            gz.write(block)
    raw.close()
    out.seek(0)
    digest = hashlib.sha256()
    while block := out.read(1 << 20):
        digest.update(block)
    out.seek(0)
    return out, count_rows(out), digest.hexdigest()


def count_rows(fileobj) -> int:
    """Rows in a gzip'd CSV with a header (quoted newlines counted right)."""
    fileobj.seek(0)
    with gzip.open(fileobj, "rt", encoding="utf-8", newline="") as text:
        n = sum(1 for _ in csv.reader(text)) - 1
    fileobj.seek(0)
    return n


def verify_file(record) -> None:
    """Read an archived partition's file back; raise unless its SHA-256 and row count are as recorded."""
    storage = archive_storage()
    with storage.open(record.file, "rb") as fh:
        data = fh.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != record.sha256:
        raise PartitionArchiveError(f"{record.file}: SHA-256 {digest}, recorded {record.sha256}")
    rows = count_rows(io.BytesIO(data))
    if rows != record.rows:
        raise PartitionArchiveError(f"{record.file}: {rows} rows, recorded {record.rows}")


def archive_partition(table: str, part: PartitionInfo) -> Outcome:
    """Write one partition's file and check it, then detach the partition, record the file and keep
    or drop the detached table.

    The rows are copied out while the partition is still attached (one ``COPY``: one snapshot),
    so the table's exclusive lock is held only for the short second step, which re-counts the
    rows under that lock: a row that came or went in between refuses the archive (rolled back,
    partition attached, file removed)."""
    from core.models import PartitionArchive

    spec = REGISTRY[table]
    if part.start is None or part.end is None:
        raise ValueError(f"{part.name}: the default partition is never archived")
    reason = spec.guard(part.name) if spec.guard else ""
    if reason:
        return Outcome(table, part.name, False, reason)
    storage = archive_storage()
    with connection.cursor() as cursor:
        dump, rows, digest = _dump(cursor.cursor, part.name)
    path = storage.save(f"partitions/{table}/{part.name}.csv.gz", File(dump, name=f"{part.name}.csv.gz"))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Checks of rows written earlier in this transaction (deferred foreign keys) are done
            # first: PostgreSQL will not detach or drop a table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(part.name)}")
            cursor.execute(f"SELECT count(*) FROM {_q(part.name)}")  # noqa: S608
            now_rows = cursor.fetchone()[0]
            if now_rows != rows:
                raise PartitionArchiveError(f"{part.name}: {now_rows} rows now, {rows} in the file")
            record = PartitionArchive.objects.create(
                table=table,
                partition=part.name,
                range_start=part.start,
                range_end=part.end,
                rows=rows,
                size_bytes=storage.size(path),
                sha256=digest,
                file=path,
                kept_in_database=spec.keep_detached,
            )
            verify_file(record)  # the file as stored, read back
            if spec.keep_detached:
                cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
                cursor.execute(f"ALTER TABLE {_q(part.name)} SET SCHEMA {ARCHIVE_SCHEMA}")
            else:
                cursor.execute(f"DROP TABLE {_q(part.name)}")
    except Exception:
        storage.delete(path)
        raise
    log.info("partition %s archived: %s rows to %s (sha256 %s)", part.name, rows, path, digest)
    return Outcome(table, part.name, True, "", rows, path, digest)


def restore_partition(name: str) -> Outcome:
    """Bring an archived month's rows back into the database, to be read (a court asks for a plate's
    sightings of six years ago): the file is checked against its record first (SHA-256 and rows),
    then loaded into ``archive.<partition>``, a plain table with the parent's columns, in one
    transaction that re-counts the rows. The month is not re-attached: the active table keeps its
    retention, and the nightly job would only archive it again."""
    from core.models import PartitionArchive

    record = PartitionArchive.objects.filter(partition=name).first()
    if record is None:
        raise PartitionArchiveError(f"{name}: no archived partition of that name (partitions list names them)")
    target = f"{ARCHIVE_SCHEMA}.{_q(name)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [target])
        if cursor.fetchone()[0] is not None:
            raise PartitionArchiveError(f"{name}: already in the database as {target}")
    verify_file(record)
    storage = archive_storage()
    with storage.open(record.file, "rb") as fh, gzip.open(fh, "rt", encoding="utf-8", newline="") as text:
        header = next(csv.reader(text), [])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [record.table],
            )
            columns = {row[0] for row in cursor.fetchall()}
            unknown = [c for c in header if c not in columns]
            if not header or unknown:
                raise PartitionArchiveError(
                    f"{record.file}: columns {', '.join(unknown) or '(none)'} are not in {record.table} any more"
                )
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
            cursor.execute(f"CREATE TABLE {target} (LIKE {_q(record.table)} INCLUDING DEFAULTS)")
            # The header line was read above; COPY takes the rest as they are.
            cursor.cursor.copy_expert(
                f"COPY {target} ({', '.join(_q(c) for c in header)}) FROM STDIN WITH (FORMAT csv)", text
            )
            cursor.execute(f"SELECT count(*) FROM {target}")  # noqa: S608
            rows = cursor.fetchone()[0]
            if rows != record.rows:
                raise PartitionArchiveError(f"{name}: {rows} rows loaded, {record.rows} recorded")
    log.info("partition %s restored from %s into %s: %s rows", name, record.file, target, rows)
    return Outcome(record.table, name, True, "", rows, record.file, record.sha256)


def archive_due(now: dt.datetime | None = None) -> list[Outcome]:
    """Archive every registered table's partitions past its retention (each in its own transaction)."""
    out: list[Outcome] = []
    for table in REGISTRY:
        if not is_partitioned(table):
            continue
        for part in due(table, now):
            outcome = archive_partition(table, part)
            if not outcome.archived:
                log.warning("partition %s stays attached: %s", part.name, outcome.reason)
            out.append(outcome)
    return out


def archived_tables(table: str) -> list[str]:
    """Detached partitions of ``table`` still in the database (the archive schema), qualified names."""
    if not is_postgresql():
        return []
    from core.models import PartitionArchive

    names = PartitionArchive.objects.filter(table=table, kept_in_database=True).values_list("partition", flat=True)
    with connection.cursor() as cursor:
        out = []
        for name in names:
            cursor.execute("SELECT to_regclass(%s)", [f"{ARCHIVE_SCHEMA}.{name}"])
            if cursor.fetchone()[0] is not None:
                out.append(f"{ARCHIVE_SCHEMA}.{_q(name)}")
    return out
