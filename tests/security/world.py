"""The world the permission matrix is checked in: three scopes of every object type, eight principals.

Offices: West Azerbaijan (WAZ) holds BZG (the origin clerk's office), URM (the destination
clerk's office) and MKU, TBZ (offices of the same province that are neither); Razavi Khorasan
(KHR) holds SRK and MSH (another province).

Scopes, as the matrix's cells name them (``own/province/other``):
- **own**: declaration A, BZG → URM, both clerks' own; the per-office objects (camera, reads,
  inspection, problem) at the principal's own office (BZG for anyone without an office);
- **province**: declaration B, MKU → TBZ, and per-office objects at MKU;
- **other**: declaration C, SRK → MSH, and per-office objects at SRK.

Declaration D (SRK → MSH) carries A's truck: the BZG camera's read of that truck is matched to A
and to D, so a WAZ user who sees the read must not learn D's serial (probe finding 11).

Every file is real: scans (PNG, with previews), heat maps, plate photos, arrival evidence and
inspection attachments (PDF), letters' PDFs, and the returns' XLSX/CSV/PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import jdatetime
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from anpr import services as anpr_services
from anpr.models import MatchState, PlateMatch, PlateRead, Recognition
from casework import letters as letter_pdfs
from casework import services as casework
from declarations import services as declaration_services
from declarations.models import ImportBatch, Review, Source, UnsettledReason, Verdict
from reports import services as report_services
from reports.models import CHECKLIST, Check
from scans import services as scan_services
from scans.models import ScanComparison, Stage
from tests import files
from tests.factories import DeclarationFactory, OfficeFactory, ProvinceFactory, UserFactory
from tests.scans import images

SCOPES = ("own", "province", "other")
PRINCIPALS = ("anonymous", "hq", "it", "inspector", "origin", "destination", "ics", "camera")
ALL_CHECKS = dict.fromkeys(CHECKLIST, Check.YES)


def api_token_for(user) -> str:
    """The integration client's API token (one place, so the hashed tokens can replace it)."""
    from accounts.services import api_token_issue

    return api_token_issue(user=user, name="matrix")[1]


@dataclass
class World:
    users: dict = field(default_factory=dict)  # principal -> User (absent: anonymous, camera)
    headers: dict = field(default_factory=dict)  # principal -> extra request headers
    offices: dict = field(default_factory=dict)  # code -> CustomsOffice
    objects: dict = field(default_factory=dict)  # (kind, scope, principal or "") -> object id / value
    serials: dict = field(default_factory=dict)  # declaration letter -> serial

    def obj(self, kind: str, scope: str, principal: str):
        """The ``kind`` object of ``scope`` as seen by ``principal``: per-office objects are at the
        principal's own office when the scope is "own"."""
        for key in ((kind, scope, principal), (kind, scope, "")):
            if key in self.objects:
                return self.objects[key]
        raise KeyError(f"the world has no {kind!r} in scope {scope!r}")


def _ago(**kw) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kw)


def _last_jalali_month() -> tuple[int, int]:
    first = jdatetime.date.today().replace(day=1) - jdatetime.timedelta(days=1)
    return first.year, first.month


