"""State changes of scans: upload, previews, the comparison job and its review.

The declaration's evidence summary is kept current only through
``declarations.evidence`` (``note_scan``, ``note_comparison``, ``note_event``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import math
import time
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import CustomsOffice, Role, User
from core import jobs, metrics, taskruns
from core.audit import actor
from core.dates import format_jalali
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import digits, hidden_characters, identifier, is_persian, isolate, too_long
from declarations import evidence, idents
from declarations.arrival_reads import reason_error
from declarations.models import NOTE_MIN_LENGTH, Review, Status, TransitDeclaration, Verdict, written_length
from notifications.messages import Ident, Message, Number, When, param_from_json
from notifications.services import Kind, inspectors_of, it_office, mark_done_for_everyone, notify, office_staff

from . import selectors
from .models import Scan, ScanComparison, Stage, View
from .validation import CheckedImage, ScanRejected, check_upload

log = logging.getLogger(__name__)

# How far ahead of our clock a scan's capture time may be: a scanner's or a clerk's clock a little fast,
# no more. A scan is uploaded after it was taken and its comparison is made at the upload, so a capture
# time minutes ahead (``CLOCK_SKEW`` lets a camera read be 5) put the comparison before its own scans.
CAPTURE_CLOCK_SKEW = dt.timedelta(minutes=1)

THUMB_PX = 320
WEB_PX = 2048
# Origin scans are taken around departure; destination scans need the truck to have left.
# Keyed by the stage's value (a Stage is its str value).
UPLOAD_STATUSES: dict[str, tuple[Status, ...]] = {
    Stage.ORIGIN: (Status.REGISTERED, Status.IN_TRANSIT, Status.ARRIVED, Status.SETTLED, Status.UNSETTLED),
    Stage.DESTINATION: (Status.IN_TRANSIT, Status.ARRIVED, Status.SETTLED, Status.UNSETTLED),
}


def stage_office_id(declaration: TransitDeclaration, stage: str) -> int:
    return declaration.origin_id if stage == Stage.ORIGIN else declaration.destination_id


def can_upload(user: User | None, declaration: TransitDeclaration, stage: str) -> bool:
    """Staff of the stage's office (or its integration client), or a national integration client."""
    if user is None or not user.is_active:
        return False
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id == stage_office_id(declaration, stage)
    return user.role == Role.INTEGRATION and user.is_national


def stage_open(declaration: TransitDeclaration, stage: str) -> bool:
    """Whether the declaration's status lets a scan of ``stage`` be added now (``UPLOAD_STATUSES``)."""
    return declaration.status in UPLOAD_STATUSES[stage]


def stage_closed_message(declaration: TransitDeclaration, stage: str) -> str:
    return _("A %(stage)s scan cannot be added to declaration %(serial)s: it is %(status)s.") % {
        "stage": Stage(stage).label,
        "serial": idents.serial_text(declaration.serial),
        "status": declaration.get_status_display(),
    }


def require_can_review(user: User | None, comparison: ScanComparison) -> None:
    """A 403 for whoever may not review the comparison: the API checks it before the request's fields."""
    if not can_review(user, comparison):
        raise NotAllowed(_("Only staff of the destination office may review this comparison."))


def can_review(user: User | None, comparison: ScanComparison) -> bool:
    """Only the destination office reviews: it has the truck in front of it."""
    if user is None or not user.is_active:
        return False
    return user.role == Role.OFFICE and user.office_id == comparison.declaration.destination_id


# --- Upload -----------------------------------------------------------------------------------


