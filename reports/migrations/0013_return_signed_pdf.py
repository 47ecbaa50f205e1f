"""The signed PDF of a submitted return gets its own record (``signed_pdf``, ``signed_pdf_sha256``) beside the
built one, which never changes after the build (evidence is never edited).

Until now the submission replaced the row's ``pdf`` and ``pdf_sha256`` with the signed file
(``return-1404-05-WAZ-v1-signed.pdf``), leaving the built file on disk unnamed. For each submitted return whose
``pdf`` is such a signed file (its name ends in ``-signed.pdf``) and whose ``signed_pdf`` is still empty:

- the signed file and its recorded hash move to ``signed_pdf`` and ``signed_pdf_sha256``;
- ``pdf`` is pointed back at the built file, named as the build names it (the same name without ``-signed``:
  ``return-1404-05-WAZ-v1.pdf``), when that file is still in storage, its SHA-256 recomputed from the file;
- when the built file cannot be found (deleted, or stored under another name the storage chose), ``pdf`` and
  ``pdf_sha256`` are left as they are: they keep naming the signed file, with its hash, and nothing is guessed.

Safe to run again (a row already moved has its ``signed_pdf``). Rows are written with ``update()``: a submitted
return refuses ``save()``.
"""

import hashlib

from django.db import migrations, models

SIGNED_SUFFIX = "-signed.pdf"


def _digest(storage, name: str) -> str:
    try:
        with storage.open(name, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""


def signed_pdf_apart(apps, schema_editor):
    model = apps.get_model("reports", "MonthlyReturn")
    manager = model._default_manager
    if schema_editor is not None:
        manager = manager.using(schema_editor.connection.alias)
    storage = model._meta.get_field("pdf").storage
    rows = manager.filter(status="submitted", pdf__endswith=SIGNED_SUFFIX, signed_pdf="").order_by("pk")
    for pk, name, digest in rows.values_list("pk", "pdf", "pdf_sha256"):
        change = {"signed_pdf": name, "signed_pdf_sha256": digest}
        built = name.removesuffix(SIGNED_SUFFIX) + ".pdf"
        built_digest = _digest(storage, built) if storage.exists(built) else ""
        if built_digest:
            change.update(pdf=built, pdf_sha256=built_digest)
        manager.filter(pk=pk, signed_pdf="").update(**change)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0012_action_overdue_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyreturn",
            name="signed_pdf",
            field=models.FileField(blank=True, upload_to="returns/", verbose_name="signed PDF"),
        ),
        migrations.AddField(
            model_name="monthlyreturn",
            name="signed_pdf_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 of the signed PDF"),
        ),
        migrations.RunPython(signed_pdf_apart, migrations.RunPython.noop),
    ]