def _declaration(world: World, letter: str, origin, destination, *, uploader, answerer, vehicle=None):
    """A declaration that departed, arrived with an evidence PDF and could not settle (so a letter
    and a case may be written), with origin and destination scans and a finished comparison; a second
    letter was answered by ``answerer`` with the reply letter's PDF."""
    d = DeclarationFactory(
        serial=f"T1404SEC{letter}0001",
        origin=origin,
        destination=destination,
        route=[origin.code, destination.code],
        declared_at=_ago(days=5),
        **({"vehicle": vehicle} if vehicle else {}),
    )
    world.serials[letter] = d.serial
    declaration_services.declaration_depart(declaration=d, by=None, at=_ago(days=4))
    d.refresh_from_db()
    declaration_services.declaration_confirm_arrival(
        declaration=d,
        by=None,
        at=_ago(days=2),
        source=Source.OUTSIDE,
        evidence=SimpleUploadedFile("arrival.pdf", files.pdf(), content_type="application/pdf"),
    )
    d.refresh_from_db()
    scans = {}
    for stage, seed, hours in ((Stage.ORIGIN, 1, 90), (Stage.DESTINATION, 2, 40)):
        (scan,) = scan_services.scan_upload(
            declaration=d,
            stage=stage,
            scanner_id="NUC-7",
            captured_at=_ago(hours=hours),
            files=[SimpleUploadedFile(f"{stage}.png", images.png(seed=seed))],
            by=uploader,
        )
        scans[stage] = scan_services.scan_make_previews(scan_id=scan.pk)
    comparison = ScanComparison.objects.get(origin_scan=scans[Stage.ORIGIN], dest_scan=scans[Stage.DESTINATION])
    comparison.status = ScanComparison.Status.DONE
    comparison.verdict = Verdict.SUSPICIOUS
    comparison.score, comparison.threshold = 0.02, 0.004
    comparison.boxes = [[10, 20, 30, 40, 0.02]]
    comparison.review = Review.PENDING
    comparison.finished_at = timezone.now()
    heat = files.png()
    comparison.heatmap.save("heat.png", ContentFile(heat), save=False)
    comparison.heatmap_sha256 = hashlib.sha256(heat).hexdigest()  # hashed when made, as the job does
    comparison.save()
    declaration_services.declaration_record_unsettled(
        declaration=d, by=None, reason=UnsettledReason.DOCUMENT_DISCREPANCY, note="matrix"
    )
    d.refresh_from_db()
    letter_obj = casework.letter_draft(declaration=d, by=None)
    casework.letter_send(letter=letter_obj, by=None)
    letter_obj = letter_pdfs.letter_store_pdf(letter_id=letter_obj.pk)
    answered = casework.letter_send(letter=casework.letter_draft(declaration=d, by=None), by=None)
    answered = casework.letter_record_answer(
        letter=answered,
        by=answerer,
        reply_text="matrix",
        reply_document=SimpleUploadedFile("reply.pdf", files.pdf(), content_type="application/pdf"),
    )
    case = casework.case_open(
        declaration=d,
        by=None,
        file_number=f"CASE-{letter}",
        authority="دادگاه",
        opened_on=timezone.localdate(),
        cif_value=1000,
        exchange_rate=500000,
    )
    return d, scans, comparison, letter_obj, case, answered