def scan_upload(
    *,
    declaration: TransitDeclaration,
    stage: str,
    scanner_id: str,
    captured_at: dt.datetime,
    files: list,
    by: User | None,
    view: str = View.SINGLE,
    pseudo_colour: bool = False,
) -> list[Scan]:
    """Store one or more scans of one stage. All files are checked first: one bad file, nothing stored.

    ``view``: which view of the pass the files are (``single``, or ``top`` / ``side`` of a
    dual-view scanner); each view is compared with the same view of the other stage.
    ``pseudo_colour``: the uploader says the files are a dual-energy scanner's pseudo-colour images (a colour
    image is refused without it); recorded with each scan.

    Steps: 1 rights and fields, and a first answer on the declaration's status, the capture time and
    the view (``_check_fits``), before any file is read; 2 content checks of every file
    (``validation``); 3 in one transaction, with the declaration's row locked (``_lock_declaration``)
    and a lock per image (``_lock_images``), the same checks again on the declaration as it stands
    under the lock (another upload, a departure or an arrival may have committed since step 1), the
    look for the same image stored before (refused on this declaration, recorded when another's) and
    the rows and files (files removed again if it fails); 4 previews and, when both stages have a
    scan, a comparison enqueued after commit.
    """
    if stage not in Stage.values:
        raise InvalidInput(_("Unknown stage '%(stage)s'.") % {"stage": stage}, fields={"stage": stage})
    if view not in View.values:
        raise InvalidInput(_("Unknown view '%(view)s'.") % {"view": view}, fields={"view": view})
    if not can_upload(by, declaration, stage):
        raise NotAllowed(
            _("You may not upload a %(stage)s scan of declaration %(serial)s.")
            % {"stage": Stage(stage).label, "serial": idents.serial_text(declaration.serial)}
        )
    if not stage_open(declaration, stage):
        raise IllegalTransition(stage_closed_message(declaration, stage), fields={"status": declaration.status})
    scanner_id = identifier(scanner_id)  # «SC-۱» typed on a Persian keyboard is the scanner SC-1
    if not scanner_id:
        raise InvalidInput(_("The scanner ID is required."), fields={"scanner_id": "required"})
    if hidden_characters(scanner_id):  # U+202E would show "SCN-7" as "7-NCS"
        raise InvalidInput(
            _("The scanner ID may hold no invisible or direction-changing characters."),
            fields={"scanner_id": "hidden characters"},
        )
    if captured_at is None:
        raise InvalidInput(_("The capture time is required."), fields={"captured_at": "required"})
    if captured_at > timezone.now() + CAPTURE_CLOCK_SKEW:
        raise InvalidInput(_("The capture time is in the future."), fields={"captured_at": str(captured_at)})
    # A first answer, before the files are read; the one that counts is given again under the lock (step 3).
    _check_fits(declaration, stage, view, captured_at)
    if not files:
        raise InvalidInput(_("Choose at least one image file."), fields={"file": "required"})

    checked: list[tuple[CheckedImage, str]] = []
    for f in files:
        name = (getattr(f, "name", "") or "")[-200:]
        try:
            checked.append((check_upload(f, pseudo_colour=pseudo_colour), name))
        except ScanRejected as exc:
            if len(files) > 1 and exc.code != "colour":  # that one names its file itself
                exc.message = f"{name}: {exc.message}"
            raise

    office_id = stage_office_id(declaration, stage)
    written: list[str] = []
    try:
        with transaction.atomic(), actor(by):
            # Checked and stored with the declaration locked: two uploads at the same instant (a single
            # view here, the other side's top view there) would each pass the checks of step 1 on a
            # declaration without the other's scan, and both be stored. The second now waits for the
            # first, then is refused as if it had come after it.
            locked = _lock_declaration(declaration.pk)
            # Looked for and stored under one lock per image: two uploads of one image at the same
            # instant would each find no earlier scan, and both be stored as the first.
            _lock_images(checked)
            _check_fits(locked, stage, view, captured_at)
            _refuse_duplicates(declaration, stage, checked)
            earlier = [_earlier_same_image(declaration, image) for image, _name in checked]
            scans = []
            for (image, name), repeats in zip(checked, earlier, strict=True):
                scan = Scan(
                    declaration=declaration,
                    stage=stage,
                    view=view,
                    office_id=office_id,
                    scanner_id=scanner_id[:64],
                    captured_at=captured_at,
                    uploaded_by=by,
                    original_name=name,
                    format=image.format,
                    width=image.width,
                    height=image.height,
                    mode=image.mode,
                    bit_depth=image.bit_depth,
                    pseudo_colour=pseudo_colour,
                    size_bytes=len(image.data),
                    sha256=image.sha256,
                    received_sha256=image.received_sha256,
                    repeats_scan=repeats.pk if repeats is not None else None,
                )
                scan.original.save(f"scan.{image.extension}", ContentFile(image.data), save=False)
                written.append(scan.original.name)
                scan.save()
                scans.append(scan)
            evidence.note_scan(declaration_id=declaration.pk, stage=stage, at=captured_at)
            for scan, repeats in zip(scans, earlier, strict=True):
                if repeats is not None:
                    _note_reuse(scan, repeats, by)
            _schedule_jobs(scans, declaration.pk)
            # A view the other side lacks (an origin's side view after the destination's top view was
            # compared) starts no comparison: the summary says it is incomplete now.
            _note_outcome(declaration.pk)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return scans


def _lock_declaration(declaration_id: int) -> TransitDeclaration:
    """The declaration's row, locked until the upload's transaction ends and read as it stands now:
    uploads to one declaration are checked and stored one after the other. ``FOR NO KEY UPDATE``, as
    ``evidence.note_plate_reads`` takes it: the rows that point at the declaration (a plate read's match,
    another's scan) are still inserted meanwhile. SQLite ignores it: its transactions begin IMMEDIATE,
    one writer at a time (settings)."""
    return TransitDeclaration.objects.select_for_update(no_key=True).get(pk=declaration_id)


def _check_fits(declaration: TransitDeclaration, stage: str, view: str, captured_at: dt.datetime) -> None:
    """The scan fits the declaration as ``declaration`` has it: its status takes a scan of ``stage``
    (``stage_open``), the capture time falls in the journey (``_check_capture_in_journey``), the view
    matches the other side's (``_check_view_matches``)."""
    if not stage_open(declaration, stage):
        raise IllegalTransition(stage_closed_message(declaration, stage), fields={"status": declaration.status})
    _check_capture_in_journey(declaration, stage, captured_at)
    _check_view_matches(declaration, stage, view)


# A truck may wait in the origin's yard, scanned at the gate, before its declaration is keyed in; a
# scan from more than a month before is of another pass (or a year typed wrong: 1400 for 1405).
CAPTURE_BEFORE_DECLARATION = dt.timedelta(days=30)
# The departure and arrival are recorded with the time they happened (the forms ask for it); a scanner's
# clock and a clerk's rounding may differ from them by a little, never by hours.
CAPTURE_CLOCK_TOLERANCE = dt.timedelta(minutes=30)


def _check_capture_in_journey(declaration: TransitDeclaration, stage: str, captured_at: dt.datetime) -> None:
    """The scan belongs to this journey: not taken more than ``CAPTURE_BEFORE_DECLARATION`` before the
    declaration was registered; at the destination, not before the truck left the origin; at the origin,
    not after the truck was confirmed arrived at the destination (each give or take
    ``CAPTURE_CLOCK_TOLERANCE``). A scan outside them is of another truck or another pass."""
    persian = is_persian()
    if captured_at < declaration.declared_at - CAPTURE_BEFORE_DECLARATION:
        raise InvalidInput(
            _(
                "The capture time %(at)s is more than %(days)s days before the declaration was registered "
                "(%(declared)s): a scan of another pass of the truck?"
            )
            % {
                "at": format_jalali(captured_at, persian=persian),
                "days": digits(CAPTURE_BEFORE_DECLARATION.days),
                "declared": format_jalali(declaration.declared_at, persian=persian),
            },
            fields={"captured_at": str(captured_at)},
        )
    if (
        stage == Stage.DESTINATION
        and declaration.departed_at
        and captured_at < declaration.departed_at - CAPTURE_CLOCK_TOLERANCE
    ):
        raise InvalidInput(
            _(
                "The capture time %(at)s is before the truck left the origin (%(departed)s): the destination "
                "cannot have scanned it yet."
            )
            % {
                "at": format_jalali(captured_at, persian=persian),
                "departed": format_jalali(declaration.departed_at, persian=persian),
            },
            fields={"captured_at": str(captured_at)},
        )
    if (
        stage == Stage.ORIGIN
        and declaration.arrived_at
        and captured_at > declaration.arrived_at + CAPTURE_CLOCK_TOLERANCE
    ):
        raise InvalidInput(
            _(
                "The capture time %(at)s is after the truck was confirmed arrived at the destination "
                "(%(arrived)s): the origin cannot have scanned it then."
            )
            % {
                "at": format_jalali(captured_at, persian=persian),
                "arrived": format_jalali(declaration.arrived_at, persian=persian),
            },
            fields={"captured_at": str(captured_at)},
        )


