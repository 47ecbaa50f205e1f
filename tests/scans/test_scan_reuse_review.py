"""A reused scan reviewed: the province's inspector or headquarters looks at a scan that is the same image as
another truck's scan and records it explained (with a note: an honest re-upload) or confirmed. The review is
a record of its own, the scan untouched; an explained reuse stops the ``scan_reused`` signal, a confirmed one
keeps it and is escalated as a suspicious comparison is."""

import html as htmllib
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import Role
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from declarations import monitoring, timeline
from declarations.models import DeclarationEvent, TransitDeclaration
from notifications.models import Kind, Notification
from scans import reuse_reviews
from scans.models import ReuseDecision, Scan, ScanReuseReview, Stage
from tests.factories import DeclarationFactory, UserFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(bazargan, tehran):
    return DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000001")


@pytest.fixture
def other_truck(bazargan, sarakhs):
    """Bazargan → Sarakhs, another truck, whose origin scan is the first declaration's image."""
    return DeclarationFactory(origin=bazargan, destination=sarakhs, serial="1405-BZG-90000002")


@pytest.fixture
def reused(first, other_truck, origin_clerk):
    data = images.png(41)
    upload(first, Stage.ORIGIN, origin_clerk, data)
    return upload(other_truck, Stage.ORIGIN, origin_clerk, data)


def _flagged() -> set:
    return set(monitoring.filter_signal(TransitDeclaration.objects.all(), "scan_reused"))


def _page(client, declaration) -> str:
    return client.get(reverse("scans:declaration", args=[declaration.pk])).content.decode()


def _field_errors(html: str, scan: Scan, name: str) -> list[str]:
    """The error lines under field ``name`` of the review form of ``scan`` (its ids carry the scan)."""
    field_id = f"id_reuse{scan.pk}_{name}"
    for block in re.split(r'<(?:div class="mb-2|fieldset)', html)[1:]:
        if f'id="{field_id}' in block:
            found = re.findall(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', block, re.S)
            return [htmllib.unescape(re.sub(r"<[^>]+>", "", e)).strip() for e in found]
    raise AssertionError(f"no field {field_id} on the page")


def test_the_inspector_explains_a_reuse_and_the_declaration_no_longer_raises_the_signal(
    client, reused, other_truck, inspector
):
    assert _flagged() == {other_truck}
    client.force_login(inspector)
    page = _page(client, other_truck)
    assert f'id="reuse-{reused.pk}"' in page and 'data-review="pending"' in page
    assert f'action="{reverse("scans:reuse_review", args=[reused.pk])}"' in page

    note = "The clerk uploaded the first truck's file by mistake, then the right one; checked with the scanner log."
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "explained", "note": note})
    assert response.status_code == 302

    review = ScanReuseReview.objects.get()
    assert (review.scan, review.declaration, review.decision, review.note, review.by) == (
        reused,
        other_truck,
        ReuseDecision.EXPLAINED,
        note,
        inspector,
    )
    # A record of its own: the scan keeps what it repeats (evidence is never edited).
    assert Scan.objects.get(pk=reused.pk).repeats_scan == reused.repeats_scan
    assert _flagged() == set()
    other_truck.refresh_from_db()
    assert "scan_reused" not in {s.key for s in monitoring.signals_holding(other_truck)}
    # Audited, and on the declaration's timeline.
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(ScanReuseReview), object_id=review.pk)
    assert entry.actor == inspector
    event = DeclarationEvent.objects.get(declaration=other_truck, kind="scan_reuse_explained")
    assert event.actor == inspector and event.data["scan"] == reused.pk
    items = [i for i in timeline.build(other_truck, inspector) if i.kind == "scan_reuse_explained"]
    assert len(items) == 1 and note in htmllib.unescape(items[0].detail)

    # The page says how it was decided; the form left is one to revise it.
    page = client.get(response.url).content.decode()
    assert 'data-review="explained"' in page and note in htmllib.unescape(page)
    # The reuse's own note above says so, a note now rather than a danger.
    (alert,) = re.findall(r'<p class="alert[^"]*scan-reuse.*?</p>', page, re.S)
    assert "alert-info" in alert and 'data-decision="explained"' in alert and "Reviewed: explained" in alert
    assert (
        "Revise the decision" in page
        and f'name="supersedes" id="id_reuse{reused.pk}_supersedes" value="{review.pk}"' in page
    )


