"""An S3-compatible server for the tests: moto's server (moto[server], requirements-dev.txt) in its own
process, in front of which presigned URLs are checked as S3 and MinIO check them.

moto accepts any presigned URL as it is (it checks neither the signature nor the expiry), so a test
could not tell a URL that works from one that has expired or was altered. This wrapper recomputes the
AWS Signature Version 4 of every request that carries ``X-Amz-Signature`` (with botocore's own
signer, for the one key pair the server knows) and refuses, with S3's 403 ``AccessDenied``, a wrong
signature or a URL past its ``X-Amz-Date`` + ``X-Amz-Expires``. Everything else is moto's.

    python -m tests.s3server PORT ACCESS_KEY SECRET_KEY
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def _denied(start_response, message: str):
    body = f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>".encode()
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


def presign_check(app, access_key: str, secret_key: str):
    """WSGI middleware: presigned requests must carry a valid, unexpired signature by ``access_key``."""

    def middleware(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        params = parse_qsl(query, keep_blank_values=True)
        given = dict(params).get("X-Amz-Signature")
        if given is None:
            return app(environ, start_response)
        fields = dict(params)
        try:
            key, date, region, service, _ = fields["X-Amz-Credential"].split("/")
            signed_at = dt.datetime.strptime(fields["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            expires = int(fields["X-Amz-Expires"])
        except (KeyError, ValueError):
            return _denied(start_response, "Malformed presigned URL")
        if key != access_key:
            return _denied(start_response, "The AWS Access Key Id you provided does not exist in our records.")
        if dt.datetime.now(dt.UTC) > signed_at + dt.timedelta(seconds=expires):
            return _denied(start_response, "Request has expired")
        raw_path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]
        raw_path = raw_path.split("?", 1)[0]
        # The query as it came (the signer re-sorts it), less the signature itself.
        unsigned = "&".join(part for part in query.split("&") if not part.startswith("X-Amz-Signature="))
        request = AWSRequest(
            method=environ["REQUEST_METHOD"], url=f"http://{environ['HTTP_HOST']}{raw_path}?{unsigned}"
        )
        request.context["timestamp"] = fields["X-Amz-Date"]
        signer = S3SigV4QueryAuth(Credentials(access_key, secret_key), service, region, expires=expires)
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if expected != given:
            return _denied(
                start_response, "The request signature we calculated does not match the signature you provided."
            )
        return app(environ, start_response)

    return middleware


ACCESS_KEY, SECRET_KEY = "test-access-key", "test-secret-key-of-the-moto-server"


@contextlib.contextmanager
def running() -> Iterator[str]:
    """This server in a process of its own on a free local port; yields its endpoint URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tempfile.TemporaryFile()  # werkzeug logs every request: a pipe nobody reads would fill and stall it
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.s3server", str(port), ACCESS_KEY, SECRET_KEY],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"the S3 test server did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def client(endpoint: str):
    """A boto3 S3 client on the test server, as the app's storage makes one."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def main(port: int, access_key: str, secret_key: str) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    app = presign_check(DomainDispatcherApplication(create_backend_app), access_key, secret_key)
    run_simple("127.0.0.1", port, app, threaded=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