DUAL_VIEWS = (View.TOP, View.SIDE)


def _check_view_matches(declaration: TransitDeclaration, stage: str, view: str) -> None:
    """Each view is compared with the same view of the other side: a single view uploaded where the
    other side has a dual-view scanner's top and side views would leave the top view never compared
    (and the other way round). Refused, saying what the other side has, so that the clerk gives each
    image its view (a single-view scanner looks from the side: its image is a side view)."""
    other = Stage.DESTINATION if stage == Stage.ORIGIN else Stage.ORIGIN
    views = set(Scan.objects.filter(declaration=declaration, stage=other).values_list("view", flat=True))
    if view == View.SINGLE and views & set(DUAL_VIEWS):
        message = _(
            "The %(other)s scans of this declaration were taken by a dual-view scanner (%(views)s): upload each "
            "image with its view, top or side, so that it is compared with the same view (a single-view scanner's "
            "image is a side view)."
        )
    elif view in DUAL_VIEWS and View.SINGLE in views and not views & set(DUAL_VIEWS):
        message = _(
            "The %(other)s scans of this declaration were taken by a single-view scanner (%(views)s): upload your "
            "side view as a single view, so that it is compared with the same view."
        )
    else:
        return
    raise InvalidInput(
        message
        % {
            "other": Stage(other).label,
            "views": idents.list_separator().join(str(View(v).label) for v in View.values if v in views),
        },
        fields={"view": view},
    )


# pg_advisory_xact_lock namespace of "one image checked and stored at a time" (any 32-bit number no
# other code uses: "SCAN").
_IMAGE_LOCK = 0x5343414E


def _lock_images(checked: list[tuple[CheckedImage, str]]) -> None:
    """Serialise "is this image stored yet? then store it" per image until the transaction ends, on
    both hashes of each file (an earlier scan is the same image by either). The keys are taken in
    ascending order, so that two uploads of several files wait for each other and never deadlock.
    SQLite needs none: its transactions begin IMMEDIATE, one writer at a time (settings)."""
    if connection.vendor != "postgresql":
        return
    # The hash's first 32 bits, as PostgreSQL's signed int: another image sharing them only waits.
    keys = sorted({int(h[:8], 16) - 2**31 for image, _name in checked for h in (image.sha256, image.received_sha256)})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_IMAGE_LOCK, key])


def _refuse_duplicates(declaration: TransitDeclaration, stage: str, checked: list[tuple[CheckedImage, str]]) -> None:
    """The same image twice on one declaration is refused, naming the first upload: twice on one side,
    or the origin's image given as the destination's (or the other way round), which the comparison
    would call consistent without the truck having been scanned again.

    Same image: the same stored bytes (metadata removed) or the same file as received.
    """
    seen: dict[str, str] = {}
    for image, name in checked:
        first = (
            Scan.objects.filter(declaration=declaration)
            .filter(Q(sha256=image.sha256) | Q(received_sha256=image.received_sha256))
            .select_related("uploaded_by")
            .order_by("id")
            .first()
        )
        if first is not None:
            # The first upload as people know it (the page lists scans by side, time and uploader; its
            # number is only in the link to it): the declaration's serial, the side, who and when.
            persian = (translation.get_language() or "fa").startswith("fa")
            uploader = first.uploaded_by
            values = {
                "name": isolate(name, "auto"),  # a Latin file name kept whole inside a Persian sentence
                "stage": Stage(first.stage).label,
                "serial": idents.serial_text(declaration.serial),
                "by": isolate(uploader.get_full_name() or uploader.username, "auto") if uploader else _("the system"),
                "at": format_jalali(first.uploaded_at, persian=persian),
            }
            if first.stage == stage:
                message = _(
                    "%(name)s is the same image as the %(stage)s scan of %(serial)s that %(by)s uploaded on %(at)s;"
                    " it was not stored again."
                )
            else:
                message = _(
                    "%(name)s is the same image as the %(stage)s scan of %(serial)s that %(by)s uploaded on %(at)s:"
                    " each office uploads its own scan of the truck; it was not stored."
                )
            raise DuplicateScan(message % values, first=first, name=name)
        if image.sha256 in seen:
            raise DuplicateScan(
                _("%(name)s is the same image as %(other)s in this upload; choose each file once.")
                % {"name": isolate(name, "auto"), "other": isolate(seen[image.sha256], "auto")},
                name=name,
            )
        seen[image.sha256] = name


def _earlier_same_image(declaration: TransitDeclaration, image: CheckedImage) -> Scan | None:
    """The earlier scan of another declaration that is the same image (the same file as received,
    or the same stored bytes once metadata is removed), or None. Of several, the first of another
    truck (the fraud pattern: an old scan reused so that this truck is never scanned), else the
    first of the same truck (one pass of a truck carrying two declarations)."""
    found = list(
        Scan.objects.filter(Q(received_sha256=image.received_sha256) | Q(sha256=image.sha256))
        .exclude(declaration=declaration)
        .select_related("declaration")
        .order_by("id")[:50]
    )
    other_truck = [s for s in found if s.declaration.vehicle_id != declaration.vehicle_id]
    return (other_truck or found or [None])[0]


