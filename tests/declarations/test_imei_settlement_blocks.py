"""An IMEI that fails its check digit, and a goods serial/IMEI also on another open declaration, withhold the
settlement (DESIGN: serials and IMEIs must match the declaration); each block names the value, and the other
declaration's serial, and only an override (headquarters or the province's inspector, with a written reason)
lets the destination settle anyway."""

import pytest
from django.utils import timezone

from accounts.models import Role
from core.errors import InvalidInput
from declarations import serials, services
from declarations.identifiers import luhn_check_digit
from declarations.models import GoodsSerial, Status, TransitDeclaration
from declarations.serials import SettlementBlocked
from tests.factories import DeclarationFactory, GoodsFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = "35209900176148" + luhn_check_digit("35209900176148")
BAD = "35209900176148" + str((int(luhn_check_digit("35209900176148")) + 1) % 10)


@pytest.fixture
def tehran_inspector(tehran_province):
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


def _serial(declaration, value, is_imei=True):
    item = GoodsFactory(declaration=declaration)
    return GoodsSerial.objects.create(value=value, is_imei=is_imei, declaration=declaration, goods_item=item)


@pytest.fixture
def arrived(declaration, bazargan, tehran, dest_clerk):
    """Arrived at Tehran, declaring an IMEI that fails its check digit and one also on another open declaration."""
    _serial(declaration, BAD)
    _serial(declaration, GOOD)
    other = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, serial="1405-BZG-70000001"
    )
    _serial(other, GOOD)
    TransitDeclaration.objects.filter(pk__in=[declaration.pk, other.pk]).update(dup_goods_serial=True)
    TransitDeclaration.objects.filter(pk=declaration.pk).update(invalid_imei=True)
    services.declaration_depart(declaration=declaration, by=None, at=timezone.now() - timezone.timedelta(days=1))
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    return TransitDeclaration.objects.get(pk=declaration.pk)


def test_an_invalid_imei_and_a_shared_one_block_the_settlement(arrived, dest_clerk):
    blocks = serials.standing_blocks(arrived)
    assert [(b.key, b.ref) for b in blocks] == [
        ("imei_invalid", f"imei_invalid:{BAD}"),
        ("serial_shared", f"serial_shared:{GOOD}"),
    ]
    assert BAD in blocks[0].message and "check digit" in blocks[0].message
    assert GOOD in blocks[1].message and "1405-BZG-70000001" in blocks[1].message
    with pytest.raises(SettlementBlocked) as exc:
        services.declaration_settle(declaration=arrived, by=dest_clerk)
    assert "goods_serials" in exc.value.fields
    arrived.refresh_from_db()
    assert arrived.status == Status.ARRIVED


def test_only_an_override_with_a_reason_lets_it_settle(arrived, tehran_inspector, dest_clerk):
    with pytest.raises(InvalidInput):
        serials.settlement_override(declaration=arrived, by=tehran_inspector, reason="..........")
    override = serials.settlement_override(
        declaration=arrived, by=tehran_inspector, reason="گوشی‌ها یک‌به‌یک با فاکتور تطبیق داده شد"
    )
    assert set(override.covers) == {f"imei_invalid:{BAD}", f"serial_shared:{GOOD}"}
    services.declaration_settle(declaration=arrived, by=dest_clerk)
    arrived.refresh_from_db()
    assert arrived.status == Status.SETTLED


def test_a_valid_imei_on_no_other_open_declaration_blocks_nothing(declaration, dest_clerk):
    _serial(declaration, GOOD)
    services.declaration_depart(declaration=declaration, by=None, at=timezone.now() - timezone.timedelta(days=1))
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    assert serials.standing_blocks(TransitDeclaration.objects.get(pk=declaration.pk)) == []


@pytest.mark.persian
def test_the_audit_trail_names_the_blocks_an_override_released(client, arrived, tehran_inspector, hq):
    """Not the stored codes («imei_invalid:…», a list's brackets): each block as the declaration's page titles
    it, with the IMEI it is about in its own order."""
    from django.urls import reverse

    serials.settlement_override(
        declaration=arrived, by=tehran_inspector, reason="گوشی‌ها یک‌به‌یک با فاکتور تطبیق داده شد"
    )
    client.force_login(hq)
    trail = client.get(reverse("reports:audit")).content.decode()
    rows = [tr for tr in trail.split("<tr")[1:] if "یک‌به‌یک با فاکتور" in tr]
    assert len(rows) == 2  # the override, and the event on the declaration's timeline
    for row in rows:
        assert "شناسهٔ IMEI اظهارشده معتبر نیست (" in row
        assert f"\u2066{BAD}\u2069" in row and f"\u2066{GOOD}\u2069" in row
    assert "imei_invalid" not in trail and "serial_shared:" not in trail and "[&#x27;" not in trail
