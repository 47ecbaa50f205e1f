"""Smuggling cases, written from the executive regulation of the smuggling law: the valuation
(Art. 2), confiscation only up to 10,000,000 rial (Art. 3), the hand-over within 24 hours (Art. 4),
the files within five working days (Art. 7), the carrier's fine and vehicle (Art. 18) and the
payment within 20 days (Art. 19), with overdue milestones as a signal and a notice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import CaseMilestone, CaseValuation, ImmutableRecord, MilestoneKind, ValuationKind
from core.dates import TEHRAN
from core.errors import IllegalTransition, InvalidInput
from core.models import Holiday
from declarations.models import DeclarationEvent, Status, UnsettledReason
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory, UserFactory


@pytest.fixture
def unsettled(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )


def _at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TEHRAN)


def _open(declaration, by, *, found=None, **kw):
    found = found or timezone.now() - dt.timedelta(days=2)
    args = {
        "file_number": "1405-77",
        "authority": "تعزیرات حکومتی",
        "opened_on": found.astimezone(TEHRAN).date(),
        "discovered_at": found,
        "cif_value": "1000",
        "exchange_rate": "700000",
        "duties": "50000000",
        "fees": "1000000",
        "commercial_profit": "20000000",
    }
    return casework.case_open(declaration=declaration, by=by, **{**args, **kw})


def _kinds(case):
    return {m.kind: m for m in case.milestones.live()}


# --- Art. 2: valuation --------------------------------------------------------------------------


def test_art2_import_value_is_cif_at_the_discovery_days_rate_plus_duties_profit_and_fees(unsettled, inspector):
    case = _open(unsettled, inspector)
    case.refresh_from_db()
    # 1,000 USD × 700,000 + 50,000,000 duties + 20,000,000 commercial profit + 1,000,000 fees
    assert case.goods_value == Decimal("771000000")
    v = case.valuations.get()
    assert v.kind == ValuationKind.IMPORT and v.commercial_profit == Decimal("20000000")
    assert v.rate_source == smuggling.EXPORTERS_RATE_SOURCE  # the source is stored with the value …
    assert v.rate_date == smuggling.discovery_day(case)  # … and the rate's date is the discovery day


def test_art2_the_rate_must_be_that_of_the_discovery_day(unsettled, inspector):
    case = _open(unsettled, inspector)
    with pytest.raises(InvalidInput, match="discovery day") as exc:
        smuggling.case_value(
            case=case,
            by=inspector,
            kind=ValuationKind.CURRENCY,
            foreign_amount="500",
            currency="EUR",
            exchange_rate="800000",
            rate_source="بانک مرکزی",
            rate_date=smuggling.discovery_day(case) + dt.timedelta(days=1),
        )
    assert "rate_date" in exc.value.fields
    assert case.valuations.count() == 1


def test_art2_export_value_is_the_wholesale_price_and_currency_is_valued_at_its_own_rate(unsettled, inspector):
    case = _open(unsettled, inspector)
    first = case.valuations.get()
    smuggling.case_value(
        case=case,
        by=inspector,
        corrects=first,
        reason="کالا صادراتی بود",
        kind=ValuationKind.EXPORT,
        wholesale_price="450000000",
        market="بازار عمده‌فروشی تبریز",
    )
    smuggling.case_value(
        case=case,
        by=inspector,
        kind=ValuationKind.CURRENCY,
        foreign_amount="2000",
        currency="AED",
        exchange_rate="190000",
        rate_source="مرکز مبادله ارز و طلا (درهم)",
    )
    case.refresh_from_db()
    # the export goods at the market's wholesale price + the dirhams seized at the dirham's rate
    assert case.goods_value == Decimal("450000000") + Decimal("2000") * Decimal("190000")
    with pytest.raises(InvalidInput, match="market"):
        smuggling.case_value(case=case, by=inspector, kind=ValuationKind.EXPORT, wholesale_price="1")


def test_a_valuation_is_never_changed_a_correction_is_a_new_record(unsettled, inspector):
    case = _open(unsettled, inspector)
    first = case.valuations.get()
    first.value = 1
    with pytest.raises(ImmutableRecord):
        first.save()
    with pytest.raises(InvalidInput, match="why"):
        smuggling.case_value(case=case, by=inspector, corrects=first, kind="export", wholesale_price="5", market="x")
    fix = smuggling.case_value(
        case=case, by=inspector, corrects=first, reason="نرخ اشتباه", kind="export", wholesale_price="5", market="x"
    )
    assert CaseValuation.objects.filter(case=case).count() == 2 and fix.corrects == first
    assert list(smuggling.current_valuations(case)) == [fix]
    with pytest.raises(IllegalTransition, match="already corrected"):
        smuggling.case_value(
            case=case, by=inspector, corrects=first, reason="r", kind="export", wholesale_price="5", market="x"
        )


# --- Art. 3, 4, 7: thresholds and clocks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cif", "kinds"),
    [
        ("10", {MilestoneKind.CONFISCATION}),  # 10 × 1,000,000 = 10,000,000: at the threshold
        (
            "10.01",
            {
                MilestoneKind.HANDOVER,
                MilestoneKind.FILE_PROPERTY_ORG,
                MilestoneKind.FILE_COURT,
                MilestoneKind.CARRIER_FINE,
            },
        ),
    ],
)
def test_art3_up_to_ten_million_rial_is_confiscation_only(unsettled, inspector, cif, kinds):
    case = _open(
        unsettled, inspector, cif_value=cif, exchange_rate="1000000", duties="0", fees="0", commercial_profit="0"
    )
    assert set(_kinds(case)) == kinds


def test_art4_and_art7_clocks_on_the_working_day_calendar(unsettled, inspector):
    # Found on Tuesday 1405/06/03 (2026-08-25). Friday 2026-08-28 is off, and so is Sunday
    # 2026-08-30, the Prophet's birthday (17 Rabi' al-awwal 1448, shipped with the project).
    assert Holiday.objects.filter(date=dt.date(2026, 8, 30)).exists()
    found = _at(2026, 8, 25, 10)
    case = _open(unsettled, inspector, found=found)
    ms = _kinds(case)
    assert ms[MilestoneKind.HANDOVER].due_at == found + dt.timedelta(hours=24)
    assert ms[MilestoneKind.HANDOVER].article == "4"
    # Wed 26 (1), Thu 27 (2), Fri off, Sat 29 (3), Sun 30 holiday, Mon 31 (4), Tue 1 Sep (5)
    due = ms[MilestoneKind.FILE_COURT].due_at.astimezone(TEHRAN)
    assert due.date() == dt.date(2026, 9, 1) and due.time() == dt.time(23, 59, 59)
    assert ms[MilestoneKind.FILE_PROPERTY_ORG].due_at == ms[MilestoneKind.FILE_COURT].due_at
    assert ms[MilestoneKind.FILE_COURT].article == "7"


def test_a_holiday_headquarters_adds_moves_the_clock(unsettled, inspector):
    Holiday.objects.create(date=dt.date(2026, 9, 1), name="تعطیل اعلام‌شده")
    case = _open(unsettled, inspector, found=_at(2026, 8, 25, 10))
    assert _kinds(case)[MilestoneKind.FILE_COURT].due_at.astimezone(TEHRAN).date() == dt.date(2026, 9, 2)


def test_a_revaluation_below_the_threshold_waives_the_clocks_it_no_longer_owes(unsettled, inspector):
    case = _open(unsettled, inspector)
    handover = _kinds(case)[MilestoneKind.HANDOVER]
    smuggling.milestone_done(milestone=handover, by=inspector, evidence_note="صورت‌جلسه تحویل ۱۲۳")
    smuggling.case_value(
        case=case,
        by=inspector,
        corrects=case.valuations.get(),
        reason="ارزش واقعی",
        kind="export",
        wholesale_price="9000000",
        market="بازار محلی",
    )
    live = _kinds(case)
    # confiscation only now; what was done stays as evidence, what was owed is waived
    assert set(live) == {MilestoneKind.CONFISCATION, MilestoneKind.HANDOVER}
    assert live[MilestoneKind.HANDOVER].done_at is not None
    waived = case.milestones.filter(waived_at__isnull=False)
    assert {m.kind for m in waived} == {
        MilestoneKind.FILE_PROPERTY_ORG,
        MilestoneKind.FILE_COURT,
        MilestoneKind.CARRIER_FINE,
    }


# --- Art. 18, 19 --------------------------------------------------------------------------------------


def test_art18_the_carriers_fine_is_at_most_twice_the_value_and_art19_opens_twenty_days_to_pay(unsettled, inspector):
    case = _open(unsettled, inspector, found=_at(2026, 10, 30))
    case.refresh_from_db()
    fine = _kinds(case)[MilestoneKind.CARRIER_FINE]
    with pytest.raises(InvalidInput, match="twice") as exc:
        smuggling.milestone_done(milestone=fine, by=inspector, evidence_note="رأی ۴۵", amount=case.goods_value * 2 + 1)
    assert "amount" in exc.value.fields
    fined_at = _at(2026, 11, 5, 9)  # Thursday 1405/08/14
    smuggling.milestone_done(
        milestone=fine,
        by=inspector,
        evidence_note="رأی ۴۵",
        amount=case.goods_value * 2,
        vehicle_seized=True,
        done_at=fined_at,
    )
    fine.refresh_from_db()
    assert fine.vehicle_seized and fine.amount == case.goods_value * 2
    payment = _kinds(case)[MilestoneKind.PAYMENT]
    # 20 days after Thursday 5 Nov is Wednesday 25 Nov 2026, a working day
    assert payment.due_at.astimezone(TEHRAN).date() == dt.date(2026, 11, 25) and payment.article == "19"
    with pytest.raises(IllegalTransition, match="already"):
        smuggling.milestone_done(milestone=fine, by=inspector, evidence_note="again", amount=1)


def test_art19_a_last_day_that_is_off_moves_to_the_next_working_day(db):
    # 2026-10-24 + 20 days = Friday 2026-11-13 (also 3 Jumada al-akhira): paid by Saturday the 14th
    assert smuggling.payment_due(dt.date(2026, 10, 24)).astimezone(TEHRAN).date() == dt.date(2026, 11, 14)


def test_a_step_needs_its_evidence(unsettled, inspector):
    case = _open(unsettled, inspector)
    with pytest.raises(InvalidInput, match="evidence"):
        smuggling.milestone_done(milestone=_kinds(case)[MilestoneKind.HANDOVER], by=inspector, evidence_note=" ")


# --- overdue: the signal and the notice ----------------------------------------------------------------


def test_an_overdue_milestone_is_told_once_to_the_responsible_office_and_the_inspector(
    unsettled, inspector, origin_clerk, dest_clerk, client
):
    case = _open(unsettled, inspector, found=timezone.now() - dt.timedelta(days=20))
    assert smuggling.milestones_run() == 3  # hand-over and both files; the fine has no clock
    assert smuggling.milestones_run() == 0  # once
    told = Notification.objects.filter(kind=Kind.MILESTONE_OVERDUE)
    assert set(told.values_list("user", flat=True)) == {origin_clerk.pk, inspector.pk}
    assert DeclarationEvent.objects.filter(declaration=unsettled, kind="case_milestone_overdue").count() == 3

    client.force_login(origin_clerk)
    home = client.get("/").content.decode()
    assert 'id="milestones-overdue"' in home and "Statutory milestones overdue: 3" in home
    page = client.get("/casework/milestones/?state=overdue").content.decode()
    assert case.file_number in page and page.count('class="table-danger"') == 3


@pytest.mark.parametrize("which", ["absent", "another case's", "word", "done"])
def test_a_step_sent_for_a_milestone_the_case_does_not_owe_is_refused_naming_the_milestone(
    unsettled, origin_clerk, client, which
):
    """A step sent for an unknown milestone id answered 400 with no word of why: its form is none of the
    page's, so its error was shown nowhere."""
    case = _open(unsettled, origin_clerk)
    handover = _kinds(case)[MilestoneKind.HANDOVER]
    second = DeclarationFactory(
        origin=unsettled.origin,
        destination=unsettled.destination,
        status=Status.UNSETTLED,
        arrived_at=unsettled.arrived_at,
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    other = _open(second, origin_clerk, file_number="1405-78")
    ids = {"absent": "999999", "another case's": str(_kinds(other)[MilestoneKind.HANDOVER].pk), "word": "x"}
    if which == "done":
        smuggling.milestone_done(milestone=handover, by=origin_clerk, evidence_note="صورت‌جلسه ۹")
    pk = ids.get(which, str(handover.pk))
    client.force_login(origin_clerk)
    r = client.post(f"/casework/cases/{case.pk}/", {"form": "milestone", "milestone": pk, f"m{pk}-evidence_note": "ن"})
    assert r.status_code == 400
    errors = r.content.decode().split('id="milestone-errors"', 1)[1].split("</div></div>", 1)[0]
    expected = "This milestone was already recorded." if which == "done" else "Choose a milestone of this case."
    assert f"<strong>milestone</strong>: {expected}" in errors
    assert (
        not case.milestones.filter(evidence_note="ن").exists()
        and not other.milestones.filter(evidence_note="ن").exists()
    )


def test_the_case_page_records_a_step_and_a_correction(unsettled, origin_clerk, client):
    case = _open(unsettled, origin_clerk)
    handover = _kinds(case)[MilestoneKind.HANDOVER]
    client.force_login(origin_clerk)
    url = f"/casework/cases/{case.pk}/"
    r = client.post(url, {"form": "milestone", "milestone": handover.pk, f"m{handover.pk}-evidence_note": ""})
    assert r.status_code == 400 and "Enter “evidence (letter number, receipt …)”." in r.content.decode()
    r = client.post(url, {"form": "milestone", "milestone": handover.pk, f"m{handover.pk}-evidence_note": "صورت‌جلسه ۹"})
    assert r.status_code == 302
    handover.refresh_from_db()
    assert handover.done_by == origin_clerk and handover.evidence_note == "صورت‌جلسه ۹"
    r = client.post(
        url, {"form": "valuation", "kind": "export", "wholesale_price": "5000000", "market": "", "corrects": ""}
    )
    assert r.status_code == 400 and "nearest domestic market" in r.content.decode()
    first = case.valuations.get()
    r = client.post(
        url,
        {
            "form": "valuation",
            "kind": "export",
            "wholesale_price": "5000000",
            "market": "بازار ارومیه",
            "corrects": first.pk,
            "reason": "کالا صادراتی",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.goods_value == Decimal("5000000")
    page = client.get(url).content.decode()
    assert "confiscation only (Art. 3)" in page


def test_outsiders_see_no_milestones(unsettled, inspector, outsider, client):
    _open(unsettled, inspector, found=timezone.now() - dt.timedelta(days=20))
    assert CaseMilestone.objects.for_user(outsider).count() == 0
    client.force_login(outsider)
    assert "1405-77" not in client.get("/casework/milestones/?state=all").content.decode()
    other = UserFactory(role="office", office=None)
    assert CaseMilestone.objects.for_user(other).count() == 0


@pytest.mark.persian
def test_the_valuation_to_correct_is_offered_in_persian_digits(unsettled, origin_clerk, client):
    """The «corrects valuation» options read «#17 …: 33,830,000,000» in Latin digits while the page shows ۳۳٬۸۳۰٬…"""
    case = _open(unsettled, origin_clerk)
    client.force_login(origin_clerk)
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    options = page.split('name="corrects"', 1)[1].split("</select>", 1)[0]
    pk = case.valuations.get().pk
    assert f"#{str(pk).translate(str.maketrans('0123456789', '۰۱۲۳۴۵۶۷۸۹'))} " in options
    assert "۷۷۱٬۰۰۰٬۰۰۰</option>" in options and "771,000,000" not in options


def test_the_default_rate_source_is_shown_in_the_readers_language(unsettled, inspector, client):
    """An English case page showed the stored «مرکز مبادله ارز و طلای ایران …»; a source typed by a person
    is shown as typed."""
    from django.urls import reverse

    case = _open(unsettled, inspector)
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Iran Center for Exchange of Currency and Gold (exporters&#x27; rate)" in page
    assert smuggling.EXPORTERS_RATE_SOURCE not in page
    client.cookies["django_language"] = "fa"
    assert smuggling.EXPORTERS_RATE_SOURCE in client.get(reverse("casework:case", args=[case.pk])).content.decode()
    typed = CaseValuation(rate_source="Sana rate (AED)")
    assert typed.rate_source_text == "Sana rate (AED)"


@pytest.mark.parametrize("said", ["..........", "!!!!!!!!!!!", "rate"])
def test_a_correction_of_a_valuation_says_why_in_words(unsettled, origin_clerk, client, said):
    """Why a valuation is corrected is a justification, measured as every written reason is (letters and digits:
    ten dots say nothing), beside the field and in the service."""
    case = _open(unsettled, origin_clerk)
    first = case.valuations.get()
    client.force_login(origin_clerk)
    data = {
        "form": "valuation",
        "kind": "export",
        "wholesale_price": "5000000",
        "market": "بازار ارومیه",
        "corrects": first.pk,
        "reason": said,
    }
    r = client.post(f"/casework/cases/{case.pk}/", data)
    assert r.status_code == 400 and "at least 10 letters or digits" in r.content.decode()
    assert case.valuations.count() == 1
    with pytest.raises(InvalidInput):
        smuggling.case_value(
            case=case, by=origin_clerk, corrects=first, reason=said, kind="export", wholesale_price="5", market="x"
        )
