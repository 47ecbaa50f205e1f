#!/bin/sh
# Restore a backup made by deploy/backup.sh (docs/operations.md, "Backup and restore"):
#   DATABASE_URL=<a new, empty database> [MEDIA_ROOT=<new dir> | S3_BUCKET=<new bucket> ...] deploy/restore.sh BACKUP_DIR
# 1. checks the dump against the manifest and that the database and the file store are empty;
# 2. pg_restore into the database (one transaction; RESTORE_JOBS=N for parallel jobs instead),
#    copies media/ into the store;
# 3. verify_restore: rows and checksum per table, SHA-256 of every file and of every evidence row's
#    file against the manifest; audit_verify: the audit trail's hash chain.
# Exits non-zero at the first step that fails; step 3 names every difference.
set -eu
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || [ ! -f "$1/manifest.json" ]; then
    echo "usage: deploy/restore.sh BACKUP_DIR (a directory with manifest.json)" >&2
    exit 64
fi
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
"$PYTHON" manage.py restore_backup "$1" --jobs "${RESTORE_JOBS:-1}"
"$PYTHON" manage.py verify_restore "$1"
# The audit chain, and that it still ends where it ended when the backup was taken (the manifest's anchor).
anchor=$("$PYTHON" -c 'import json, sys; a = json.load(open(sys.argv[1]))["audit"]; print(a["anchor"] if a["entries"] else "")' "$1/manifest.json")
"$PYTHON" manage.py audit_verify ${anchor:+--anchor "$anchor"}
echo "restored and verified: $1"
