"""The audit trail: who, from where, through what; append-only; the hash chain and ``audit_verify``.

Runs on SQLite (no trigger there: the chain is what shows a change made by SQL) and on PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.dates import date_example
from core.errors import NotAllowed
from core.models import AuditSeal, AuditTrailImmutable
from declarations import services
from declarations.models import DeclarationEvent, TransitDeclaration
from tests.export_jobs import download


def _two_hours_ago():
    return timezone.now() - dt.timedelta(hours=2)


CLIENT = "198.51.100.7"


def verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def entries_of(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).select_related("seal").order_by("id"))


def test_a_service_change_made_on_a_page_keeps_the_address_the_actor_and_the_interface(
    client, declaration, origin_clerk
):
    client.force_login(origin_clerk)
    response = client.post(reverse("declarations:action", args=[declaration.pk, "depart"]), REMOTE_ADDR=CLIENT)
    assert response.status_code in (200, 302)
    declaration.refresh_from_db()
    assert declaration.status == "in_transit"

    change = [e for e in entries_of(declaration) if e.action == LogEntry.Action.UPDATE][-1]
    assert change.remote_addr == CLIENT
    assert change.actor == origin_clerk
    assert (change.seal.actor_name, change.seal.actor_role, change.seal.via) == ("origin_clerk", "office", "page")
    # The timeline event is audited too (it was not: an admin could delete it without a trace).
    event = DeclarationEvent.objects.filter(declaration=declaration, kind="depart").get()
    assert entries_of(event)[0].remote_addr == CLIENT


def test_a_service_called_outside_a_request_names_the_actor_and_no_address(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    change = [e for e in entries_of(declaration) if e.action == LogEntry.Action.UPDATE][-1]
    assert change.seal.actor_name == "origin_clerk"
    assert change.remote_addr is None
    assert change.seal.via == "system"


def test_the_actor_is_kept_as_text_and_users_are_never_deleted(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    with pytest.raises(NotAllowed, match="Deactivate"), transaction.atomic():
        origin_clerk.delete()
    origin_clerk.is_active = False
    origin_clerk.save()
    deactivated = [e for e in entries_of(origin_clerk) if e.action == LogEntry.Action.UPDATE][-1]
    assert deactivated.changes["is_active"] == ["True", "False"]


def test_entries_and_seals_cannot_be_changed_or_deleted_through_the_code(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    entry = entries_of(declaration)[-1]
    entry.object_repr = "something else"
    with pytest.raises(AuditTrailImmutable), transaction.atomic():
        entry.save()
    with pytest.raises(AuditTrailImmutable), transaction.atomic():
        entry.delete()
    with pytest.raises(AuditTrailImmutable), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(AuditTrailImmutable), transaction.atomic():
        LogEntry.objects.all().delete()
    with pytest.raises(AuditTrailImmutable), transaction.atomic():
        AuditSeal.objects.filter(entry=entry).update(actor_name="someone")
    with pytest.raises(AuditTrailImmutable), transaction.atomic():
        entry.seal.delete()
    assert verify()[0] == 0


def test_the_admin_cannot_delete_a_timeline_event_and_what_it_deletes_leaves_an_entry(
    client, declaration, origin_clerk, hq
):
    from django.contrib.auth.models import Group

    services.declaration_depart(declaration=declaration, by=origin_clerk)
    event = DeclarationEvent.objects.get(declaration=declaration, kind="depart")
    hq.is_staff = hq.is_superuser = True
    hq.save()
    client.force_login(hq)
    # The timeline is evidence: not even a superuser deletes it.
    url = reverse("admin:declarations_declarationevent_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}, REMOTE_ADDR=CLIENT).status_code == 403
    assert DeclarationEvent.objects.filter(pk=event.pk).exists()
    # What may be deleted there leaves an entry naming who, from where, through the admin.
    group = Group.objects.create(name="reviewers")
    response = client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}, REMOTE_ADDR=CLIENT)
    assert response.status_code == 302
    deleted = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_pk=str(group.pk), content_type__model="group")
    assert (deleted.seal.actor_name, deleted.seal.via, deleted.remote_addr) == ("hq", "admin", CLIENT)
    # Users cannot be deleted in the admin either.
    assert client.get(reverse("admin:accounts_user_delete", args=[origin_clerk.pk])).status_code == 403


def test_logins_and_failed_logins_are_recorded(client, origin_clerk):
    client.post(reverse("login"), {"username": "origin_clerk", "password": "wrong"}, REMOTE_ADDR=CLIENT)
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"}, REMOTE_ADDR=CLIENT)
    client.post(reverse("login"), {"username": "origin_clerk", "password": "correct-horse-battery"}, REMOTE_ADDR=CLIENT)
    accesses = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).select_related("seal").order_by("id")
    what = [(e.additional_data["access"], e.object_repr, e.remote_addr) for e in accesses]
    assert what == [
        ("login failed", str(origin_clerk), CLIENT),
        ("login failed", "nobody", CLIENT),
        ("login", str(origin_clerk), CLIENT),
    ]
    assert accesses.last().seal.actor_name == "origin_clerk"


def test_record_access_names_a_label_or_an_object_with_its_detail(declaration, hq):
    with audit.actor(hq):
        by_label = audit.record_access(None, "declarations.csv", "export", rows=12)
        by_object = audit.record_access(None, declaration, "download", file="scan.png")
    assert by_label.object_repr == "declarations.csv" and by_label.additional_data == {"access": "export", "rows": 12}
    assert by_object.object_id == declaration.pk and by_object.additional_data["file"] == "scan.png"
    assert by_label.seal.actor_name == by_object.seal.actor_name == "hq"


def test_an_import_names_its_batch_and_records_each_declaration_it_creates(client, bazargan, tehran, origin_clerk):
    from declarations.importer import import_records

    summary = import_records(
        [
            {
                "serial": "1404-BZG-00000001",
                "declared_at": "2025-08-01T10:00:00+03:30",
                "origin": "BZG",
                "destination": "THR",
                "plate": "12ع34567",
                "plate_country": "IR",
                "goods": [{"hs_code": "8517.13", "description": "گوشی", "quantity": "1", "goods_serials": []}],
            }
        ],
        by=origin_clerk,
    )
    assert not summary.rejected, summary.rejected
    d = TransitDeclaration.objects.get(serial="1404-BZG-00000001")
    created = entries_of(d)[0]
    assert created.action == LogEntry.Action.CREATE
    assert (created.seal.via, created.seal.via_ref) == ("import", f"batch {summary.batch_id}")
    assert created.seal.actor_name == "origin_clerk"


def test_the_chain_verifies_and_names_an_entry_altered_or_deleted_by_sql(declaration, origin_clerk, dest_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_two_hours_ago())  # the trip takes time
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    code, out = verify()
    count = LogEntry.objects.count()
    assert code == 0 and f"{count} entries" in out

    altered = entries_of(declaration)[1]
    with connection.cursor() as cursor:
        _without_trigger(cursor, "auditlog_logentry")
        cursor.execute("UPDATE auditlog_logentry SET remote_addr = '10.0.0.1' WHERE id = %s", [altered.pk])
    code, out = verify()
    assert code == 1 and f"entry {altered.pk}:" in out and "altered" in out
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET remote_addr = NULL WHERE id = %s", [altered.pk])
    assert verify()[0] == 0  # put back as it was: the chain holds again

    deleted = entries_of(declaration)[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [deleted.pk])
    code, out = verify()
    assert code == 1 and f"entry {deleted.pk}:" in out and "deleted" in out


def test_the_chain_names_a_gap_when_an_entry_and_its_seal_are_both_deleted(declaration, origin_clerk, dest_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_two_hours_ago())  # the trip takes time
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    victim = entries_of(declaration)[1]
    with connection.cursor() as cursor:
        _without_trigger(cursor, "auditlog_logentry")
        _without_trigger(cursor, "core_auditseal")
        cursor.execute("DELETE FROM core_auditseal WHERE entry_id = %s", [victim.pk])
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [victim.pk])
    code, out = verify()
    assert code == 1 and "missing" in out


def test_an_entry_written_around_the_chain_is_named(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    entry = entries_of(declaration)[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id, object_repr, action, changes_text,"
            " timestamp, actor_email) SELECT content_type_id, object_pk, object_id, 'forged', action, '', timestamp, ''"
            " FROM auditlog_logentry WHERE id = %s",
            [entry.pk],
        )
    code, out = verify()
    assert code == 1 and "no seal" in out


def test_an_anchor_kept_outside_catches_a_rewritten_chain(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    head = AuditSeal.objects.order_by("-seq").first()
    assert verify()[0] == 0
    with pytest.raises(CommandError, match="anchored"):
        call_command("audit_verify", anchor=[f"{head.seq}:{'f' * 64}"], stdout=io.StringIO())
    call_command("audit_verify", anchor=[f"{head.seq}:{head.hash}"], stdout=io.StringIO())


def _without_trigger(cursor, table: str) -> None:
    """What a database superuser can do: the append-only trigger off (rolled back with the test)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check pending: ALTER TABLE may run
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")


