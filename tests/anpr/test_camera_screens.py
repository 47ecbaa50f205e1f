"""Cameras outside the admin: register (token shown once), rotate the token, retire with a reason,
and the installation view per office (directive point 3); the same through the API."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import api_token_issue
from anpr import health, services
from anpr.models import Camera, hash_token
from core.errors import InvalidInput
from tests.anpr.conftest import camera_client
from tests.export_jobs import download
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db
SINGLE = "/api/anpr/reads/"


def _register_form(office, **over):
    return {"office": office.pk, "code": "bzg-cam-7", "direction": "in", "lane": "3", "model_name": "Hikvision", **over}


# --- register -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["it_officer", "hq"])
def test_it_and_hq_register_a_camera_and_see_its_token_once(client, request, who, bazargan, recent):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get("/anpr/cameras/new/").status_code == 200
    resp = client.post("/anpr/cameras/new/", _register_form(bazargan))
    assert resp.status_code == 302  # Post/Redirect/Get: the token is on the page redirected to
    resp = client.get(resp["Location"])
    assert resp.status_code == 200
    assert "no-store" in resp["Cache-Control"]
    camera = Camera.objects.get(code="BZG-CAM-7")
    assert (camera.office, camera.direction, camera.lane, camera.model_name) == (bazargan, "in", "3", "Hikvision")
    token = resp.context["token"]
    assert token in resp.content.decode() and camera.token_hash == hash_token(token)
    assert LogEntry.objects.get_for_object(camera).filter(actor=user).exists()
    # The token works for the camera; the camera page never shows it again.
    camera.token = token
    assert (
        camera_client(camera).post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"}).status_code == 201
    )
    assert token not in client.get(f"/anpr/cameras/{camera.pk}/").content.decode()


def test_an_empty_or_wrong_register_form_names_the_fields_and_writes_nothing(client, it_officer, bazargan, bzg_camera):
    client.force_login(it_officer)
    resp = client.post("/anpr/cameras/new/", {"office": "", "code": "", "direction": "sideways"})
    assert resp.status_code == 400
    form = resp.context["form"]
    assert set(form.errors) == {"office", "code", "direction"}
    assert "is-invalid" in resp.content.decode()
    resp = client.post("/anpr/cameras/new/", _register_form(bazargan, code="bzg-1"))  # the fixture camera's code
    assert resp.status_code == 400 and "BZG-1" in str(resp.context["form"].errors["code"])
    assert Camera.objects.count() == 1


def test_a_code_or_lane_not_of_their_form_is_refused_beside_each_field_at_once(client, it_officer, bazargan):
    """The help says «e.g. BZG-CAM-1»: a code with spaces is no camera code, and a lane is its number at the
    gate (1 to 99); both are said at once, beside their fields, and nothing is registered."""
    client.force_login(it_officer)
    resp = client.post("/anpr/cameras/new/", _register_form(bazargan, code="BZG TEST 9", lane="x"))
    assert resp.status_code == 400 and not Camera.objects.exists()
    errors = resp.context["form"].errors
    assert set(errors) == {"code", "lane"}
    assert "is not a camera code" in errors["code"][0] and "BZG-CAM-1" in errors["code"][0]
    assert "is not a lane" in errors["lane"][0] and "1 to 99" in errors["lane"][0]
    html = resp.content.decode()
    for field in ("code", "lane"):
        beside = html.split(f'name="{field}"', 1)[1].split('name="', 1)[0]
        assert "invalid-feedback" in beside
    for code, lane in (
        ("BZG_CAM_9", "1"),
        ("BZG--9", "1"),
        ("-BZG", "1"),
        ("کد-۱", "1"),
        ("BZG-9", "0"),
        ("BZG-9", "100"),
    ):
        resp = client.post("/anpr/cameras/new/", _register_form(bazargan, code=code, lane=lane))
        assert resp.status_code == 400, (code, lane)
    assert not Camera.objects.exists()


@pytest.mark.persian
def test_a_code_or_lane_not_of_their_form_is_refused_in_persian(client, it_officer, bazargan):
    client.force_login(it_officer)
    resp = client.post("/anpr/cameras/new/", _register_form(bazargan, code="BZG TEST 9", lane="x"))
    errors = resp.context["form"].errors
    assert "کد پلاک‌خوان نیست" in errors["code"][0] and "⁦BZG-CAM-1⁩" in errors["code"][0]
    assert "شمارهٔ خط تردد نیست" in errors["lane"][0] and "۱ تا ۹۹" in errors["lane"][0]


def test_a_lane_typed_in_persian_digits_is_stored_as_its_number(client, it_officer, bazargan):
    client.force_login(it_officer)
    assert client.post("/anpr/cameras/new/", _register_form(bazargan, code="BZG-CAM-۸", lane="۰۲")).status_code == 302
    camera = Camera.objects.get()
    assert (camera.code, camera.lane) == ("BZG-CAM-8", "2")
    assert client.post("/anpr/cameras/new/", _register_form(bazargan, code="bzg-cam-9", lane="")).status_code == 302
    assert Camera.objects.get(code="BZG-CAM-9").lane == ""  # a gate of one lane


def test_the_demo_cameras_and_the_codes_in_use_have_the_form(it_officer):
    """Every camera the demo registers (an entering and a leaving one at each office with ANPR, the TIR
    park's) passes the check and the model's validators, as the codes the tests and the benches use."""
    from django.core.exceptions import ValidationError

    from accounts.offices_data import ensure_offices
    from anpr import demo

    ensure_offices()
    cameras = [c for by_direction in demo._cameras(it_officer).values() for c in by_direction.values()]
    assert len(cameras) > 5 and any(c.code.endswith("-OUT-1") for c in cameras)
    for code in ("BZG-CAM-1", "BZG-CAM-07", "TBZ-TIR-1", "THR-1", "RETRAIN-1765000000", "LOAD-001", "C"):
        assert services.camera_code_checked(code) == code
    for camera in cameras:
        try:
            camera.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:  # only the fields checked here
            assert not {"code", "lane"} & set(exc.message_dict), exc.message_dict


def test_the_api_refuses_a_code_not_of_the_form_naming_the_field(it_officer, bazargan):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=it_officer, by=it_officer)[1]}")
    resp = api.post("/api/anpr/cameras/", {"office": "BZG", "code": "BZG TEST 9", "direction": "in"}, format="json")
    assert resp.status_code == 400 and "code" in str(resp.json()) and not Camera.objects.exists()


@pytest.mark.parametrize("who", ["inspector", "origin_clerk", "dest_clerk", "outsider"])
def test_other_roles_may_not_register_cameras(client, request, who, bazargan):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/anpr/cameras/new/").status_code == 403
    assert client.post("/anpr/cameras/new/", _register_form(bazargan)).status_code == 403
    assert not Camera.objects.exists()
    assert "/anpr/cameras/new/" not in client.get("/anpr/cameras/").content.decode()


def test_anonymous_users_are_sent_to_log_in(client, bzg_camera):
    for url in ("/anpr/cameras/new/", f"/anpr/cameras/{bzg_camera.pk}/retire/", "/anpr/installation/"):
        assert client.get(url).status_code == 302
    assert client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 302


# --- rotate -------------------------------------------------------------------------------------


def test_rotating_shows_the_new_token_once_and_refuses_the_old_one_at_once(client, it_officer, bzg_camera, recent):
    old = camera_client(bzg_camera)
    assert old.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"}).status_code == 201
    client.force_login(it_officer)
    resp = client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/")
    assert resp.status_code == 302
    resp = client.get(resp["Location"])
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    token = resp.context["token"]
    assert token in resp.content.decode()
    assert old.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34568"}).status_code == 401
    bzg_camera.token = token
    assert (
        camera_client(bzg_camera).post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34569"}).status_code
        == 201
    )
    bzg_camera.refresh_from_db()
    assert LogEntry.objects.get_for_object(bzg_camera).filter(actor=it_officer).exists()


def test_rotate_returns_the_camera_and_its_token(bzg_camera, hq):
    camera, token = services.camera_rotate_token(camera=bzg_camera, by=hq)
    assert camera.pk == bzg_camera.pk and Camera.objects.get(pk=camera.pk).token_hash == hash_token(token)


def test_rotate_is_refused_outside_scope_and_for_the_wrong_role(client, origin_clerk, dest_clerk, bzg_camera):
    before = Camera.objects.get(pk=bzg_camera.pk).token_hash
    client.force_login(dest_clerk)  # another office: the camera does not exist for them
    assert client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 404
    client.force_login(origin_clerk)  # their own office's camera, but not their job
    assert client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 403
    assert client.get(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 405
    assert Camera.objects.get(pk=bzg_camera.pk).token_hash == before


# --- retire -------------------------------------------------------------------------------------


def test_retire_needs_a_reason_beside_the_field_then_refuses_the_token(client, it_officer, bzg_camera, recent):
    client.force_login(it_officer)
    url = f"/anpr/cameras/{bzg_camera.pk}/retire/"
    resp = client.post(url, {"reason": "  "})
    assert resp.status_code == 400
    assert resp.context["form"].errors["reason"] == ["Say why the camera is retired."]
    assert Camera.objects.get(pk=bzg_camera.pk).status == Camera.Status.ACTIVE

    resp = client.post(url, {"reason": "دوربین سوخت"})
    assert resp.status_code == 302
    camera = Camera.objects.get(pk=bzg_camera.pk)
    assert camera.status == Camera.Status.RETIRED and camera.retired_reason == "دوربین سوخت" and camera.retired_at
    assert LogEntry.objects.get_for_object(camera).filter(actor=it_officer).exists()
    resp = camera_client(bzg_camera).post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567"})
    assert resp.status_code == 401
    # Retired: no actions offered, and a second retire is refused with the reason kept.
    page = client.get(f"/anpr/cameras/{bzg_camera.pk}/").content.decode()
    assert "rotate-token" not in page and "دوربین سوخت" in page
    assert client.post(url, {"reason": "دوباره"}).status_code == 409
    assert client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 302  # refused, back to the page
    assert Camera.objects.get(pk=bzg_camera.pk).retired_reason == "دوربین سوخت"


@pytest.mark.parametrize("said", [".........", "!!!!!!!!!!!!", "moved"])
def test_a_retirement_of_punctuation_alone_is_refused_beside_the_field(client, it_officer, bzg_camera, said):
    """Nine dots retired a camera for good (a walk, 2026-12-07): the reason is measured as every other written
    reason is, by its letters and digits, on the page and in the service the API calls."""
    client.force_login(it_officer)
    resp = client.post(f"/anpr/cameras/{bzg_camera.pk}/retire/", {"reason": said})
    assert resp.status_code == 400
    (error,) = resp.context["form"].errors["reason"]
    assert "at least 10 letters or digits" in error
    assert Camera.objects.get(pk=bzg_camera.pk).status == Camera.Status.ACTIVE
    with pytest.raises(InvalidInput):
        services.camera_retire(camera=bzg_camera, by=it_officer, reason=said)


def test_retire_is_refused_outside_scope_and_for_the_wrong_role(client, origin_clerk, outsider, bzg_camera):
    url = f"/anpr/cameras/{bzg_camera.pk}/retire/"
    client.force_login(outsider)
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(origin_clerk)
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert Camera.objects.get(pk=bzg_camera.pk).status == Camera.Status.ACTIVE


# --- installation -------------------------------------------------------------------------------


@pytest.fixture
def planned_offices(west_az, bazargan):
    """In West Azerbaijan: Bazargan (planned, camera reading), Urmia (planned, silent camera),
    Maku (planned, no camera), Salmas (not planned, no camera: not listed)."""
    urmia = OfficeFactory(code="URM", name_fa="گمرک ارومیه", province=west_az, has_anpr=True)
    maku = OfficeFactory(code="MAK", name_fa="گمرک ماکو", province=west_az, has_anpr=True)
    OfficeFactory(code="SLM", name_fa="گمرک سلماس", province=west_az, has_anpr=False)
    reading, _ = services.camera_register(office=bazargan, code="BZG-9", direction="in")
    silent, _ = services.camera_register(office=urmia, code="URM-1", direction="in")
    Camera.objects.filter(pk=reading.pk).update(last_read_at=timezone.now())
    Camera.objects.filter(pk=silent.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    health.cameras_check_health()
    return {"urmia": urmia, "maku": maku}


def test_the_installation_view_counts_planned_registered_and_reading_offices(client, inspector, planned_offices):
    client.force_login(inspector)
    resp = client.get("/anpr/installation/")
    assert resp.status_code == 200
    (province,) = resp.context["provinces"]
    rows = {r.office.code: r for r in province.offices}
    assert set(rows) == {"BZG", "URM", "MAK"}
    assert (rows["BZG"].state, rows["URM"].state, rows["MAK"].state) == ("reading", "not_reading", "missing")
    assert (province.planned, province.with_camera, province.reading) == (3, 2, 1)
    page = resp.content.decode()
    assert "/anpr/cameras/?office=URM" in page
    assert client.get("/anpr/cameras/?office=URM").context["cameras"].get().code == "URM-1"


def test_the_installation_view_keeps_to_the_scope(client, outsider, dest_clerk, planned_offices):
    client.force_login(outsider)
    assert client.get("/anpr/installation/").context["provinces"] == []
    client.force_login(dest_clerk)  # Tehran's own office only
    provinces = client.get("/anpr/installation/").context["provinces"]
    assert [r.office.code for p in provinces for r in p.offices] == ["THR"]


# --- API ----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, name='test')[1]}")
    return api


def test_the_api_registers_rotates_and_retires(it_officer, bazargan, recent):
    api = _api(it_officer)
    resp = api.post("/api/anpr/cameras/", {"office": "BZG", "code": "bzg-api", "direction": "out"}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    camera = Camera.objects.get(code="BZG-API")
    assert body["id"] == camera.pk and camera.token_hash == hash_token(body["token"])
    assert "token" not in api.get(f"/api/anpr/cameras/{camera.pk}/").json()

    resp = api.post(f"/api/anpr/cameras/{camera.pk}/rotate-token/")
    assert resp.status_code == 200 and resp.json()["token"] != body["token"]
    camera.token = body["token"]
    assert camera_client(camera).post(SINGLE, {"captured_at": recent.isoformat(), "plate": "1"}).status_code == 401

    resp = api.post(f"/api/anpr/cameras/{camera.pk}/retire/", {"reason": ""}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["error"]["fields"]
    resp = api.post(f"/api/anpr/cameras/{camera.pk}/retire/", {"reason": "برداشته شد"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "retired"
    assert resp.json()["retired_reason"] == "برداشته شد"


def test_the_api_refuses_bad_input_and_wrong_roles(it_officer, origin_clerk, dest_clerk, bzg_camera, bazargan):
    api = _api(it_officer)
    resp = api.post("/api/anpr/cameras/", {"office": "NOPE", "code": "", "direction": "up"}, format="json")
    assert resp.status_code == 400 and set(resp.json()["error"]["fields"]) == {"office", "code", "direction"}
    resp = api.post("/api/anpr/cameras/", {"office": "BZG", "code": "BZG-1", "direction": "in"}, format="json")
    assert resp.status_code == 400 and "code" in resp.json()["error"]["fields"]

    clerk = _api(origin_clerk)
    body = {"office": "BZG", "code": "X-1", "direction": "in"}
    assert clerk.post("/api/anpr/cameras/", body, format="json").status_code == 403
    assert clerk.post(f"/api/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 403
    assert clerk.post(f"/api/anpr/cameras/{bzg_camera.pk}/retire/", {"reason": "x"}).status_code == 403
    other = _api(dest_clerk)
    assert other.post(f"/api/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code == 404
    assert other.get(f"/api/anpr/cameras/{bzg_camera.pk}/").status_code == 404
    ics = _api(UserFactory(username="ics", role=Role.INTEGRATION))
    assert ics.post("/api/anpr/cameras/", body, format="json").status_code == 403
    # A camera's own token opens none of these.
    cam = camera_client(bzg_camera)
    assert cam.post("/api/anpr/cameras/", body, format="json").status_code in (401, 403)
    assert cam.post(f"/api/anpr/cameras/{bzg_camera.pk}/rotate-token/").status_code in (401, 403)
    assert APIClient().get("/api/anpr/installation/").status_code in (401, 403)
    assert Camera.objects.count() == 1 and Camera.objects.get().status == Camera.Status.ACTIVE


def test_the_api_installation_is_scoped(inspector, outsider, planned_offices):
    (province,) = _api(inspector).get("/api/anpr/installation/").json()
    assert (province["planned"], province["with_camera"], province["reading"]) == (3, 2, 1)
    assert {o["office"]: o["state"] for o in province["offices"]} == {
        "BZG": "reading",
        "URM": "not_reading",
        "MAK": "missing",
    }
    assert _api(outsider).get("/api/anpr/installation/").json() == []


# --- the camera's code on Persian pages ----------------------------------------------------------------


@pytest.mark.persian
def test_a_cameras_code_is_isolated_on_every_anpr_page_and_in_its_messages(client, it_officer, bzg_camera, recent):
    """«BZG-1» beside Persian text: each page shows it through the ``camera`` filter (left to right, on one
    line), the XLSX reads its cell left to right, and a message naming it isolates it."""
    import io

    from openpyxl import load_workbook

    from anpr import ingest, reports
    from anpr.models import PlateRead, Recognition
    from core.text import LRI, PDI
    from declarations.idents import camera_html

    ingest.reads_ingest(camera=bzg_camera, items=[ingest.ReadInput(captured_at=recent, plate_raw="12ب34567")])
    read = bzg_camera.reads.get()
    PlateRead.objects.filter(pk=read.pk).update(recognition=Recognition.MANUAL)  # in the review queue
    tag = '<bdi dir="ltr" class="ident ident-camera">BZG-1</bdi>'
    assert camera_html(bzg_camera) == camera_html("BZG-1") == tag
    client.force_login(it_officer)
    for url in (
        "/anpr/cameras/",
        f"/anpr/cameras/{bzg_camera.pk}/",
        f"/anpr/cameras/{bzg_camera.pk}/retire/",
        "/anpr/review/",
        f"/anpr/reads/{read.pk}/review/",
        "/anpr/plates/?q=12ب34567",
        "/anpr/reports/anpr-camera-corrections/",
    ):
        html = client.get(url).content.decode()
        assert tag in html, url
    # The plate's sighting history: the camera's column reads left to right in the XLSX, like the plate's.
    sheet = load_workbook(io.BytesIO(download(client, "/anpr/plates/", {"q": "12ب34567", "format": "xlsx"}).content))
    ws = sheet.worksheets[0]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == str(reports.PlateHistory.headers[0]))
    assert ws.cell(header + 1, 3).value == "BZG-1" and ws.cell(header + 1, 3).alignment.horizontal == "left"
    response = client.post(f"/anpr/cameras/{bzg_camera.pk}/retire/", {"reason": "قطع برق پایانه"}, follow=True)
    assert f"{LRI}BZG-1{PDI}" in response.content.decode()


def _admin_change(client, camera, **over):
    data = {
        "code": camera.code,
        "office": camera.office_id,
        "lane": camera.lane,
        "tir_park": "",
        "direction": camera.direction,
        "model_name": camera.model_name,
        "status": camera.status,
        "region_x": "",
        "region_y": "",
        "region_w": "",
        "region_h": "",
        "retired_at_0": "",
        "retired_at_1": "",
        "retired_reason": "",
        **over,
    }
    return client.post(reverse("admin:anpr_camera_change", args=[camera.pk]), data)


def test_a_camera_saved_before_the_forms_were_checked_keeps_its_code_and_lane_in_the_admin(client, hq, bzg_camera):
    """A camera registered before codes and lanes were checked («BZG TEST 9», lane «north») is saved in the
    admin for another change (its model) with its code and lane as they are; a code or lane changed there is
    held to the form."""
    Camera.objects.filter(pk=bzg_camera.pk).update(code="BZG TEST 9", lane="north")
    bzg_camera.refresh_from_db()
    hq.is_staff = hq.is_superuser = True
    hq.save()
    client.force_login(hq)
    resp = _admin_change(client, bzg_camera, model_name="Hikvision DS-2")
    assert resp.status_code == 302, resp.context["adminform"].form.errors
    bzg_camera.refresh_from_db()
    assert (bzg_camera.code, bzg_camera.lane, bzg_camera.model_name) == ("BZG TEST 9", "north", "Hikvision DS-2")
    resp = _admin_change(client, bzg_camera, code="BZG TEST 10", lane="south")
    assert resp.status_code == 200
    assert set(resp.context["adminform"].form.errors) == {"code", "lane"}
    bzg_camera.refresh_from_db()
    assert (bzg_camera.code, bzg_camera.lane) == ("BZG TEST 9", "north")
    assert _admin_change(client, bzg_camera, code="BZG-CAM-9", lane="2").status_code == 302
    bzg_camera.refresh_from_db()
    assert (bzg_camera.code, bzg_camera.lane) == ("BZG-CAM-9", "2")
