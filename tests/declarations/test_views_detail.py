"""The declaration page: data, goods, timeline, and the action forms that enforce the lifecycle."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import hooks, services
from declarations.models import Status
from tests.factories import DeclarationFactory, GoodsFactory, ended_case


def _url(d):
    return reverse("declarations:detail", args=[d.pk])


def _act(d, action):
    return reverse("declarations:action", args=[d.pk, action])


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def test_it_shows_data_goods_and_a_timeline_with_events_and_audit(client, inspector, in_transit):
    GoodsFactory(declaration=in_transit, description="گوشی تلفن همراه", serials=["356938035643809"])
    client.force_login(inspector)
    html = client.get(_url(in_transit)).content.decode()
    assert in_transit.serial in html and "گوشی تلفن همراه" in html
    timeline = html.split('id="timeline"', 1)[1]
    assert 'data-kind="declared"' in timeline
    assert 'data-kind="depart"' in timeline
    assert 'data-kind="audit"' in timeline
    assert "رضا احمدی" in timeline  # who departed it


def test_it_adds_timeline_items_from_higher_apps(client, hq, declaration, monkeypatch):
    item = hooks.TimelineItem(at=timezone.now(), kind="letter", title="Letter 1404/12345")
    monkeypatch.setattr(hooks, "timeline_providers", [*hooks.timeline_providers, lambda d, u: [item]])
    client.force_login(hq)
    assert "Letter 1404/12345" in client.get(_url(declaration)).content.decode()


def test_it_offers_only_the_actions_the_role_allows(client, origin_clerk, dest_clerk, inspector, in_transit):
    client.force_login(dest_clerk)
    html = client.get(_url(in_transit)).content.decode()
    assert 'data-action="confirm_arrival"' in html and 'data-action="depart"' not in html
    client.force_login(origin_clerk)
    assert 'data-action="confirm_arrival"' not in client.get(_url(in_transit)).content.decode()
    client.force_login(inspector)  # the province's inspector may only close (after a judicial case)
    html = client.get(_url(in_transit)).content.decode()
    assert 'data-action="close"' not in html  # no case: nothing to close yet
    ended_case(in_transit, inspector)
    html = client.get(_url(in_transit)).content.decode()
    assert 'data-action="close"' in html and 'data-action="confirm_arrival"' not in html
    assert 'data-action="cancel"' not in html and 'data-action="extend_deadline"' not in html


def test_the_destination_confirms_arrival_through_the_form(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = client.post(
        _act(in_transit, "confirm_arrival"),
        {
            "confirm_arrival-seals_intact": "intact",
            "confirm_arrival-seal_numbers_found": "S100200",
            "confirm_arrival-at": "",
            "confirm_arrival-unseen_reason": "the gate camera was down",
        },
    )
    assert response.status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.status == Status.ARRIVED
    assert in_transit.arrival.confirmed_by == dest_clerk
    assert in_transit.arrival.seal_numbers_found == ["S100200"]
    page = client.get(response.url).content.decode()
    assert 'data-status="arrived"' in page


def test_a_clerk_of_the_wrong_office_gets_403_with_the_reason(client, origin_clerk, in_transit):
    client.force_login(origin_clerk)
    response = client.post(_act(in_transit, "confirm_arrival"), {"confirm_arrival-seals_intact": "intact"})
    assert response.status_code == 403
    assert in_transit.serial in response.content.decode()  # "You may not confirm arrival declaration ..."
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT


def test_an_illegal_move_is_a_409_and_changes_nothing(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = client.post(_act(in_transit, "settle"), {"settle-remarks": "ok"})
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT and in_transit.settled_at is None


def test_reason_other_needs_details(client, dest_clerk, in_transit):
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk)
    client.force_login(dest_clerk)
    response = client.post(_act(in_transit, "record_unsettled"), {"record_unsettled-reason": "other"})
    assert response.status_code == 400
    in_transit.refresh_from_db()
    assert in_transit.status == Status.ARRIVED
    response = client.post(
        _act(in_transit, "record_unsettled"),
        {"record_unsettled-reason": "other", "record_unsettled-note": "بارنامه ناقص"},
    )
    assert response.status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.status == Status.UNSETTLED and in_transit.unsettled_note == "بارنامه ناقص"


def test_a_bad_date_is_a_form_error(client, origin_clerk, declaration):
    client.force_login(origin_clerk)
    response = client.post(_act(declaration, "depart"), {"depart-at": "not a date"})
    assert response.status_code == 400
    declaration.refresh_from_db()
    assert declaration.status == Status.REGISTERED


def test_the_page_and_actions_are_404_outside_the_scope(client, outsider, declaration):
    client.force_login(outsider)
    assert client.get(_url(declaration)).status_code == 404
    assert client.post(_act(declaration, "depart"), {}).status_code == 404
    declaration.refresh_from_db()
    assert declaration.status == Status.REGISTERED


def test_an_illegal_move_is_refused_in_words_an_officer_reads(in_transit, origin_clerk):
    with pytest.raises(services.IllegalTransition) as exc:
        services.declaration_depart(declaration=in_transit, by=origin_clerk)
    serial = f"\u2066{in_transit.serial}\u2069"  # isolated: a Persian sentence would reorder 1404-BZG-…
    assert str(exc.value) == f"Cannot record the departure of declaration {serial}: it is in transit."


@pytest.fixture
def overdue(in_transit):
    in_transit.deadline = timezone.now() - dt.timedelta(days=9)
    in_transit.save(update_fields=["deadline"])
    return in_transit


def test_the_origin_office_drafts_a_follow_up_letter_from_the_page(client, origin_clerk, dest_clerk, overdue):
    client.force_login(dest_clerk)  # the destination answers letters, it does not write them
    assert reverse("casework:letter_new", args=[overdue.pk]) not in client.get(_url(overdue)).content.decode()
    client.force_login(origin_clerk)
    html = client.get(_url(overdue)).content.decode()
    new_letter = reverse("casework:letter_new", args=[overdue.pk])
    assert f'action="{new_letter}"' in html
    response = client.post(new_letter)
    assert response.status_code == 302
    letter = overdue.letters.get()
    assert response.url == reverse("casework:letter", args=[letter.pk])
    assert letter.from_office_id == overdue.origin_id and letter.to_office_id == overdue.destination_id


def test_a_case_is_offered_only_on_an_overdue_or_unsettled_declaration(client, inspector, declaration, overdue):
    client.force_login(inspector)
    assert reverse("casework:case_new", args=[overdue.pk]) in client.get(_url(overdue)).content.decode()
    fresh = DeclarationFactory(origin=declaration.origin, destination=declaration.destination)
    html = client.get(_url(fresh)).content.decode()
    assert reverse("casework:case_new", args=[fresh.pk]) not in html
    assert reverse("casework:letter_new", args=[fresh.pk]) not in html
    assert reverse("scans:declaration", args=[fresh.pk]) in html  # the scans are always one click away


def test_the_reason_form_shows_and_preselects_what_the_data_shows(client, dest_clerk, in_transit):
    twin = DeclarationFactory(
        origin=in_transit.origin, destination=in_transit.destination, waybill_no=in_transit.waybill_no
    )
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk)
    client.force_login(dest_clerk)
    html = client.get(_url(in_transit)).content.decode()
    proposed = html.split('id="proposed-reasons"', 1)[1].split("</div>", 1)[0]
    assert "duplicate waybill" in proposed.lower() and twin.serial in proposed
    assert '<option value="duplicate_waybill" selected>' in html


def test_a_reason_once_recorded_is_not_proposed_again(client, dest_clerk, in_transit):
    """Once the destination accepted «duplicate waybill», the panel does not offer it again as if nothing were
    recorded; the form stays, for a correction."""
    DeclarationFactory(origin=in_transit.origin, destination=in_transit.destination, waybill_no=in_transit.waybill_no)
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk)
    in_transit.refresh_from_db()
    services.declaration_record_unsettled(
        declaration=in_transit, by=dest_clerk, reason="duplicate_waybill", note="the other declaration is open"
    )
    client.force_login(dest_clerk)
    html = client.get(_url(in_transit)).content.decode()
    assert 'data-action="record_unsettled"' in html
    assert 'id="proposed-reasons"' not in html and 'data-proposed="duplicate_waybill"' not in html


def test_the_menu_reaches_every_part_of_the_app(client, inspector):
    client.force_login(inspector)
    html = client.get(reverse("home")).content.decode()
    for name in (
        "casework:letters",
        "casework:cases",
        "reports:returns",
        "reports:inspections",
        "reports:problems",
        "anpr:index",
    ):
        assert f'href="{reverse(name)}"' in html, name


def test_the_guarantee_reference_is_isolated_beside_its_amount(client, inspector, declaration):
    """«G13249 · ۲۷٬۲۵۰٬۰۰۰٬۰۰۰ ریال»: the reference keeps its order beside the amount."""
    declaration.guarantee_ref = "G-13249/B"
    declaration.save(update_fields=["guarantee_ref"])
    client.force_login(inspector)
    html = client.get(_url(declaration)).content.decode()
    assert '<bdi dir="ltr" class="ident ident-serial">G-13249/B</bdi> · ' in html


def _dd(html: str, term: str) -> str:
    """The value beside a term of the declaration's data."""
    return html.split(f">{term}</dt>", 1)[1].split(">", 1)[1].split("</dd>", 1)[0]