def test_an_explanation_without_a_note_is_refused_beside_the_note(client, settings, reused, other_truck, hq):
    client.force_login(hq)
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "explained", "note": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_errors(html, reused, "note") == ["An explained reuse needs a note saying how it is explained."]
    assert _field_errors(html, reused, "decision") == []
    assert 'aria-invalid="true"' in html
    assert not ScanReuseReview.objects.exists() and _flagged() == {other_truck}

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    html = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "explained"}).content.decode()
    assert _field_errors(html, reused, "note") == ["برای توجیه اسکن تکراری، توضیح دهید چگونه توجیه می‌شود."]
    assert "بررسی اسکن‌های تکراری" in html
    # and the service refuses it too, naming the field
    with pytest.raises(InvalidInput) as refused:
        reuse_reviews.reuse_review(scan=reused, by=hq, decision="explained", note="")
    assert "note" in refused.value.fields


def test_a_review_sent_without_a_decision_names_the_decision(client, settings, reused, other_truck, hq):
    """An outside walk: sent empty, the form said «این مقدار لازم است.» beside the decision without naming it."""
    client.force_login(hq)
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {})
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), reused, "decision") == [
        "Choose the decision: explained or confirmed."
    ]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    html = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"note": "دیدم"}).content.decode()
    assert _field_errors(html, reused, "decision") == ["تصمیم را انتخاب کنید: توجیه‌شده یا تأییدشده."]
    assert "این مقدار لازم است" not in html
    assert not ScanReuseReview.objects.exists() and _flagged() == {other_truck}


def test_a_confirmed_reuse_keeps_the_signal_and_is_escalated(client, reused, other_truck, hq, inspector, khorasan):
    khorasan_inspector = UserFactory(username="khr_inspector", role=Role.INSPECTOR, province=khorasan)
    other_hq = UserFactory(username="hq2", role=Role.HQ)
    client.force_login(hq)
    note = "No scanner record of this truck at Bazargan that day."
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "confirmed", "note": note})
    assert response.status_code == 302

    assert ScanReuseReview.objects.get().decision == ReuseDecision.CONFIRMED
    assert _flagged() == {other_truck}
    told = Notification.objects.filter(kind=Kind.SCAN_ESCALATED)
    assert {n.user for n in told} == {inspector, khorasan_inspector, other_hq}  # not the reviewer
    assert {n.body for n in told} == {note}
    assert all(n.url.endswith(f"#scan-{reused.pk}") for n in told)
    items = [i for i in timeline.build(other_truck, hq) if i.kind == "scan_reuse_confirmed"]
    assert [i.severity for i in items] == ["danger"]
    (alert,) = re.findall(r'<p class="alert[^"]*scan-reuse.*?</p>', _page(client, other_truck), re.S)
    assert "alert-danger" in alert and "Reviewed: confirmed" in alert

    # Once per finding: a second review is refused, on the page it returns to.
    again = client.post(
        reverse("scans:reuse_review", args=[reused.pk]),
        {"decision": "explained", "note": "a change of mind"},
        follow=True,
    )
    assert "already reviewed" in again.content.decode()
    assert ScanReuseReview.objects.count() == 1 and _flagged() == {other_truck}


def test_only_headquarters_and_the_provinces_inspectors_review(
    client, reused, other_truck, origin_clerk, it_officer, sarakhs, tehran_province
):
    url = reverse("scans:reuse_review", args=[reused.pk])
    body = {"decision": "confirmed"}
    sarakhs_clerk = UserFactory(username="srk_clerk", role=Role.OFFICE, office=sarakhs)
    for user in (origin_clerk, sarakhs_clerk, it_officer):
        client.force_login(user)
        assert client.post(url, body).status_code == 403, user
        assert reverse("scans:reuse_review", args=[reused.pk]) not in _page(client, other_truck)
    # An inspector of another province does not see the declaration at all.
    client.force_login(UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province))
    assert client.post(url, body).status_code == 404
    with pytest.raises(NotAllowed):
        reuse_reviews.reuse_review(scan=reused, by=origin_clerk, decision="confirmed")
    assert not ScanReuseReview.objects.exists()


