"""The admin is for headquarters and IT only, and evidence in it is read-only for everybody.

Every model admin flagged ``evidence`` (core.admin_utils.EvidenceAdmin) refuses add, change and
delete, bulk delete included, even to a superuser; the list below makes sure each kind of evidence
carries the flag. Returns are made by their build and submit services only: read-only too.
"""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from anpr import services as anpr_services
from anpr.models import PlateLabel, PlateRead, RecognitionModel, TrainingRun
from casework.models import FollowUpLetter, LetterKind, LetterStatus
from declarations.models import (
    ArrivalConfirmation,
    ArrivalReadReview,
    ArrivalSerial,
    DeadlineExtension,
    DeclarationEvent,
    DiscrepancyResolution,
    Driver,
    GoodsItem,
    GoodsSerial,
    ImeiRegistryCheck,
    ImportBatch,
    PermitStop,
    PermitWaiver,
    SerialDiscrepancy,
    SettlementOverride,
    TrafficPermit,
    TransitDeclaration,
    TransportCompany,
    TransportDocument,
    Vehicle,
)
from reports.models import (
    Inspection,
    InspectionAttachment,
    MonthlyReturn,
    ProblemStatus,
    ReturnBuild,
    ReturnStatus,
    SystemProblem,
)
from scans.models import Scan, ScanComparison, ScanReuseReview
from tests.factories import GoodsFactory, UserFactory

EVIDENCE = [
    PlateRead,
    PlateLabel,
    RecognitionModel,
    TrainingRun,
    Scan,
    ScanComparison,
    ScanReuseReview,
    ArrivalReadReview,
    ArrivalConfirmation,
    DeclarationEvent,
    DeadlineExtension,
    ImportBatch,
    FollowUpLetter,
    InspectionAttachment,
    LogEntry,
    AccessAttempt,
    AccessLog,
    AccessFailureLog,
    PermitStop,
    PermitWaiver,
    ArrivalSerial,
    SerialDiscrepancy,
    DiscrepancyResolution,
    SettlementOverride,
    ImeiRegistryCheck,
    TransportDocument,
    # The declaration as declared (issue: hq rewrote a waybill and deleted goods lines in the admin).
    TransitDeclaration,
    GoodsItem,
    GoodsSerial,
    TrafficPermit,
    Vehicle,
    TransportCompany,
    Driver,
    MonthlyReturn,
    # State that only their services move (hq deleted a system problem, set its status, edited findings).
    Inspection,
    SystemProblem,
    ReturnBuild,
]

# Reference data and accounts: kept in the admin by headquarters, IT or the system administrator. Anything
# else registered must be evidence: a new registration has to say which it is.
EDITABLE = {
    "auth.group",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "core.holiday",
    "core.outboxjob",  # read-only for its operators (core.admin._OperatorsReadOnly)
    "core.partitionarchive",  # the same
    "accounts.province",
    "accounts.customsoffice",
    "accounts.user",
    "accounts.apitoken",
    "declarations.routetimelimit",
    "declarations.roaddistance",
    "declarations.tirpark",
    "anpr.camera",
}


@pytest.fixture
def superuser(hq):
    hq.is_staff = hq.is_superuser = True
    hq.save()
    return hq


