"""Judicial cases: opened from an unsettled or overdue declaration, valued, a log of actions, the outcome."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from casework import panels
from casework import services as casework
from casework.models import CaseStatus, JudicialCase
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from declarations.hooks import timeline_providers
from declarations.models import Status, UnsettledReason
from tests.factories import DeclarationFactory

TODAY = dt.date.today


@pytest.fixture
def unsettled(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=20),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )


def _open(declaration, by, **kw):
    args = {
        "file_number": "9909981234",
        "authority": "تعزیرات حکومتی",
        "branch": "شعبه ۳",
        "opened_on": timezone.localdate() - dt.timedelta(days=5),
        "cif_value": "12500.50",
        "exchange_rate": "285000",
        "duties": "150000000",
        "fees": "2500000",
    }
    return casework.case_open(declaration=declaration, by=by, **{**args, **kw})


def test_it_values_the_goods_from_cif_rate_duties_and_fees(unsettled, inspector):
    case = _open(unsettled, inspector)
    case.refresh_from_db()
    # 12,500.50 USD × 285,000 + 150,000,000 + 2,500,000 = 3,715,142,500 rial
    assert case.goods_value == Decimal("3715142500")
    assert (case.cif_value, case.exchange_rate, case.duties, case.fees) == (
        Decimal("12500.50"),
        Decimal("285000"),
        Decimal("150000000"),
        Decimal("2500000"),
    )
    assert case.opened_by == inspector and case.status == CaseStatus.OPEN


@given(
    cif=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
    rate=st.decimals(min_value=Decimal("1"), max_value=Decimal("2000000"), places=4),
    duties=st.integers(min_value=0, max_value=10**12),
    fees=st.integers(min_value=0, max_value=10**10),
)
def test_it_keeps_the_value_equal_to_its_inputs(cif, rate, duties, fees):
    value = JudicialCase.compute_value(cif, rate, Decimal(duties), Decimal(fees))
    exact = cif * rate + duties + fees
    assert abs(value - exact) <= Decimal("0.5") and value == value.to_integral_value()


def test_it_opens_cases_only_from_unsettled_or_overdue(declaration, bazargan, tehran, inspector):
    with pytest.raises(IllegalTransition, match="unsettled or overdue"):
        _open(declaration, inspector)
    overdue = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=3)
    )
    assert _open(overdue, inspector, file_number="77").declaration == overdue


def test_it_names_the_bad_field_and_writes_nothing(unsettled, inspector, outsider):
    for kw, field in [
        ({"cif_value": "abc"}, "cif_value"),
        ({"exchange_rate": "0"}, "exchange_rate"),
        ({"duties": "-5"}, "duties"),
        ({"file_number": " "}, "file_number"),
        ({"opened_on": timezone.localdate() + dt.timedelta(days=2)}, "opened_on"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            _open(unsettled, inspector, **kw)
        assert field in exc.value.fields
    with pytest.raises(NotAllowed):
        _open(unsettled, outsider)
    _open(unsettled, inspector)
    with pytest.raises(InvalidInput, match="already the case of declaration"):
        _open(unsettled, inspector)
    assert JudicialCase.objects.count() == 1


def test_it_logs_actions_and_closes_with_the_outcome_and_the_declaration(unsettled, inspector, origin_clerk):
    case = _open(unsettled, inspector)
    casework.case_add_action(
        case=case, by=origin_clerk, on=timezone.localdate() - dt.timedelta(days=3), action="ارسال پرونده به شعبه"
    )
    casework.case_add_action(case=case, by=inspector, on=timezone.localdate(), action="جلسه رسیدگی")
    with pytest.raises(InvalidInput, match="between"):
        casework.case_add_action(case=case, by=inspector, on=case.opened_on - dt.timedelta(days=1), action="x")
    assert [a.action for a in case.actions.all()] == ["ارسال پرونده به شعبه", "جلسه رسیدگی"]

    casework.case_close(
        case=case, by=inspector, outcome="حکم ضبط کالا", outcome_on=timezone.localdate(), close_declaration=True
    )
    case.refresh_from_db()
    unsettled.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "حکم ضبط کالا"
    assert unsettled.status == Status.CLOSED and unsettled.closed_at
    with pytest.raises(IllegalTransition):
        casework.case_add_action(case=case, by=inspector, on=timezone.localdate(), action="late")


def test_it_puts_letters_and_cases_on_the_declaration_timeline(unsettled, inspector, origin_clerk):
    panels.register_hooks()
    panels.register_hooks()  # idempotent
    assert timeline_providers.count(panels.casework_timeline) == 1
    casework.letter_draft(declaration=unsettled, by=origin_clerk)
    _open(unsettled, inspector)
    items = panels.casework_timeline(unsettled, inspector)
    assert {i.kind for i in items} == {"letter", "case"}
    assert any("9909981234" in i.title for i in items)
    assert all(i.url.startswith("/casework/") for i in items)


def test_it_shows_the_casework_panel_with_scoped_counts(rf, unsettled, origin_clerk, inspector, outsider):
    from django.template.loader import render_to_string

    from declarations.models import TransitDeclaration

    panels.register_hooks()
    casework.letter_draft(declaration=unsettled, by=origin_clerk)
    _open(unsettled, inspector)
    for user, expected in ((origin_clerk, (1, 1)), (outsider, (0, 0))):
        request = rf.get("/")
        request.user = user
        panel = panels.casework_panel(request, TransitDeclaration.objects.for_user(user))
        assert (panel.context["casework"]["drafts"], panel.context["casework"]["open_cases"]) == expected
    html = render_to_string(panel.template, panel.context)
    assert "/casework/cases/" in html


@pytest.mark.persian
def test_a_case_file_number_keeps_its_order_beside_persian_words(client, unsettled, inspector):
    """«1405-3120-Q» unisolated in a right-to-left line reads «Q-1405-3120»: the list, the case page, its
    title and the timeline isolate it, with its digits as typed."""
    case = _open(unsettled, inspector, file_number="1405-3120-Q")
    shown = '<bdi dir="ltr" class="ident ident-case">1405-3120-Q</bdi>'
    client.force_login(inspector)
    assert shown in client.get("/casework/cases/").content.decode()
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert shown in page and "<title>پرونده قضایی \u20661405-3120-Q\u2069" in page
    timeline = client.get(f"/declarations/{unsettled.pk}/").content.decode()
    assert "\u20661405-3120-Q\u2069" in timeline


@pytest.mark.persian
def test_a_case_refused_names_its_file_number_isolated_as_typed(client, unsettled, inspector):
    """«پرونده شماره 9909981234 مرجع …»: the file number set apart from the sentence, in the page's digits (it has no Latin letters)."""
    from django.urls import reverse

    case = _open(unsettled, inspector)
    number = "\u2066۹۹۰۹۹۸۱۲۳۴\u2069"
    client.force_login(inspector)
    form = {
        "file_number": case.file_number,
        "authority": case.authority,
        "opened_on": "1404/05/01",
        "cif_value": "1",
        "currency": "USD",
        "exchange_rate": "650000",
        "duties": "0",
        "fees": "0",
    }
    response = client.post(reverse("casework:case_new", args=[unsettled.pk]), form)
    assert response.status_code == 400
    serial = f"\u2066{unsettled.serial}\u2069"
    assert (
        f"شمارهٔ پروندهٔ {number} پیش‌تر به پروندهٔ اظهارنامهٔ {serial} (تعزیرات حکومتی) داده شده است."
        in response.content.decode()
    )
    casework.case_close(case=case, by=inspector, outcome="مختومه", outcome_on=timezone.localdate())
    with pytest.raises(IllegalTransition) as closed:
        casework.case_close(case=case, by=inspector, outcome="مختومه", outcome_on=timezone.localdate())
    assert str(closed.value) == f"پرونده {number} پیش‌تر مختومه شده است."
    with pytest.raises(IllegalTransition) as closed:
        casework.case_add_action(case=case, by=inspector, on=timezone.localdate(), action="پیگیری")
    assert str(closed.value) == f"پرونده {number} مختومه است."
