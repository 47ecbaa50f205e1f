"""The destination reviews the comparison with the origin scan, then settles or records why it cannot:
a suspicious comparison awaiting review, or one escalated, withholds the settlement as an open serial
discrepancy does (the service refuses, the page says why beside the settle form, the API answers 409)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.errors import NotAllowed
from declarations import evidence, serials
from declarations import services as declaration_services
from declarations.models import Status, TransitDeclaration, Verdict
from declarations.serials import SettlementBlocked
from scans import services
from scans.models import ScanComparison
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran_inspector(tehran_province):
    """The inspector of the destination's province, who may release its settlement (West Azerbaijan's may not)."""
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


@pytest.fixture
def arrived(done_comparison):
    """The truck arrived at Tehran; its comparison came out suspicious and awaits Tehran's review."""
    TransitDeclaration.objects.filter(pk=done_comparison.declaration_id).update(
        status=Status.ARRIVED, arrived_at=timezone.now() - dt.timedelta(hours=2)
    )
    return TransitDeclaration.objects.get(pk=done_comparison.declaration_id)


def settle(client, declaration):
    return client.post(reverse("declarations:action", args=[declaration.pk, "settle"]), {"settle-remarks": ""})


def test_a_suspicious_comparison_not_reviewed_blocks_the_settlement(arrived, dest_clerk):
    with pytest.raises(SettlementBlocked) as exc:
        declaration_services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert "comparison_review" in exc.value.fields
    arrived.refresh_from_db()
    assert arrived.status == Status.ARRIVED and arrived.settled_at is None


def test_the_page_says_why_beside_the_settle_form_and_links_the_comparison(
    client, arrived, done_comparison, dest_clerk
):
    client.force_login(dest_clerk)
    viewer = reverse("scans:viewer", args=[done_comparison.pk])
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'data-block="scan_unreviewed"' in page and 'id="settle-blocked"' in page
    blocked = page.split('id="settle-blocked"', 1)[1].split("</p>", 1)[0]
    assert f'href="{viewer}"' in blocked and "A suspicious scan comparison awaits review" in blocked
    response = settle(client, arrived)
    assert response.status_code == 409
    assert "not yet reviewed" in response.content.decode()
    arrived.refresh_from_db()
    assert arrived.status == Status.ARRIVED


@pytest.mark.persian
def test_the_notice_says_each_block_once_under_its_heading_not_its_label_then_the_same_sentence(
    client, arrived, done_comparison, dest_clerk
):
    """Each block read «<label>: <sentence>», the two saying the same («مقایسهٔ مشکوک تصویر اسکن در انتظار
    بررسی است: مقایسهٔ تصویر اسکن مشکوک است …»): its sentence alone, under the notice's heading."""
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    notice = page.split('id="settlement-blocks"', 1)[1].split("</section>", 1)[0]
    item = notice.split('data-block="scan_unreviewed"', 1)[1].split("</li>", 1)[0]
    assert "مقایسهٔ تصویر اسکن مشکوک است و هنوز بررسی نشده است" in item
    said = item.split("<a ", 1)[0]  # the sentence, before the link to the comparison
    assert "در انتظار بررسی است" not in said and said.count("مقایسه") == 1
    assert "تسویه تا رفع مغایرت متوقف است" in notice.split("<ul", 1)[0]  # the notice's own heading stays
    blocked = page.split('id="settle-blocked"', 1)[1].split("</p>", 1)[0]
    assert "مقایسهٔ مشکوک تصویر اسکن در انتظار بررسی است" in blocked  # the short label beside the settle form


def test_accepted_on_review_the_declaration_settles(client, arrived, done_comparison, dest_clerk):
    services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="accept", remark="بار را باز کردیم و دیدیم"
    )
    client.force_login(dest_clerk)
    assert settle(client, arrived).status_code == 302
    arrived.refresh_from_db()
    assert arrived.status == Status.SETTLED