@pytest.fixture
def evidence(declaration, bazargan, tehran, inspector):
    """One row of every kind of evidence."""
    now = timezone.now()
    camera, _ = anpr_services.camera_register(office=tehran, code="THR-1", direction="in")
    read = PlateRead.objects.create(
        camera=camera, office=tehran, captured_at=now, received_at=now, plate="12ب34567", recognition="camera"
    )
    PlateLabel.objects.create(
        read=read, camera=camera, office=tehran, captured_at=now, plate="12ب34568", country="IR",
        corrected=True, reason="other", by=inspector,
    )  # fmt: skip
    model = RecognitionModel.objects.create(version=1, source="shipped", path="w.onnx", sha256="d" * 64)
    TrainingRun.objects.create(state="done", active=False, candidate=model, promoted=False)
    common = {"declaration": declaration, "scanner_id": "S1", "captured_at": now, "format": "PNG"}
    pixels = {
        "width": 10,
        "height": 10,
        "mode": "L",
        "bit_depth": 8,
        "size_bytes": 100,
        "sha256": "a" * 64,
        "received_sha256": "a" * 64,
    }
    origin = Scan.objects.create(stage="origin", office=bazargan, original="scans/o.png", **common, **pixels)
    dest = Scan.objects.create(stage="destination", office=tehran, original="scans/d.png", **common, **pixels)
    ScanComparison.objects.create(declaration=declaration, origin_scan=origin, dest_scan=dest)
    ScanReuseReview.objects.create(scan=dest, declaration=declaration, decision="confirmed", by=inspector)
    ArrivalConfirmation.objects.create(declaration=declaration, office=tehran, confirmed_at=now)
    DeclarationEvent.objects.create(declaration=declaration, at=now, kind="depart", message="departed")
    DeadlineExtension.objects.create(declaration=declaration, new_deadline=now, reason="road closed")
    ImportBatch.objects.create(filename="ics.csv", created=1)
    permit = TrafficPermit.objects.create(
        permit_no="TP-E", vehicle=declaration.vehicle, declaration=declaration, entry_office=bazargan,
        exit_office=tehran, allowed_hours=48, issued_at=now,
    )  # fmt: skip
    PermitStop.objects.create(
        permit=permit, kind="breakdown", started_at=now, place="km 12", confirmed_by="highway police"
    )
    PermitWaiver.objects.create(declaration=declaration, by=inspector, reason="permit system down")
    FollowUpLetter.objects.create(
        declaration=declaration,
        kind=LetterKind.OVERDUE,
        from_office=bazargan,
        to_office=tehran,
        status=LetterStatus.SENT,
        number="1404/1",
        subject="arrival",
        body="no arrival",
        sent_at=now,
        pdf="letters/1.pdf",
        pdf_sha256="b" * 64,
    )
    checks = dict.fromkeys(
        ["origin_scans_uploaded", "destination_checks_done", "anpr_working", "arrivals_timely", "security_measures"],
        "yes",
    )
    inspection = Inspection.objects.create(office=bazargan, inspector=inspector, inspected_on=now.date(), **checks)
    InspectionAttachment.objects.create(inspection=inspection, file="inspections/a.pdf", name="a.pdf", sha256="c" * 64)
    access = {"user_agent": "x", "ip_address": "198.51.100.7", "username": "someone", "http_accept": "*/*"}
    AccessAttempt.objects.create(path_info="/login/", get_data="", post_data="", failures_since_start=3, **access)
    AccessLog.objects.create(path_info="/login/", **access)
    AccessFailureLog.objects.create(path_info="/login/", locked_out=False, **access)
    # The anti-smuggling rules' evidence (issue 15 §2).
    ArrivalSerial.objects.create(declaration=declaration, value="356938035643809")
    discrepancy = SerialDiscrepancy.objects.create(declaration=declaration, missing=["A1"], extra=[])
    DiscrepancyResolution.objects.create(discrepancy=discrepancy, reason="typo")
    SettlementOverride.objects.create(declaration=declaration, covers=["dup_waybill:WB1"], reason="released")
    ImeiRegistryCheck.objects.create(
        declaration=declaration, imei="356938035643809", result="registered", checked_on=now.date()
    )
    TransportDocument.objects.create(
        declaration=declaration,
        number="CMR-1",
        issued_on=now.date(),
        origin="BZG",
        destination="THR",
        goods_description="phones",
    )
    goods = GoodsFactory(declaration=declaration, line_no=1)
    GoodsSerial.objects.create(declaration=declaration, goods_item=goods, value="356938035643809", is_imei=True)
    Driver.objects.create(name="driver")
    ArrivalReadReview.objects.create(declaration=declaration, reason="other", note="seen at the gate by the guard")
    made = MonthlyReturn.objects.create(year=1404, month=1, province=bazargan.province, version=1, sha256="e" * 64)
    ReturnBuild.objects.create(key="k1", year=1404, month=1, province=bazargan.province, result=made)
    SystemProblem.objects.create(
        system="ics", symptom="unavailable", office=bazargan, since=now, description="ICS down"
    )
    assert LogEntry.objects.exists()  # the declaration, the camera: audited models write entries
    return declaration


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def rows(model, pk):
    return list(model._default_manager.filter(pk=pk).values())