@pytest.mark.postgres
def test_on_postgresql_the_trigger_refuses_update_and_delete_whoever_sends_them(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    entry = entries_of(declaration)[-1]
    for sql in (
        "UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s",
        "DELETE FROM auditlog_logentry WHERE id = %s",
        "UPDATE core_auditseal SET actor_name = 'x' WHERE entry_id = %s",
        "DELETE FROM core_auditseal WHERE entry_id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert verify()[0] == 0


# --- the page -------------------------------------------------------------------------------------


def test_hq_reads_others_entries_but_not_its_own_and_clerks_not_at_all(
    client, declaration, origin_clerk, hq, it_officer
):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    with audit.actor(hq):
        audit.record_access(None, "hq's own export", "export")
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    assert "origin_clerk" in page and "hq&#x27;s own export" not in page and "hq's own export" not in page

    client.force_login(it_officer)
    assert "hq&#x27;s own export" in client.get(reverse("reports:audit")).content.decode()

    client.force_login(origin_clerk)
    assert client.get(reverse("reports:audit")).status_code == 403
    assert client.get(reverse("reports:audit_export", args=["csv"])).status_code == 403


def test_the_page_filters_by_actor_interface_and_jalali_dates(client, declaration, origin_clerk, dest_clerk, hq):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_two_hours_ago())  # the trip takes time
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    client.force_login(hq)
    page = client.get(reverse("reports:audit"), {"actor": "dest_clerk"}).content.decode()
    assert "dest_clerk" in page and "origin_clerk</bdi>" not in page
    page = client.get(reverse("reports:audit"), {"date_to": "1300/01/01"}).content.decode()
    assert "No entries match." in page
    bad = client.get(reverse("reports:audit"), {"date_from": "yesterday"})
    assert bad.status_code == 400 and f"Enter a Jalali date like {date_example()}." in bad.content.decode()


@pytest.mark.parametrize(
    "before", ["\u00b2", "\u0661\u0662", "-5", "9" * 30, "1" * 5000], ids=["sup2", "arabic", "neg", "30", "5000"]
)
def test_an_older_page_asked_with_no_entry_id_starts_from_the_newest(client, declaration, origin_clerk, hq, before):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    client.force_login(hq)
    response = client.get(reverse("reports:audit"), {"before": before})
    assert response.status_code == 200 and "origin_clerk" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("bad", [{"date_from": "1404/13/40"}, {"action": "9"}, {"model": "999999"}, {"via": "zzz"}])
def test_a_filter_not_valid_is_refused_beside_its_field_never_the_whole_trail(
    client, declaration, origin_clerk, hq, fmt, bad
):
    """A mistyped filter must not give the whole trail in place of the part asked for."""
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    client.force_login(hq)
    (field,) = bad
    for response in (
        client.get(reverse("reports:audit"), bad),
        client.get(reverse("reports:audit_export", args=[fmt]), bad),
    ):
        page = response.content.decode()
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
        assert f'name="{field}"' in page and "invalid-feedback" in page  # the field named, beside it
        assert "origin_clerk" not in page and "data-entry=" not in page
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS, seal__actor_name="hq").exists()


