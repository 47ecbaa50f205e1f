"""Follow-up letters and judicial cases now belong to the casework app (casework 0001): they
leave this app's state only; their tables stay, under the same names."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0009_letter_pdf_sha256'),
        ('casework', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='judicialaction',
                    name='by',
                ),
                migrations.RemoveField(
                    model_name='judicialaction',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='judicialcase',
                    name='declaration',
                ),
                migrations.RemoveField(
                    model_name='judicialcase',
                    name='opened_by',
                ),
                migrations.RemoveField(
                    model_name='lettersequence',
                    name='office',
                ),
                migrations.DeleteModel(
                    name='FollowUpLetter',
                ),
                migrations.DeleteModel(
                    name='JudicialAction',
                ),
                migrations.DeleteModel(
                    name='JudicialCase',
                ),
                migrations.DeleteModel(
                    name='LetterSequence',
                ),
            ],
        ),
    ]