def test_every_kind_of_evidence_is_registered_read_only():
    for model in EVIDENCE:
        assert model in admin.site._registry, f"{model.__name__} is not in the admin"
        assert getattr(admin.site._registry[model], "evidence", False), f"{model.__name__} is editable"


def test_no_evidence_can_be_added_changed_or_deleted_even_by_a_superuser(client, superuser, evidence):
    client.force_login(superuser)
    walked = 0
    for model, model_admin in admin.site._registry.items():
        if not getattr(model_admin, "evidence", False):
            continue
        walked += 1
        name = model.__name__
        obj = model_admin.get_queryset(type("R", (), {"user": superuser})()).first()
        assert obj is not None, f"no {name} to try"
        before = rows(model, obj.pk)

        assert client.get(url(model, "change", obj.pk)).status_code == 200, name  # it can be seen
        assert client.post(url(model, "change", obj.pk), {"_save": "1"}).status_code == 403, name
        assert client.get(url(model, "delete", obj.pk)).status_code == 403, name
        assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403, name
        assert client.get(url(model, "add")).status_code == 403, name
        assert client.post(url(model, "add"), {"_save": "1"}).status_code == 403, name
        changelist = client.get(url(model, "changelist"))
        assert changelist.status_code == 200, name
        assert "delete_selected" not in changelist.content.decode(), name
        client.post(
            url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )

        assert rows(model, obj.pk) == before, f"{name} changed"
    assert walked >= len(EVIDENCE)


def test_every_model_in_the_admin_is_evidence_or_named_reference_data():
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower not in EDITABLE:
            assert getattr(model_admin, "evidence", False), f"{model._meta.label} is editable in the admin"


def test_a_system_problem_and_an_inspection_are_only_shown_in_the_admin(client, superuser, evidence):
    """hq deleted system problem #7 in the admin, could set its status and times skipping the acknowledge
    and resolve steps, and could rewrite an inspection's recorded findings."""
    client.force_login(superuser)
    problem, inspection = SystemProblem.objects.get(), Inspection.objects.get()
    problem_before, inspection_before = rows(SystemProblem, problem.pk), rows(Inspection, inspection.pk)

    for model, obj in ((SystemProblem, problem), (Inspection, inspection)):
        assert client.get(url(model, "changelist")).status_code == 200
        page = client.get(url(model, "change", obj.pk))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.get(url(model, "delete", obj.pk)).status_code == 403
        assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert client.get(url(model, "add")).status_code == 403
    skipped = {"status": ProblemStatus.RESOLVED, "resolved_at_0": "2026-01-01", "resolved_at_1": "10:00", "_save": "1"}
    assert client.post(url(SystemProblem, "change", problem.pk), skipped).status_code == 403
    rewritten = {"findings": "nothing found", "anpr_working": "yes", "_save": "1"}
    assert client.post(url(Inspection, "change", inspection.pk), rewritten).status_code == 403

    assert rows(SystemProblem, problem.pk) == problem_before
    assert rows(Inspection, inspection.pk) == inspection_before


