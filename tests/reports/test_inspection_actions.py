"""Inspection follow-up actions: asked of an office by a date with the inspection (or added on its
page), listed for the inspector, headquarters and the responsible office with overdue ones marked,
and marked done with a note; the same through the API. Office staff are never offered the
inspection form."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import api_token_issue
from core.dates import format_jalali
from reports import services
from reports.models import CHECKLIST, Inspection, InspectionAction
from tests.factories import UserFactory
from tests.reports.test_problem_queue import refused_page

pytestmark = pytest.mark.django_db
ALL_YES = dict.fromkeys(CHECKLIST, "yes")


def jday(d: dt.date) -> str:
    return format_jalali(d, with_time=False, persian=False)


def _form(office, **over):
    today = timezone.localdate()
    data = {
        "office": office.pk,
        "inspected_on": jday(today),
        "findings": "",
        **dict.fromkeys(CHECKLIST, "yes"),
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "20",
    }
    data.update(over)
    return data


@pytest.fixture
def inspection(bazargan, inspector):
    return services.inspection_record(
        office=bazargan, by=inspector, inspected_on=timezone.localdate() - dt.timedelta(days=30), checklist=ALL_YES
    )


@pytest.fixture
def actions(inspection, bazargan, inspector, origin_clerk):
    """An overdue action (due 10 days ago), one due in 5 days, one already done."""
    today = timezone.localdate()
    overdue = services.inspection_action_add(
        inspection=inspection,
        by=inspector,
        action=services.ActionInput("نصب دوربین دوم", bazargan, today - dt.timedelta(days=10)),
    )
    soon = services.inspection_action_add(
        inspection=inspection,
        by=inspector,
        action=services.ActionInput("آموزش کارکنان", bazargan, today + dt.timedelta(days=5)),
    )
    done = services.inspection_action_add(
        inspection=inspection, by=inspector, action=services.ActionInput("پشتیبان‌گیری", bazargan, today)
    )
    services.inspection_action_done(action=done, by=origin_clerk, note="انجام شد")
    return {"overdue": overdue, "soon": soon, "done": done}


# --- with the inspection form ---------------------------------------------------------------------


def test_the_inspection_form_records_its_follow_up_actions(client, inspector, bazargan):
    client.force_login(inspector)
    due = timezone.localdate() + dt.timedelta(days=14)
    resp = client.post(
        "/reports/inspections/new/",
        _form(
            bazargan,
            **{
                "actions-0-description": "تعمیر دوربین",
                "actions-0-responsible_office": bazargan.pk,
                "actions-0-due_on": jday(due),
            },
        ),
    )
    assert resp.status_code == 302, resp.content.decode()[-3000:]
    action = InspectionAction.objects.get()
    assert (action.description, action.responsible_office, action.due_on) == ("تعمیر دوربین", bazargan, due)
    assert action.created_by == inspector and action.done_at is None
    assert LogEntry.objects.get_for_object(action).filter(actor=inspector).exists()
    page = client.get(resp["Location"]).content.decode()
    assert "تعمیر دوربین" in page and 'id="add-action"' in page


def test_a_half_filled_action_row_names_its_fields_and_writes_nothing(client, inspector, bazargan):
    client.force_login(inspector)
    resp = client.post(
        "/reports/inspections/new/", _form(bazargan, **{"actions-1-description": "x", "actions-1-due_on": "1405/13/40"})
    )
    assert resp.status_code == 400
    errors = resp.context["actions"].forms[1].errors
    assert set(errors) == {"responsible_office", "due_on"}
    assert "is-invalid" in resp.content.decode()
    assert not Inspection.objects.exists() and not InspectionAction.objects.exists()


def test_an_action_due_before_the_inspection_is_refused_beside_its_field(client, inspector, bazargan):
    client.force_login(inspector)
    before = timezone.localdate() - dt.timedelta(days=3)
    resp = client.post(
        "/reports/inspections/new/",
        _form(
            bazargan,
            **{
                "actions-0-description": "x",
                "actions-0-responsible_office": bazargan.pk,
                "actions-0-due_on": jday(before),
            },
        ),
    )
    assert resp.status_code == 400
    assert resp.context["actions"].forms[0].errors["due_on"] == ["The action is due before the inspection."]
    assert not Inspection.objects.exists() and not InspectionAction.objects.exists()


def test_an_empty_inspection_form_names_its_fields(client, inspector):
    client.force_login(inspector)
    resp = client.post("/reports/inspections/new/", {"actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0"})
    assert resp.status_code == 400
    assert {"office", "inspected_on", *CHECKLIST} <= set(resp.context["form"].errors)
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("who", ["origin_clerk", "dest_clerk", "it_officer"])
def test_office_staff_are_never_offered_the_inspection_form(client, request, who, bazargan):
    client.force_login(request.getfixturevalue(who))
    assert "/reports/inspections/new/" not in client.get("/reports/inspections/").content.decode()
    assert client.get("/reports/inspections/new/").status_code == 403
    assert client.post("/reports/inspections/new/", _form(bazargan)).status_code == 403
    assert not Inspection.objects.exists()


# --- on the inspection page -------------------------------------------------------------------------


def test_the_inspector_adds_an_action_on_the_inspection_page(client, inspector, inspection, bazargan):
    client.force_login(inspector)
    url = f"/reports/inspections/{inspection.pk}/"
    bad = client.post(url, {"new-description": "", "new-responsible_office": bazargan.pk, "new-due_on": ""})
    assert bad.status_code == 400 and set(bad.context["add_form"].errors) == {"description", "due_on"}
    assert not InspectionAction.objects.exists()
    due = timezone.localdate() + dt.timedelta(days=7)
    ok = client.post(
        url, {"new-description": "گزارش ماهانه", "new-responsible_office": bazargan.pk, "new-due_on": jday(due)}
    )
    assert ok.status_code == 302
    assert InspectionAction.objects.get().due_on == due


def test_only_whoever_inspects_adds_actions(client, origin_clerk, outsider, inspection, bazargan):
    url = f"/reports/inspections/{inspection.pk}/"
    body = {"new-description": "x", "new-responsible_office": bazargan.pk, "new-due_on": jday(timezone.localdate())}
    client.force_login(origin_clerk)  # sees the inspection of their office, may not add
    assert 'id="add-action"' not in client.get(url).content.decode()
    assert client.post(url, body).status_code == 403
    client.force_login(outsider)
    assert client.post(url, body).status_code == 404
    assert not InspectionAction.objects.exists()


# --- the list and "mark done" -----------------------------------------------------------------------


def _ids(resp) -> list[int]:
    return [row["action"].pk for row in resp.context["rows"]]


def test_the_list_shows_open_actions_due_soonest_first_overdue_marked(client, origin_clerk, actions):
    client.force_login(origin_clerk)
    resp = client.get("/reports/actions/")
    assert _ids(resp) == [actions["overdue"].pk, actions["soon"].pk]
    assert resp.context["counts"] == {"open": 2, "overdue": 1}
    assert f'data-action="{actions["overdue"].pk}" class="table-danger"' in resp.content.decode()
    assert _ids(client.get("/reports/actions/?overdue=1")) == [actions["overdue"].pk]
    assert _ids(client.get("/reports/actions/?state=done")) == [actions["done"].pk]
    assert len(_ids(client.get("/reports/actions/?state=all"))) == 3
    assert 'data-panel="inspection-actions"' in client.get("/").content.decode()


def test_the_list_keeps_to_the_scope(client, dest_clerk, outsider, hq, inspector, actions):
    for user, n in ((dest_clerk, 0), (outsider, 0), (hq, 2), (inspector, 2)):
        client.force_login(user)
        assert len(_ids(client.get("/reports/actions/"))) == n, user


def test_the_responsible_office_marks_an_action_done_with_a_note(client, origin_clerk, actions):
    client.force_login(origin_clerk)
    url = f"/reports/actions/{actions['soon'].pk}/done/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"note": " "})
    assert bad.status_code == 400 and bad.context["form"].errors["note"] == ["Say what was done."]
    assert InspectionAction.objects.get(pk=actions["soon"].pk).done_at is None
    ok = client.post(url, {"note": "کارکنان آموزش دیدند", "next": "/reports/actions/?state=open"})
    assert ok.status_code == 302 and ok["Location"] == "/reports/actions/?state=open"
    action = InspectionAction.objects.get(pk=actions["soon"].pk)
    assert action.done_by == origin_clerk and action.done_note == "کارکنان آموزش دیدند" and action.done_at
    assert LogEntry.objects.get_for_object(action).filter(actor=origin_clerk).exists()
    assert client.post(url, {"note": "دوباره"}).status_code == 409
    assert (
        client.post(f"/reports/actions/{actions['overdue'].pk}/done/", {"note": "x", "next": "https://evil.example/"})[
            "Location"
        ]
        == "/reports/actions/"
    )


def test_the_inspector_and_headquarters_follow_an_action_not_mark_it_done(client, inspector, hq, actions, inspection):
    """The page says the responsible office records each one: the inspector who asked for it is not offered the
    button, and his post is refused."""
    url = f"/reports/actions/{actions['soon'].pk}/done/"
    for user in (inspector, hq):
        client.force_login(user)
        listed = client.get("/reports/actions/").content.decode()
        page = client.get(f"/reports/inspections/{inspection.pk}/").content.decode()
        assert url not in listed and url not in page
        assert client.get(url).status_code == 403
        refused = client.post(url, {"note": "انجام شد"})
        assert refused.status_code == 403 and "responsible office" in refused.content.decode()
        assert services.may_complete_action(user, actions["soon"]) is False
    assert InspectionAction.objects.get(pk=actions["soon"].pk).done_at is None


def test_others_may_not_mark_an_action_done(client, dest_clerk, it_officer, outsider, actions):
    url = f"/reports/actions/{actions['soon'].pk}/done/"
    client.force_login(outsider)
    assert client.post(url, {"note": "x"}).status_code == 404
    client.force_login(dest_clerk)
    assert client.post(url, {"note": "x"}).status_code == 404
    client.force_login(it_officer)  # sees everything, is not the one who acts or inspects
    assert client.post(url, {"note": "x"}).status_code == 403
    assert InspectionAction.objects.get(pk=actions["soon"].pk).done_at is None


@pytest.mark.parametrize(("query", "label"), [({"state": "late"}, "state"), ({"overdue": "yes"}, "overdue")])
def test_an_action_filter_that_is_not_valid_shows_no_actions(client, origin_clerk, actions, query, label):
    client.force_login(origin_clerk)
    assert len(client.get("/reports/actions/", {"state": "all"}).context["rows"]) == 3
    html = refused_page(client.get("/reports/actions/", query), label)
    assert not [pk for pk in (a.pk for a in actions.values()) if f'data-action="{pk}"' in html]


def test_anonymous_users_are_sent_to_log_in(client, actions):
    assert client.get("/reports/actions/").status_code == 302
    assert client.post(f"/reports/actions/{actions['soon'].pk}/done/", {"note": "x"}).status_code == 302


# --- API ----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, name='test')[1]}")
    return api


def test_an_overdue_flag_the_api_does_not_read_is_a_400_naming_it(origin_clerk, actions):
    """``?overdue=yes`` was read as no and answered with every open action."""
    api = _api(origin_clerk)
    response = api.get("/api/reports/inspection-actions/", {"overdue": "yes"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["overdue"]
    assert [a["id"] for a in api.get("/api/reports/inspection-actions/", {"overdue": "True"}).json()["results"]] == [
        actions["overdue"].pk
    ]


def test_the_api_lists_adds_and_completes_actions(inspector, origin_clerk, inspection, actions):
    body = _api(origin_clerk).get("/api/reports/inspection-actions/").json()["results"]
    assert [(a["id"], a["overdue"]) for a in body] == [(actions["overdue"].pk, True), (actions["soon"].pk, False)]
    assert _api(origin_clerk).get("/api/reports/inspection-actions/?state=nope").status_code == 400

    url = f"/api/reports/inspections/{inspection.pk}/actions/"
    bad = _api(inspector).post(url, {"description": "", "responsible_office": "BZG", "due_on": "fish"}, format="json")
    assert bad.status_code == 400 and "due_on" in bad.json()["error"]["fields"]
    bad = _api(inspector).post(
        url, {"description": " ", "responsible_office": "BZG", "due_on": "1405/12/01"}, format="json"
    )
    assert bad.status_code == 400 and "description" in bad.json()["error"]["fields"]
    due = timezone.localdate() + dt.timedelta(days=3)
    ok = _api(inspector).post(
        url, {"description": "بررسی", "responsible_office": "BZG", "due_on": jday(due)}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["due_on"] == due.isoformat()

    done_url = f"/api/reports/inspection-actions/{actions['soon'].pk}/done/"
    assert _api(origin_clerk).post(done_url, {"note": ""}, format="json").status_code == 400
    resp = _api(origin_clerk).post(done_url, {"note": "انجام شد"}, format="json")
    assert resp.status_code == 200 and resp.json()["done_at"]
    assert _api(origin_clerk).post(done_url, {"note": "باز"}, format="json").status_code == 409


def test_the_api_refuses_wrong_roles_and_outside_scope(origin_clerk, outsider, it_officer, inspection, actions):
    add = f"/api/reports/inspections/{inspection.pk}/actions/"
    body = {"description": "x", "responsible_office": "BZG", "due_on": jday(timezone.localdate())}
    assert _api(origin_clerk).post(add, body, format="json").status_code == 403
    assert _api(outsider).post(add, body, format="json").status_code == 404
    done = f"/api/reports/inspection-actions/{actions['soon'].pk}/done/"
    assert _api(outsider).post(done, {"note": "x"}, format="json").status_code == 404
    assert _api(it_officer).post(done, {"note": "x"}, format="json").status_code == 403
    ics = _api(UserFactory(username="ics", role=Role.INTEGRATION))
    assert ics.post(done, {"note": "x"}, format="json").status_code == 403
    assert APIClient().get("/api/reports/inspection-actions/").status_code in (401, 403)
    assert InspectionAction.objects.count() == 3 and InspectionAction.objects.get(pk=actions["soon"].pk).done_at is None


@pytest.mark.persian
def test_the_follow_up_written_as_text_says_it_is_not_the_tracked_actions(client, bazargan, inspector):
    """«اقدامات پیگیری (به صورت نوشته‌شده در ابتدا)» stood above «no follow-up actions»: it reads as text
    written with the inspection, not tracked, with the tracked ones below."""
    inspection = services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate() - dt.timedelta(days=3),
        checklist=ALL_YES,
        follow_up_actions="آموزش کارشناسان اسکنر.",
    )
    client.force_login(inspector)
    client.cookies["django_language"] = "fa"
    page = client.get(f"/reports/inspections/{inspection.pk}/").content.decode()
    assert "به صورت نوشته‌شده در ابتدا" not in page
    written = page.split('id="written-follow-up"')[1].split('id="actions"')[0]
    assert "پیگیری نوشته‌شده در متن بازرسی" in written and "پیگیری نمی‌شود" in written
    assert "آموزش کارشناسان اسکنر." in written


def test_a_long_unbroken_description_wraps_in_its_cell(client, origin_clerk, inspection, bazargan, inspector):
    """600 characters without a space stay inside the action's column (``.free-text``: overflow-wrap:anywhere),
    not pushing the others off a 390 px screen (the form refuses more than 2,000 characters beside the field)."""
    from tests.declarations.test_wide_tables import _rule

    long = "ب" * 600
    services.inspection_action_add(
        inspection=inspection,
        by=inspector,
        action=services.ActionInput(long, bazargan, timezone.localdate() + dt.timedelta(days=5)),
    )
    client.force_login(origin_clerk)
    page = client.get("/reports/actions/").content.decode()
    assert f'<td class="free-text">{long}</td>' in page
    assert "overflow-wrap: anywhere" in _rule(".free-text")