def _note_reuse(scan: Scan, earlier: Scan, by: User | None) -> None:
    """A scan just stored repeats ``earlier``, a scan of another declaration, in the upload's
    transaction: both declarations' timelines keep it (the pages say which declaration to those who
    may see it, ``selectors.reuses``) and, when the trucks differ, the new scan's declaration is
    flagged for the ``scan_reused`` signal. Messages name no other declaration: a timeline is read by
    staff who may not see it."""
    same_truck = earlier.declaration.vehicle_id == scan.declaration.vehicle_id
    data = {
        "scan": scan.pk,
        "repeats": earlier.pk,
        "declaration": scan.declaration_id,
        "other_declaration": earlier.declaration_id,
        "same_vehicle": same_truck,
        "sha256": scan.sha256,
    }
    now = timezone.now()
    truck = Message(gettext_noop("the same truck") if same_truck else gettext_noop("another truck"))
    evidence.note_event(
        declaration_id=scan.declaration_id,
        kind="scan_reused",
        at=now,
        actor=by,
        message=Message(
            gettext_noop(
                "The %(stage)s scan no. %(id)s is the same image as a scan of another declaration (%(truck)s)."
            ),
            stage=Message(Stage(scan.stage).label),
            id=Number(scan.pk),
            truck=truck,
        ),
        data=data,
    )
    evidence.note_event(
        declaration_id=earlier.declaration_id,
        kind="scan_reused_elsewhere",
        at=now,
        actor=by,
        message=Message(
            gettext_noop(
                "The %(stage)s scan no. %(id)s was uploaded again as a scan of another declaration (%(truck)s)."
            ),
            stage=Message(Stage(earlier.stage).label),
            id=Number(earlier.pk),
            truck=truck,
        ),
        data=data,
    )
    if not same_truck:
        evidence.note_scan_reused(declaration_id=scan.declaration_id)
        # Told once the scan is committed (an upload rolled back tells nobody), through the outbox: a
        # worker or a mail server that is down delays the notice, never loses it.
        from . import tasks

        jobs.enqueue(tasks.notify_scan_reused, scan.pk)


def comparison_subject(comparison_id: int) -> str:
    """What the notices about a comparison are about (``Notification.subject``)."""
    return f"comparison:{comparison_id}"


def reuse_subject(later_declaration_id: int, earlier_declaration_id: int) -> str:
    """What the notices of a reuse are about: the pair of declarations (told once per pair)."""
    return f"scan_reused:{later_declaration_id}:{earlier_declaration_id}"


def scan_reuse_notify(*, scan_id: int) -> int:
    """Tell of a scan that is the same image as an earlier scan of another truck's declaration: the
    inspectors of the provinces of the offices of both declarations (origin and destination of each),
    once per pair of declarations (a second view or a second stage of the same pair tells nobody
    again). Safe to run twice. Returns how many were told.

    Each is told as the scans page tells them (``selectors.Reuse.text``): who may see both
    declarations, of the declaration that repeats the image, naming the earlier one; who may see
    only one, of that one, with "another declaration, of another truck" and neither its serial nor
    a link."""
    scan = Scan.objects.select_related("declaration__vehicle").filter(pk=scan_id).first()
    earlier = (
        Scan.objects.select_related("declaration__vehicle").filter(pk=scan.repeats_scan).first()
        if scan is not None and scan.repeats_scan
        else None
    )
    if scan is None or earlier is None:  # archived since (the earlier one is kept by number only)
        return 0
    later_d, earlier_d = scan.declaration, earlier.declaration
    if later_d.vehicle_id == earlier_d.vehicle_id:  # one pass of a truck carrying two declarations: a note
        return 0
    offices = [later_d.origin_id, later_d.destination_id, earlier_d.origin_id, earlier_d.destination_id]
    provinces = CustomsOffice.objects.filter(pk__in=offices).values_list("province_id", flat=True)
    groups: dict[tuple[bool, bool], list[User]] = {}
    for inspector in inspectors_of(*provinces):
        seen = set(
            TransitDeclaration.objects.for_user(inspector)
            .filter(pk__in=[later_d.pk, earlier_d.pk])
            .values_list("pk", flat=True)
        )
        groups.setdefault((later_d.pk in seen, earlier_d.pk in seen), []).append(inspector)
    stage, other_stage = Message(Stage(scan.stage).label), Message(Stage(earlier.stage).label)
    subject = reuse_subject(later_d.pk, earlier_d.pk)
    told = 0
    for (sees_later, sees_earlier), inspectors in groups.items():
        if sees_later and sees_earlier:
            shown, shown_scan = later_d, scan
            body = Message(
                gettext_noop(
                    "The %(stage)s scan no. %(id)s of %(serial)s is the same image as the %(other_stage)s scan"
                    " no. %(other_id)s of %(other)s, another truck (%(plate)s), uploaded on %(at)s: the truck"
                    " of %(serial)s may never have been scanned."
                ),
                stage=stage,
                id=Number(scan.pk),
                serial=Ident("serial", later_d.serial),
                other_stage=other_stage,
                other_id=Number(earlier.pk),
                other=Ident("serial", earlier_d.serial),
                plate=Ident("plate", earlier_d.vehicle.plate),
                at=When(earlier.uploaded_at),
            )
        elif sees_later:
            shown, shown_scan = later_d, scan
            body = Message(
                gettext_noop(
                    "The %(stage)s scan no. %(id)s of %(serial)s is the same image as a scan of another"
                    " declaration, of another truck (outside your offices): its truck may never have been scanned."
                ),
                stage=stage,
                id=Number(scan.pk),
                serial=Ident("serial", later_d.serial),
            )
        else:
            shown, shown_scan = earlier_d, earlier
            body = Message(
                gettext_noop(
                    "The %(stage)s scan no. %(id)s of %(serial)s was uploaded again as a scan of another"
                    " declaration, of another truck (outside your offices)."
                ),
                stage=other_stage,
                id=Number(earlier.pk),
                serial=Ident("serial", earlier_d.serial),
            )
        told += notify(
            Kind.SCAN_REUSED,
            inspectors,
            title=Message("%(serial)s", serial=Ident("serial", shown.serial)),
            body=body,
            url=reverse("scans:declaration", args=[shown.pk]) + f"#scan-{shown_scan.pk}",
            subject=subject,
        )
    return told