def test_escalated_on_review_it_stays_blocked_and_the_office_records_why(client, arrived, done_comparison, dest_clerk):
    services.comparison_review(comparison=done_comparison, by=dest_clerk, decision="escalate", remark="پالت کم است")
    client.force_login(dest_clerk)
    response = settle(client, arrived)
    assert response.status_code == 409 and "record why it cannot be settled" in response.content.decode()
    assert f'href="{reverse("scans:viewer", args=[done_comparison.pk])}"' in response.content.decode()
    recorded = client.post(
        reverse("declarations:action", args=[arrived.pk, "record_unsettled"]),
        {"record_unsettled-reason": "other", "record_unsettled-note": "بار با اسکن مبدأ نمی‌خواند"},
    )
    assert recorded.status_code == 302
    arrived.refresh_from_db()
    assert arrived.status == Status.UNSETTLED


def test_the_api_refuses_the_settlement_naming_the_comparison(client, arrived, dest_clerk, api_token_for):
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    detail = client.get(reverse("api-declaration-detail", args=[arrived.pk]), **headers).json()
    assert [b["key"] for b in detail["settlement_blocks"]] == ["scan_unreviewed"]
    response = client.post(
        reverse("api-declaration-settle", args=[arrived.pk]), {}, content_type="application/json", **headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "settlement_blocked" and "comparison_review" in error["fields"]


@pytest.mark.persian
def test_the_block_reads_in_persian(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    page = settle(client, arrived).content.decode()
    assert "مقایسهٔ تصویر اسکن مشکوک است و هنوز بررسی نشده است" in page


@pytest.fixture
def unaligned(arrived, done_comparison):
    """The comparison could not align the two images: no verdict, Tehran must look at them itself."""
    ScanComparison.objects.filter(pk=done_comparison.pk).update(verdict=Verdict.UNREGISTERED, score=None, boxes=[])
    evidence.note_comparison(declaration_id=arrived.pk, verdict=Verdict.UNREGISTERED)
    arrived.refresh_from_db()
    return arrived


def test_a_comparison_that_could_not_align_blocks_the_settlement_until_reviewed(
    client, unaligned, done_comparison, dest_clerk
):
    client.force_login(dest_clerk)
    viewer = reverse("scans:viewer", args=[done_comparison.pk])
    page = client.get(reverse("declarations:detail", args=[unaligned.pk])).content.decode()
    assert 'data-block="scan_unaligned"' in page
    blocked = page.split('id="settle-blocked"', 1)[1].split("</p>", 1)[0]
    assert f'href="{viewer}"' in blocked and "Scans the comparison could not align are waiting for review" in blocked
    client.cookies["django_language"] = "fa"  # the Persian stays as it was
    persian = client.get(reverse("declarations:detail", args=[unaligned.pk]), HTTP_ACCEPT_LANGUAGE="fa")
    assert "تصویرهای اسکنی که مقایسه نتوانست هم‌تراز کند در انتظار بررسی است" in persian.content.decode()
    client.cookies["django_language"] = "en"
    response = settle(client, unaligned)
    assert response.status_code == 409
    assert "could not be compared automatically: review them before settling" in response.content.decode()
    services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="accept", remark="دو تصویر کنار هم مقایسه شد."
    )
    assert settle(client, unaligned).status_code == 302
    unaligned.refresh_from_db()
    assert unaligned.status == Status.SETTLED


def test_a_comparison_that_could_not_align_is_overridden_as_a_suspicious_one_is(
    unaligned, dest_clerk, tehran_inspector
):
    with pytest.raises(NotAllowed):
        serials.settlement_override(declaration=unaligned, by=dest_clerk, reason="please")
    override = serials.settlement_override(
        declaration=unaligned, by=tehran_inspector, reason="بار در حضور بازرس شمرده شد"
    )
    assert override.covers == ["scan_unaligned"]
    declaration_services.declaration_settle(declaration=unaligned, by=dest_clerk)
    unaligned.refresh_from_db()
    assert unaligned.status == Status.SETTLED


def test_the_api_refuses_the_settlement_of_an_unaligned_comparison(client, unaligned, dest_clerk, api_token_for):
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    response = client.post(
        reverse("api-declaration-settle", args=[unaligned.pk]), {}, content_type="application/json", **headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "settlement_blocked" and "comparison_review" in error["fields"]


@pytest.mark.persian
def test_the_unaligned_block_reads_in_persian(client, unaligned, dest_clerk):
    client.force_login(dest_clerk)
    page = settle(client, unaligned).content.decode()
    assert "تصویرهای اسکن به‌طور خودکار مقایسه نشد: پیش از تسویه آن‌ها را بررسی کنید." in page