def test_a_scan_that_repeats_no_other_trucks_scan_has_nothing_to_review(
    client, first, bazargan, origin_clerk, inspector
):
    same_truck = DeclarationFactory(origin=bazargan, destination=first.destination, vehicle=first.vehicle)
    data = images.png(42)
    original = upload(first, Stage.ORIGIN, origin_clerk, data)
    again = upload(same_truck, Stage.ORIGIN, origin_clerk, data)  # one pass, two declarations: a note
    client.force_login(inspector)
    assert 'id="reuse-reviews"' not in _page(client, same_truck)
    for scan in (original, again):
        response = client.post(reverse("scans:reuse_review", args=[scan.pk]), {"decision": "confirmed"}, follow=True)
        assert "there is no reuse to review" in response.content.decode()
    with pytest.raises(IllegalTransition):
        reuse_reviews.reuse_review(scan=again, by=inspector, decision="confirmed")
    assert not ScanReuseReview.objects.exists()


def test_the_signal_stays_until_every_reuse_of_the_declaration_is_explained(first, other_truck, origin_clerk, hq):
    a, b = images.png(43), images.png(44)
    upload(first, Stage.ORIGIN, origin_clerk, a)
    upload(first, Stage.ORIGIN, origin_clerk, b)
    reused_a = upload(other_truck, Stage.ORIGIN, origin_clerk, a)
    reused_b = upload(other_truck, Stage.ORIGIN, origin_clerk, b)

    reuse_reviews.reuse_review(scan=reused_a, by=hq, decision="explained", note="re-upload, checked")
    assert _flagged() == {other_truck}
    reuse_reviews.reuse_review(scan=reused_b, by=hq, decision="explained", note="re-upload, checked too")
    assert _flagged() == set()
    # A reuse found later raises it again.
    c = images.png(45)
    upload(first, Stage.ORIGIN, origin_clerk, c)
    upload(other_truck, Stage.ORIGIN, origin_clerk, c)
    assert _flagged() == {other_truck}


def test_the_reuse_notice_is_done_for_every_inspector_told_once_each_finding_of_the_pair_is_reviewed(
    client, django_capture_on_commit_callbacks, first, other_truck, origin_clerk, inspector, hq, khorasan
):
    khorasan_inspector = UserFactory(username="khr_inspector", role=Role.INSPECTOR, province=khorasan)
    a, b = images.png(46), images.png(47)
    upload(first, Stage.ORIGIN, origin_clerk, a)
    upload(first, Stage.ORIGIN, origin_clerk, b)
    with django_capture_on_commit_callbacks(execute=True):
        reused_a = upload(other_truck, Stage.ORIGIN, origin_clerk, a)
    with django_capture_on_commit_callbacks(execute=True):
        reused_b = upload(other_truck, Stage.ORIGIN, origin_clerk, b)

    def open_reuse_notices(user) -> int:
        client.force_login(user)
        page = client.get(reverse("notifications:list")).content.decode()
        return page.count('data-kind="scan_reused"')

    assert open_reuse_notices(inspector) == 1 and open_reuse_notices(khorasan_inspector) == 1
    reuse_reviews.reuse_review(scan=reused_a, by=inspector, decision="explained", note="re-upload, checked")
    assert open_reuse_notices(inspector) == 1 and open_reuse_notices(khorasan_inspector) == 1  # b still unreviewed
    reuse_reviews.reuse_review(scan=reused_b, by=hq, decision="confirmed", note="no scanner record that day")
    assert open_reuse_notices(inspector) == 0 and open_reuse_notices(khorasan_inspector) == 0
    client.force_login(khorasan_inspector)
    listed = client.get(reverse("notifications:list") + "?show=all").content.decode()
    assert 'data-kind="scan_reused"' in listed and " · done " in listed


