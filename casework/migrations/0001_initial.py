"""The follow-up letters and judicial cases move here from ``declarations``: their tables stay
(same names, created by declarations 0003 and 0009), only Django's state moves, with the
content types, so audit entries and permissions keep their targets."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("followupletter", "judicialaction", "judicialcase", "lettersequence")


def move_content_types(apps, schema_editor, source="declarations", target="casework"):
    """Point the models' content types at their new app (a fresh database has none yet)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not content_type.objects.using(db).filter(app_label=target, model=model).exists():
            content_type.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="casework", target="declarations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('declarations', '0009_letter_pdf_sha256'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (declarations 0003, 0009): nothing changes in the database.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='JudicialCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_number', models.CharField(max_length=60, verbose_name='file number')),
                        ('authority', models.CharField(max_length=150, verbose_name='authority')),
                        ('branch', models.CharField(blank=True, max_length=100, verbose_name='branch')),
                        ('opened_on', models.DateField(verbose_name='opened on')),
                        ('cif_value', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='CIF value')),
                        ('currency', models.CharField(default='USD', max_length=3, verbose_name='currency')),
                        ('exchange_rate', models.DecimalField(decimal_places=4, max_digits=18, verbose_name='exchange rate (rial per unit)')),
                        ('duties', models.DecimalField(decimal_places=0, default=0, max_digits=20, verbose_name='duties (rial)')),
                        ('fees', models.DecimalField(decimal_places=0, default=0, max_digits=20, verbose_name='fees (rial)')),
                        ('goods_value', models.DecimalField(decimal_places=0, max_digits=24, verbose_name='goods value (rial)')),
                        ('status', models.CharField(choices=[('open', 'open'), ('closed', 'closed')], default='open', max_length=8, verbose_name='status')),
                        ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                        ('outcome_on', models.DateField(blank=True, null=True, verbose_name='outcome date')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('declaration', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='judicial_cases', to='declarations.transitdeclaration', verbose_name='declaration')),
                        ('opened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'judicial case',
                        'verbose_name_plural': 'judicial cases',
                        'db_table': 'declarations_judicialcase',
                        'ordering': ['-opened_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='JudicialAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('on', models.DateField(verbose_name='date')),
                        ('action', models.TextField(verbose_name='action taken')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='casework.judicialcase', verbose_name='case')),
                    ],
                    options={
                        'verbose_name': 'judicial action',
                        'verbose_name_plural': 'judicial actions',
                        'db_table': 'declarations_judicialaction',
                        'ordering': ['on', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='LetterSequence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='Jalali year')),
                        ('last', models.PositiveIntegerField(default=0, verbose_name='last number')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.customsoffice', verbose_name='office')),
                    ],
                    options={
                        'verbose_name': 'letter number series',
                        'verbose_name_plural': 'letter number series',
                        'db_table': 'declarations_lettersequence',
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpLetter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('overdue', 'no arrival by the deadline'), ('arrived_unsettled', 'arrived, not settled'), ('reminder', 'reminder (no reply)'), ('escalation', 'escalation')], max_length=20, verbose_name='kind')),
                        ('status', models.CharField(choices=[('draft', 'draft'), ('sent', 'sent'), ('answered', 'answered'), ('cancelled', 'cancelled')], default='draft', max_length=10, verbose_name='status')),
                        ('number', models.CharField(blank=True, max_length=40, verbose_name='letter number')),
                        ('number_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='number year')),
                        ('number_seq', models.PositiveIntegerField(blank=True, null=True, verbose_name='number in series')),
                        ('subject', models.CharField(max_length=300, verbose_name='subject')),
                        ('body', models.TextField(help_text='One paragraph per blank-line separated block.', verbose_name='body')),
                        ('has_attachment', models.BooleanField(default=False, verbose_name='has attachment')),
                        ('copies', models.JSONField(blank=True, default=list, verbose_name='copies to')),
                        ('signer_name', models.CharField(blank=True, max_length=150, verbose_name='signer name')),
                        ('signer_title', models.CharField(blank=True, max_length=150, verbose_name='signer title')),
                        ('drafted_at', models.DateTimeField(auto_now_add=True, verbose_name='drafted at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('reply_due_at', models.DateTimeField(blank=True, null=True, verbose_name='reply due')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('reply_number', models.CharField(blank=True, max_length=40, verbose_name='reply letter number')),
                        ('reply_text', models.TextField(blank=True, verbose_name='reply')),
                        ('reminded_at', models.DateTimeField(blank=True, null=True, verbose_name='reminder sent at')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated at')),
                        ('pdf', models.FileField(blank=True, upload_to='letters/%Y/%m/', verbose_name='PDF')),
                        ('pdf_sha256', models.CharField(blank=True, max_length=64, verbose_name='PDF SHA-256')),
                        ('declaration', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='declarations.transitdeclaration', verbose_name='declaration')),
                        ('drafted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('from_office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters_sent', to='accounts.customsoffice', verbose_name='from office')),
                        ('previous', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='casework.followupletter', verbose_name='follows letter')),
                        ('reply_recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('to_office', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters_received', to='accounts.customsoffice', verbose_name='to office')),
                    ],
                    options={
                        'verbose_name': 'follow-up letter',
                        'verbose_name_plural': 'follow-up letters',
                        'db_table': 'declarations_followupletter',
                        'ordering': ['-drafted_at', '-id'],
                        'indexes': [models.Index(fields=['status', 'reply_due_at'], name='letter_status_due'), models.Index(fields=['sent_at'], name='letter_sent_at'), models.Index(fields=['answered_at'], name='letter_answered_at')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('number_seq__isnull', False)), fields=('from_office', 'number_year', 'number_seq'), name='letter_unique_number'), models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('declaration',), name='letter_one_draft')],
                    },
                ),
                migrations.AddIndex(
                    model_name='judicialcase',
                    index=models.Index(fields=['opened_on'], name='case_opened_on'),
                ),
                migrations.AddConstraint(
                    model_name='judicialcase',
                    constraint=models.UniqueConstraint(fields=('authority', 'file_number'), name='case_unique_file'),
                ),
                migrations.AddIndex(
                    model_name='judicialaction',
                    index=models.Index(fields=['on'], name='case_action_on'),
                ),
                migrations.AddConstraint(
                    model_name='lettersequence',
                    constraint=models.UniqueConstraint(fields=('office', 'year'), name='letterseq_unique_office_year'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
