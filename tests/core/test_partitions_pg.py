"""Monthly partitions on a real PostgreSQL (``core.partitions``): rows land in their month, the pages
and the audit chain still work across months, and a month past retention leaves the table into a
checked archive file, never lost; a month still pointed at stays."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from anpr import ingest, services, sightings
from anpr.models import PlateMatch, PlateRead
from core import partitions
from core.models import PartitionArchive
from notifications.models import Notification
from notifications.services import Message, notify
from tests.export_jobs import download

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = str(tmp_path / "archive")
    return Path(settings.ARCHIVE_DIR)


@pytest.fixture
def camera(bazargan):
    camera, _token = services.camera_register(office=bazargan, code="BZG-P", direction="out", lane="1")
    return camera


@pytest.fixture
def truck(declaration):
    from declarations.models import Vehicle
    from declarations.services import declaration_depart

    declaration_depart(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=20))
    return Vehicle.objects.get(pk=declaration.vehicle_id)


def _where(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row[0] if row else ""


def _read(camera, plate: str, at: dt.datetime, *, match: bool = True) -> int:
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])
    if match:
        sightings.reads_match(read_ids=[r.id])
    return r.id


def _month(t: dt.datetime) -> str:
    return f"{t.astimezone(dt.UTC):%Y%m}"


def _output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_reads_entries_and_notifications_land_in_their_month(camera, truck, origin_clerk):
    now = timezone.now()
    pk = _read(camera, truck.plate, now - dt.timedelta(minutes=5))
    assert _where("anpr_plateread", pk) == f"anpr_plateread_p{_month(now - dt.timedelta(minutes=5))}"
    entry = LogEntry.objects.order_by("-pk").first()
    assert (
        entry is not None and _where("auditlog_logentry", entry.pk) == f"auditlog_logentry_p{_month(entry.timestamp)}"
    )
    notify("camera_silent", [origin_clerk], title=Message("silent"), url="/", subject="camera:1")
    note = Notification.objects.get(user=origin_clerk)
    assert _where("notifications_notification", note.pk).startswith("notifications_notification_p")


def test_a_late_read_waits_in_the_default_partition_until_ensure_gives_it_its_month(camera, truck):
    old = timezone.now() - dt.timedelta(days=250)
    pk = _read(camera, truck.plate, old, match=False)
    assert _where("anpr_plateread", pk) == "anpr_plateread_default"
    out = _output("partitions", "ensure")
    assert f"anpr_plateread_p{_month(old)}" in out
    assert _where("anpr_plateread", pk) == f"anpr_plateread_p{_month(old)}"
    assert PlateRead.objects.get(pk=pk).plate == truck.plate  # same id, same row
    assert "up to date" in _output("partitions", "ensure")


def test_ensure_makes_the_months_ahead_and_list_shows_rows_and_sizes(camera, truck):
    _read(camera, truck.plate, timezone.now() - dt.timedelta(minutes=3))
    call_command("partitions", "ensure", "--months", "6", stdout=io.StringIO())
    ahead = partitions.add_months(partitions.month_start(timezone.now()), 6)
    names = {p.name for p in partitions.partitions("anpr_plateread")}
    assert f"anpr_plateread_p{ahead:%Y%m}" in names and "anpr_plateread_default" in names
    listing = _output("partitions", "list", "--exact")
    line = next(x for x in listing.splitlines() if f"anpr_plateread_p{_month(timezone.now())}" in x)
    assert " 1 rows" in line and ("kB" in line or "MB" in line)
    assert "auditlog_logentry" in listing and "notifications_notification" in listing


def test_the_pages_find_reads_across_months(client, hq, camera, truck, declaration):
    now = timezone.now()
    recent = _read(camera, truck.plate, now - dt.timedelta(hours=2))
    older = _read(camera, truck.plate, partitions.month_start(now) - dt.timedelta(hours=1))  # last month
    assert _where("anpr_plateread", recent) != _where("anpr_plateread", older)
    client.force_login(hq)
    search = download(client, "/anpr/plates/", {"q": truck.plate, "format": "csv"}).content.decode("utf-8-sig")
    assert len([row for row in csv.reader(io.StringIO(search)) if truck.plate in "".join(row)]) == 2
    vehicle_page = client.get(f"/declarations/vehicles/{truck.pk}/")
    assert vehicle_page.status_code == 200
    assert vehicle_page.content.decode().count("BZG-P") >= 2  # the sighting history: both reads, one per month
    assert client.get(f"/declarations/{declaration.pk}/").status_code == 200
    assert client.get("/").status_code == 200
    assert PlateMatch.objects.filter(read_id=recent, declaration=declaration).exists()


def test_a_month_past_retention_is_archived_to_a_checked_file_not_lost(settings, camera, truck, _archive_dir):
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "anpr_plateread": 60}
    old = timezone.now() - dt.timedelta(days=366 * 6)
    pk = _read(camera, "11ب11111", old, match=False)
    call_command("partitions", "ensure", stdout=io.StringIO())
    name = f"anpr_plateread_p{_month(old)}"
    assert _where("anpr_plateread", pk) == name
    assert any(p.name == name for p in partitions.due("anpr_plateread"))

    out = _output("partitions", "archive")
    assert f"{name}: 1 rows archived" in out
    assert not PlateRead.objects.filter(pk=pk).exists()  # out of the active table …
    record = PartitionArchive.objects.get(partition=name)
    assert record.rows == 1 and not record.kept_in_database
    path = _archive_dir / record.file
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["id"]), r["plate_raw"]) for r in rows] == [(pk, "11ب11111")]  # … and in the file
    assert "ok (1 rows" in _output("partitions", "verify")
    path.write_bytes(gzip.compress(b"id\n"))  # the file changed behind our back: verify says so
    with pytest.raises(CommandError):
        call_command("partitions", "verify", stdout=io.StringIO())


def test_an_archived_month_is_restored_from_its_checked_file_to_be_read(settings, camera, truck, _archive_dir):
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "anpr_plateread": 60}
    old = timezone.now() - dt.timedelta(days=366 * 6)
    pks = [_read(camera, plate, old, match=False) for plate in ("11ب11111", "22ج22222")]
    call_command("partitions", "ensure", stdout=io.StringIO())
    name = f"anpr_plateread_p{_month(old)}"
    call_command("partitions", "archive", stdout=io.StringIO())
    assert not PlateRead.objects.filter(pk__in=pks).exists()
    record = PartitionArchive.objects.get(partition=name)

    (_archive_dir / record.file).write_bytes(gzip.compress(b"id,plate_raw\n1,x\n"))  # a file not as recorded
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("partitions", "restore", name, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"archive.{name}"])
        assert cursor.fetchone()[0] is None  # nothing loaded from a file that does not check
    with pytest.raises(CommandError, match="no archived partition"):
        call_command("partitions", "restore", "anpr_plateread_p190001", stdout=io.StringIO())


def test_a_restored_month_reads_as_it_was_archived(settings, camera, truck, _archive_dir):
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "anpr_plateread": 60}
    old = timezone.now() - dt.timedelta(days=366 * 6)
    pks = [_read(camera, plate, old, match=False) for plate in ("11ب11111", "22ج22222")]
    call_command("partitions", "ensure", stdout=io.StringIO())
    name = f"anpr_plateread_p{_month(old)}"
    call_command("partitions", "archive", stdout=io.StringIO())

    out = _output("partitions", "restore", name)
    assert f"{name}: 2 rows restored into archive.{name}" in out
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, plate_raw FROM archive.{name} ORDER BY id")
        assert [(r[0], r[1]) for r in cursor.fetchall()] == list(zip(pks, ("11ب11111", "22ج22222"), strict=True))
    assert not PlateRead.objects.filter(pk__in=pks).exists()  # read where it was put, not back in the active table
    with pytest.raises(CommandError, match="already in the database"):
        call_command("partitions", "restore", name, stdout=io.StringIO())


def test_a_month_whose_reads_a_match_points_at_stays_attached(settings, camera, truck, declaration):
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "anpr_plateread": 60}
    old = timezone.now() - dt.timedelta(days=366 * 6)
    pk = _read(camera, "22ب22222", old, match=False)
    call_command("partitions", "ensure", stdout=io.StringIO())
    read = PlateRead.objects.get(pk=pk)
    PlateMatch.objects.create(
        read=read,
        declaration=declaration,
        vehicle_plate="22ب22222",
        score=1.0,
        exact=True,
        on_route=True,
        at_destination=False,
    )
    out = _output("partitions", "archive")
    assert "stays attached: 1 plate match(es)" in out
    assert PlateRead.objects.filter(pk=pk).exists() and not PartitionArchive.objects.exists()


def test_an_archived_audit_month_stays_in_the_chain_and_audit_verify_passes(settings, declaration):
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "auditlog_logentry": 60}
    old = timezone.now() - dt.timedelta(days=366 * 7)
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(declaration),
        object_pk=str(declaration.pk),
        object_id=declaration.pk,
        object_repr=str(declaration),
        action=LogEntry.Action.UPDATE,
        changes_text="",
        timestamp=old,
    )
    assert "intact" in _output("audit_verify")
    # Its month gets a partition: the entry moves out of the default one despite the append-only trigger.
    call_command("partitions", "ensure", stdout=io.StringIO())
    name = f"auditlog_logentry_p{_month(old)}"
    assert _where("auditlog_logentry", entry.pk) == name
    out = _output("partitions", "archive")
    assert f"{name}: 1 rows archived" in out
    assert not LogEntry.objects.filter(pk=entry.pk).exists()
    record = PartitionArchive.objects.get(partition=name)
    assert record.kept_in_database
    verdict = _output("audit_verify")
    assert "intact" in verdict  # the chain is walked through the archived month
    with connection.cursor() as cursor:
        # Still append-only there? It is out of the application's reach; the chain shows any change.
        cursor.execute(f"SELECT count(*) FROM archive.{name}")
        assert cursor.fetchone()[0] == 1


def test_the_audit_trail_still_refuses_updates_in_every_month(declaration):
    from django.db import DatabaseError, transaction

    entry = LogEntry.objects.order_by("-pk").first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [entry.pk])


def test_a_retention_shorter_than_the_record_keeping_rule_is_refused(settings):
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "anpr_plateread": 24}
    with pytest.raises(ValueError, match="at least 5 years"):
        partitions.retention_months("anpr_plateread")
    settings.PARTITION_RETENTION_MONTHS = {**settings.PARTITION_RETENTION_MONTHS, "notifications_notification": 3}
    assert partitions.retention_months("notifications_notification") == 3


def test_once_per_subject_holds_without_a_unique_index(origin_clerk):
    assert notify("camera_silent", [origin_clerk], title=Message("t"), url="/", subject="camera:9") == 1
    assert notify("camera_silent", [origin_clerk], title=Message("t"), url="/", subject="camera:9") == 0
    assert Notification.objects.filter(user=origin_clerk).count() == 1


def test_the_orm_keeps_what_the_missing_foreign_keys_would_have(camera, truck, declaration, hq):
    from django.db.models import ProtectedError

    from anpr.models import PlateLabel

    pk = _read(camera, truck.plate, timezone.now() - dt.timedelta(minutes=7))
    assert PlateMatch.objects.filter(read_id=pk).exists()
    assert not PlateMatch.objects.exclude(read_id__in=PlateRead.objects.values("id")).exists()  # no orphan
    read = PlateRead.objects.get(pk=pk)
    label = PlateLabel.objects.create(
        read=read,
        camera=camera,
        office=camera.office,
        captured_at=read.captured_at,
        plate=truck.plate,
        country="IR",
        corrected=False,
        reason="other",
        by=hq,
    )
    with pytest.raises(ProtectedError):
        read.delete()  # a label protects its read, as the foreign key did
    PlateLabel.objects.filter(pk=label.pk).delete()
    read.delete()
    assert not PlateMatch.objects.filter(read_id=pk).exists()  # and matches go with it


def test_the_nightly_job_makes_months_and_archives_what_is_due(settings):
    from core.tasks import partitions_daily

    settings.PARTITION_MONTHS_AHEAD = 5
    result = partitions_daily.delay().get()
    ahead = partitions.add_months(partitions.month_start(timezone.now()), 5)
    assert f"anpr_plateread_p{ahead:%Y%m}" in result["created"]["anpr_plateread"]
    assert result["archived"] == [] and result["kept"] == {}


def test_converting_a_table_keeps_its_rows_ids_indexes_and_sequence():
    """What the migrations do to a table that already has rows (a deployment upgrading)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE conv_t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, "
            "v text NOT NULL DEFAULT '' CHECK (v <> 'bad'))"
        )
        cursor.execute("CREATE INDEX conv_t_v ON conv_t (v, at)")
        cursor.execute(
            "INSERT INTO conv_t (at, v) VALUES ('2019-03-05T10:00Z', 'a'), ('2024-07-31T23:59Z', 'b'), (now(), 'c')"
        )
        partitions.convert_sql_steps(cursor, "conv_t", "at", 2)
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'conv_t'")
        assert cursor.fetchone()[0] == "p"
        cursor.execute("SELECT id, v, tableoid::regclass::text FROM conv_t ORDER BY id")
        assert cursor.fetchall()[:2] == [(1, "a", "conv_t_p201903"), (2, "b", "conv_t_p202407")]
        cursor.execute("INSERT INTO conv_t (at) VALUES (now()) RETURNING id")
        assert cursor.fetchone()[0] == 4  # the sequence goes on after the highest id
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'conv_t' ORDER BY 1")
        assert [r[0] for r in cursor.fetchall()] == ["conv_t_pkey", "conv_t_v"]
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'conv_t_pkey'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("INSERT INTO conv_t (at, v) VALUES (now(), 'bad')")  # the check came along
