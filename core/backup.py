"""Backups that can be proved restorable: a pg_dump, a copy of the file store, and a manifest of both.

``take`` (``manage.py backup DIR``) writes into DIR:

- ``db.dump``: ``pg_dump --format=custom`` of the database, taken in an exported snapshot;
- ``media/``: every object of the file store (MEDIA_ROOT on disk, or the S3 bucket), copied
  through Django's storage and hashed while copied;
- ``manifest.json``: the audit trail's chain checked and its head (``SEQ:HASH``, an anchor for
  ``audit_verify`` after a restore); per table its row count and an order-free checksum of its rows, computed in
  the *same snapshot* as the dump (so the figures describe exactly what the dump holds); the
  SHA-256 and size of every copied file; per evidence field (a file with its recorded SHA-256:
  scans, plate photos, letters, returns, attachments...) how many rows point at a file, and any
  row whose file is missing or differs from its recorded hash already at backup time.

``restore_media`` and ``verify`` serve ``deploy/restore.sh``: the first copies ``media/`` into a
fresh store, the second compares a restored database and store with the manifest and names
every table, row set or file that differs.

PostgreSQL only (pg_dump); the embedded SQLite default is a file to copy while the app is stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections, models, transaction
from django.utils import timezone

from core import audit_chain

MANIFEST = "manifest.json"
DUMP = "db.dump"
MEDIA = "media"
FORMAT = 1
CHUNK = 1024 * 1024

# Row text is rendered by the server: the same settings on both sides make the same text.
_STABLE_RENDERING = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)
# Tables of the current schema; a partitioned table counted once, through its parent.
_TABLES_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname
"""


class BackupError(Exception):
    pass


def _client(name: str) -> str:
    """The PostgreSQL client program on PATH (the image's postgresql-client, as new as the server)."""
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (postgresql-client) of the server's version"
        )
    return path


