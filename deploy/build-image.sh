#!/bin/sh
# Every install step of the production image, in one script: the Dockerfile runs it, and CI (or anyone)
# can run it on a machine into a scratch prefix to see that the image would build (`make image-check`).
#
#   deploy/build-image.sh [--os-packages] [--stage deps|app|all] PREFIX
#
# PREFIX       the virtualenv the Python packages go into (the image: /opt/venv); made if missing,
#              reused if it already has a bin/python.
# --os-packages  also install the Debian packages the app needs at run time (as root; the image only).
# --stage      deps: OS and Python packages only (the Dockerfile runs this before copying the source, so
#              a code change does not reinstall them); app: translations, static files and the
#              deployment check; all (default): both.
#
# STATIC_ROOT (default PREFIX/static) is where collectstatic puts the static files nginx serves.
set -eu

os_packages=0
stage=all
while [ $# -gt 0 ]; do
    case "$1" in
        --os-packages) os_packages=1; shift ;;
        --stage) stage="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) echo "build-image.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: build-image.sh [--os-packages] [--stage deps|app|all] PREFIX" >&2; exit 2; }
prefix="$1"
case "$stage" in deps|app|all) ;; *) echo "build-image.sh: --stage is deps, app or all" >&2; exit 2 ;; esac
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
cd "$(dirname "$0")/.."  # the project: requirements.txt, manage.py (a relative STATIC_ROOT is from here)
python="$prefix/bin/python"

if [ "$stage" != app ]; then
    if [ "$os_packages" = 1 ]; then
        # WeasyPrint (letters, returns): Pango; OpenCV: libGL/GLib; msgfmt for the translations; the Persian
        # fonts of the PDFs; openssl for the closed network's first-start certificate (deploy/tls-init.sh).
        apt-get update
        apt-get install -y --no-install-recommends \
            libpango-1.0-0 libpangoft2-1.0-0 gettext fonts-farsiweb libgl1 libglib2.0-0 openssl postgresql-client
        rm -rf /var/lib/apt/lists/*
    fi
    [ -x "$python" ] || "${PYTHON:-python3}" -m venv "$prefix"
    "$python" -m pip install --no-cache-dir --disable-pip-version-check -q -r requirements.txt
    "$python" -m pip check
fi

if [ "$stage" != deps ]; then
    # The check and the collection run as a deployment would (DEBUG off, a secret key, a host name),
    # and on nothing of the caller's environment: a build never reads a .env or a database.
    key="$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
    build_env() {
        env -i PATH="$PATH" HOME="${HOME:-/tmp}" LANG=C.UTF-8 DJANGO_SETTINGS_MODULE=transit_monitor.settings \
            SECRET_KEY="$key" DEBUG=0 ALLOWED_HOSTS=build.invalid WHITENOISE_USE_FINDERS=0 \
            STATIC_ROOT="${STATIC_ROOT:-$prefix/static}" "$@"
    }
    build_env "$python" manage.py compilemessages -v0 --ignore=.venv
    build_env "$python" manage.py collectstatic --noinput -v0
    build_env "$python" manage.py check --deploy --fail-level WARNING
fi