def build() -> World:
    """The world, built as headquarters and the integration client would (the files in MEDIA_ROOT)."""
    w = World()
    waz = ProvinceFactory(code="WAZ", name_fa="آذربایجان غربی", name_en="West Azerbaijan")
    khr = ProvinceFactory(code="KHR", name_fa="خراسان رضوی", name_en="Razavi Khorasan")
    for code, province in (("BZG", waz), ("URM", waz), ("MKU", waz), ("TBZ", waz), ("SRK", khr), ("MSH", khr)):
        w.offices[code] = OfficeFactory(code=code, name_en=code, province=province)
    o = w.offices

    w.users = {
        "hq": UserFactory(username="m_hq", role=Role.HQ, is_staff=True),
        "it": UserFactory(username="m_it", role=Role.IT, is_staff=True),
        "inspector": UserFactory(username="m_inspector", role=Role.INSPECTOR, province=waz),
        "origin": UserFactory(username="m_origin", role=Role.OFFICE, office=o["BZG"]),
        "destination": UserFactory(username="m_destination", role=Role.OFFICE, office=o["URM"]),
        "ics": UserFactory(username="m_ics", role=Role.INTEGRATION),
    }
    w.headers["ics"] = {"HTTP_AUTHORIZATION": f"Token {api_token_for(w.users['ics'])}"}
    ics = w.users["ics"]

    # Declarations: A own, B same province, C other province; D is A's truck in the other province.
    a = _declaration(w, "A", o["BZG"], o["URM"], uploader=ics, answerer=w.users["hq"])
    b = _declaration(w, "B", o["MKU"], o["TBZ"], uploader=ics, answerer=w.users["hq"])
    c = _declaration(w, "C", o["SRK"], o["MSH"], uploader=ics, answerer=w.users["hq"])
    d = DeclarationFactory(
        serial="T1404SECD0001", origin=o["SRK"], destination=o["MSH"], vehicle=a[0].vehicle, declared_at=_ago(days=1)
    )
    w.serials["D"] = d.serial
    for scope, (decl, scans, comparison, letter, case, answered) in zip(SCOPES, (a, b, c), strict=True):
        w.objects.update(
            {
                ("declaration", scope, ""): decl.pk,
                ("serial", scope, ""): decl.serial,
                ("vehicle", scope, ""): decl.vehicle_id,
                ("plate", scope, ""): decl.vehicle.plate,
                ("scan", scope, ""): scans[Stage.ORIGIN].pk,
                ("comparison", scope, ""): comparison.pk,
                ("letter", scope, ""): letter.pk,
                ("answered_letter", scope, ""): answered.pk,
                ("case", scope, ""): case.pk,
                ("province", scope, ""): decl.origin.province.code,
            }
        )

    # Per-office objects: at BZG and URM (each clerk's own), MKU (same province), SRK (other).
    owners = {"BZG": a[0], "URM": a[0], "MKU": b[0], "SRK": c[0]}
    for code, decl in owners.items():
        office = o[code]
        camera, token = anpr_services.camera_register(office=office, code=f"{code}-1", direction="in")
        if code == "BZG":
            w.headers["camera"] = {"HTTP_AUTHORIZATION": f"Camera {token}"}
        read = PlateRead(
            camera=camera,
            office=office,
            captured_at=_ago(hours=30),
            received_at=_ago(hours=30),
            plate_raw=decl.vehicle.plate,
            plate=decl.vehicle.plate,
            country="IR",
            engine="camera",
            recognition=Recognition.CAMERA,
            match_state=MatchState.MATCHED,
            vehicle=decl.vehicle,
        )
        photo, crop = files.jpeg(), files.jpeg((32, 8))
        read.photo.save(f"{code}.jpg", ContentFile(photo), save=False)
        read.crop.save(f"{code}-crop.jpg", ContentFile(crop), save=False)
        read.photo_sha256, read.crop_sha256 = hashlib.sha256(photo).hexdigest(), hashlib.sha256(crop).hexdigest()
        read.save()
        matched = [decl, d] if code == "BZG" else [decl]
        for target in matched:
            PlateMatch.objects.create(
                read=read,
                declaration=target,
                vehicle_plate=target.vehicle.plate,
                score=1.0,
                exact=True,
                on_route=True,
                at_destination=False,
            )
        inspection = report_services.inspection_record(
            office=office,
            by=w.users["hq"],
            inspected_on=timezone.localdate() - dt.timedelta(days=3),
            checklist=ALL_CHECKS,
            attachments=[SimpleUploadedFile("report.pdf", files.pdf(), content_type="application/pdf")],
        )
        problem = report_services.problem_report(
            by=w.users["hq"],
            system="ics",
            symptom="arrivals_not_visible",
            office=office,
            since=_ago(days=1),
            description=f"matrix problem at {code}",
        )
        ids = {
            "camera": camera.pk,
            "read": read.pk,
            "inspection": inspection.pk,
            "attachment": inspection.attachments.get().pk,
            "problem": problem.pk,
            "office": code,
        }
        keys = {"BZG": [("own", ""), ("own", "origin")], "URM": [("own", "destination")], "MKU": [("province", "")]}
        for scope, principal in keys.get(code, [("other", "")]):
            for kind, value in ids.items():
                w.objects[(kind, scope, principal)] = value

    # Monthly returns of last month: WAZ (own and province), KHR (other), and the nation.
    year, month = _last_jalali_month()
    hq = w.users["hq"]
    for scope, province in (("own", waz), ("other", khr)):
        snap = report_services.return_build(year=year, month=month, province=province, by=hq)
        w.objects[("return", scope, "")] = snap.pk
    w.objects[("return", "province", "")] = w.objects[("return", "own", "")]
    w.objects[("national_return", "own", "")] = report_services.return_build(
        year=year, month=month, province=None, by=hq
    ).pk
    for scope in SCOPES:
        w.objects.setdefault(("national_return", scope, ""), w.objects[("national_return", "own", "")])

    # Import batches are their importer's own: each importing principal's (own), a clerk's of MKU
    # (province) and of SRK (other); principals without one of their own are given MKU's as "own".
    for principal in ("hq", "origin", "destination", "ics"):
        batch = ImportBatch.objects.create(filename=f"{principal}.csv", by=w.users[principal])
        w.objects[("import_batch", "own", principal)] = batch.pk
    for scope, code in (("province", "MKU"), ("other", "SRK")):
        clerk = UserFactory(username=f"m_importer_{code}", role=Role.OFFICE, office=o[code])
        w.objects[("import_batch", scope, "")] = ImportBatch.objects.create(filename="other.csv", by=clerk).pk
    w.objects[("import_batch", "own", "")] = w.objects[("import_batch", "province", "")]
    # Export jobs (core.exports): each principal's own, built; "province" and "other" someone else's.
    for principal in ("hq", "it", "inspector", "origin", "destination", "ics"):
        w.objects[("export_job", "own", principal)] = _built_export(w.users[principal]).pk
    for scope, code in (("province", "MKU"), ("other", "SRK")):
        clerk = UserFactory(username=f"m_exporter_{code}", role=Role.OFFICE, office=o[code])
        w.objects[("export_job", scope, "")] = _built_export(clerk).pk
    w.objects[("export_job", "own", "")] = w.objects[("export_job", "province", "")]
    return w


def _built_export(user):
    """An export job whose file is ready (a few bytes, with their SHA-256)."""
    import hashlib

    from django.core.files.base import ContentFile

    from core.models import ExportJob

    body = b"exported"
    job = ExportJob.objects.create(
        user=user,
        kind="declarations",
        fmt="csv",
        language="en",
        state="done",
        content_type="text/csv",
        filename="x.csv",
        sha256=hashlib.sha256(body).hexdigest(),
    )
    job.file.save("x.csv", ContentFile(body))
    return job