def test_the_route_names_its_offices_and_a_truck_without_a_plate_is_a_dash(client, hq, bazargan, tehran):
    from declarations.models import Vehicle

    d = DeclarationFactory(origin=bazargan, destination=tehran, route=["BZG", "THR"])
    client.force_login(hq)
    route = _dd(client.get(_url(d)).content.decode(), "Planned route")
    assert "Bazargan" in route and "Tehran" in route and "BZG" not in route and "THR" not in route
    Vehicle.objects.filter(pk=d.vehicle_id).update(plate="")
    truck = _dd(client.get(_url(d)).content.decode(), "Truck")
    assert truck.strip() == "—"


def test_the_goods_serials_wrap_inside_the_table_not_past_the_page(client, hq, declaration):
    imeis = ["356938035643809", "490154203237518", "356938035643817", "490154203237526", "356938035643825"]
    GoodsFactory(declaration=declaration, serials=imeis)
    client.force_login(hq)
    html = client.get(_url(declaration)).content.decode()
    goods = html.split('id="goods-h"', 1)[1].split("</section>", 1)[0]
    assert '<div class="table-wrap">' in goods  # a wide table scrolls in its own box
    cell = goods.split("356938035643809", 1)[0].rsplit("<td", 1)[1]
    assert "text-wrap" in cell  # the IMEIs break between numbers instead of running off the card