def pg_env(using: str = "default") -> dict[str, str]:
    """libpq's variables for the Django database (no password on a command line)."""
    s = connections[using].settings_dict
    if not s["ENGINE"].endswith("postgresql"):
        raise BackupError(f"database {using!r} is not PostgreSQL: pg_dump/pg_restore need it")
    env = {**os.environ, "PGDATABASE": s["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[var] = str(s[key])
    return env


# --- tables ------------------------------------------------------------------------------------


def table_fingerprints(using: str = "default", *, checksums: bool = True) -> dict[str, dict]:
    """``{table: {"rows": n, "checksum": "..."}}`` for every table, in the caller's transaction.

    The checksum is the sum over rows of the first 60 bits of md5(row as text): independent of row
    order (a restore rewrites the heap in another order), computed in one pass with constant memory.
    """
    out: dict[str, dict] = {}
    with connections[using].cursor() as cursor:
        for statement in _STABLE_RENDERING:
            cursor.execute(statement)
        cursor.execute(_TABLES_SQL)
        tables = [r[0] for r in cursor.fetchall()]
        qn = connections[using].ops.quote_name
        for table in tables:
            if checksums:
                cursor.execute(
                    "SELECT count(*), COALESCE(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text "  # noqa: S608
                    f"FROM {qn(table)} AS t"
                )
                rows, checksum = cursor.fetchone()
                out[table] = {"rows": rows, "checksum": checksum}
            else:
                cursor.execute(f"SELECT count(*) FROM {qn(table)}")  # noqa: S608
                out[table] = {"rows": cursor.fetchone()[0]}
    return out


# --- evidence files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceField:
    model: type[models.Model]
    file_field: str
    hash_field: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.file_field}"


def evidence_fields() -> list[EvidenceField]:
    """Every file field of the project whose row records the file's SHA-256 (``<field>_sha256``,
    else ``sha256``): the files the app itself checks when it serves them."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                hash_field = next((h for h in (f"{f.name}_sha256", "sha256") if h in names), None)
                if hash_field:
                    found.append(EvidenceField(model, f.name, hash_field))
    return sorted(found, key=lambda e: e.label)


def evidence_refs(using: str = "default") -> Iterator[tuple[EvidenceField, int, str, str]]:
    """``(field, pk, stored name, recorded SHA-256)`` of every row that points at a file."""
    for ef in evidence_fields():
        rows = ef.model._base_manager.using(using).exclude(**{ef.file_field: ""}).order_by("pk")
        for pk, name, digest in rows.values_list("pk", ef.file_field, ef.hash_field).iterator(chunk_size=5000):
            yield ef, pk, name, digest


# --- the store ---------------------------------------------------------------------------------


def walk(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every stored name under ``prefix``, depth first (FileSystemStorage and S3Storage alike)."""
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:  # a MEDIA_ROOT not made yet: an empty store
        if prefix:
            raise
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for d in sorted(dirs):
        yield from walk(storage, f"{prefix}{d}/")


def _hash_copy(src, dst=None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if dst is not None:
            dst.write(chunk)
    return digest.hexdigest(), size


def stored_digest(storage: Storage, name: str) -> tuple[str, int] | None:
    try:
        with storage.open(name, "rb") as fh:
            return _hash_copy(fh)
    except (OSError, FileNotFoundError):
        return None
    except Exception as exc:  # S3: botocore's ClientError (NoSuchKey) is no OSError
        if type(exc).__name__ in ("ClientError", "NoSuchKey"):
            return None
        raise


# --- backup ------------------------------------------------------------------------------------


@dataclass
class Result:
    directory: Path
    manifest: dict = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return self.manifest.get("problems", [])


def take(directory: Path, *, using: str = "default", storage: Storage | None = None, checksums: bool = True) -> Result:
    """Write a backup into ``directory`` (new or empty). See the module's docstring."""
    storage = storage or default_storage
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory")
    pg_dump = _client("pg_dump")
    (directory / MEDIA).mkdir(parents=True, exist_ok=True)
    dump_path = directory / DUMP
    connection = connections[using]
    env = pg_env(using)
    refs: list[tuple[str, int, str, str]] = []
    with tempfile.TemporaryFile() as errors, transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version'), now()")
            snapshot, server_version, taken_at = cursor.fetchone()
        # pg_dump reads the snapshot this transaction holds open: the dump and the figures below agree.
        dump = subprocess.Popen(  # noqa: S603 - our own arguments
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(dump_path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,  # a file, not a pipe: nobody reads it until pg_dump ends
        )
        try:
            tables = table_fingerprints(using, checksums=checksums)
            refs = [(ef.label, pk, name, digest) for ef, pk, name, digest in evidence_refs(using)]
            # The audit chain as dumped: checked now, and its head kept as an anchor for the restore's check.
            chain = audit_chain.verify(using=using)
        finally:
            dump.wait()
        if dump.returncode:
            errors.seek(0)
            raise BackupError(f"pg_dump exited {dump.returncode}: {errors.read().decode(errors='replace').strip()}")
    with dump_path.open("rb") as fh:
        dump_sha, dump_size = _hash_copy(fh)

    # The files after the snapshot: files are written before the rows that name them and never
    # rewritten in place, so every file a row of the dump names is already there.
    files: dict[str, dict] = {}
    for name in walk(storage):
        target = directory / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as src, target.open("wb") as dst:
            digest, size = _hash_copy(src, dst)
        files[name] = {"sha256": digest, "size": size}

    evidence: dict[str, dict] = {}
    problems: list[str] = []
    for label, pk, name, recorded in refs:
        entry = evidence.setdefault(label, {"rows": 0, "files": set()})
        entry["rows"] += 1
        entry["files"].add(name)
        copied = files.get(name)
        if copied is None:
            problems.append(f"{label} row {pk}: file {name} is missing from the store")
        elif recorded and copied["sha256"] != recorded:
            problems.append(f"{label} row {pk}: file {name} has SHA-256 {copied['sha256']}, recorded {recorded}")
    if not chain.ok:
        problems.append(f"audit trail: {chain}")
    manifest = {
        "format": FORMAT,
        "audit": {"intact": chain.ok, "entries": chain.count, "anchor": f"{chain.count}:{chain.last_hash}"},
        "taken_at": taken_at.isoformat(),
        "written_at": timezone.now().isoformat(),
        "database": {"name": connection.settings_dict["NAME"], "server_version": server_version},
        "dump": {"file": DUMP, "sha256": dump_sha, "size": dump_size},
        "tables": tables,
        "files": files,
        "evidence": {k: {"rows": v["rows"], "files": len(v["files"])} for k, v in sorted(evidence.items())},
        "problems": problems,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False))
    return Result(directory, manifest)


def load_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{path}: no manifest (not a backup directory?)")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: manifest format {manifest.get('format')!r}, this version reads {FORMAT}")
    return manifest


# --- restore -----------------------------------------------------------------------------------


def check_dump(directory: Path) -> None:
    manifest = load_manifest(directory)
    with (Path(directory) / DUMP).open("rb") as fh:
        digest, _ = _hash_copy(fh)
    if digest != manifest["dump"]["sha256"]:
        raise BackupError(f"{DUMP}: SHA-256 {digest}, the manifest says {manifest['dump']['sha256']}: the dump changed")


def database_is_empty(using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(_TABLES_SQL)
        return cursor.fetchone() is None


def check_targets(directory: Path, *, using: str = "default", storage: Storage | None = None, media: bool = True):
    """Before anything is written: the dump is the one the manifest names, the database and the store are empty."""
    check_dump(directory)
    if not database_is_empty(using):
        raise BackupError(f"database {connections[using].settings_dict['NAME']!r} has tables: restore into a new one")
    if media and next(walk(storage or default_storage), None) is not None:
        raise BackupError("the file store is not empty: restore into a new MEDIA_ROOT or bucket")


def restore_database(directory: Path, *, using: str = "default", jobs: int = 1) -> None:
    """pg_restore the dump into the (empty) database; owners and grants become the connecting user's."""
    check_targets(directory, using=using, media=False)
    connections[using].close()  # pg_restore's own session does the work
    cmd = [
        _client("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--dbname",
        pg_env(using)["PGDATABASE"],
    ]
    cmd += [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
    done = subprocess.run(  # noqa: S603 - our own arguments, the PostgreSQL client on PATH
        [*cmd, str(Path(directory) / DUMP)], env=pg_env(using), capture_output=True, text=True
    )
    if done.returncode:
        raise BackupError(f"pg_restore exited {done.returncode}: {done.stderr.strip()}")


def restore_media(directory: Path, *, storage: Storage | None = None) -> int:
    """Copy the backup's ``media/`` into the (empty) store under the same names. Returns the file count."""
    storage = storage or default_storage
    if next(walk(storage), None) is not None:
        raise BackupError("the file store is not empty: restore into a new MEDIA_ROOT or bucket")
    root = Path(directory) / MEDIA
    count = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        with path.open("rb") as fh:
            saved = storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(f"{name} was stored as {saved}")
        count += 1
    return count


# --- verification ------------------------------------------------------------------------------


def verify(directory: Path, *, using: str = "default", storage: Storage | None = None) -> list[str]:
    """Differences between the restored database and store and the backup's manifest, one line each
    (empty: they agree). Also every evidence row whose file is missing or no longer matches its hash."""
    storage = storage or default_storage
    manifest = load_manifest(directory)
    differences: list[str] = []
    checksums = any("checksum" in t for t in manifest["tables"].values())
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        tables = table_fingerprints(using, checksums=checksums)
        refs = list(evidence_refs(using))
    for table, want in sorted(manifest["tables"].items()):
        got = tables.get(table)
        if got is None:
            differences.append(f"table {table}: missing")
        elif got["rows"] != want["rows"]:
            differences.append(f"table {table}: {got['rows']} rows, backup had {want['rows']}")
        elif "checksum" in want and got.get("checksum") != want["checksum"]:
            differences.append(f"table {table}: same {got['rows']} rows but their contents differ (checksum)")
    differences += [f"table {t}: not in the backup" for t in sorted(set(tables) - set(manifest["tables"]))]

    present = set(walk(storage))
    for name, want in sorted(manifest["files"].items()):
        if name not in present:
            differences.append(f"file {name}: missing")
            continue
        digest = stored_digest(storage, name)
        if digest is None or digest[0] != want["sha256"]:
            differences.append(f"file {name}: SHA-256 {digest[0] if digest else '?'}, backup had {want['sha256']}")
    differences += [f"file {n}: not in the backup" for n in sorted(present - set(manifest["files"]))]

    checked: dict[str, tuple[str, int] | None] = {}
    for ef, pk, name, recorded in refs:
        if name not in checked:
            checked[name] = stored_digest(storage, name) if name in present else None
        stored = checked[name]
        if stored is None:
            differences.append(f"{ef.label} row {pk}: file {name} is missing from the store")
        elif recorded and stored[0] != recorded:
            differences.append(f"{ef.label} row {pk}: file {name} has SHA-256 {stored[0]}, recorded {recorded}")
    return differences
