"""A sent letter's PDF keeps its SHA-256; the PDFs that viewing drafts used to store are removed.

Before, every view of a draft's PDF stored a new file (never referenced again after the
next view), and a letter sent after such a view kept the draft's PDF as its record. This
removes draft PDFs and unreferenced letter files, forgets a sent letter's PDF stored
before it was sent (it is rendered again, once, on its next view) and hashes the rest.

Only files of letters that this database holds are removed: a database migrated from empty (a new
installation, the test suite's database) next to a media folder or bucket that already holds
another database's letters must not take their PDFs, the letters' records, for orphans.
"""

import datetime as dt
import hashlib
import re

from django.core.files.storage import default_storage
from django.db import migrations, models

STORED = re.compile(r"letter-\d+-(\d{14})-[0-9a-f]{12}[^/]*\.pdf$")
OWNER = re.compile(r"letter-(\d+)-\d{14}-[0-9a-f]{12}[^/]*\.pdf$")  # the letter's id in the file's name


def _walk(folder):
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(f"{folder}/{sub}")


def clean_letter_pdfs(apps, schema_editor):
    letter_model = apps.get_model("declarations", "FollowUpLetter")
    kept = set()
    ours = {str(pk) for pk in letter_model.objects.values_list("pk", flat=True)}
    if not ours:
        return  # no letter here, so no draft's PDF of this database to remove
    for letter in letter_model.objects.exclude(pdf=""):
        match = STORED.search(letter.pdf.name)
        stamp = dt.datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC) if match else None
        drafted = letter.status in ("draft", "cancelled") or (
            stamp is not None and letter.sent_at is not None and stamp < letter.sent_at.replace(microsecond=0)
        )
        if drafted:
            letter_model.objects.filter(pk=letter.pk).update(pdf="", pdf_sha256="")
            continue
        try:
            with default_storage.open(letter.pdf.name, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        except FileNotFoundError:
            letter_model.objects.filter(pk=letter.pk).update(pdf="", pdf_sha256="")
            continue
        letter_model.objects.filter(pk=letter.pk).update(pdf_sha256=digest)
        kept.add(letter.pdf.name)
    for name in _walk("letters"):
        owner = OWNER.search(name)
        if owner and owner.group(1) in ours and name not in kept:
            default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0008_arrival_evidence_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="followupletter",
            name="pdf_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="PDF SHA-256"),
        ),
        migrations.RunPython(clean_letter_pdfs, migrations.RunPython.noop, elidable=True),
    ]
