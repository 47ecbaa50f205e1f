"""A walk: removing an HS prefix from the national covered-goods list recorded no reason. The confirmation page now
asks why (a reason of at least ten letters or digits, as every written reason), the service refuses a removal
without one, and the reason is kept with the removal's audit entry and shown on the audit page."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.models import Role
from core.errors import InvalidInput
from declarations import covered
from declarations.covered_data import ensure_covered_goods
from declarations.models import CoveredGoods
from tests.core.test_form_style import beside
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "این کد در بخشنامهٔ تازه حذف شد"


@pytest.fixture(autouse=True)
def shipped_list(db):
    ensure_covered_goods()


def _removal_entry() -> LogEntry:
    return LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(CoveredGoods), action=LogEntry.Action.DELETE
    )


@pytest.mark.parametrize("said", ["", "   ", "..........", "حذف شد"])
def test_a_removal_without_a_reason_is_refused_beside_the_field(client, hq, said):
    item = CoveredGoods.objects.get(hs_prefix="8418")
    confirm = reverse("declarations:covered-goods-remove", args=[item.pk])
    client.force_login(hq)
    assert 'name="reason"' in client.get(confirm).content.decode()
    response = client.post(confirm, {"reason": said})
    assert response.status_code == 400
    beside(response.content.decode(), "id_reason")
    assert CoveredGoods.objects.filter(pk=item.pk).exists()
    with pytest.raises(InvalidInput) as refused:
        covered.goods_remove(item=item, by=hq, reason=said)
    assert set(refused.value.fields) == {"reason"}
    assert CoveredGoods.objects.filter(pk=item.pk).exists()


def test_the_reason_is_kept_with_the_removal_and_shown_in_the_audit_trail(client, hq):
    item = CoveredGoods.objects.get(hs_prefix="8418")
    client.force_login(hq)
    done = client.post(reverse("declarations:covered-goods-remove", args=[item.pk]), {"reason": f"  {REASON} "})
    assert done.status_code == 302
    assert not CoveredGoods.objects.filter(hs_prefix="8418").exists()
    entry = _removal_entry()
    assert entry.additional_data == {"reason": REASON} and entry.actor == hq
    client.force_login(UserFactory(username="hq2", role=Role.HQ))
    trail = client.get(reverse("reports:audit")).content.decode()
    assert REASON in trail