class DuplicateScan(ScanRejected):
    """409: the image is already stored for this declaration and side (``first``, when it is)."""

    def __init__(self, message: str, *, first: Scan | None = None, name: str = ""):
        super().__init__(message, code="duplicate", status=409)
        self.first = first
        self.name = name  # the message names the file


def _schedule_jobs(scans: list[Scan], declaration_id: int) -> None:
    """Previews and comparisons, written in the upload's transaction and run after its commit."""
    from . import tasks

    for scan in scans:
        jobs.enqueue(tasks.make_previews, scan.pk)
    for comparison in comparison_schedule(declaration_id=declaration_id):
        jobs.enqueue(tasks.compare_scans, comparison.pk)


# --- Previews ---------------------------------------------------------------------------------


def scan_make_previews(*, scan_id: int) -> Scan:
    """Thumbnail and web-sized JPEG from the stored original (which is only read). Safe to repeat."""
    import numpy as np
    from PIL import Image

    from .comparison import load_scan

    scan = Scan.objects.get(pk=scan_id)
    if scan.preview_status == Scan.PreviewStatus.READY:
        return scan
    taskruns.pause_for_tests("preview")
    try:
        with scan.original.open("rb") as fh:
            img = load_scan(fh.read())
        if scan.bit_depth > 8:
            # 16-bit scanners use part of the range: stretch to what is there.
            lo, hi = np.percentile(img, (0.5, 99.5))
            img = np.clip((img - lo) / max(float(hi - lo), 1e-6), 0, 1)
        grey = Image.fromarray((img * 255 + 0.5).astype(np.uint8))
        outputs = {}
        for field, px in (("web_image", WEB_PX), ("thumbnail", THUMB_PX)):
            copy = grey.copy()
            copy.thumbnail((px, px), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            copy.save(buf, "JPEG", quality=85)
            outputs[field] = buf.getvalue()
    except Exception as exc:
        if taskruns.is_transient(exc):
            raise  # the storage went away: the task is retried
        log.exception("previews of scan %s failed", scan_id)
        Scan.objects.filter(pk=scan_id).update(preview_status=Scan.PreviewStatus.FAILED, preview_error=str(exc)[:300])
        scan.refresh_from_db()
        return scan
    old = [scan.thumbnail.name, scan.web_image.name]
    for field, data in outputs.items():
        getattr(scan, field).save("preview.jpg", ContentFile(data), save=False)
        setattr(scan, f"{field}_sha256", hashlib.sha256(data).hexdigest())
    scan.preview_status = Scan.PreviewStatus.READY
    scan.preview_error = ""
    scan.save(
        update_fields=[
            "thumbnail",
            "web_image",
            "thumbnail_sha256",
            "web_image_sha256",
            "preview_status",
            "preview_error",
        ]
    )
    for name in old:
        if name:
            default_storage.delete(name)
    return scan


# --- Comparison -------------------------------------------------------------------------------


# A single-view scanner looks from the side (as most portal scanners do): with no image of its own
# view on the other side, a single view is compared with a side view and the other way round. Uploads
# no longer mix them (``_check_view_matches``); scans stored before may.
_VIEW_PARTNER: dict[str, str] = {View.SINGLE: View.SIDE, View.SIDE: View.SINGLE}


def current_pairs(declaration_id: int) -> list[tuple[Scan, Scan]]:
    """The (origin, destination) scan pairs to compare now: the latest destination scan of each
    view with the latest origin scan of the same view (else of its partner view, see
    ``_VIEW_PARTNER``). A view without a counterpart on the other side is not compared: a top
    view is never compared with a side view (they show different projections)."""
    origins = Scan.objects.latest_views(declaration_id, Stage.ORIGIN)
    dests = Scan.objects.latest_views(declaration_id, Stage.DESTINATION)
    pairs = []
    for view in View.values:  # a fixed order: single, top, side
        dest = dests.get(view)
        if dest is None:
            continue
        partner = _VIEW_PARTNER.get(view)
        origin = origins.get(view) or (origins.get(partner) if partner else None)
        if origin is not None:
            pairs.append((origin, dest))
    return pairs


def comparison_schedule(*, declaration_id: int) -> list[ScanComparison]:
    """Queue a comparison of each current view pair (``current_pairs``) not compared yet; returns
    the comparisons created."""
    created_list = []
    for origin, dest in current_pairs(declaration_id):
        comparison, created = ScanComparison.objects.get_or_create(
            origin_scan=origin, dest_scan=dest, defaults={"declaration_id": declaration_id, "view": dest.view}
        )
        if created:
            created_list.append(comparison)
    return created_list


def comparison_run(*, comparison_id: int) -> ScanComparison:
    """Run the comparison job once. The row is claimed with a conditional UPDATE: safe to run twice."""
    # Claimed by a conditional UPDATE: a queued row, or a running one whose claim is dead (older than
    # the hard time limit: its worker was killed). The claim's time is the token the result needs.
    claim_at = timezone.now()
    claimable = Q(status=ScanComparison.Status.QUEUED) | Q(
        status=ScanComparison.Status.RUNNING, started_at__lt=taskruns.stale_before("comparison", claim_at)
    )
    claimed = (
        ScanComparison.objects.filter(claimable, pk=comparison_id)
        .exclude(review__gt="")  # reviewed: done for good
        .update(status=ScanComparison.Status.RUNNING, started_at=claim_at)
    )
    comparison = ScanComparison.objects.select_related("origin_scan", "dest_scan").get(pk=comparison_id)
    if not claimed:
        return comparison
    mine = ScanComparison.objects.filter(pk=comparison_id, status=ScanComparison.Status.RUNNING, started_at=claim_at)
    try:
        taskruns.pause_for_tests("comparison")
        _comparison_compute(comparison, mine)
    except Exception as exc:
        if taskruns.is_transient(exc):
            # The database or the storage went away: give the row back, the task is retried.
            taskruns.release(mine, status=ScanComparison.Status.QUEUED)
        raise
    comparison.refresh_from_db()
    return comparison


def _comparison_compute(comparison: ScanComparison, mine) -> None:
    """The work of ``comparison_run`` on a claimed row; the result is kept only while ``mine`` (the
    row as claimed) still holds: a claim taken over by another run writes nothing."""
    import cv2

    from .comparison import ALGORITHM_VERSION, Params, compare_scans, get_threshold, load_scan, params_to_dict

    comparison_id = comparison.pk
    try:
        t0 = time.perf_counter()
        with comparison.origin_scan.original.open("rb") as fh:
            origin = load_scan(fh.read())
        with comparison.dest_scan.original.open("rb") as fh:
            dest = load_scan(fh.read())
        t_load = time.perf_counter() - t0
        threshold = get_threshold()
        params = Params()
        result = compare_scans(origin, dest, threshold=threshold, params=params)
        t_compare = time.perf_counter() - t0 - t_load
        heat = result.heatmap
        scale = 1.0
        if heat is not None and max(heat.shape[:2]) > WEB_PX:
            scale = WEB_PX / max(heat.shape[:2])
            heat = cv2.resize(heat, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        heat_png = cv2.imencode(".png", heat)[1].tobytes() if heat is not None else None
    except Exception as exc:
        if taskruns.is_transient(exc):
            raise
        log.exception("comparison %s failed", comparison_id)
        with transaction.atomic():
            if mine.update(status=ScanComparison.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()):
                _tell_of_failure(comparison)
        return

    verdict = result.verdict if result.verdict in Verdict.values else Verdict.UNREGISTERED
    details = _jsonable(result.details)
    details["heatmap_scale"] = scale
    timings = details.pop("timings", {}) if isinstance(details.get("timings"), dict) else {}
    timings.update(load_s=round(t_load, 3), compare_s=round(t_compare, 3))
    with transaction.atomic():
        if not mine.select_for_update().exists():
            log.warning("comparison %s: claim taken over by another run; this result is dropped", comparison_id)
            return
        comparison.score = result.score if result.score is not None and math.isfinite(result.score) else None
        comparison.verdict = verdict
        comparison.registered = bool(result.registered)
        comparison.threshold = threshold
        comparison.boxes = [[int(x), int(y), int(w), int(h), round(float(s), 6)] for x, y, w, h, s in result.boxes]
        comparison.details = details
        comparison.algorithm_version = ALGORITHM_VERSION
        comparison.algorithm_params = params_to_dict(params)
        comparison.timings = timings
        comparison.status = ScanComparison.Status.DONE
        comparison.finished_at = timezone.now()
        comparison.review = Review.PENDING
        if heat_png:
            comparison.heatmap.save("heatmap.png", ContentFile(heat_png), save=False)
            comparison.heatmap_sha256 = hashlib.sha256(heat_png).hexdigest()
        comparison.save()
        transaction.on_commit(lambda: metrics.COMPARISONS.labels(verdict).inc())
        _note_outcome(comparison.declaration_id)
        # The destination reviews both: a suspicious pair, and one whose images could not be aligned
        # (no verdict: it looks at them itself before it settles).
        if verdict in (Verdict.SUSPICIOUS, Verdict.UNREGISTERED):
            declaration = comparison.declaration
            notify(
                Kind.SCAN_SUSPICIOUS if verdict == Verdict.SUSPICIOUS else Kind.SCAN_UNALIGNED,
                office_staff(declaration.destination_id),
                title=Message("%(serial)s", serial=Ident("serial", declaration.serial)),
                url=reverse("scans:viewer", args=[comparison.pk]),
                subject=comparison_subject(comparison.pk),
            )


def _tell_of_failure(comparison: ScanComparison, *, it: bool = True) -> None:
    """A comparison that could not run leaves the declaration without a verdict: the destination
    (who reviews it) and the IT office (who looks into why) are told, with a link to the page that
    offers to run it again. Once per failed run (a run again that fails again tells again)."""
    declaration = comparison.declaration
    notify(
        Kind.COMPARISON_FAILED,
        list(office_staff(declaration.destination_id)) + (list(it_office()) if it else []),
        title=Message("%(serial)s", serial=Ident("serial", declaration.serial)),
        url=reverse("scans:declaration", args=[declaration.pk]) + f"#comparison-{comparison.pk}",
        subject=f"comparison:{comparison.pk}:{comparison.retries}",
    )


def on_job_gave_up(sender, *, instance, kind: str = "", reason_message: dict | None = None, **_kwargs) -> None:
    """Receiver of ``core.signals.job_gave_up`` for comparisons: the sweeper marked one failed (its
    worker never finished it). Its reason, stored in the site's language, is kept as a message too (to be
    read in the reader's: the scans page, the run again on the timeline). The IT office has its system
    problem; the destination is told here."""
    if isinstance(instance, ScanComparison):
        if reason_message:
            ScanComparison.objects.filter(pk=instance.pk, status=ScanComparison.Status.FAILED).update(
                error_message=reason_message
            )
        _tell_of_failure(ScanComparison.objects.select_related("declaration").get(pk=instance.pk), it=False)


def can_retry(user: User | None, comparison: ScanComparison) -> bool:
    """Who may run a failed comparison again: the offices that uploaded its scans, and the IT office."""
    if user is None or not user.is_active:
        return False
    if user.role == Role.IT:
        return True
    declaration = comparison.declaration
    return user.role == Role.OFFICE and user.office_id in (declaration.origin_id, declaration.destination_id)


@transaction.atomic
def comparison_retry(*, comparison: ScanComparison, by: User) -> ScanComparison:
    """A failed comparison is queued again (its error kept in the audit trail and the timeline); the
    worker runs it as it runs a new one. Only a failed one: a verdict is never recomputed over."""
    from . import tasks

    locked = ScanComparison.objects.select_for_update().select_related("declaration").get(pk=comparison.pk)
    if not can_retry(by, locked):
        raise NotAllowed(_("Only the offices of this declaration and the IT office may run a comparison again."))
    if locked.status != ScanComparison.Status.FAILED:
        raise IllegalTransition(
            _("Only a comparison that could not run is run again; this one is %(status)s.")
            % {"status": locked.get_status_display()},
            fields={"status": locked.status},
        )
    error, error_message = locked.error, locked.error_message
    locked.status = ScanComparison.Status.QUEUED
    locked.error, locked.error_message = "", {}
    locked.started_at = None
    locked.finished_at = None
    locked.retries += 1
    with actor(by):
        locked.save(update_fields=["status", "error", "error_message", "started_at", "finished_at", "retries"])
    evidence.note_event(
        declaration_id=locked.declaration_id,
        kind="scan_comparison_retried",
        at=timezone.now(),
        actor=by,
        message=_retried(error, error_message),
        data={"comparison": locked.pk, "error": error, **({"error_message": error_message} if error_message else {})},
    )
    jobs.enqueue(tasks.compare_scans, locked.pk)
    return locked


def _retried(error: str, error_message: dict) -> Message:
    """The timeline's line for a failed comparison run again, in the reader's language, with why it had
    failed: the scans page stops showing that once it runs again, so the timeline keeps it. The app's own
    reason (the sweeper's, kept as a message) is written in the reader's language; an exception's text is
    no sentence of any reader's (the library's words, whatever the page's language), so it is quoted as
    recorded, set apart from the sentence around it."""
    if error_message:
        try:
            reason = param_from_json(error_message)
        except (ValueError, TypeError, KeyError):
            pass
        else:
            return Message(gettext_noop("Scan comparison run again after it could not run: %(reason)s"), reason=reason)
    if error:
        return Message(
            gettext_noop("Scan comparison run again after it could not run; its error as recorded: “%(error)s”"),
            error=error,
        )
    return Message(gettext_noop("Scan comparison run again after it could not run."))


def combined_outcome(comparisons: list[ScanComparison], *, missing: bool = False) -> tuple[str, str] | None:
    """One verdict and review from the comparisons of the views of one pass (finished ones only):
    any suspicious -> suspicious; else any that could not be aligned -> unregistered (a person
    looks); else, while a view one side has is ``missing`` on the other (``missing_views``),
    incomplete (part of the truck was never compared); else consistent. Review: any escalated ->
    escalated; else any still awaiting review -> pending; else accepted. None when none has finished."""
    done = [c for c in comparisons if c.status == ScanComparison.Status.DONE]
    if not done:
        return None
    verdicts = {c.verdict for c in done}
    verdict = next((v for v in (Verdict.SUSPICIOUS, Verdict.UNREGISTERED) if v in verdicts), None)
    if verdict is None:
        verdict = Verdict.INCOMPLETE if missing else Verdict.CONSISTENT
    reviews = {c.review for c in done}
    review = next((r for r in (Review.ESCALATED, Review.PENDING) if r in reviews), Review.ACCEPTED)
    return verdict, review


def current_comparisons(declaration_id: int) -> list[ScanComparison]:
    """The comparisons of the current view pairs (``current_pairs``), one per view."""
    found = []
    for origin, dest in current_pairs(declaration_id):
        comparison = ScanComparison.objects.filter(origin_scan=origin, dest_scan=dest).first()
        if comparison is not None:
            found.append(comparison)
    return found


@dataclass(frozen=True)
class MissingView:
    """A view of the pass that ``has`` (a stage) scanned and ``lacks`` (the other) did not: never compared.
    ``office``: the office of ``lacks``, which is to upload it."""

    view: str
    has: str
    lacks: str
    office: CustomsOffice

    @property
    def text(self) -> str:
        """What the pages say of it, in the reader's language, telling the office that lacks it, by name, what to
        upload."""
        return _(
            "The %(view)s has not been uploaded at the %(lacks)s, so the scan comparison is incomplete: the "
            "%(office)s office should upload its %(view)s, to be compared with the %(has)s's."
        ) % {
            "view": View(self.view).label,
            "lacks": Stage(self.lacks).label,
            "has": Stage(self.has).label,
            "office": isolate(self.office.name, "auto"),
        }


def missing_views(declaration_id: int) -> list[MissingView]:
    """The views one side has scanned and the other has not (a dual-view origin's side view with only a top view
    at the destination, say), once both sides have a scan: each is left out of ``current_pairs``, so its part of
    the truck is compared with nothing. A single view and a side view stand in for each other (``_VIEW_PARTNER``).
    Two queries, and a third for the offices when a view is missing."""
    latest = {stage: Scan.objects.latest_views(declaration_id, stage) for stage in (Stage.ORIGIN, Stage.DESTINATION)}
    if not all(latest.values()):
        return []
    lacking = []
    for has, lacks in ((Stage.ORIGIN, Stage.DESTINATION), (Stage.DESTINATION, Stage.ORIGIN)):
        for view in View.values:  # a fixed order: single, top, side
            partner = _VIEW_PARTNER.get(view)
            if view in latest[has] and view not in latest[lacks] and partner not in latest[lacks]:
                lacking.append((view, has, lacks))
    if not lacking:
        return []
    declaration = TransitDeclaration.objects.select_related("origin", "destination").get(pk=declaration_id)
    offices = {Stage.ORIGIN: declaration.origin, Stage.DESTINATION: declaration.destination}
    return [MissingView(view=view, has=has, lacks=lacks, office=offices[lacks]) for view, has, lacks in lacking]


def current_outcome(declaration_id: int) -> tuple[str, str] | None:
    """The combined outcome of the declaration's current view pairs, a view missing on either side included
    (``combined_outcome``): what the declaration's summary carries."""
    return combined_outcome(current_comparisons(declaration_id), missing=bool(missing_views(declaration_id)))


def _note_outcome(declaration_id: int) -> None:
    """The declaration's summary gets the combined outcome of the current view pairs (an older
    pair finishing late changes nothing), incomplete while a view is missing on one side."""
    outcome = current_outcome(declaration_id)
    if outcome is not None:
        evidence.note_comparison(declaration_id=declaration_id, verdict=outcome[0], review=outcome[1])


def _jsonable(value):
    """Algorithm details may hold numpy scalars and NaN: plain JSON only."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


REVIEW_DECISIONS = {"accept": Review.ACCEPTED, "escalate": Review.ESCALATED}


def unaligned_accept_needs_remark() -> str:
    """Why accepting images the comparison could not align needs a remark, in the reader's language."""
    return _(
        "These images could not be aligned, so there is no change map: compare the origin and destination "
        "images side by side, then say in the remark that you did and what you saw."
    )


def flagged(comparison: ScanComparison, user: User | None) -> bool:
    """The comparison warns the reviewer: a suspicious verdict, a score above its threshold, or one of its
    scans the same image as another scan (the reuse warning its page shows). Accepting it overrides the
    warning, so it needs a written reason (``NOTE_MIN_LENGTH``). Runs queries when the verdict does not say so."""
    if comparison.verdict == Verdict.SUSPICIOUS:
        return True
    if comparison.score is not None and comparison.threshold is not None and comparison.score > comparison.threshold:
        return True
    return bool(selectors.reuses([comparison.origin_scan, comparison.dest_scan], user))


def flagged_accept_needs_reason() -> str:
    """Why accepting a flagged comparison needs a remark, in the reader's language, naming the field by its
    label (``ReviewForm``'s)."""
    return _(
        "This comparison is flagged (a suspicious verdict or a reused scan): to accept it, say in “%(field)s” "
        "why, in at least %(n)s letters or digits (punctuation marks are not counted)."
    ) % {"field": _("remark"), "n": digits(NOTE_MIN_LENGTH)}


# The longest review remark (page and API), as a reuse review's note: kept with the review and on the timeline.
REMARK_MAX_LENGTH = 2000


@transaction.atomic
def comparison_review(*, comparison: ScanComparison, by: User, decision: str, remark: str = "") -> ScanComparison:
    """The destination accepts the comparison or escalates it (with a remark saying why). Accepting one that
    could not align the images (``ScanComparison.unaligned``) needs a remark too: that the reviewer compared
    the two images by eye, and what they saw; accepting a ``flagged`` one needs a reason of at least
    ``NOTE_MIN_LENGTH`` characters."""
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(_("Unknown decision '%(d)s'.") % {"d": decision}, fields={"decision": decision})
    remark = (remark or "").strip()
    if decision == "escalate" and not remark:
        raise InvalidInput(_("An escalation needs a remark saying what is wrong."), fields={"remark": "required"})
    if error := too_long(remark, REMARK_MAX_LENGTH):
        raise InvalidInput(error, fields={"remark": "too long"})
    locked = ScanComparison.objects.select_for_update().select_related("declaration").get(pk=comparison.pk)
    require_can_review(by, locked)
    if locked.status != ScanComparison.Status.DONE:
        raise IllegalTransition(_("The comparison has no result yet."), fields={"status": locked.status})
    if locked.review != Review.PENDING:
        raise IllegalTransition(
            _("The comparison was already reviewed (%(review)s).") % {"review": locked.get_review_display()},
            fields={"review": locked.review},
        )
    # Images the comparison could not align have no change map: accepting them says the reviewer
    # compared them by eye, and the remark says so and what was seen (it stays with the review).
    by_eye = decision == "accept" and locked.unaligned
    if decision == "escalate" and (short := reason_error(remark, _("remark"))):  # a single «.» says nothing
        raise InvalidInput(short, fields={"remark": "too short"})
    if by_eye and not remark:
        raise InvalidInput(unaligned_accept_needs_remark(), fields={"remark": "required"})
    if decision == "accept" and written_length(remark) < NOTE_MIN_LENGTH and flagged(locked, by):
        raise InvalidInput(flagged_accept_needs_reason(), fields={"remark": "too short"})
    now = timezone.now()
    locked.review = REVIEW_DECISIONS[decision]
    locked.reviewed_by = by
    locked.reviewed_at = now
    locked.review_remark = remark
    with actor(by):
        locked.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_remark"])
    _note_outcome(locked.declaration_id)
    if decision == "escalate":
        evidence.note_scan_escalated(declaration_id=locked.declaration_id)
    # Reviewed: the notices asking the destination to review it are done, for every clerk told of it.
    mark_done_for_everyone(comparison_subject(locked.pk), Kind.SCAN_SUSPICIOUS, Kind.SCAN_UNALIGNED)
    evidence.note_event(
        declaration_id=locked.declaration_id,
        kind=f"scan_review_{decision}",
        at=now,
        actor=by,
        message=(
            Message(
                gettext_noop("Scan comparison accepted after comparing the images by eye: %(remark)s"), remark=remark
            )
            if by_eye
            else Message(gettext_noop("Scan comparison accepted."))
            if decision == "accept"
            else Message(gettext_noop("Scan comparison escalated: %(remark)s"), remark=remark)
        ),
        data={"comparison": locked.pk, "verdict": locked.verdict, "remark": remark, "by_eye": by_eye},
    )
    if decision == "escalate":
        declaration = locked.declaration
        provinces = CustomsOffice.objects.filter(pk__in=[declaration.origin_id, declaration.destination_id])
        notify(
            Kind.SCAN_ESCALATED,
            inspectors_of(*provinces.values_list("province_id", flat=True)),
            title=Message("%(serial)s", serial=Ident("serial", declaration.serial)),
            url=reverse("scans:viewer", args=[locked.pk]),
            subject=comparison_subject(locked.pk),
            body=remark[:500],
        )
    comparison.refresh_from_db()
    return locked