def test_an_inspection_with_attachments_cannot_be_deleted_in_the_admin(client, superuser, evidence):
    client.force_login(superuser)
    inspection = Inspection.objects.get()

    response = client.post(url(Inspection, "delete", inspection.pk), {"post": "yes"})

    assert response.status_code in (200, 403)  # Django lists what it may not delete
    assert Inspection.objects.filter(pk=inspection.pk).exists()
    assert InspectionAttachment.objects.count() == 1


def test_no_return_can_be_added_changed_or_deleted_in_the_admin_even_by_a_superuser(client, superuser, west_az):
    """hq (a superuser in the demo) could add a «submitted» return with made-up figures and no build, and
    edit a return's figures, hashes and status or delete it: returns come from ``return_build`` and
    ``return_submit`` only."""
    client.force_login(superuser)
    submitted = MonthlyReturn.objects.create(
        year=1404, month=1, province=west_az, version=1, status=ReturnStatus.SUBMITTED, sha256="d" * 64
    )
    draft = MonthlyReturn.objects.create(year=1404, month=2, province=west_az, version=1, sha256="e" * 64)
    before = list(MonthlyReturn.objects.order_by("pk").values())

    assert client.get(url(MonthlyReturn, "changelist")).status_code == 200  # still listed and shown
    for made in (submitted, draft):
        page = client.get(url(MonthlyReturn, "change", made.pk))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        forged = {"unsettled_count": "0", "sha256": "f" * 64, "status": ReturnStatus.SUBMITTED, "_save": "1"}
        assert client.post(url(MonthlyReturn, "change", made.pk), forged).status_code == 403
        assert client.get(url(MonthlyReturn, "delete", made.pk)).status_code == 403
        assert client.post(url(MonthlyReturn, "delete", made.pk), {"post": "yes"}).status_code == 403
    assert client.get(url(MonthlyReturn, "add")).status_code == 403
    made_up = {"year": "1404", "month": "3", "province": west_az.pk, "version": "1", "status": "submitted"}
    assert client.post(url(MonthlyReturn, "add"), {**made_up, "_save": "1"}).status_code == 403
    client.post(
        url(MonthlyReturn, "changelist"),
        {"action": "delete_selected", "_selected_action": [submitted.pk, draft.pk], "post": "yes"},
    )
    assert list(MonthlyReturn.objects.order_by("pk").values()) == before


def test_other_models_stay_editable_by_headquarters(client, superuser, bazargan):
    client.force_login(superuser)
    office_url = url(type(bazargan), "change", bazargan.pk)
    form = client.get(office_url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(province=bazargan.province_id, name_en="Bazargan border")

    assert client.post(office_url, data).status_code == 302
    bazargan.refresh_from_db()
    assert bazargan.name_en == "Bazargan border"


# --- who gets the admin -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.HQ, Role.IT])
def test_headquarters_and_it_get_the_admin(client, db, role):
    user = UserFactory(username=f"staff_{role}", role=role, is_staff=True)
    client.force_login(user)

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "persona",
    [
        {"role": Role.INSPECTOR},
        {"role": Role.OFFICE},
        {"role": Role.INSPECTOR, "is_staff": True},  # staff by mistake: still not the admin
        {"role": Role.OFFICE, "is_staff": True},
        {"role": Role.INTEGRATION, "is_staff": True, "is_superuser": True},  # a machine account, never
    ],
)
def test_everybody_else_gets_no_admin(client, persona, bazargan, west_az):
    scope = {"province": west_az} if persona["role"] == Role.INSPECTOR else {"office": bazargan}
    if persona["role"] == Role.INTEGRATION:
        scope = {}
    client.force_login(UserFactory(username="someone", **persona, **scope))

    for path in (reverse("admin:index"), url(PlateRead, "changelist"), url(Scan, "changelist")):
        response = client.get(path, follow=True)
        # 404 for a person; a machine account's web session is refused (403), then it is a visitor.
        sent_to_login = bool(response.redirect_chain) and response.redirect_chain[-1][0].startswith(reverse("login"))
        assert response.status_code in (403, 404) or sent_to_login, path
        assert b"Site administration" not in response.content


