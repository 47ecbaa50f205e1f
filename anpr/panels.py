"""What anpr adds to pages of ``declarations`` through its hooks (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.dates import TEHRAN, format_jalali
from core.text import format_number, is_persian, isolate
from declarations import idents
from declarations.hooks import Outage, TemplatePanel, TimelineItem

from . import reports, review
from .models import Camera, PlateMatch, PlateRead

VEHICLE_PANEL_READS = 20


def timeline_items(declaration, user) -> list[TimelineItem]:
    """Reads matched to the declaration (the caller has scoped the declaration: ``hooks.timeline_providers``),
    each linking its photo where ``user`` may open it (``PlateRead.objects.for_user``, as the photo view)."""
    # Not skipped when ``last_read_at`` is empty: a read whose match a person rejected leaves no sighting, and
    # stays in the declaration's history all the same.
    matches = list(
        PlateMatch.objects.filter(declaration=declaration)
        .select_related("read__camera", "read__office")
        .order_by("read__captured_at")
    )
    # A photo is linked only where its view opens it (a read whose match was rejected is, for most, no longer
    # the declaration's: a link to it would be a 404). One query, the photo view's own scope.
    with_photo = [m.read_id for m in matches if m.read.photo]
    visible = PlateRead.objects.for_user(user).filter(pk__in=with_photo) if with_photo else PlateRead.objects.none()
    may_open = set(visible.values_list("pk", flat=True))
    # A read a person corrected is the plate they gave (the label in effect), not the camera's (one query).
    reads = PlateRead.objects.filter(pk__in={m.read_id for m in matches}) if matches else PlateRead.objects.none()
    corrected = {
        r["pk"]: (r["label_plate"], r["label_country"])
        for r in reads.with_label().values("pk", "label_plate", "label_country", "label_corrected")
        if r["label_corrected"]
    }
    items = []
    for m in matches:
        read = m.read
        if read.pk in corrected and not read.plate:
            plate, country = corrected[read.pk]
            detail = _("%(plate)s, read by a person from the photo of camera %(camera)s") % {
                "plate": idents.plate_text(plate, country or "", nowrap=True),
                "camera": idents.camera_text(read.camera),
            }
        elif read.pk in corrected:
            plate, country = corrected[read.pk]
            detail = _("%(plate)s, corrected by a person (camera %(camera)s had read %(read)s)") % {
                "plate": idents.plate_text(plate, country or "", nowrap=True),
                "camera": idents.camera_text(read.camera),
                "read": idents.plate_text(read, nowrap=True),
            }
        else:
            kind = _("exact") if m.exact else _("similar, score %(score)s") % {"score": format_number(m.score, 2)}
            detail = _("%(plate)s read by camera %(camera)s (%(kind)s)") % {
                "plate": idents.plate_text(read, nowrap=True),
                "camera": idents.camera_text(read.camera),
                "kind": kind,
            }
        if m.too_early and read.captured_at < (declaration.departed_at or declaration.declared_at):
            detail = _("%(detail)s · before the trip began: not counted as arrival evidence") % {"detail": detail}
        elif m.too_early:
            detail = _("%(detail)s · too early for the route: not counted as arrival evidence") % {"detail": detail}
        if m.review == "rejected":
            title = _("Plate read at %(office)s, rejected by a person (not this truck)") % {"office": read.office}
        elif not m.on_route:
            title = _("Plate read off the planned route at %(office)s") % {"office": read.office}
        elif m.at_destination:
            title = _("Plate read at the destination, %(office)s") % {"office": read.office}
        else:
            title = _("Plate read at %(office)s") % {"office": read.office}
        items.append(
            TimelineItem(
                at=read.captured_at,
                kind="plate_read",
                title=title,
                detail=detail,
                url=reverse("anpr:photo", args=[read.pk]) if read.pk in may_open else "",
                severity="" if m.review == "rejected" or (m.on_route and not m.too_early) else "danger",
            )
        )
    return items


def camera_health_panel(request, scoped_declarations) -> TemplatePanel | None:
    """Cameras of the user's offices that went silent in working time (flagged by the health task)."""
    cameras = Camera.objects.for_user(request.user).filter(status=Camera.Status.ACTIVE)
    total = cameras.count()
    if not total:
        return None
    silent = list(cameras.filter(health=Camera.Health.SILENT).select_related("office").order_by("silent_since"))
    return TemplatePanel(
        template="anpr/_camera_health_panel.html",
        context={"cameras_total": total, "cameras_silent": silent},
        order=40,
    )


def vehicle_reads_panel(request, vehicle) -> TemplatePanel | None:
    """The latest sightings of the truck within the user's scope in the period its full sighting history
    (the plate search) opens on, the last ``reports.DEFAULT_DAYS`` days, as that lists them and with their
    number: by the plate in effect, so a read a person corrected to another plate is that plate's, not this
    truck's, whatever the camera read (``PlateReadQuerySet.sightings_of``)."""
    first, last = reports.default_days()
    start = dt.datetime.combine(first, dt.time(), tzinfo=TEHRAN)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TEHRAN)
    reads = PlateRead.objects.for_user(request.user).sightings_of(vehicle.plate, start, end)
    latest = reads.select_related("camera", "office").with_label().order_by("-captured_at", "-id")[:VEHICLE_PANEL_READS]
    # The history opens on the same days, written in the address as its period boxes write them.
    period = {name: format_jalali(day, with_time=False, persian=False) for name, day in (("from", first), ("to", last))}
    return TemplatePanel(
        template="anpr/_vehicle_panel.html",
        context={
            "plate_reads": review.attach_matches(latest, request.user),
            "plate_reads_total": reads.order_by().count(),
            "plate_reads_days": reports.DEFAULT_DAYS,
            "plate": vehicle.plate,
            "history_url": f"{reverse('anpr:plates')}?{urlencode({'q': vehicle.plate, **period})}",
        },
        order=30,
    )


def outage_names(refs: list[str]) -> dict[str, str]:
    """The cameras among ``refs`` ("camera:3", ``arrival_outages``) by their code, isolated, in the reader's
    language (``hooks.outage_names``); one query."""
    ids = {int(ref.partition(":")[2]): ref for ref in refs if ref.startswith("camera:") and ref[7:].isdigit()}
    if not ids:
        return {}
    cameras = Camera.objects.filter(pk__in=ids).only("code")
    return {ids[c.pk]: _("camera %(camera)s") % {"camera": idents.camera_text(c)} for c in cameras}


def arrival_outages(declaration) -> list[Outage]:
    """The destination's cameras that were not reading when the arrival was confirmed, as far as their health
    says now: silent since before it (not reading again since), or retired before it (``hooks.arrival_outages``)."""
    at = declaration.arrived_at
    found = []
    for camera in Camera.objects.filter(office_id=declaration.destination_id).order_by("code"):
        code = isolate(camera.code)
        if camera.status == Camera.Status.RETIRED and camera.retired_at and camera.retired_at <= at:
            since = format_jalali(camera.retired_at, persian=is_persian())
            text = _("camera %(camera)s out of service since %(since)s") % {"camera": code, "since": since}
        elif (
            camera.health == Camera.Health.SILENT
            and (quiet := camera.last_read_at or camera.silent_since)
            and quiet <= at
        ):
            # Flagged silent hours after its last read: the silence began at that read.
            since = format_jalali(quiet, persian=is_persian())
            text = _("camera %(camera)s silent since %(since)s") % {"camera": code, "since": since}
        else:
            continue
        found.append(Outage(f"camera:{camera.pk}", text))
    return found
