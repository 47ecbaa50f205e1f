"""The destination (Tehran) recorded at the arrival confirmation broken seals, seal S-99 where S-10 was declared
and 1,200.5 kg against 1,500 declared; the page's «What the data shows» listed them as reasons not to settle,
yet «Settle» went through with no block. Now each withholds the settlement as a suspicious scan does: the
service refuses naming it (page, API, the ICS integration and its import all go through it), the page says
why and what to do, and headquarters or the inspector of the destination's province release it with a written reason, or the
destination records why it cannot be settled."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from declarations import detection, serials, services
from declarations.models import DeclarationEvent, SettlementOverride, Status, TransitDeclaration, UnsettledReason
from declarations.serials import SettlementBlocked
from tests.factories import DeclarationFactory, GoodsFactory, UserFactory

pytestmark = pytest.mark.django_db

ARRIVAL_FIELDS = {"seals_intact", "seal_numbers_found", "gross_weight_found_kg"}


def _arrived(bazargan, tehran, dest_clerk, *, seals_intact=False, found=("S-99",), found_kg="1200.5"):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        seal_numbers=["S-10"],
        departed_at=timezone.now() - dt.timedelta(days=2),
    )
    GoodsFactory(declaration=declaration, gross_weight_kg=Decimal("1500"))
    services.declaration_confirm_arrival(
        declaration=declaration,
        by=dest_clerk,
        seals_intact=seals_intact,
        seal_numbers_found=list(found),
        gross_weight_found_kg=Decimal(found_kg) if found_kg else None,
        unseen_reason=None,
    )
    declaration.refresh_from_db()
    return declaration


@pytest.fixture
def arrived(bazargan, tehran, dest_clerk):
    return _arrived(bazargan, tehran, dest_clerk)


def test_broken_seals_another_seal_and_a_short_weight_refuse_the_settlement_naming_each(arrived, dest_clerk):
    with pytest.raises(SettlementBlocked) as exc:
        services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert set(exc.value.fields) == ARRIVAL_FIELDS
    message = str(exc.value)
    assert "Seals were reported broken on arrival." in message
    assert "S-10" in message and "S-99" in message
    assert "Gross weight found 1,200.5 kg, declared 1,500 kg." in message
    assert "record why the declaration cannot be settled" in message  # the way forward
    assert TransitDeclaration.objects.get(pk=arrived.pk).status == Status.ARRIVED


def test_the_gate_and_the_box_agree_on_the_weighbridges_tolerance(bazargan, tehran, dest_clerk):
    """2 % of the declared weight either way, as the box proposes it: 1,470 kg of 1,500 passes, 1,469.9 does not."""
    within = _arrived(bazargan, tehran, dest_clerk, seals_intact=True, found=(), found_kg="1470")
    assert not detection.propose_reasons(within) and not serials.settlement_blocks(within)
    services.declaration_settle(declaration=within, by=dest_clerk)
    assert within.status == Status.SETTLED
    beyond = _arrived(bazargan, tehran, dest_clerk, seals_intact=True, found=(), found_kg="1469.9")
    assert [p.reason for p in detection.propose_reasons(beyond)] == [UnsettledReason.QUANTITY_DISCREPANCY]
    assert [b.key for b in serials.standing_blocks(beyond)] == ["weight"]
    with pytest.raises(SettlementBlocked):
        services.declaration_settle(declaration=beyond, by=dest_clerk)


def test_the_page_says_why_and_what_to_do_and_refuses_the_settle_form(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    url = reverse("declarations:detail", args=[arrived.pk])
    page = client.get(url).content.decode()
    notice = page.split('id="settlement-blocks"', 1)[1].split("</section>", 1)[0]
    for key in ("seals_broken", "seal_numbers", "weight"):
        assert f'data-block="{key}"' in notice
    assert 'id="arrival-way-forward"' in notice and "record why the declaration cannot be settled" in notice
    assert "the inspector of Tehran province may release" in notice  # the destination's: ``may_override``
    form = page.split('data-action="settle"', 1)[1].split("</form>", 1)[0]
    assert 'disabled aria-describedby="settle-blocked"' in form and "Seals reported broken on arrival" in form
    response = client.post(reverse("declarations:action", args=[arrived.pk, "settle"]), {"settle-remarks": ""})
    assert response.status_code == 409 and "blocked until resolved" in response.content.decode()
    assert TransitDeclaration.objects.get(pk=arrived.pk).status == Status.ARRIVED
    # The other way forward: the destination records why it cannot be settled.
    services.declaration_record_unsettled(
        declaration=arrived, by=dest_clerk, reason=UnsettledReason.SEAL_DISCREPANCY, note="پلمپ‌ها شکسته"
    )
    assert arrived.status == Status.UNSETTLED


@pytest.fixture
def tehran_inspector(tehran_province):
    """The inspector of the destination's province, who may release its settlement (West Azerbaijan's may not)."""
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


def test_the_inspector_releases_it_with_a_reason_naming_what_is_released_then_the_destination_settles(
    client, arrived, dest_clerk, tehran_inspector
):
    client.force_login(tehran_inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    releases = page.split('id="override-releases"', 1)[1].split("</p>", 1)[0]
    assert "Seals reported broken on arrival" in releases and "differs from the declared weight" in releases
    url = reverse("declarations:settlement-override", args=[arrived.pk])
    assert client.post(url, {"override-reason": ""}).status_code == 400
    assert client.post(url, {"override-reason": "resealed before the inspector; weighbridge re-run"}).status_code == 302
    override = SettlementOverride.objects.get(declaration=arrived)
    assert {ref.split(":")[0] for ref in override.covers} == {"seals_broken", "seal_numbers", "weight"}
    event = DeclarationEvent.objects.get(declaration=arrived, kind="settlement_override")
    assert "Seals reported broken on arrival" in event.message_text() and "weighbridge re-run" in event.message_text()
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert f'data-override="{override.pk}"' in page and "what it released" in page
    services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert arrived.status == Status.SETTLED


def test_the_ics_integration_client_cannot_settle_past_it(client, arrived, tehran, api_token_for):
    ics = UserFactory(username="ics-thr", role=Role.INTEGRATION, office=tehran)
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(ics)}"}
    response = client.post(
        reverse("api-declaration-settle", args=[arrived.pk]), {}, content_type="application/json", **headers
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "settlement_blocked" and ARRIVAL_FIELDS <= set(error["fields"])
    detail = client.get(reverse("api-declaration-detail", args=[arrived.pk]), **headers).json()
    assert "settle" not in detail["allowed_actions"]
    assert {b["key"] for b in detail["settlement_blocks"]} == {"seals_broken", "seal_numbers", "weight"}


def test_an_ics_export_saying_settled_does_not_settle_past_it(db):
    from accounts.offices_data import ensure_offices
    from declarations.importer import import_file
    from tests.declarations.test_importer import row, to_csv

    ensure_offices()
    import_file(to_csv([row(status="in_transit", status_at="1404/05/12 12:00")]), "a.csv")
    d = TransitDeclaration.objects.get()
    clerk = UserFactory(username="thr", role=Role.OFFICE, office=d.destination)
    services.declaration_confirm_arrival(
        declaration=d,
        by=clerk,
        at=d.departed_at + dt.timedelta(days=3),
        seals_intact=False,
        seal_numbers_found=["S1", "S2"],
        unseen_reason=None,
    )
    summary = import_file(to_csv([row(status="settled", status_at="1404/05/16 09:00")]), "b.csv")
    assert summary.updated == 0 and len(summary.exceptions) == 1
    assert "Seals were reported broken on arrival." in summary.exceptions[0].message
    assert TransitDeclaration.objects.get().status == Status.ARRIVED


@pytest.mark.persian
def test_the_block_reads_in_persian(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    notice = page.split('id="settlement-blocks"', 1)[1].split("</section>", 1)[0]
    assert "تسویه تا رفع مغایرت متوقف است" in notice
    assert "هنگام وصول، شکستگی پلمپ‌ها گزارش شده است." in notice
    assert "۱٬۵۰۰" in notice  # the declared weight in Persian digits
    assert "ستاد یا بازرس استان تهران می‌تواند" in notice  # the way forward, the destination's province
