"""Notices of plate-reader training runs that failed before failures were recorded plainly kept the raw error
as their details («ModuleNotFoundError: No module named 'torch'»), which the notifications page and the e-mail
showed as it was. Each is rewritten as the notice of such a failure is written now (``retraining._tell``): the
plain message (``retraining.plain_failure``, as the run's own page words it), kept as its message id and
parameters to be read in the reader's language, and its copy in the site's language.

Notifications are no evidence (a person's reminder, not a record of what happened): the raw error stays in the
run's outcome (the admin) and the server log. Only such notices are touched: a rewritten one is no longer a raw
error, so the migration can run twice.
"""

import re

from django.db import migrations

SUBJECT = re.compile(r"training-run:(?P<run>\d+)")


def plain_notices(apps, schema_editor):
    from anpr.reasons import decision_message
    from anpr.retraining import is_raw_error, plain_failure
    from notifications.messages import params_to_json, stored_copy

    Notification = apps.get_model("notifications", "Notification")
    raw = Notification.objects.filter(kind="model_trained", body_msgid="", subject__startswith="training-run:")
    for note in raw.exclude(body="").iterator():
        about = SUBJECT.fullmatch(note.subject)
        if about is None or not is_raw_error(note.body):
            continue
        message = decision_message(plain_failure(note.body, int(about["run"])))
        if message is None:
            continue
        params = {**(note.params or {}), "body": params_to_json(message.params)}
        Notification.objects.filter(pk=note.pk).update(
            body=stored_copy(message), body_msgid=message.msgid, params=params
        )


class Migration(migrations.Migration):
    dependencies = [
        ("anpr", "0015_camera_code_and_lane_form"),
        ("notifications", "0011_open_by_subject"),
    ]

    operations = [migrations.RunPython(plain_notices, migrations.RunPython.noop)]