def test_a_decision_is_revised_by_a_later_review_that_counts_the_earlier_kept(
    client, reused, other_truck, hq, inspector, khorasan
):
    khorasan_inspector = UserFactory(username="khr_inspector", role=Role.INSPECTOR, province=khorasan)
    first = reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed", note="no scanner record that day")
    assert _flagged() == {other_truck}
    assert Notification.objects.filter(kind=Kind.SCAN_ESCALATED).open().count() == 2  # the inspectors

    client.force_login(inspector)
    page = _page(client, other_truck)
    assert "Revise the decision" in page and f'value="{first.pk}"' in page
    why = "The scanner's log was found: the truck was scanned; the clerk uploaded the first truck's file."
    response = client.post(
        reverse("scans:reuse_review", args=[reused.pk]),
        {"decision": "explained", "note": why, "supersedes": first.pk},
    )
    assert response.status_code == 302

    # A new record supersedes the first, which stays as it was; the latest counts.
    first_again, latest = ScanReuseReview.objects.order_by("id")
    assert (first_again.pk, first_again.decision, first_again.note) == (first.pk, "confirmed", first.note)
    assert (latest.decision, latest.note, latest.by, latest.supersedes) == ("explained", why, inspector, first_again)
    assert _flagged() == set()
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(ScanReuseReview), object_id=latest.pk)
    assert entry.actor == inspector
    event = DeclarationEvent.objects.get(declaration=other_truck, kind="scan_reuse_explained")
    assert event.data["supersedes"] == first.pk
    items = [i for i in timeline.build(other_truck, inspector) if i.kind == "scan_reuse_explained"]
    assert "revised" in htmllib.unescape(items[0].detail) and why in htmllib.unescape(items[0].detail)
    # The escalation of the decision revised is done for all told of it.
    assert not Notification.objects.filter(kind=Kind.SCAN_ESCALATED).open().exists()

    page = client.get(response.url).content.decode()
    assert 'data-review="explained"' in page and why in htmllib.unescape(page)
    history = page.split('class="small text-body-secondary mt-1 reuse-history"', 1)[1].split("</div>", 1)[0]
    assert f'data-revised="{first.pk}"' in history and "<s>confirmed</s>" in history

    # Revised back, it is escalated again, to those told before too.
    reuse_reviews.reuse_review(
        scan=reused, by=hq, decision="confirmed", note="the log was of another day", supersedes=latest.pk
    )
    assert _flagged() == {other_truck}
    told = Notification.objects.filter(kind=Kind.SCAN_ESCALATED).open()
    assert {n.user for n in told} == {inspector, khorasan_inspector}


def test_a_revision_needs_a_note_and_the_decision_that_counts(client, reused, other_truck, hq, inspector):
    first = reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed")
    with pytest.raises(InvalidInput):
        reuse_reviews.reuse_review(scan=reused, by=inspector, decision="confirmed", supersedes=first.pk)
    client.force_login(inspector)
    response = client.post(
        reverse("scans:reuse_review", args=[reused.pk]), {"decision": "confirmed", "note": "", "supersedes": first.pk}
    )
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), reused, "note") == [
        "A revised decision needs a note saying why it is revised."
    ]
    second = reuse_reviews.reuse_review(
        scan=reused, by=inspector, decision="explained", note="an honest re-upload", supersedes=first.pk
    )
    # A form showing the first decision, posted after the second was recorded: refused, nothing recorded.
    stale = client.post(
        reverse("scans:reuse_review", args=[reused.pk]),
        {"decision": "confirmed", "note": "not scanned", "supersedes": first.pk},
        follow=True,
    )
    assert "already reviewed: explained" in htmllib.unescape(stale.content.decode())
    assert ScanReuseReview.objects.count() == 2 and ScanReuseReview.objects.current().get() == second


def test_the_reviewers_latin_name_is_isolated_in_the_refusal_and_on_the_page(client, reused, other_truck):
    """«John Smith 2» in a Persian sentence: between isolates, so that it does not carry the date and the
    words beside it into its own order."""
    john = UserFactory(username="jsmith", role=Role.HQ, first_name="John", last_name="Smith 2")
    reuse_reviews.reuse_review(scan=reused, by=john, decision="confirmed", note="not scanned")
    client.force_login(john)
    again = client.post(
        reverse("scans:reuse_review", args=[reused.pk]),
        {"decision": "explained", "note": "an honest re-upload"},
        follow=True,
    )
    assert "by \u2068John Smith 2\u2069 on" in htmllib.unescape(again.content.decode())
    assert "<bdi>John Smith 2</bdi>" in _page(client, other_truck)


