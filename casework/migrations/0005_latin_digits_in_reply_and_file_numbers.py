"""Reply letter numbers and judicial file numbers typed on a Persian keyboard («THR/1405/۷۷», «۱۴۰۵-۹۹۱»)
were stored as typed; new ones are stored with Latin digits (``core.text.identifier``). This converts the
digits of the stored ones, nothing else (spaces and letters stay as they were), so one number is written one
way and the file-number check compares like with like. Nothing to undo: Latin digits read the same."""

from django.db import migrations

ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
NON_LATIN_DIGIT = r"[۰-۹٠-٩]"


def latin_digits(apps, schema_editor):
    Letter = apps.get_model("casework", "FollowUpLetter")
    letters = list(Letter.objects.filter(reply_number__regex=NON_LATIN_DIGIT).only("pk", "reply_number"))
    for letter in letters:
        letter.reply_number = letter.reply_number.translate(ASCII_DIGITS)
    Letter.objects.bulk_update(letters, ["reply_number"], batch_size=500)
    Case = apps.get_model("casework", "JudicialCase")
    for case in Case.objects.filter(file_number__regex=NON_LATIN_DIGIT).only("pk", "authority", "file_number"):
        number = case.file_number.translate(ASCII_DIGITS)
        # One authority's number held twice, once in each digits (before the check compared them): the one
        # in Persian digits stays as typed rather than break the (authority, file number) constraint.
        if not Case.objects.filter(authority=case.authority, file_number=number).exists():
            Case.objects.filter(pk=case.pk).update(file_number=number)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_milestone_waived_note_message"),
    ]

    operations = [migrations.RunPython(latin_digits, migrations.RunPython.noop)]
