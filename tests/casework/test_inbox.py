"""The destination office's inbox: letters addressed to it, reply due soonest first, overdue marked,
filters and counts; the API lists the same and records a reply."""

import datetime as dt
import html

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import api_token_issue
from casework import services
from casework.models import FollowUpLetter, LetterStatus
from declarations.models import DeclarationEvent, Status
from tests.factories import DeclarationFactory, UserFactory

pytestmark = pytest.mark.django_db
DUE = settings.FOLLOWUP_REPLY_DUE_DAYS


def _letter(origin, destination, by, *, days_ago: int) -> FollowUpLetter:
    d = DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.IN_TRANSIT,
        deadline=timezone.now() - dt.timedelta(days=60),
    )
    letter = services.letter_draft(declaration=d, by=by)
    return services.letter_send(letter=letter, by=by, at=timezone.now() - dt.timedelta(days=days_ago))


@pytest.fixture
def letters(bazargan, tehran, sarakhs, origin_clerk):
    """To Tehran: one overdue (sent DUE+5 days ago), one due in 10 days, one due in 20 and answered,
    one still a draft; to Sarakhs: one overdue (another province: not Tehran's)."""
    overdue = _letter(bazargan, tehran, origin_clerk, days_ago=DUE + 5)
    soon = _letter(bazargan, tehran, origin_clerk, days_ago=DUE - 10)
    answered = _letter(bazargan, tehran, origin_clerk, days_ago=DUE - 20)
    services.letter_record_answer(letter=answered, by=origin_clerk, reply_text="رسید")
    d = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=60)
    )
    draft = services.letter_draft(declaration=d, by=origin_clerk)
    elsewhere = _letter(bazargan, sarakhs, origin_clerk, days_ago=DUE + 1)
    return {"overdue": overdue, "soon": soon, "answered": answered, "draft": draft, "elsewhere": elsewhere}


def _ids(response) -> list[int]:
    return [row["letter"].pk for row in response.context["rows"]]


def test_the_destination_sees_letters_awaiting_reply_soonest_due_first(client, dest_clerk, letters):
    client.force_login(dest_clerk)
    resp = client.get("/casework/inbox/")
    assert resp.status_code == 200
    assert _ids(resp) == [letters["overdue"].pk, letters["soon"].pk]
    assert resp.context["counts"] == {"sent": 2, "overdue": 1, "answered": 1}
    page = resp.content.decode()
    assert 'class="table-danger"' in page and f'data-letter="{letters["overdue"].pk}" class="table-danger"' in page
    assert f'href="/casework/letters/{letters["soon"].pk}/#reply"' in page


def test_the_inbox_filters(client, dest_clerk, letters):
    client.force_login(dest_clerk)
    assert _ids(client.get("/casework/inbox/?overdue=1")) == [letters["overdue"].pk]
    assert _ids(client.get("/casework/inbox/?status=answered")) == [letters["answered"].pk]
    every = _ids(client.get("/casework/inbox/?status=all"))
    assert every == [letters["overdue"].pk, letters["soon"].pk, letters["answered"].pk]  # never the draft
    refused = client.get("/casework/inbox/?status=nonsense")  # said beside the tabs, not the default tab's letters
    assert refused.status_code == 400 and _ids(refused) == []


def test_the_inbox_keeps_to_the_scope(client, origin_clerk, inspector, outsider, hq, letters):
    client.force_login(origin_clerk)  # the sender: nothing is addressed to Bazargan
    assert _ids(client.get("/casework/inbox/?status=all")) == []
    client.force_login(inspector)  # West Azerbaijan: nothing is addressed to its offices
    assert _ids(client.get("/casework/inbox/?status=all")) == []
    client.force_login(outsider)  # Khorasan: Sarakhs's letter
    assert _ids(client.get("/casework/inbox/?status=all")) == [letters["elsewhere"].pk]
    client.force_login(hq)
    assert len(_ids(client.get("/casework/inbox/?status=all"))) == 4
    assert client.get("/casework/inbox/").status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/casework/inbox/").status_code == 302


def test_the_dashboard_panel_counts_the_inbox(client, dest_clerk, letters):
    client.force_login(dest_clerk)
    page = client.get("/").content.decode()
    assert 'id="inbox-count"' in page and "/casework/inbox/?overdue=1" in page


