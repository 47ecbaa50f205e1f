"""Backup and restore, end to end on real servers (deploy/backup.sh, deploy/restore.sh, core/backup.py).

The demo seed (200 declarations, with scans, plate photos, letters, returns, attachments) in the test
database and a media folder; deploy/backup.sh takes a dump, a copy of the files and a manifest;
deploy/restore.sh puts it into a fresh PostgreSQL server of the test's own and a fresh S3 bucket
(moto's S3 server, a real process) and verifies it; then what a careless restore would leave
(a changed row, a changed file, a lost file) is named by verify_restore."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from anpr.models import PlateRead
from declarations.models import TransitDeclaration
from scans.models import Scan
from tests import pgcluster

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_server():
    """moto's S3 server as a process of its own; yields its endpoint URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        pgcluster.wait_until(lambda: _answers(port) or proc.poll() is not None, "moto's S3 server starts", 30)
        assert proc.poll() is None, "moto's S3 server exited"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def fresh_server():
    why = pgcluster.available()
    if why:
        pytest.skip(why)
    clusters = pgcluster.Clusters(first_port=pgcluster.BASE_PORT + 2)
    try:
        server = clusters.primary("restore-target")
        server.psql("CREATE DATABASE restored")
        yield server
    finally:
        clusters.close()


def _run(args, env, ok=(0,)):
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode in ok, f"{args} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_", "DATABASE_"))}
    env.update(PYTHON=sys.executable, AWS_DEFAULT_REGION="us-east-1")
    return env


def test_backup_restores_into_a_fresh_server_and_bucket_and_differences_are_named(
    transactional_db, settings, tmp_path, s3_server, fresh_server
):
    import boto3

    call_command(
        "seed_demo", declarations=200, credentials=str(tmp_path / "credentials.json"), stdout=open(os.devnull, "w")
    )
    source = connection.settings_dict
    source_url = (
        f"postgres://{quote(source['USER'] or 'postgres')}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/"
        f"{source['NAME']}"
    )
    media = Path(settings.MEDIA_ROOT)
    media_files = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert len(media_files) > 50  # scans, previews, change maps, photos, letters, returns, attachments

    # 1. The nightly backup, from PostgreSQL and the media folder.
    backups = tmp_path / "backups"
    env = {**_base_env(), "DATABASE_URL": source_url, "MEDIA_ROOT": str(media)}
    _run(["sh", "deploy/backup.sh", str(backups)], env)
    (taken,) = [p for p in backups.iterdir() if p.is_dir()]
    assert not taken.name.endswith(".partial")
    manifest = json.loads((taken / "manifest.json").read_text())
    assert manifest["tables"]["declarations_transitdeclaration"]["rows"] == TransitDeclaration.objects.count() >= 200
    assert manifest["tables"]["scans_scan"]["rows"] == Scan.objects.count() > 0
    assert sorted(manifest["files"]) == media_files
    assert manifest["problems"] == []
    assert manifest["audit"]["intact"] and manifest["audit"]["entries"] > 0
    photo = PlateRead.objects.exclude(photo="").first()
    assert manifest["files"][photo.photo.name]["sha256"] == photo.photo_sha256
    assert manifest["evidence"]["scans.Scan.original"]["rows"] == Scan.objects.count()

    # 2. Restore into a new server's empty database and a new, empty bucket; verified by the script.
    s3 = boto3.client("s3", endpoint_url=s3_server, aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket="restored-media")
    restored_env = {
        **_base_env(),
        "DATABASE_URL": fresh_server.url("restored"),
        "S3_BUCKET": "restored-media",
        "S3_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY": "test",
        "S3_SECRET_KEY": "test",
    }
    done = _run(["sh", "deploy/restore.sh", str(taken)], restored_env)
    assert f"{len(media_files)} files restored" in done.stdout
    assert "restore matches the backup" in done.stdout
    assert "audit chain intact" in done.stdout
    assert f"audit chain intact: {manifest['audit']['entries']} entries" in done.stdout  # the anchor held
    keys = sorted(
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="restored-media")
        for o in page.get("Contents", [])
    )
    assert keys == media_files

    # A restore refuses a database that is not empty (it would mix two histories).
    refused = _run([sys.executable, "manage.py", "restore_backup", str(taken)], restored_env, ok=(1,))
    assert "has tables" in refused.stderr

    # 3. A backup of the restored system (from S3 this time) describes the same rows and files.
    again = tmp_path / "again"
    _run([sys.executable, "manage.py", "backup", str(again)], restored_env)
    second = json.loads((again / "manifest.json").read_text())
    assert second["tables"] == manifest["tables"]
    assert second["files"] == manifest["files"]

    # 4. What differs is named: a changed row, a changed evidence file, a lost one.
    fresh_server.psql(
        "UPDATE declarations_transitdeclaration SET waybill_no = 'EDITED' "
        "WHERE id = (SELECT min(id) FROM declarations_transitdeclaration)",
        db="restored",
    )
    scan = Scan.objects.order_by("pk").first()
    s3.put_object(Bucket="restored-media", Key=scan.original.name, Body=b"not the scan")
    s3.delete_object(Bucket="restored-media", Key=photo.photo.name)
    failed = _run([sys.executable, "manage.py", "verify_restore", str(taken)], restored_env, ok=(1,))
    assert "table declarations_transitdeclaration: same" in failed.stderr
    assert f"file {scan.original.name}: SHA-256" in failed.stderr
    assert f"file {photo.photo.name}: missing" in failed.stderr
    assert f"scans.Scan.original row {scan.pk}: file {scan.original.name} has SHA-256" in failed.stderr
    assert f"anpr.PlateRead.photo row {photo.pk}: file {photo.photo.name} is missing" in failed.stderr
