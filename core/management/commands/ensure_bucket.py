"""python manage.py ensure_bucket — the media bucket exists and is private (S3_BUCKET on MinIO/S3).

The deployment's init step runs it at every start (docker-compose.yml): it creates the bucket when
missing and otherwise changes nothing. With media on disk (no S3_BUCKET) it only makes MEDIA_ROOT.
The bucket is never made public: files are handed out as presigned URLs after the app's scope check.
"""

import time

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the media bucket (S3_BUCKET) if missing; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=60, help="seconds to wait for the store to answer")

    def handle(self, *args, **opts):
        from storages.backends.s3 import S3Storage

        storage = storages["default"]
        if not isinstance(storage, S3Storage):
            settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
            self.stdout.write(f"Media on disk at {settings.MEDIA_ROOT}: no bucket needed.")
            return
        from botocore.exceptions import ClientError, EndpointConnectionError

        client = storage.connection.meta.client
        bucket = storage.bucket_name
        deadline = time.monotonic() + opts["wait"]
        while True:
            try:
                client.head_bucket(Bucket=bucket)
                self.stdout.write(f"Bucket {bucket!r} exists.")
                return
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code not in ("404", "NoSuchBucket", "NotFound"):
                    raise CommandError(f"Bucket {bucket!r}: the store answered {code or exc}.") from exc
                break
            except EndpointConnectionError as exc:
                if time.monotonic() > deadline:
                    raise CommandError(f"The object store at {storage.endpoint_url} does not answer: {exc}") from exc
                time.sleep(1)
        region = storage.region_name
        extra = (
            {"CreateBucketConfiguration": {"LocationConstraint": region}} if region and region != "us-east-1" else {}
        )
        client.create_bucket(Bucket=bucket, **extra)
        self.stdout.write(f"Bucket {bucket!r} created (private).")
