"""The «export ready» notices written before their file's name was an identifier (``Ident("file", …)``):
the name, kept as words, was shown in an auto-direction isolate and its dates turned around after a
Persian letter («…_68383ق_1405-08-16…»); each such notice now names its file as the new ones do.
Only those notices' message parameters change (a notification is no record of an operation)."""

from django.db import migrations

FILE_BODY = "File: %(name)s"


def name_files_as_identifiers(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(kind__in=["export_ready"], body_msgid=FILE_BODY).only("pk", "params")
    changed = []
    for note in rows.iterator(chunk_size=2000):
        body = (note.params or {}).get("body") or {}
        if isinstance(body.get("name"), str):
            body["name"] = {"ident": "file", "value": body["name"]}
            changed.append(note)
        if len(changed) >= 500:
            Notification.objects.bulk_update(changed, ["params"])
            changed = []
    if changed:
        Notification.objects.bulk_update(changed, ["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0017_kind_inspection_action_overdue"),
    ]

    operations = [
        migrations.RunPython(name_files_as_identifiers, migrations.RunPython.noop, elidable=True),
    ]
