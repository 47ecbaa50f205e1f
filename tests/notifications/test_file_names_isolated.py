"""An export's file name keeps its order on a Persian page: «anpr-plate-history_68383ق_1405-08-16_1405-09-15_national.pdf»
was shown on /notifications/ with its dates after the plate's letter turned around by the bidirectional algorithm
(digits after a Persian letter count as Arabic numbers and run right to left with it: «…68383 15-09-1405_16-08-1405_ق…»),
and the export pages forced every letter left to right (``<bdo>``: a Persian word's letters reversed). Now the
name is isolated left to right and each Persian word in it isolated on its own, as an identifier is: on the
notifications page, the export's page and the list of exports, and in the notice's e-mail."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse

from core import exports
from core.models import ExportJob
from core.templatetags.evidence import file_name
from core.text import LRI, PDI, RLI, file_name_text
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

NAME = "anpr-plate-history_68383ق_1405-08-16_1405-09-15_national.pdf"
SHOWN = (
    '<bdi dir="ltr" class="ident ident-file">anpr-plate-history_68383<bdi dir="rtl">ق</bdi>'
    "_1405-08-16_1405-09-15_national.pdf</bdi>"
)


def test_a_file_name_is_isolated_left_to_right_its_persian_words_each_on_their_own():
    assert file_name(NAME) == SHOWN
    assert file_name("returns_<x>.csv") == '<bdi dir="ltr" class="ident ident-file">returns_&lt;x&gt;.csv</bdi>'
    assert file_name("گزارش_تهران_1405.pdf") == (
        '<bdi dir="ltr" class="ident ident-file"><bdi dir="rtl">گزارش</bdi>_<bdi dir="rtl">تهران</bdi>_1405.pdf</bdi>'
    )
    assert file_name("") == ""
    assert file_name_text(NAME) == f"{LRI}anpr-plate-history_68383{RLI}ق{PDI}_1405-08-16_1405-09-15_national.pdf{PDI}"


@pytest.fixture
def named_export(it_officer):
    job = ExportJob.objects.create(user=it_officer, kind="problems", fmt="xlsx", language="fa", query="status=open")
    exports.build(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(filename=NAME)  # as a plate's history is named
    job.refresh_from_db()
    assert job.state == "done"
    return job


def test_the_notifications_page_isolates_the_file_name_of_a_notice_from_before(client, it_officer, named_export):
    """A notice written before names its file as words: the migration makes it an identifier."""
    note = Notification.objects.get(user=it_officer, kind=Kind.EXPORT_READY)
    note.params["body"]["name"] = NAME
    note.save(update_fields=["params"])
    importlib.import_module("notifications.migrations.0018_export_file_names_isolated").name_files_as_identifiers(
        django_apps, None
    )
    note.refresh_from_db()
    assert note.params["body"]["name"] == {"ident": "file", "value": NAME}
    client.force_login(it_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    html = client.get(reverse("notifications:list")).content.decode()

    assert SHOWN in html


def test_a_new_ready_notice_names_its_file_as_an_identifier(client, it_officer):
    job = ExportJob.objects.create(user=it_officer, kind="problems", fmt="xlsx", language="fa", query="status=open")
    exports.build(job.pk)
    job.refresh_from_db()
    note = Notification.objects.get(user=it_officer, kind=Kind.EXPORT_READY)
    assert note.params["body"]["name"] == {"ident": "file", "value": job.filename}
    client.force_login(it_officer)

    html = client.get(reverse("notifications:list")).content.decode()
    assert f'<bdi dir="ltr" class="ident ident-file">{job.filename}</bdi>' in html
    assert note.body_text().endswith(f": {LRI}{job.filename}{PDI}")  # the e-mail's words: isolated too


def test_the_export_pages_isolate_the_file_name_and_override_nothing(client, it_officer, named_export):
    client.force_login(it_officer)

    job_page = client.get(reverse("core:export-job", args=[named_export.pk])).content.decode()
    listed = client.get(reverse("core:export-list")).content.decode()

    for html in (job_page, listed):
        assert SHOWN in html
        assert not re.search(r"<bdo\b", html)