def test_a_visitor_is_sent_to_the_apps_login(client, db):
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login") + "?next=")
    assert response.status_code == 200


def test_a_declarations_lifecycle_and_evidence_summary_cannot_be_typed_over(client, superuser, evidence):
    from declarations.models import TransitDeclaration

    client.force_login(superuser)
    response = client.get(url(TransitDeclaration, "change", evidence.pk))

    form_fields = set(response.context["adminform"].form.fields)
    summary = {"arrived_at", "settled_at", "dest_first_read_at", "comparison_verdict", "origin_scan_at", "dup_vehicle"}
    assert not summary & form_fields
    assert not {"waybill_no", "seal_numbers", "declared_at", "deadline"} & form_fields  # nor what was declared


def _change_form_data(response) -> dict:
    """What the change form would post back as shown (its inlines too): a save that changes nothing."""
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += list(formset.forms)
        data.update({bf.html_name: bf.value() for bf in formset.management_form})
    for form in forms:
        for bf in form:
            widget, value = bf.field.widget, bf.value()
            if isinstance(widget, MultiWidget):  # the admin's date and time boxes
                parts = widget.decompress(value)
                for i, (part_widget, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                    data[f"{bf.html_name}_{i}"] = part_widget.format_value(part) or ""
            elif isinstance(widget, CheckboxInput):
                if value:
                    data[bf.html_name] = "on"
            elif widget.format_value(value) is not None:
                data[bf.html_name] = widget.format_value(value)
    return data


def test_a_declaration_and_its_goods_cannot_be_edited_or_deleted_in_the_admin(client, superuser, declaration):
    goods = GoodsFactory(declaration=declaration, line_no=1)
    GoodsSerial.objects.create(declaration=declaration, goods_item=goods, value="356938035643809", is_imei=True)
    before = rows(TransitDeclaration, declaration.pk)
    client.force_login(superuser)
    page = client.get(url(TransitDeclaration, "change", declaration.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # shown, nothing to save
    data = _change_form_data(page)
    data.update(waybill_no="WB-FORGED", seal_numbers='["S9"]', _save="1")
    data.update({k.replace("-id", "-DELETE"): "on" for k in data if k.startswith("goods-0-id")})
    assert client.post(url(TransitDeclaration, "change", declaration.pk), data).status_code == 403
    assert client.post(url(GoodsItem, "delete", goods.pk), {"post": "yes"}).status_code == 403
    assert rows(TransitDeclaration, declaration.pk) == before
    assert GoodsItem.objects.filter(pk=goods.pk).exists() and GoodsSerial.objects.count() == 1
    assert not DeclarationEvent.objects.filter(declaration=declaration).exists()
    # Still found and listed: the admin is for looking things up.
    found = client.get(url(TransitDeclaration, "changelist"), {"q": declaration.serial})
    assert found.status_code == 200 and declaration.serial in found.content.decode()


def test_the_audit_trail_in_the_admin_hides_the_readers_own_entries(client, superuser, it_officer):
    """As the audit page does (``core.audit.visible_to``): accounts' admin registered the trail again over
    core's, without the filter, so hq read their own entries there."""
    from core import audit

    with audit.actor(superuser):
        own = audit.record_access(None, "own-label", "download")
    with audit.actor(it_officer):
        other = audit.record_access(None, "other-label", "download")
    client.force_login(superuser)

    listed = client.get(url(LogEntry, "changelist"))
    assert listed.status_code == 200
    assert "other-label" in listed.content.decode() and "own-label" not in listed.content.decode()
    assert client.get(url(LogEntry, "change", other.pk)).status_code == 200
    assert client.get(url(LogEntry, "change", own.pk)).status_code == 302  # «does not exist», back to the index
    assert client.post(url(LogEntry, "delete", other.pk), {"post": "yes"}).status_code == 403