def test_the_reply_is_recorded_on_the_letter_the_inbox_links_to(client, dest_clerk, letters):
    client.force_login(dest_clerk)
    url = f"/casework/letters/{letters['soon'].pk}/answer/"
    assert client.post(url, {"reply_text": ""}).status_code == 400
    assert FollowUpLetter.objects.get(pk=letters["soon"].pk).status == LetterStatus.SENT
    assert client.post(url, {"reply_text": "کامیون رسید"}).status_code == 302
    assert _ids(client.get("/casework/inbox/")) == [letters["overdue"].pk]


# --- API ----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, name='test')[1]}")
    return api


@pytest.mark.parametrize("value", ["yes", "null", "on", "2"])
def test_an_overdue_flag_the_api_does_not_read_is_a_400_naming_it(dest_clerk, letters, value):
    """``?overdue=yes`` was read as no: the whole inbox came back, as though the filter had been applied."""
    response = _api(dest_clerk).get("/api/casework/inbox/", {"overdue": value})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["overdue"]


def test_the_overdue_flag_takes_true_false_1_0_in_any_case(dest_clerk, letters):
    api = _api(dest_clerk)
    for value in ("true", "True", "1"):
        assert [x["id"] for x in api.get("/api/casework/inbox/", {"overdue": value}).json()["results"]] == [
            letters["overdue"].pk
        ]
    for value in ("false", "FALSE", "0", ""):
        assert len(api.get("/api/casework/inbox/", {"overdue": value}).json()["results"]) == 2


