#!/bin/sh
# Nightly backup of Transit Monitor (docs/operations.md, "Backup and restore"):
#   deploy/backup.sh [BACKUP_ROOT]
# writes BACKUP_ROOT/<UTC stamp>/ with db.dump (pg_dump, custom format), media/ (the file store:
# MEDIA_ROOT or the S3 bucket) and manifest.json (rows and checksum per table, SHA-256 per file),
# then removes backups older than BACKUP_KEEP_DAYS (default 14), always keeping the newest
# BACKUP_KEEP_MIN (default 7). Runs where the app's settings are (same environment as the web).
# Exit 0: done. Exit 2: done, but some evidence files were already wrong (named on stderr): look.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
root=${1:-${BACKUP_ROOT:-/var/backups/transit-monitor}}
keep_days=${BACKUP_KEEP_DAYS:-14}
keep_min=${BACKUP_KEEP_MIN:-7}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$root"

# Written under a .partial name and renamed when complete: a crash never leaves something that looks like a backup.
status=0
"$PYTHON" manage.py backup "$root/$stamp.partial" ${BACKUP_ARGS:-} || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    rm -rf "$root/$stamp.partial"
    echo "backup failed (exit $status)" >&2
    exit "$status"
fi
mv "$root/$stamp.partial" "$root/$stamp"
echo "$root/$stamp"

# Retention: the newest $keep_min always stay; older ones go once they are $keep_days days old.
ls -1d "$root"/2*Z 2>/dev/null | sort -r | tail -n +"$((keep_min + 1))" | while read -r old; do
    if [ -n "$(find "$old" -maxdepth 0 -mtime +"$keep_days")" ]; then
        rm -rf "$old"
        echo "removed $old (older than $keep_days days)"
    fi
done
exit "$status"
