"""A confirmed reuse of another truck's scan withholds the settlement as the other blocks do: the service refuses,
the page says why beside the settle form naming the reused scan and linking its review, the API answers 409; an
override by the province's inspector releases it, and so does a revision explaining the reuse."""

import datetime as dt
import html as htmllib

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from declarations import serials
from declarations import services as declaration_services
from declarations.models import Status, TransitDeclaration
from declarations.serials import SettlementBlocked
from scans import reuse_reviews
from scans.models import Stage
from tests.factories import DeclarationFactory, UserFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran_inspector(tehran_province):
    """The inspector of the destination's province, who may release its settlement (West Azerbaijan's may not)."""
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


@pytest.fixture
def reused(bazargan, tehran, origin_clerk):
    """Two trucks Bazargan → Tehran; the second's origin scan is the first's image. The second has arrived."""
    first = DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000001")
    second = DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000002")
    for d in (first, second):
        declaration_services.declaration_depart(
            declaration=d, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
        )
    data = images.png(51)
    upload(first, Stage.ORIGIN, origin_clerk, data)
    scan = upload(second, Stage.ORIGIN, origin_clerk, data)
    TransitDeclaration.objects.filter(pk=second.pk).update(
        status=Status.ARRIVED, arrived_at=timezone.now() - dt.timedelta(hours=2)
    )
    return scan


def _settle(client, declaration):
    return client.post(reverse("declarations:action", args=[declaration.pk, "settle"]), {"settle-remarks": ""})


def test_a_confirmed_reuse_blocks_the_settlement_naming_the_reused_scan(client, reused, hq, dest_clerk, api_token_for):
    declaration = TransitDeclaration.objects.get(pk=reused.declaration_id)
    review = reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed", note="no scanner record that day")

    with pytest.raises(SettlementBlocked) as exc:
        declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    assert "scan_reused" in exc.value.fields

    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert 'data-block="scan_reuse_confirmed"' in page
    blocked = htmllib.unescape(page.split('id="settle-blocked"', 1)[1].split("</p>", 1)[0])
    assert "A reuse of another truck's scan was confirmed" in blocked
    assert f'href="{reverse("scans:declaration", args=[declaration.pk])}#reuse-{reused.pk}"' in blocked
    response = _settle(client, declaration)
    assert response.status_code == 409
    said = htmllib.unescape(response.content.decode())
    assert f"The origin scan no. {reused.pk} is the same image as another truck's scan" in said
    assert "Open the reused scan's review" in said

    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    detail = client.get(reverse("api-declaration-detail", args=[declaration.pk]), **headers).json()
    assert [(b["key"], b["field"]) for b in detail["settlement_blocks"]] == [("scan_reuse_confirmed", "scan_reused")]
    refused = client.post(
        reverse("api-declaration-settle", args=[declaration.pk]), {}, content_type="application/json", **headers
    )
    assert refused.status_code == 409 and "scan_reused" in refused.json()["error"]["fields"]

    # Revised to explained, it no longer withholds the settlement.
    reuse_reviews.reuse_review(
        scan=reused, by=hq, decision="explained", note="the scanner's log shows the truck", supersedes=review.pk
    )
    assert _settle(client, declaration).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.SETTLED


def test_the_inspector_overrides_it_as_other_blocks(reused, hq, tehran_inspector, dest_clerk):
    declaration = TransitDeclaration.objects.get(pk=reused.declaration_id)
    review = reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed")
    override = serials.settlement_override(
        declaration=declaration, by=tehran_inspector, reason="بار در حضور بازرس شمرده شد"
    )
    assert override.covers == [f"scan_reuse_confirmed:{review.pk}"]
    declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    declaration.refresh_from_db()
    assert declaration.status == Status.SETTLED


@pytest.mark.persian
def test_the_block_reads_in_persian(client, reused, hq, dest_clerk):
    declaration = TransitDeclaration.objects.get(pk=reused.declaration_id)
    reuse_reviews.reuse_review(scan=reused, by=hq, decision="confirmed")
    client.force_login(dest_clerk)
    page = _settle(client, declaration).content.decode()
    assert "تصویر اسکن کامیون دیگری" in page


def test_an_unreviewed_reuse_blocks_the_settlement_and_links_its_review(client, reused, dest_clerk):
    """Flagged as another truck's scan and not yet reviewed: the settlement waits for the review, as it waits for the
    review of a suspicious comparison."""
    declaration = TransitDeclaration.objects.get(pk=reused.declaration_id)
    assert declaration.scan_reused
    blocks = serials.standing_blocks(declaration)
    assert [(b.key, b.field, b.ref) for b in blocks] == [
        ("scan_reuse_unreviewed", "scan_reused", f"scan_reuse_unreviewed:{reused.pk}")
    ]
    assert blocks[0].url == f"{reverse('scans:declaration', args=[declaration.pk])}#reuse-{reused.pk}"
    assert "not yet reviewed" in blocks[0].message
    with pytest.raises(SettlementBlocked) as exc:
        declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    assert "scan_reused" in exc.value.fields
    client.force_login(dest_clerk)
    assert _settle(client, declaration).status_code == 409
    declaration.refresh_from_db()
    assert declaration.status == Status.ARRIVED


def test_a_reuse_reviewed_as_explained_no_longer_blocks(reused, hq, dest_clerk):
    declaration = TransitDeclaration.objects.get(pk=reused.declaration_id)
    reuse_reviews.reuse_review(scan=reused, by=hq, decision="explained", note="همان کامیون دوباره بارگذاری شد")
    assert serials.standing_blocks(TransitDeclaration.objects.get(pk=declaration.pk)) == []
    declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    declaration.refresh_from_db()
    assert declaration.status == Status.SETTLED


def test_an_override_does_not_lift_an_unreviewed_reuse(client, reused, hq, tehran_inspector, dest_clerk):
    """The override releases the other blocks, not an unreviewed reuse: that waits for its review; alone, the
    override is refused, and the form says the reuse stays until reviewed, linking the review."""
    TransitDeclaration.objects.filter(pk=reused.declaration_id).update(dup_waybill=True)
    declaration = TransitDeclaration.objects.get(pk=reused.declaration_id)
    client.force_login(tehran_inspector)
    page = htmllib.unescape(client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode())
    form = page.split('id="override-form"', 1)[1].split("</form>", 1)[0]
    assert "stays until the reuse is reviewed" in form
    assert f"#reuse-{reused.pk}" in form
    override = serials.settlement_override(declaration=declaration, by=tehran_inspector, reason="بارنامه بررسی شد")
    assert override.covers == [f"dup_waybill:{declaration.waybill_no}"]
    with pytest.raises(SettlementBlocked) as exc:
        declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    assert "scan_reused" in exc.value.fields
    with pytest.raises(serials.IllegalTransition) as refused:
        serials.settlement_override(declaration=declaration, by=tehran_inspector, reason="بار شمرده شد در حضور بازرس")
    assert "reviewed" in str(refused.value)
    reuse_reviews.reuse_review(scan=reused, by=hq, decision="explained", note="همان کامیون دوباره بارگذاری شد")
    declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == Status.SETTLED