def test_the_api_lists_the_inbox_and_records_a_reply(dest_clerk, letters):
    api = _api(dest_clerk)
    body = api.get("/api/casework/inbox/").json()["results"]
    assert [x["id"] for x in body] == [letters["overdue"].pk, letters["soon"].pk]
    assert [x["reply_overdue"] for x in body] == [True, False]
    assert [x["id"] for x in api.get("/api/casework/inbox/?overdue=1").json()["results"]] == [letters["overdue"].pk]
    assert api.get("/api/casework/inbox/?status=bogus").status_code == 400

    url = f"/api/casework/letters/{letters['soon'].pk}/answer/"
    bad = api.post(url, {"reply_text": " ", "answered_at": "fish"}, format="json")
    assert bad.status_code == 400 and "answered_at" in bad.json()["error"]["fields"]
    bad = api.post(url, {"reply_text": " "}, format="json")
    assert bad.status_code == 400 and "reply_text" in bad.json()["error"]["fields"]
    assert FollowUpLetter.objects.get(pk=letters["soon"].pk).status == LetterStatus.SENT

    sent_at = letters["soon"].sent_at
    answer = {
        "reply_text": "رسید",
        "reply_number": "THR/1",
        "answered_at": (sent_at + dt.timedelta(days=1)).isoformat(),
    }
    resp = api.post(url, answer, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "answered"
    letter = FollowUpLetter.objects.get(pk=letters["soon"].pk)
    assert letter.reply_recorded_by == dest_clerk and letter.reply_number == "THR/1"
    # The audited event on the declaration's timeline, with who recorded it.
    assert DeclarationEvent.objects.get(declaration=letter.declaration, kind="letter_answered").actor == dest_clerk
    assert api.post(url, {"reply_text": "دوباره"}, format="json").status_code == 409


def test_the_api_answer_takes_a_jalali_date(dest_clerk, letters):
    from core.dates import format_jalali

    at = letters["soon"].sent_at + dt.timedelta(days=2)
    text = format_jalali(at, with_time=True, persian=True)
    resp = _api(dest_clerk).post(
        f"/api/casework/letters/{letters['soon'].pk}/answer/",
        {"reply_text": "رسید", "answered_at": text},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    answered = FollowUpLetter.objects.get(pk=letters["soon"].pk).answered_at
    assert abs(answered - at) < dt.timedelta(minutes=1)


def test_the_api_refuses_outside_scope_and_wrong_roles(inspector, outsider, letters):
    url = f"/api/casework/letters/{letters['soon'].pk}/answer/"
    assert _api(outsider).post(url, {"reply_text": "x"}, format="json").status_code == 404
    assert _api(inspector).post(url, {"reply_text": "x"}, format="json").status_code == 403  # sees it, may not answer
    ics = _api(UserFactory(username="ics", role=Role.INTEGRATION))
    assert ics.post(url, {"reply_text": "x"}, format="json").status_code == 403
    assert APIClient().get("/api/casework/inbox/").status_code in (401, 403)
    assert FollowUpLetter.objects.get(pk=letters["soon"].pk).status == LetterStatus.SENT


def test_a_draft_is_the_writing_offices_own_until_it_is_sent(client, dest_clerk, origin_clerk, letters):
    """Tehran met Bazargan's unsent drafts in its own "draft letters" list and count, and could open them."""
    draft = letters["draft"]
    client.force_login(dest_clerk)
    listed = _ids(client.get("/casework/letters/"))
    assert draft.pk not in listed and letters["overdue"].pk in listed
    assert _ids(client.get("/casework/letters/?status=draft")) == []
    assert client.get(f"/casework/letters/{draft.pk}/").status_code == 404
    assert "Draft letters: 0" in client.get("/").content.decode()
    client.force_login(origin_clerk)
    assert draft.pk in _ids(client.get("/casework/letters/?status=draft"))
    services.letter_send(letter=draft, by=origin_clerk)
    client.force_login(dest_clerk)
    assert draft.pk in _ids(client.get("/casework/letters/"))
    assert client.get(f"/casework/letters/{draft.pk}/").status_code == 200


@pytest.mark.persian
def test_a_letter_number_is_isolated_as_issued_wherever_it_is_shown(client, origin_clerk, dest_clerk, letters):
    """«BZG/1405/3»: unisolated beside Persian words it is reordered, and with Persian digits beside its Latin
    office code («BZG/۱۴۰۵/۳») it is a number no one issued. The list, the inbox, the letter's page and the
    timeline each isolate it as issued."""
    letter = letters["overdue"]
    number = letter.number
    shown = f'<bdi dir="ltr" class="ident ident-letter">{number}</bdi>'
    client.force_login(origin_clerk)
    assert shown in client.get("/casework/letters/").content.decode()
    page = client.get(f"/casework/letters/{letter.pk}/").content.decode()
    assert shown in page and f"<title>نامه پیگیری \u2066{number}\u2069" in page
    timeline = client.get(f"/declarations/{letter.declaration_id}/").content.decode()
    assert f"\u2066{number}\u2069" in timeline
    client.force_login(dest_clerk)
    assert shown in client.get("/casework/inbox/").content.decode()


def test_the_api_inbox_comes_in_pages_that_reach_every_letter(dest_clerk, bazargan, tehran, origin_clerk):
    """The inbox stopped at 200 letters, unsaid: now ``count`` is the whole inbox and ``next`` reaches the rest."""
    sent = [_letter(bazargan, tehran, origin_clerk, days_ago=days).pk for days in (1, 9, 3, 7, 5)]
    api = _api(dest_clerk)
    body = api.get("/api/casework/inbox/", {"page_size": 2}).json()
    ids, counts = [x["id"] for x in body["results"]], [body["count"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        ids += [x["id"] for x in body["results"]]
        counts.append(body["count"])
    assert ids == [sent[1], sent[3], sent[4], sent[2], sent[0]]  # the reply due soonest first
    assert counts == [5, 5, 5]


def test_the_inbox_is_named_for_whose_offices_it_holds(client, dest_clerk, outsider, hq, letters):
    """The inspector and headquarters have no office of their own: their menu, inbox and panel name the
    province's or the country's offices, not «my office»."""
    for user, title, awaiting in (
        (dest_clerk, "Letters to my office", "Letters to your office awaiting reply"),
        (outsider, "Letters to the province's offices", "Letters to the province's offices awaiting reply"),
        (hq, "Letters to the country's offices", None),  # every letter is counted above: no inbox line
    ):
        client.force_login(user)
        inbox = client.get("/casework/inbox/").content.decode()
        assert f'<h1 class="h3">{title}</h1>' in html.unescape(inbox), user
        assert f'href="/casework/inbox/">{title}</a>' in html.unescape(inbox), user
        home = html.unescape(client.get("/").content.decode())
        assert awaiting is None or f"{awaiting}:" in home, user
        if user != dest_clerk:
            assert "my office" not in inbox and "your office" not in home
            # no office of their own, no reply to record: the office addressed records it
            assert "your office" not in inbox and "Open a letter to record its reply" not in inbox, user
            assert "The office addressed records the reply; open a letter to follow it." in html.unescape(inbox)


@pytest.mark.persian
def test_the_inspectors_inbox_does_not_tell_him_to_reply_for_his_office(client, outsider, letters):
    client.force_login(outsider)
    inbox = client.get("/casework/inbox/").content.decode()
    note = inbox[inbox.index('id="inbox-note"') :].split("</p>")[0]
    assert "گمرک شما" not in note and "برای ثبت پاسخ" not in note
    assert "گمرک‌های استان" in note and "پاسخ را گمرکی که نامه به آن نوشته شده ثبت می‌کند" in note