def test_the_export_is_formula_safe_and_is_itself_recorded(client, declaration, hq, it_officer):
    with audit.actor(it_officer):
        audit.record_access(None, '=HYPERLINK("http://evil.example","x")', "export")
    client.force_login(hq)
    response = download(client, reverse("reports:audit_export", args=["csv"]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    objects = [r[9] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in objects
    xlsx = download(client, reverse("reports:audit_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    exports = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, seal__actor_name="hq")
    asked = exports.filter(additional_data__access="export_requested").order_by("id")
    taken = exports.filter(additional_data__access="export").order_by("id")
    assert (
        [e.additional_data["format"] for e in asked] == [e.additional_data["format"] for e in taken] == ["csv", "xlsx"]
    )


@pytest.mark.persian
def test_a_persian_export_is_a_right_to_left_sheet(client, declaration, hq):
    from openpyxl import load_workbook

    client.force_login(hq)
    sheet = load_workbook(io.BytesIO(download(client, reverse("reports:audit_export", args=["xlsx"])).content)).active
    assert sheet.sheet_view.rightToLeft


def test_a_change_through_the_api_names_the_token_it_came_with(declaration, origin_clerk, api_token_for):
    from rest_framework.test import APIClient

    key = api_token_for(origin_clerk)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post(f"/api/declarations/{declaration.pk}/depart/", {}, format="json")
    assert response.status_code == 200, response.content
    entry = LogEntry.objects.filter(object_pk=str(declaration.pk), action=LogEntry.Action.UPDATE).latest("id")
    assert entry.seal.via == "api" and entry.seal.via_ref == f"token {key[:10]}… of {origin_clerk.username}"


@pytest.mark.persian
def test_the_page_says_what_changed_in_words_not_codes(client, declaration, origin_clerk, hq):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    client.force_login(hq)
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(TransitDeclaration).pk
    page = client.get(
        reverse("reports:audit"), {"object": str(declaration.pk), "action": "1", "model": str(kind)}
    ).content.decode()
    row = page[page.index("<tr data-entry=") : page.index("</tr>", page.index("<tr data-entry="))]
    assert "<td>تغییر</td>" in row  # the action, and the kind of record, by name
    assert "اظهارنامه ترانزیتی" in row and "transitdeclaration" not in row
    assert "(کارشناس گمرک)" in row and "(office)" not in row  # the actor's role by name
    assert "در حال ترانزیت" in row and "in_transit" not in row  # the new status by its label


def test_a_created_record_lists_what_it_was_made_with_not_none_arrows(client, declaration, origin_clerk, hq):
    services.declaration_depart(declaration=declaration, by=origin_clerk)  # writes its timeline event
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE).exclude(content_type__model="user").latest("id")
    client.force_login(hq)
    page = client.get(
        reverse("reports:audit"),
        {"object": created.object_pk, "action": "0", "model": str(created.content_type_id)},
    ).content.decode()
    row = page[page.index(f'<tr data-entry="{created.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "<bdi>" in row.split('<td class="small">', 1)[1]  # what it was made with
    assert "None" not in row and "→" not in row and "←" not in row


@pytest.mark.persian
def test_an_access_entry_is_shown_in_the_page_language_but_stored_as_written(
    client, declaration, origin_clerk, dest_clerk, hq, it_officer
):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_two_hours_ago())  # the trip takes time
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    with audit.actor(hq):
        audit.record_access(None, "nobody", "login failed", username="nobody")
        # what core.files.serve_file writes for a download: the file field it served
        audit.record_access(None, declaration.arrival, "evidence", file="evidence/1/a.pdf", via="signed URL")
    client.force_login(it_officer)
    page = client.get(reverse("reports:audit")).content.decode()
    assert "دسترسی: ورود ناموفق" in page and "نام کاربری: nobody" in page and "login failed" not in page
    assert "دسترسی: دریافت فایل: مدرک پشتیبان" in page and "از راه: نشانی امضاشده" in page
    assert "signed URL" not in page and "via:" not in page
    stored = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("id")
    assert {"login failed", "evidence"} <= {e.additional_data["access"] for e in stored}  # the record as written
    rows = list(
        csv.reader(
            io.StringIO(download(client, reverse("reports:audit_export", args=["csv"])).content.decode("utf-8-sig"))
        )
    )
    assert any("دسترسی: ورود ناموفق, نام کاربری: nobody" in cell for row in rows for cell in row)


@pytest.mark.persian
def test_a_superusers_role_is_named_in_words(client, declaration, hq, it_officer):
    hq.is_superuser = True
    hq.save()
    with audit.actor(hq):
        audit.record_access(None, "the national return", "export")
    client.force_login(it_officer)
    page = client.get(reverse("reports:audit")).content.decode()
    at = page.index("the national return")
    row = page[page.rindex("<tr", 0, at) : at]
    assert "(دفتر ترانزیت (ستاد)، مدیر ارشد سامانه)" in row and "superuser" not in row


@pytest.mark.persian
def test_a_change_is_written_as_the_page_writes_yes_no_and_numbers(client, declaration, hq):
    declaration.dup_waybill = True
    declaration.guarantee_amount = 1250000
    declaration.save()
    entry = LogEntry.objects.get_for_object(declaration).latest("id")
    client.force_login(hq)
    page = client.get(reverse("reports:audit"), {"object": str(declaration.pk), "action": "1"}).content.decode()
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "خیر ← بله" in row and "False" not in row and "True" not in row  # in the right-to-left order
    assert "۱٬۲۵۰٬۰۰۰" in row and "1250000" not in row  # grouped, as the pages write an amount


@pytest.mark.persian
def test_a_guarantee_amount_not_given_reads_as_a_dash_not_zero_on_the_page_and_in_the_xlsx(
    client, bazargan, tehran, hq
):
    from tests.factories import DeclarationFactory

    declaration = DeclarationFactory(origin=bazargan, destination=tehran, guarantee_amount=0)  # 0: none given
    declaration.guarantee_amount = 1250000
    declaration.save()
    created, given = entries_of(declaration)
    client.force_login(hq)
    page = client.get(reverse("reports:audit"), {"object": str(declaration.pk)}).content.decode()
    cells = _changes_cells(client, [created, given])
    for creation in (_row_of(page, created), cells[0]):
        assert "مبلغ تضمین" not in creation  # made with no amount: nothing to list, as for any empty field
    for change in (_row_of(page, given), cells[1]):
        assert "مبلغ تضمین (ریال): — ← ۱٬۲۵۰٬۰۰۰" in change and "۰ ←" not in change


def test_the_export_writes_a_change_a_service_logged_with_yes_no_and_null_values(client, declaration, hq, it_officer):
    # A model version promoted (anpr.registry) logs its own changes: a yes/no and a null, not text.
    with audit.actor(it_officer):
        LogEntry.objects.log_create(
            declaration,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"promoted": [False, True], "replaces": [None, 1], "reason": ["", "shipped"]},
        )
    client.force_login(hq)
    response = download(client, reverse("reports:audit_export", args=["csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # one row names all three changes, as the page writes them (their order is the database's: PostgreSQL's
    # JSONB keeps no key order)
    written = [set(r[10].split("; ")) for r in rows[1:]]
    assert {"promoted: no \u2192 yes", "replaces: \u2014 \u2192 1", "reason: \u2014 \u2192 shipped"} in written
    assert download(client, reverse("reports:audit_export", args=["xlsx"])).status_code == 200


def test_the_audit_export_is_built_by_the_worker_for_its_asker_only(client, declaration, hq, it_officer):
    """An audit export holds everyone's entries but its asker's: hq (the demo's system administrator, who
    sees everyone's exports) opened and downloaded an IT officer's, with hq's own entries in it, which the
    audit page never shows them. Nobody but the asker sees it, the IT office included."""
    from django.test import TestCase

    from core import audit
    from core.models import ExportJob
    from tests.export_jobs import job_of
    from tests.factories import UserFactory

    with audit.actor(hq):
        audit.record_access(None, "hq-entry", "download")  # hq's own entry: in the IT officer's export
    client.force_login(it_officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = job_of(client.get(reverse("reports:audit_export", args=["xlsx"]), {"action": "0"}))
    job = ExportJob.objects.get(pk=job.pk)
    assert (job.kind, job.query, job.state) == ("audit", "action=0", "done") and job.rows
    pages = [reverse(name, args=[job.pk]) for name in ("core:export-job", "core:export-download")]
    assert all(client.get(page).status_code == 200 for page in pages)  # its asker

    hq.is_superuser = hq.is_staff = True  # the system administrator (ensure_admin's, the demo's hq)
    hq.save(update_fields=["is_superuser", "is_staff"])
    for other in (hq, UserFactory(username="it2", role="it"), UserFactory(username="hq2", role="hq")):
        client.force_login(other)
        assert [client.get(page).status_code for page in pages] == [404, 404], other.username
        listed = client.get(reverse("core:export-list")).content.decode()
        assert f"/exports/{job.pk}/" not in listed, other.username
    # Their other exports are still overseen: the system administrator sees the IT officer's declarations.
    client.force_login(it_officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        listing = job_of(client.get(reverse("declarations:export-xlsx")))
    client.force_login(hq)
    assert client.get(reverse("core:export-job", args=[listing.pk])).status_code == 200


def _row_of(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def _changes_cells(client, entries: list[LogEntry]) -> list[str]:
    """The «what changed» cells of ``entries``' rows in the XLSX export (found by their place in the chain)."""
    from tests.sheets import table_values

    rows = table_values(download(client, reverse("reports:audit_export", args=["xlsx"])).content)
    by_seq = {r[11]: r[10] for r in rows[1:]}
    return [by_seq[e.seal.seq] for e in entries]


@pytest.mark.parametrize(
    "language,departed_label,kind,message_id",
    [
        pytest.param("fa", "زمان خروج از مبدأ", "نوع: خروج از مبدأ", "شناسه پیام: ", marks=pytest.mark.persian),
        ("en", "departed at", "kind: Departed", "message id: "),
    ],
    ids=["fa", "en"],
)
def test_a_departure_reads_in_jalali_tehran_time_with_labels_not_codes_on_the_page_and_in_the_xlsx(
    client, declaration, origin_clerk, hq, language, departed_label, kind, message_id
):
    from django.utils import translation

    from core.dates import format_jalali

    services.declaration_depart(declaration=declaration, by=origin_clerk)
    declaration.refresh_from_db()
    changed = LogEntry.objects.get_for_object(declaration).filter(action=LogEntry.Action.UPDATE).latest("id")
    event = DeclarationEvent.objects.get(declaration=declaration, kind="depart")
    created = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    registered = LogEntry.objects.get_for_object(declaration).get(action=LogEntry.Action.CREATE)
    hq.language = language
    hq.save()
    client.force_login(hq)
    with translation.override(language):
        page = client.get(reverse("reports:audit"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        cells = _changes_cells(client, [changed, created, registered])
    departed = format_jalali(declaration.departed_at, persian=language == "fa")  # Tehran time, the reader's digits
    arrow = "←" if language == "fa" else "→"
    update, event_row, creation = (
        _row_of(page, e).split('<td class="small">')[1] for e in (changed, created, registered)
    )
    assert f"{departed_label}: — {arrow} {departed}" in update
    assert f"{departed_label}: — {arrow} {departed}" in cells[0]
    for shown in (update, cells[0]):
        assert "2026" not in shown and "in_transit" not in shown and "None" not in shown
    for shown in (event_row, cells[1]):
        # the message in the reader's words; its id, an English code, is no line of its own
        assert kind in shown and message_id not in shown and ": depart" not in shown
        assert "{}" not in shown and "message parameters" not in shown and "پارامترهای پیام" not in shown
        assert "رضا احمدی" in shown  # the actor by name, not a user's id
    for shown in (creation, cells[2]):
        assert ".None" not in shown and "events" not in shown and '["' not in shown and "[&quot;" not in shown
        assert "\u2066S100200\u2069" in shown  # a seal number of the list, isolated
    assert "2026" not in cells[2] and "2026" not in creation


def test_the_csv_writes_the_changes_as_the_page_does(client, declaration, origin_clerk, hq):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    client.force_login(hq)
    rows = list(
        csv.reader(
            io.StringIO(download(client, reverse("reports:audit_export", args=["csv"])).content.decode("utf-8-sig"))
        )
    )
    assert any("status: registered \u2192 in transit" in r[10] for r in rows[1:])
    assert not any("in_transit" in r[10] for r in rows[1:])


@pytest.mark.persian
def test_a_plate_reads_entry_names_it_by_plate_camera_code_and_jalali_time(client, bazargan, hq):
    import datetime as dt

    from django.utils import timezone

    from anpr import services as anpr_services
    from anpr.models import PlateRead
    from core.dates import format_jalali

    camera, _token = anpr_services.camera_register(office=bazargan, code="BZG-CAM-07", direction="in", lane="1")
    at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    read = PlateRead.objects.create(
        camera=camera, office=bazargan, captured_at=at, received_at=at, plate="12ب34565", recognition="done"
    )
    entry = LogEntry.objects.get_for_object(read).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    row = _row_of(client.get(reverse("reports:audit")).content.decode(), entry)
    subject = row.split("<td>")[6]
    assert "BZG-CAM-07" in subject and format_jalali(at) in subject and "۱۲ ب ۳۴۵ - ایران ۶۵" in subject
    assert f"@ {camera.pk}" not in subject


def test_a_search_over_a_kind_of_rows_is_named_in_the_readers_language(client, origin_clerk, hq):
    """A person-file search asked from a Persian page read «driver رانندگان» on an English audit page: the
    kind of rows searched is recorded as the code names it and shown in the reader's language."""
    from django.utils import translation

    from declarations.models import Driver

    with translation.override("fa"), audit.actor(origin_clerk):
        entry = audit.record_access(None, Driver, "person file", query="0012345679", found=True)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = page.split(f'data-entry="{entry.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>drivers</td>" in row and "رانندگان" not in row
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("reports:audit"), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    row = page.split(f'data-entry="{entry.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>رانندگان</td>" in row and "drivers" not in row


@pytest.mark.parametrize(
    "language,title",
    [pytest.param("fa", "خروج از مبدأ", marks=pytest.mark.persian), ("en", "Departed")],
    ids=["fa", "en"],
)
def test_a_timeline_events_entry_names_its_declarations_serial_and_the_events_title(
    client, declaration, origin_clerk, hq, language, title
):
    """An event's entry read «1 depart» (the declaration's id, the kind's code): it is named as the pages name
    it, the serial isolated and the event's title in the reader's language; a row since deleted keeps its text."""
    from django.utils import translation

    from core.text import isolate

    services.declaration_depart(declaration=declaration, by=origin_clerk)
    event = DeclarationEvent.objects.get(declaration=declaration, kind="depart")
    created = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    gone = DeclarationEvent.objects.create(declaration=declaration, at=event.at, kind="cancel")
    gone_entry = LogEntry.objects.get_for_object(gone).get(action=LogEntry.Action.CREATE)
    DeclarationEvent.objects.filter(pk=gone.pk)._raw_delete(DeclarationEvent.objects.db)  # gone without a trace
    hq.language = language
    hq.save()
    client.force_login(hq)
    with translation.override(language):
        page = client.get(reverse("reports:audit"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    subject = _row_of(page, created).split("<td>")[6]
    assert f'<span class="ident">{isolate(declaration.serial)}</span> · {title}' in subject
    assert f"{declaration.pk} depart" not in subject
    assert f"{declaration.pk} cancel" in _row_of(page, gone_entry).split("<td>")[6]  # as stored


def test_a_declaration_a_change_names_is_named_by_its_serial_isolated_on_the_page_and_in_the_xlsx(
    client, declaration, origin_clerk, hq
):
    """A row pointing to a declaration (a timeline event, a letter, an extension) named it by its bare serial,
    which a right-to-left line lays out with its neighbours (``T1404…`` beside Persian text): it is isolated,
    as the subject column and the pages write it."""
    from core.text import isolate

    services.declaration_depart(declaration=declaration, by=origin_clerk)
    event = DeclarationEvent.objects.get(declaration=declaration, kind="depart")
    created = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    changes = _row_of(page, created).split('<td class="small">')[1]
    cell = _changes_cells(client, [created])[0]
    assert f': <span class="ident">{isolate(declaration.serial)}</span>' in changes  # held on one line
    assert f": {isolate(declaration.serial)}" in cell and f": {declaration.serial}" not in cell


def test_a_page_of_many_entries_looks_up_the_rows_they_name_a_few_at_a_time(
    client, bazargan, tehran, origin_clerk, hq, django_assert_max_num_queries
):
    """The page looked up each row an entry names (a declaration, its truck, company, office, a person) one at
    a time: forty-one queries for this page of fifty entries. They are looked up in bulk, a query per kind of row,
    however many entries the page shows."""
    from tests.factories import DeclarationFactory

    for _n in range(12):
        services.declaration_depart(
            declaration=DeclarationFactory(origin=bazargan, destination=tehran), by=origin_clerk
        )
    client.force_login(hq)
    client.get(reverse("reports:audit"))  # the session and the content types read once
    # the session and the person, the filter's kinds, the entries, then a query per kind of row named
    with django_assert_max_num_queries(15):
        page = client.get(reverse("reports:audit")).content.decode()
    assert page.count("<tr data-entry=") == 50
    assert "رضا احمدی" in page  # the actor of the departures by name, still


@pytest.mark.persian
def test_entries_naming_inspections_look_them_up_with_their_offices_whatever_their_number(
    client, bazargan, inspector, hq
):
    """An inspection's action or attachment names its inspection as «office date»: each inspection named
    cost one more query for its office, a page of fifty entries on as many inspections as many queries."""
    import datetime as dt

    from django.test.utils import CaptureQueriesContext

    from reports.models import CHECKLIST, Inspection, InspectionAction

    def inspect() -> None:
        with audit.actor(inspector):
            done = Inspection.objects.create(
                office=bazargan,
                inspector=inspector,
                inspected_on=dt.date(2025, 8, 3),
                **dict.fromkeys(CHECKLIST, "yes"),
            )
            InspectionAction.objects.create(
                inspection=done, description="seal the store", responsible_office=bazargan, due_on=dt.date(2025, 9, 1)
            )

    inspect()
    client.force_login(hq)
    client.get(reverse("reports:audit"))  # the session and the content types read once
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("reports:audit")).content.decode()
    # the action's inspection, by its office's name and its day (``Inspection.audit_name``)
    assert "بازرسی: \u2068گمرک بازرگان\u2069 · ۱۴۰۴/۰۵/۱۲" in page
    for _n in range(5):
        inspect()
    with CaptureQueriesContext(connection) as six:
        page = client.get(reverse("reports:audit")).content.decode()
    assert page.count("بازرسی: \u2068گمرک بازرگان\u2069 · ۱۴۰۴/۰۵/۱۲") == 6
    assert len(six) == len(one), [q["sql"][:80] for q in six.captured_queries]


@pytest.mark.parametrize(
    "language,expected",
    [
        pytest.param(
            "fa",
            [["سوابق ممیزی"], ["انجام‌دهنده (نام یا نام کاربری)", "origin_clerk"], ["عمل", "تغییر"], ["از"]],
            marks=pytest.mark.persian,
        ),
        ("en", [["Audit trail"], ["actor (name or username)", "origin_clerk"], ["action", "update"], ["from"]]),
    ],
    ids=["fa", "en"],
)
def test_the_xlsx_opens_with_what_it_is_its_filters_as_the_page_names_them_and_who_made_it_when(
    client, declaration, origin_clerk, hq, language, expected
):
    """The trail's XLSX began with its table while the other exports say what they are: it opens with its
    title, its filters as the page names them (an action by its label, a date in Jalali), when and by whom."""
    import datetime as dt

    from django.utils import timezone, translation
    from openpyxl import load_workbook

    from core.dates import format_jalali
    from tests.sheets import table, title_block

    services.declaration_depart(declaration=declaration, by=origin_clerk)
    hq.first_name, hq.last_name, hq.language = "مریم", "کاظمی", language
    hq.save()
    client.force_login(hq)
    before = format_jalali(timezone.now(), persian=False)
    yesterday = timezone.now() - dt.timedelta(days=1)
    day = format_jalali(yesterday, with_time=False, persian=False)
    filters = {"actor": "origin_clerk", "action": "1", "date_from": day}
    with translation.override(language):
        data = download(client, reverse("reports:audit_export", args=["xlsx"]), filters).content
    sheet = load_workbook(io.BytesIO(data)).active
    block = title_block(sheet)
    assert block[:3] == expected[:3] and block[3][0] == expected[3][0]
    assert block[3][1] == format_jalali(yesterday, with_time=False, persian=language == "fa")  # the reader's digits
    assert block[4][1] in {before, format_jalali(timezone.now(), persian=False)}  # made at
    assert block[5][1] == "مریم کاظمی"  # made by
    assert sheet.cell(1, 1).font.b
    header, *rows = table(sheet)
    assert header[0].value in ("Time", "زمان") and rows and all(r[1].value == "origin_clerk" for r in rows)


def test_a_scans_entry_is_named_in_the_readers_language_and_digits(client, declaration, hq):
    """An English page read «scan 4490 destination ۱۴۰۵/۰۹/۱۵ ۰۵:۳۱»: the Jalali time was in Persian digits."""
    from django.utils import timezone, translation

    from core.dates import format_jalali
    from core.text import isolate
    from scans.models import Scan

    at = timezone.now().replace(microsecond=0)
    pixels = {"width": 10, "height": 10, "mode": "L", "bit_depth": 8, "size_bytes": 100, "sha256": "a" * 64}
    with translation.override("fa"):  # written by a Persian page
        scan = Scan.objects.create(
            declaration=declaration, stage="destination", office=declaration.destination, scanner_id="S1",
            captured_at=at, format="PNG", original="scans/d.png", received_sha256="a" * 64, **pixels,
        )  # fmt: skip
    entry = LogEntry.objects.get_for_object(scan).get(action=LogEntry.Action.CREATE)
    hq.language = "en"
    hq.save()
    client.force_login(hq)
    with translation.override("en"):
        row = _row_of(client.get(reverse("reports:audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode(), entry)
        held = f'<span class="ident">{isolate(declaration.serial)}</span>'
        assert f"{held} · destination · {format_jalali(at, persian=False)}" in row, row
        assert format_jalali(at) not in row and "۱" not in row
        assert format_jalali(at, persian=False) in str(scan)