@pytest.mark.parametrize("said", ["..........", "!!!!!!!!!!!!", "ok"])
def test_an_explanation_of_punctuation_alone_is_refused_and_the_signal_stays(
    client, settings, reused, other_truck, inspector, said
):
    """Ten dots explained a reused scan and switched its alert off for good (a walk, 2026-12-07): the note is
    measured as the comparison review's remark is, by its letters and digits, on the page and in the service."""
    client.force_login(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "explained", "note": said})
    assert response.status_code == 400
    (error,) = _field_errors(response.content.decode(), reused, "note")
    assert "دست‌کم ۱۰" in error
    assert not ScanReuseReview.objects.exists() and _flagged() == {other_truck}
    with pytest.raises(InvalidInput) as refused:
        reuse_reviews.reuse_review(scan=reused, by=inspector, decision="explained", note=said)
    assert "note" in refused.value.fields


def test_a_revision_of_punctuation_alone_is_refused(client, reused, other_truck, hq, inspector):
    first = reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed", note="no scanner record that day")
    client.force_login(inspector)
    response = client.post(
        reverse("scans:reuse_review", args=[reused.pk]),
        {"decision": "confirmed", "note": "..........", "supersedes": first.pk},
    )
    assert response.status_code == 400
    assert ScanReuseReview.objects.get() == first


def test_a_note_past_its_limit_is_refused_for_its_length_alone(client, reused, inspector):
    client.force_login(inspector)
    note = "بار را باز کردیم و همان کالا بود. " * 150  # some 5,000 characters
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "explained", "note": note})
    assert response.status_code == 400
    (error,) = _field_errors(response.content.decode(), reused, "note")
    assert "2000" in error.replace(",", "")


@pytest.mark.django_db(transaction=True)
def test_a_review_that_fails_halfway_leaves_no_review_behind(monkeypatch, reused, other_truck, hq):
    """The review is one transaction (the declaration locked ``FOR NO KEY UPDATE`` needs one on PostgreSQL): its
    decorator had slipped onto ``note_missing`` above it, so a failure after the record left it stored."""

    def fails(*args, **kwargs):
        raise RuntimeError("the notices could not be closed")

    monkeypatch.setattr(reuse_reviews, "_close_notices", fails)
    with pytest.raises(RuntimeError):
        reuse_reviews.reuse_review(scan=reused, by=hq, decision="explained", note="an honest re-upload, checked")
    assert not ScanReuseReview.objects.exists() and _flagged() == {other_truck}


@pytest.mark.parametrize("said", ["...", "؟!", " - - "])
def test_a_confirmation_whose_note_is_punctuation_alone_is_refused(
    client, settings, reused, other_truck, inspector, said
):
    """A walk: a confirmation's optional note passed as «...». A confirmation needs no note; one that is given
    says something: at least one letter or digit (not ten, the decision itself being the statement), on the
    page, in the API and in the service alike."""
    client.force_login(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = client.post(reverse("scans:reuse_review", args=[reused.pk]), {"decision": "confirmed", "note": said})
    assert response.status_code == 400
    (error,) = _field_errors(response.content.decode(), reused, "note")
    assert "حرف یا رقم" in error
    assert not ScanReuseReview.objects.exists()
    with pytest.raises(InvalidInput) as refused:
        reuse_reviews.reuse_review(scan=reused, by=inspector, decision="confirmed", note=said)
    assert refused.value.fields == {"note": "required"}
    from rest_framework.test import APIClient

    from accounts.services import api_token_issue

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=inspector, name='test')[1]}")
    url = reverse("scans-api-reuse-reviews", args=[reused.pk])
    resp = api.post(url, {"decision": "confirmed", "note": said}, format="json")
    assert resp.status_code == 400 and "note" in resp.json()["error"]["fields"]
    assert not ScanReuseReview.objects.exists()


@pytest.mark.parametrize("said", ["", "ok", "بار ۲"])
def test_a_confirmation_with_no_note_or_a_short_one_is_taken(reused, inspector, said):
    review = reuse_reviews.reuse_review(scan=reused, by=inspector, decision="confirmed", note=said)
    assert review.decision == ReuseDecision.CONFIRMED and review.note == said
