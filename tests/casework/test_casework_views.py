"""Casework pages: the origin clerk drafts, edits, sends and downloads a letter; the destination records the reply; cases."""

import datetime as dt
import hashlib

import jdatetime
import pytest
from django.utils import timezone

from casework.models import CaseStatus, FollowUpLetter, JudicialCase, LetterStatus
from declarations.models import Status
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text


@pytest.fixture
def overdue(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )


def test_it_walks_a_letter_through_the_pages(
    client, overdue, origin_clerk, dest_clerk, outsider, django_capture_on_commit_callbacks
):
    client.force_login(origin_clerk)
    response = client.post(f"/casework/letters/new/{overdue.pk}/")
    letter = FollowUpLetter.objects.get()
    assert response["Location"] == f"/casework/letters/{letter.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "اعلام وصول" in page and "Number and send" in page

    bad = client.post(response["Location"], {"subject": "", "body": "متن"})
    assert bad.status_code == 400
    client.post(
        response["Location"], {"subject": "پیگیری فوری", "body": "بند یک\n\nبند دو", "copies": "دفتر ترانزیت\n"}
    )
    letter.refresh_from_db()
    assert letter.subject == "پیگیری فوری" and letter.copies == ["دفتر ترانزیت"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/casework/letters/{letter.pk}/send/")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT and letter.number == "BZG/" + letter.number.split("/", 1)[1]
    pdf = client.get(f"/casework/letters/{letter.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "پیگیری فوری" in pdf_text(b"".join(pdf.streaming_content))
    listing = client.get("/casework/letters/?status=sent").content.decode()
    assert f"/casework/letters/{letter.pk}/" in listing

    client.force_login(outsider)
    assert client.get(f"/casework/letters/{letter.pk}/").status_code == 404

    client.force_login(dest_clerk)
    response = client.post(f"/casework/letters/{letter.pk}/answer/", {"reply_text": "کالا وارد شد", "answered_on": ""})
    letter.refresh_from_db()
    assert response.status_code == 302 and letter.status == LetterStatus.ANSWERED


def test_it_tells_the_clerk_why_no_letter_is_needed(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = client.post(f"/casework/letters/new/{declaration.pk}/", follow=True)
    assert "needs no follow-up" in response.content.decode()
    assert not FollowUpLetter.objects.exists()


def test_it_opens_a_case_logs_actions_and_closes_it_from_the_pages(client, overdue, inspector):
    client.force_login(inspector)
    form = {
        "file_number": "140412",
        "authority": "دادسرای عمومی",
        "branch": "۲",
        "opened_on": "۱۴۰۴/۰۵/۱۰",
        "cif_value": "1000",
        "currency": "USD",
        "exchange_rate": "500000",
        "duties": "1000000",
        "fees": "0",
    }
    response = client.post(f"/casework/cases/new/{overdue.pk}/", form)
    case = JudicialCase.objects.get()
    assert response.status_code == 302 and case.goods_value == 501_000_000
    assert case.opened_on == dt.date(2025, 8, 1)
    assert client.post(f"/casework/cases/new/{overdue.pk}/", {**form, "exchange_rate": "x"}).status_code == 400

    client.post(f"/casework/cases/{case.pk}/", {"form": "action", "on": "1404/05/11", "action": "ارجاع به کارشناس"})
    client.post(f"/casework/cases/{case.pk}/", {"form": "close", "outcome": "برائت", "outcome_on": "1404/05/12"})
    case.refresh_from_db()
    assert case.actions.count() == 1 and case.status == CaseStatus.CLOSED
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert "ارجاع به کارشناس" in page and "برائت" in page
    assert "140412" in client.get("/casework/cases/").content.decode().translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    )


def test_it_shows_the_casework_panel_on_the_dashboard(client, overdue, origin_clerk):
    from casework import panels
    from casework import services as casework

    panels.register_hooks()  # casework/apps.py calls it in ready()
    casework.letter_draft(declaration=overdue, by=origin_clerk)
    client.force_login(origin_clerk)
    page = client.get("/").content.decode()
    assert "/casework/letters/?status=draft" in page


def _overdue_by(days, bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=days)
    )


def test_it_lists_drafts_most_overdue_first_and_sends_a_page_of_them(client, bazargan, tehran, origin_clerk):
    from casework import services as casework

    late = {days: _overdue_by(days, bazargan, tehran) for days in (5, 30, 12)}
    assert casework.followups_run()["proposed"] == 3
    client.force_login(origin_clerk)
    page = client.get("/casework/letters/?status=draft").content.decode()
    positions = [page.index(late[days].serial) for days in (30, 12, 5)]
    assert positions == sorted(positions)
    assert page.count('name="letter"') == 3 and page.count('name="page_letter"') == 3

    response = client.post(
        "/casework/letters/send/",
        {
            "send": "page",
            "status": "draft",
            "page_letter": [str(pk) for pk in FollowUpLetter.objects.values_list("pk", flat=True)],
        },
        follow=True,
    )
    assert "3 letters sent." in response.content.decode()
    letters = {letter.declaration_id: letter for letter in FollowUpLetter.objects.all()}
    assert all(letter.status == LetterStatus.SENT for letter in letters.values())
    # Numbered in the order listed: the longest overdue first.
    assert [letters[late[days].pk].number_seq for days in (30, 12, 5)] == [1, 2, 3]
    assert response.redirect_chain[-1][0] == "/casework/letters/?status=draft"


def test_a_batch_sends_what_it_may_and_names_each_refused_letter(
    client, bazargan, tehran, sarakhs, origin_clerk, dest_clerk
):
    from casework import services as casework

    mine, other = _overdue_by(10, bazargan, tehran), _overdue_by(10, sarakhs, tehran)
    casework.followups_run()
    draft = FollowUpLetter.objects.get(declaration=mine)
    foreign = FollowUpLetter.objects.get(declaration=other)
    sent = FollowUpLetter.objects.create(
        declaration=mine,
        kind="overdue",
        from_office=bazargan,
        to_office=tehran,
        subject="s",
        body="b",
        status="sent",
        number="BZG/1404/7",
    )

    client.force_login(dest_clerk)  # a draft to Tehran is Bazargan's own until sent: not Tehran's to send
    page = client.post("/casework/letters/send/", {"letter": [draft.pk]}, follow=True).content.decode()
    assert f"Letter #{draft.pk} not sent: no such letter in your scope." in page
    draft.refresh_from_db()
    assert draft.status == LetterStatus.DRAFT

    client.force_login(origin_clerk)
    page = client.post(
        "/casework/letters/send/", {"letter": [draft.pk, sent.pk, foreign.pk, "x"]}, follow=True
    ).content.decode()
    assert "1 letter sent." in page
    assert (
        f"Letter \u2066BZG/1404/7\u2069 (\u2066{mine.serial}\u2069) not sent: Letter \u2066BZG/1404/7\u2069 was already sent."
        in page
    )
    assert f"Letter #{foreign.pk} not sent: no such letter in your scope." in page
    draft.refresh_from_db()
    foreign.refresh_from_db()
    assert draft.status == LetterStatus.SENT and foreign.status == LetterStatus.DRAFT
    assert "Tick the draft letters to send." in client.post("/casework/letters/send/", {}, follow=True).content.decode()


@pytest.mark.parametrize(
    "junk", ["\u00b2", "\u0661\u0662", "-1", "9" * 30, "1" * 5000], ids=["sup2", "arabic", "neg", "30", "5000"]
)
def test_a_batch_skips_ticks_that_are_no_letter_id_instead_of_failing(client, bazargan, tehran, origin_clerk, junk):
    """'²' passes str.isdigit() but not int(); 30 digits overflow SQLite; 5000 exceed Python's int parsing."""
    from casework import services as casework

    mine = _overdue_by(10, bazargan, tehran)
    casework.followups_run()
    draft = FollowUpLetter.objects.get(declaration=mine)
    client.force_login(origin_clerk)
    response = client.post("/casework/letters/send/", {"letter": [junk, draft.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == LetterStatus.SENT
    response = client.post("/casework/letters/send/", {"letter": [junk]}, follow=True)
    assert response.status_code == 200 and "Tick the draft letters to send." in response.content.decode()


@pytest.mark.persian
def test_the_batch_action_reads_in_persian(client, bazargan, tehran, origin_clerk):
    from casework import services as casework

    for days in (3, 4):
        _overdue_by(days, bazargan, tehran)
    casework.followups_run()
    client.force_login(origin_clerk)
    assert "شماره‌گذاری و ارسال همه ۲ پیش‌نویس این صفحه" in client.get("/casework/letters/").content.decode()
    ids = list(FollowUpLetter.objects.values_list("pk", flat=True))
    page = client.post("/casework/letters/send/", {"send": "page", "page_letter": ids}, follow=True).content.decode()
    assert "۲ نامه ارسال شد." in page


def _stored_pdfs(settings):
    return sorted(p.name for p in (settings.MEDIA_ROOT / "letters").rglob("*.pdf")) if settings.MEDIA_ROOT else []


def test_viewing_a_draft_pdf_stores_nothing_and_the_sent_letter_keeps_one_pdf(
    client, overdue, origin_clerk, settings, django_capture_on_commit_callbacks
):
    from casework import services as casework
    from tests.export_jobs import download

    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    client.force_login(origin_clerk)
    for _ in range(3):  # each preview an export the worker builds (tests/export_jobs.py)
        response = download(client, f"/casework/letters/{letter.pk}/pdf/")
        assert response["Content-Type"] == "application/pdf"
    assert norm("فاقد اعتبار") in pdf_text(response.content)  # marked as a draft
    letter.refresh_from_db()
    assert not letter.pdf and _stored_pdfs(settings) == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/casework/letters/{letter.pk}/send/")
    letter.refresh_from_db()
    assert len(_stored_pdfs(settings)) == 1
    downloads = [b"".join(client.get(f"/casework/letters/{letter.pk}/pdf/").streaming_content) for _ in range(3)]
    assert len(set(downloads)) == 1 and len(_stored_pdfs(settings)) == 1  # the stored record, served again
    text = pdf_text(downloads[0])
    assert letter.number in text and norm("فاقد اعتبار") not in text
    assert letter.pdf_sha256 == hashlib.sha256(downloads[0]).hexdigest()
    assert letter.pdf_sha256 in client.get(f"/casework/letters/{letter.pk}/").content.decode()


def test_the_migration_removes_the_pdfs_stored_by_viewing_drafts(overdue, origin_clerk, settings):
    import importlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from casework import services as casework

    clean = importlib.import_module("declarations.migrations.0009_letter_pdf_sha256").clean_letter_pdfs
    # The letters have moved to casework: the migration runs on the models as they were at 0009.
    apps = MigrationLoader(connection).project_state(("declarations", "0009_letter_pdf_sha256")).apps
    draft = casework.letter_draft(declaration=overdue, by=origin_clerk)
    orphan = default_storage.save(
        f"letters/2026/01/letter-{draft.pk}-20260101000000-0123456789ab.pdf", ContentFile(b"a")
    )
    draft.pdf.save(f"letter-{draft.pk}-20260101000100-0123456789ab.pdf", ContentFile(b"b"))
    other = _overdue_by(3, overdue.origin, overdue.destination)
    sent = casework.letter_send(letter=casework.letter_draft(declaration=other, by=origin_clerk), by=origin_clerk)
    stamp = (sent.sent_at + dt.timedelta(seconds=2)).strftime("%Y%m%d%H%M%S")
    sent.pdf.save(f"letter-{sent.pk}-{stamp}-0123456789ab.pdf", ContentFile(b"record"))
    keep = default_storage.save("letters/README.txt", ContentFile(b"not a letter"))

    clean(apps, None)
    draft.refresh_from_db()
    sent.refresh_from_db()
    assert not draft.pdf and sent.pdf and sent.pdf_sha256 == hashlib.sha256(b"record").hexdigest()
    assert _stored_pdfs(settings) == [sent.pdf.name.rsplit("/", 1)[1]]
    assert not default_storage.exists(orphan) and default_storage.exists(keep)


def test_the_migration_leaves_the_pdfs_of_letters_another_database_holds(overdue, origin_clerk, settings):
    """The test suite's own database is migrated from empty beside the media folder of the app run on
    the same machine: that app's sent letters are no orphans of the new database."""
    import importlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from casework import services as casework
    from casework.models import FollowUpLetter

    clean = importlib.import_module("declarations.migrations.0009_letter_pdf_sha256").clean_letter_pdfs
    apps = MigrationLoader(connection).project_state(("declarations", "0009_letter_pdf_sha256")).apps
    FollowUpLetter.objects.all().delete()
    elsewhere = default_storage.save("letters/2026/12/letter-1-20261205111420-8c224516e89d.pdf", ContentFile(b"a"))
    clean(apps, None)  # no letter in this database at all
    assert default_storage.exists(elsewhere)

    draft = casework.letter_draft(declaration=overdue, by=origin_clerk)
    theirs = default_storage.save(
        f"letters/2026/12/letter-{draft.pk + 1000}-20261205111420-0123456789ab.pdf", ContentFile(b"b")
    )
    clean(apps, None)  # letters here, but not that one
    assert default_storage.exists(theirs)


def test_a_reply_dated_in_the_future_is_refused_beside_its_date(client, overdue, origin_clerk, dest_clerk):
    from casework import services as casework

    letter = casework.letter_send(letter=casework.letter_draft(declaration=overdue, by=origin_clerk), by=origin_clerk)
    next_year = jdatetime.date.today().year + 1
    client.force_login(dest_clerk)

    response = client.post(
        f"/casework/letters/{letter.pk}/answer/", {"reply_text": "کالا وارد شد", "answered_on": f"{next_year}/01/15"}
    )

    letter.refresh_from_db()
    assert response.status_code == 400 and letter.status == LetterStatus.SENT and letter.answered_at is None
    form = response.context["answer_form"]
    assert form.errors["answered_on"] == ["The reply date is in the future."]


@pytest.mark.persian
def test_a_letter_sent_in_the_future_is_refused_naming_the_time_in_jalali(overdue, origin_clerk):
    from casework import services as casework
    from core.dates import format_jalali
    from core.errors import InvalidInput

    draft = casework.letter_draft(declaration=overdue, by=origin_clerk)
    at = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(InvalidInput) as refused:
        casework.letter_send(letter=draft, by=origin_clerk, at=at)
    assert str(refused.value) == f"زمان {format_jalali(at)} در آینده است."


def test_the_dashboards_casework_figures_lead_to_lists_of_as_many_rows(
    client, bazargan, tehran, origin_clerk, inspector
):
    """ "Replies overdue: 1" led to every sent letter and "Open judicial cases: 1" to every case, closed
    ones too: the list a figure links to shows the rows it counts."""
    from casework import panels
    from casework import services as casework

    panels.register_hooks()
    late, on_time = _overdue_by(20, bazargan, tehran), _overdue_by(21, bazargan, tehran)
    for declaration, sent_days_ago in ((late, 30), (on_time, 1)):
        letter = casework.letter_draft(declaration=declaration, by=origin_clerk)
        casework.letter_send(letter=letter, by=origin_clerk, at=timezone.now() - dt.timedelta(days=sent_days_ago))
    case_form = {"authority": "دادسرا", "opened_on": dt.date(2025, 8, 1), "cif_value": 1000, "exchange_rate": 500000}
    closed = casework.case_open(declaration=late, by=inspector, file_number="C-1", **case_form)
    casework.case_close(case=closed, by=inspector, outcome="برائت", outcome_on=dt.date(2025, 8, 2))
    casework.case_open(declaration=on_time, by=inspector, file_number="C-2", **case_form)

    client.force_login(inspector)
    page = client.get("/").content.decode()
    assert "/casework/letters/?overdue=1" in page and "/casework/cases/?status=open" in page
    letters = client.get("/casework/letters/?overdue=1").content.decode()
    assert letters.count('class="badge danger">reply overdue') == 1 and letters.count("/casework/letters/") >= 1
    assert f"/declarations/{late.pk}/" in letters and f"/declarations/{on_time.pk}/" not in letters
    cases = client.get("/casework/cases/?status=open").content.decode()
    assert f"/declarations/{on_time.pk}/" in cases and f"/declarations/{late.pk}/" not in cases
    everything = client.get("/casework/cases/").content.decode()
    assert f"/declarations/{on_time.pk}/" in everything and f"/declarations/{late.pk}/" in everything
