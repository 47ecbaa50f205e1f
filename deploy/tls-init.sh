#!/bin/sh
# The TLS certificate nginx serves, in DIR (docker-compose.yml's `tls-init` step, at every start):
#
# 1. DIR/server.crt and DIR/server.key already there (put by the operator, from the network's CA, or made
#    by an earlier start): nothing is changed.
# 2. TLS_CERT and TLS_KEY set (PEM text, e.g. from the orchestrator's secrets): written there.
# 3. Otherwise, for a closed network with no CA yet: a self-signed certificate for TLS_HOSTNAME (default:
#    the first of ALLOWED_HOSTS), valid TLS_DAYS (825), is made once; its SHA-256 fingerprint is printed
#    so that the first users can compare it with what their browser shows. Replace it with one the
#    network's CA issues as soon as there is one (remove both files, put the new ones, restart).
#
#   deploy/tls-init.sh DIR
set -eu
dir="${1:?usage: tls-init.sh DIR}"
crt="$dir/server.crt"
key="$dir/server.key"
mkdir -p "$dir"
umask 077

if [ -s "$crt" ] && [ -s "$key" ]; then
    echo "tls-init: $crt and $key are there: left as they are."
elif [ -n "${TLS_CERT:-}" ] && [ -n "${TLS_KEY:-}" ]; then
    printf '%s\n' "$TLS_CERT" > "$crt"
    printf '%s\n' "$TLS_KEY" > "$key"
    echo "tls-init: certificate and key written from TLS_CERT and TLS_KEY."
else
    host="${TLS_HOSTNAME:-$(printf '%s' "${ALLOWED_HOSTS:-}" | cut -d, -f1 | tr -d ' ' | sed 's/^\.//')}"
    [ -n "$host" ] || { echo "tls-init: set TLS_HOSTNAME (or ALLOWED_HOSTS) to make a certificate" >&2; exit 1; }
    case "$host" in
        *[!0-9.]*) san="DNS:$host" ;;
        *) san="IP:$host" ;;
    esac
    openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days "${TLS_DAYS:-825}" \
        -subj "/CN=$host" -addext "subjectAltName=$san" \
        -addext "extendedKeyUsage=serverAuth" -addext "basicConstraints=critical,CA:FALSE" \
        -keyout "$key.tmp" -out "$crt.tmp" 2>/dev/null
    mv "$key.tmp" "$key"
    mv "$crt.tmp" "$crt"
    echo "tls-init: no certificate was given: a self-signed one for $host was made (browsers will warn)."
fi
# Readable by nginx's workers (the key: by the group of the folder only, never by others).
chmod 644 "$crt"
chmod 640 "$key"
openssl x509 -in "$crt" -noout -subject -enddate -fingerprint -sha256
