#!/usr/bin/env bash
# Backup and restore on the demo data (docs/benchmarks.md, "Backup and restore"):
#   bench/backup_restore.sh [DECLARATIONS] [PG_URL_BASE]
# seeds a new database <base>/h_backup_bench with DECLARATIONS (default 20000) and evidence, then times
# deploy/backup.sh's command, the restore into a new database and media folder, verify_restore and
# audit_verify. Leaves nothing behind but the printed figures (the databases and folders are dropped).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
base=${2:-postgres://postgres@127.0.0.1:5432}
py=${PYTHON:-.venv/bin/python}
work=$(mktemp -d /tmp/tm-bench-backup-XXXX)
src=h_backup_bench; dst=h_backup_bench_restored
psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
trap 'psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst"; rm -rf "$work"' EXIT
export -n REDIS_URL 2>/dev/null || true
TIMEFORMAT='%R s'
step() { local name=$1; shift; echo -n "$name: "; { time "$@" > "$work/$name.out" 2>&1; } 2>&1; }
DATABASE_URL=$base/$src MEDIA_ROOT=$work/media step migrate "$py" manage.py migrate -v0
DATABASE_URL=$base/$src MEDIA_ROOT=$work/media step seed "$py" manage.py seed_demo --declarations "$n" --credentials "$work/cred.json"
DATABASE_URL=$base/$src MEDIA_ROOT=$work/media step backup "$py" manage.py backup "$work/backup"
cat "$work/backup.out"
DATABASE_URL=$base/$dst MEDIA_ROOT=$work/restored step restore "$py" manage.py restore_backup "$work/backup"
DATABASE_URL=$base/$dst MEDIA_ROOT=$work/restored step verify_restore "$py" manage.py verify_restore "$work/backup"
DATABASE_URL=$base/$dst MEDIA_ROOT=$work/restored step audit_verify "$py" manage.py audit_verify
echo "dump $(du -h "$work/backup/db.dump" | cut -f1), media $(du -sh "$work/backup/media" | cut -f1), database $(psql "$base/$src" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
