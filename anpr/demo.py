"""Demo evidence of anpr, made through its services: cameras with tokens at the offices that have
them, plate reads (with photos rendered by ``anpr.training.render``, some read by the OCR engine)
ingested and matched as the API would, silent cameras flagged by the health check.

What it makes, for a bounded sample whatever the number of declarations:
- each office's camera in service since a few days before last month, the month of the demo's return
  (``CustomsOffice.anpr_since``: older arrivals are not expected to have a read), and a destination read
  for 13 of 14 arrivals since then (the rest stay "arrival without plate read"); an origin read for trucks
  leaving an office with a camera;
- reads at the destination of trucks still in transit, hours ago ("plate read, no arrival");
- reads at an office off the route ("off-route");
- a fresh read for every camera but a few, which the health check then finds silent;
- a person's reading (a label) of some recognised photos, correcting the reader where it was wrong;
- for each kind of the review queue, reads waiting for a person: a gate's read one look-alike
  character off the truck's plate that decided its arrival read (fuzzy), a read of another plate
  near an arrival the gate did not see, a look-alike read a person said was not the truck (contradicts),
  photos of Iranian layouts the reader leaves to a person (not read as Iranian), a photo no reader can read
  (not read), and low-confidence reads;
- a truck arriving with mud over one character of its plate: no plate read, the places read steadily shown to
  the person with the open declarations whose truck fits them.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import numpy as np
from django.db import transaction

from accounts.models import CustomsOffice
from declarations.demo import demo_staff, equipment_go_live
from declarations.models import Status, TransitDeclaration
from declarations.road_distances import LOCATIONS

from . import health, ingest, match_review, review, services
from .models import Camera, MatchReview, PlateMatch, PlateRead

PHOTO_SIZE = (480, 360)
GO_LIVE_ARRIVALS = 40  # per office: the most arrivals whose reads the demo makes, whatever the data size


def _cameras(by) -> dict[int, dict[str, Camera]]:
    """An entering camera at every office with ANPR, a leaving one at the border and port offices."""
    out: dict[int, dict[str, Camera]] = {}
    for office in CustomsOffice.objects.filter(has_anpr=True).order_by("code"):
        directions = ["in", "out"] if office.kind in ("border", "port") else ["in"]
        for direction in directions:
            code = f"{office.code}-{direction.upper()}-1"
            camera = Camera.objects.filter(code=code).first()
            if camera is None:
                camera, _token = services.camera_register(
                    office=office, code=code, direction=direction, lane="1", model_name="Demo ANPR 4MP", by=by
                )
            out.setdefault(office.pk, {})[direction] = camera
    return out


def _photo(plate: str, seed: int) -> bytes | None:
    import cv2

    from .training.render import find_fonts, render_scene

    fonts = find_fonts()
    if not fonts:
        return None
    img, _box = render_scene(plate, fonts, random.Random(seed), size=PHOTO_SIZE, plate_w=190)
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 88])
    return enc.tobytes() if ok else None


OTHER_LAYOUTS = ("ir_free_zone", "ir_old", "ir_motorcycle", "ir_diplomatic_service")


def _other_layout_photo(seed: int, kind: str) -> bytes | None:
    """A vehicle photo with a free-zone, older, motorcycle or diplomatic/service plate: the reader defers it
    to a person."""
    import cv2

    from .training.layouts import render_iranian_other
    from .training.render import find_fonts, random_plate, render_plate, render_scene

    fonts = find_fonts()
    if not fonts:
        return None
    rng = random.Random(seed)
    if kind == "ir_diplomatic_service":
        text = random_plate(rng)
        plate = render_plate(text[:2] + rng.choice("DS") + text[3:], fonts, rng)
    else:
        plate = render_iranian_other(kind, fonts, rng)
    img, _box = render_scene("", fonts, rng, size=PHOTO_SIZE, plate_w=190, plate=plate)
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 88])
    return enc.tobytes() if ok else None


def _muddy_photo(plate: str, seed: int, place: int) -> bytes | None:
    """A vehicle photo of ``plate`` with one character (``place``) hidden under mud."""
    import cv2

    from .training.render import find_fonts, render_plate, render_scene
    from .training.synth import cover

    fonts = find_fonts()
    if not fonts:
        return None
    rng = random.Random(seed)
    boxes: list = []
    drawn = cover(render_plate(plate, fonts, rng, boxes=boxes), boxes[place], rng)
    img, _box = render_scene("", fonts, rng, size=PHOTO_SIZE, plate_w=190, plate=drawn)
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 88])
    return enc.tobytes() if ok else None


def _read_in_part(engine, photo: bytes, region, plate: str) -> bool:
    """Whether the reader gives no plate for ``photo`` but the places it read steadily (as recognition will), and
    they fit ``plate``: the truck is among the declarations its page offers (``review.partial_candidates``)."""
    import cv2

    from .review import partial_pattern

    r = engine.read_image(cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR), region=region)
    return not r.plate and bool(r.partial) and re.match(partial_pattern(r.partial), plate) is not None


# One look-alike character each (anpr.matching's strong confusions): a near read still matched.
LOOK_ALIKE = {"6": "8", "8": "9", "9": "6", "ب": "پ", "پ": "ب", "ت": "ث", "س": "ش", "ج": "چ", "ص": "ض", "ط": "ظ"}


def _misread(plate: str) -> str:
    """The plate with its last look-alike character swapped (what a camera misreads), or ""."""
    for i in range(len(plate) - 3, -1, -1):  # not the province code: the reader is surest of it
        if plate[i] in LOOK_ALIKE:
            return plate[:i] + LOOK_ALIKE[plate[i]] + plate[i + 1 :]
    return ""


def _random_plate(rng: np.random.Generator) -> str:
    from declarations.plates import PLATE_LETTERS

    letters = PLATE_LETTERS.replace("ژ", "")
    return f"{rng.integers(10, 100)}{letters[int(rng.integers(0, len(letters)))]}{rng.integers(100, 1000)}{rng.integers(10, 100)}"


def anpr_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    it = demo_staff("it", "it")
    cameras = _cameras(it)
    anpr_offices = set(cameras)
    # (camera, captured_at, plate, country, with_photo, text_too)
    planned: list[tuple[Camera, dt.datetime, str, str, bool, bool]] = []
    qs = TransitDeclaration.objects.select_related("vehicle", "origin", "destination")

    def pick(filter_qs, k):
        filter_qs = filter_qs.exclude(serial__startswith="DEMO-FT-")  # the rules' own trucks: foreign_trucks_demo
        ids = list(filter_qs.order_by("-declared_at").values_list("pk", flat=True)[: k * 3])
        if len(ids) > k:
            ids = rng.choice(ids, k, replace=False).tolist()
        return list(qs.filter(pk__in=ids).order_by("pk"))

    # 1. The cameras went into service at their office a few days before last month, so that the demo's
    #    return of that month counts their evidence (and no earlier than the office's
    #    GO_LIVE_ARRIVALS-th latest arrival, so a large data set pays the same); since then
    #    the gate read nearly every arriving truck before its arrival was confirmed. A settled one is
    #    matched as it was while still open (the matching looks at open declarations only).
    arrived = []
    for office_id in sorted(anpr_offices):
        gate_office = cameras[office_id]["in"].office
        arrivals_at = list(
            TransitDeclaration.objects.filter(destination_id=office_id, arrived_at__isnull=False)
            .order_by("-arrived_at")
            .values_list("arrived_at", flat=True)[:GO_LIVE_ARRIVALS]
        )
        since = equipment_go_live(now, rng)
        if len(arrivals_at) == GO_LIVE_ARRIVALS:
            since = max(since, arrivals_at[-1])
        gate_office.anpr_since = since
        gate_office.save(update_fields=["anpr_since"])
        arrived += list(
            qs.filter(
                destination_id=office_id,
                status__in=(Status.ARRIVED, Status.SETTLED, Status.UNSETTLED),
                arrived_at__gte=since,
            ).order_by("arrived_at")
        )
    unseen = [d for i, d in enumerate(arrived) if i % 14 == 7]  # one in fourteen passed unseen
    arrived = [d for i, d in enumerate(arrived) if i % 14 != 7]
    settled = [d.pk for d in arrived if d.status == Status.SETTLED]
    photos = 0
    gate_reads: list[list] = []
    for d in arrived:
        at = d.arrived_at - dt.timedelta(hours=float(rng.uniform(0.1, 2)))
        iranian = d.vehicle_country == "IR"
        with_photo = iranian and photos < int(30 * scale) + 4
        photos += with_photo
        # A few photos come without text: the OCR engine reads them.
        text_too = not with_photo or photos % 3 != 0
        gate_reads.append(
            [cameras[d.destination_id]["in"], at, d.vehicle.plate, d.vehicle_country, with_photo, text_too]
        )
    # A few gates misread one look-alike character of the camera's text: the near match still gives the
    # arrival its read, and the review queue asks a person to look (a fuzzy match that decided a signal).
    # Those with a photo first, spread over the gates: a person corrects them from it (6b). Reads with photos
    # are the first few arrivals only, fewer the longer the cameras have been in service.
    misreadable = [g for g in gate_reads if g[3] == "IR" and g[5] and _misread(g[2])]
    k = int(3 * scale) + 2
    shown = [g for g in misreadable if g[4]]
    misread = shown[:: max(1, len(shown) // k)][:k]
    misread += [g for g in misreadable if not g[4]][: k - len(misread)]
    misread_truth: dict[tuple[int, dt.datetime], str] = {}  # (camera, time) -> the plate the truck carries
    for g in misread:
        misread_truth[(g[0].pk, g[1])] = g[2]
        g[2] = _misread(g[2])
    planned += [(c, at, plate, country, wp, tt) for c, at, plate, country, wp, tt in gate_reads]
    # 1b. At a few of the unseen arrivals the gate read another plate shortly before: the read matches
    #     nothing, the declaration has no read (the review queue: one of them is wrong).
    for d in unseen[: int(3 * scale) + 2]:
        at = d.arrived_at - dt.timedelta(minutes=float(rng.uniform(5, 40)))
        planned.append((cameras[d.destination_id]["in"], at, _random_plate(rng), "IR", False, True))
    # 2. Leaving the origin, for trucks on the road.
    transit = pick(
        TransitDeclaration.objects.filter(status=Status.IN_TRANSIT, origin_id__in=anpr_offices), int(80 * scale) + 4
    )
    for d in transit:
        cam = cameras[d.origin_id].get("out") or cameras[d.origin_id]["in"]
        planned.append((cam, d.departed_at + dt.timedelta(minutes=10), d.vehicle.plate, d.vehicle_country, False, True))
    # 3. Read at the destination hours ago, no arrival recorded.
    lingering = pick(
        TransitDeclaration.objects.filter(
            status=Status.IN_TRANSIT, destination_id__in=anpr_offices, departed_at__lt=now - dt.timedelta(hours=9)
        ),
        int(14 * scale) + 3,
    )
    for d in lingering:
        at = max(d.departed_at + dt.timedelta(hours=1), now - dt.timedelta(hours=float(rng.uniform(7, 40))))
        planned.append((cameras[d.destination_id]["in"], at, d.vehicle.plate, d.vehicle_country, False, True))
    # 4. Seen at an office off the route.
    offroute = pick(TransitDeclaration.objects.filter(status=Status.IN_TRANSIT), int(12 * scale) + 3)
    office_ids = sorted(anpr_offices)
    for d in offroute:
        route = set(d.route or [d.origin.code, d.destination.code])
        off = [o for o in office_ids if cameras[o]["in"].office.code not in route]
        office = off[int(rng.integers(0, len(off)))]
        at = d.departed_at + (min(now, d.deadline or now) - d.departed_at) * float(rng.uniform(0.2, 0.6))
        planned.append((cameras[office]["in"], at, d.vehicle.plate, d.vehicle_country, False, True))
    # 5. A fresh read of some passing car (no declaration) at every camera but the silent ones.
    all_cams = [c for by_dir in cameras.values() for c in by_dir.values()]
    latest: dict[int, dt.datetime] = {}
    for cam, at, *_rest in planned:
        latest[cam.pk] = max(at, latest.get(cam.pk, at))
    quiet = [c.pk for c in all_cams if latest.get(c.pk, now - dt.timedelta(days=30)) < now - dt.timedelta(days=1)]
    silent = set(quiet[:: max(1, len(quiet) // 3)][:3])
    for cam in all_cams:
        if cam.pk in silent:
            at = now - dt.timedelta(days=2, hours=float(rng.uniform(0, 20)))
        else:
            at = now - dt.timedelta(minutes=float(rng.uniform(1, 50)))
        planned.append((cam, at, _random_plate(rng), "IR", False, True))

    # 5b. Vehicles with a plate of another Iranian layout (free zone, older, motorcycle, diplomatic) at a few
    #     border gates, photo only: the reader leaves them to a person (the review queue: not read).
    borders = [c for by_dir in cameras.values() for c in by_dir.values() if c.direction == "out"] or all_cams
    # index in planned -> (photo seed, layout): each layout at least once, the same photos whatever the demo's
    # size (the reader finds the plate in each of the first five and leaves it to a person).
    other_layouts: dict[int, tuple[int, str]] = {}
    for k in range(int(2 * scale) + len(OTHER_LAYOUTS)):
        other_layouts[len(planned)] = (k, OTHER_LAYOUTS[k % len(OTHER_LAYOUTS)])
        at = now - dt.timedelta(hours=float(rng.uniform(1, 60)))
        planned.append((borders[k % len(borders)], at, "", "", True, False))

    # 5c. A truck arriving with mud over one character of its plate: the reader gives no plate, only the places it
    #     read steadily, and the person who reads the photo is shown the open declarations whose truck fits them.
    #     The first of a few trucks and places that the reader refuses so (it guesses some hidden characters).
    muddy: dict[int, bytes] = {}
    from .recognition import get_engine

    engine = get_engine()
    arriving = (
        qs.filter(status=Status.IN_TRANSIT, destination_id__in=anpr_offices, vehicle_country="IR")
        .exclude(pk__in=[d.pk for d in lingering])
        .exclude(serial__startswith="DEMO-FT-")
        .order_by("-declared_at", "pk")[:8]
    )
    # How many tries it takes follows the machine: the reader's guesses at a hidden character, and which places it
    # reads steadily, differ from CPU to CPU. The first photo refused so, its steady places fitting the truck, is taken.
    for k, d in enumerate(arriving if engine.available else []):
        cam = cameras[d.destination_id]["in"]
        photo = next(
            (
                p
                for seed in (k, k + 100)
                for place in (2, 6, 0, 4, 7)
                if (p := _muddy_photo(d.vehicle.plate, seed, place))
                and _read_in_part(engine, p, cam.region, d.vehicle.plate)
            ),
            None,
        )
        if photo is not None:
            muddy[len(planned)] = photo
            planned.append((cam, now - dt.timedelta(minutes=40), "", "", True, False))
            break

    # Photos are rendered first, two at a time (OpenCV and numpy release the GIL).
    wanted = [(i, p[2]) for i, p in enumerate(planned) if p[4]]

    def render(ip: tuple[int, str]) -> bytes | None:
        if ip[0] in muddy:
            return muddy[ip[0]]
        return _other_layout_photo(*other_layouts[ip[0]]) if ip[0] in other_layouts else _photo(ip[1], ip[0])

    with ThreadPoolExecutor(max_workers=2) as pool:
        rendered = dict(zip([i for i, _ in wanted], pool.map(render, wanted), strict=True))

    by_camera: dict[int, list[ingest.ReadInput]] = {}
    camera_of: dict[int, Camera] = {}
    true_plate: dict[str, tuple[str, str]] = {}  # client event id -> (plate, country) of the truck
    for i in sorted(range(len(planned)), key=lambda j: planned[j][1]):
        cam, at, plate, country, _with_photo, text_too = planned[i]
        photo = rendered.get(i)
        if photo is None:
            if i in other_layouts:
                continue  # no fonts to render with: no such read
            text_too = True
        item = ingest.ReadInput(
            captured_at=at,
            plate_raw=plate if text_too else "",
            country=country if text_too else "",
            confidence=round(float(rng.uniform(0.82, 0.99)), 2) if text_too else None,
            client_event_id=f"demo-{cam.code}-{i}",
            photo=photo,
        )
        by_camera.setdefault(cam.pk, []).append(item)
        camera_of[cam.pk] = cam
        true_plate[item.client_event_id] = (misread_truth.get((cam.pk, at), plate), country)
    to_recognise: list[int] = []
    # The demo's trucks are drawn from a pool: one that arrived weeks ago (the cameras went into service
    # before last month, the month of the demo's return) may also be on another trip the data leaves open.
    # The read of its arrival is about the trip it arrived on; the matching would give it to the open trip
    # (the trip a truck is moving on wins), the arrival looking unseen and the other trip off its route. So
    # those other trips stay out of the matching of these reads, unless another read above is about them.
    read_on_the_road = {d.pk for d in [*transit, *lingering, *offroute]}
    other_trips: dict[str, list[int]] = {}
    for pk, status in (
        TransitDeclaration.objects.filter(
            vehicle_id__in={d.vehicle_id for d in arrived}, status__in=(Status.REGISTERED, Status.IN_TRANSIT)
        )
        .exclude(pk__in=read_on_the_road)
        .values_list("pk", "status")
    ):
        other_trips.setdefault(status, []).append(pk)
    with transaction.atomic():
        TransitDeclaration.objects.filter(pk__in=settled).update(status=Status.ARRIVED)  # as it was then
        for pks in other_trips.values():
            TransitDeclaration.objects.filter(pk__in=pks).update(status=Status.CANCELLED)  # meanwhile
        for pk, items in by_camera.items():
            done = ingest.reads_ingest(camera=camera_of[pk], items=items, match_inline=True)
            to_recognise += [r.id for r in done if r.read is not None and not r.read.plate_raw]
        TransitDeclaration.objects.filter(pk__in=settled).update(status=Status.SETTLED)
        for status, pks in other_trips.items():
            TransitDeclaration.objects.filter(pk__in=pks).update(status=status)
    # The recognition task's service, called in this process (no worker needed).
    for read_id in to_recognise:
        services.read_recognise(read_id=read_id)
    # 6. A person at headquarters read some recognised photos again (the review queue): where the
    # reader was wrong the label corrects it, the read is matched again, and the camera report counts it.
    reviewer = demo_staff("hq", "hq")
    labelled = 0
    for read in PlateRead.objects.filter(pk__in=to_recognise).select_related("office").order_by("pk"):
        plate, country = true_plate.get(read.client_event_id, ("", ""))
        if plate and labelled < int(12 * scale) + 4:
            review.read_label(read=read, by=reviewer, plate=plate, country=country or "IR", note="demo")
            labelled += 1
    # 6b. ... and corrected the gates' misread text where the photo shows the plate (the camera report counts
    # them against the camera); the last such read still waits for a person.
    misread_ids = [
        f"demo-{cam.code}-{i}" for i, (cam, at, *_rest) in enumerate(planned) if (cam.pk, at) in misread_truth
    ]
    misread_reads = list(
        PlateRead.objects.filter(client_event_id__in=misread_ids).exclude(photo="").order_by("captured_at", "pk")
    )
    for read in misread_reads[:-1]:
        plate, country = true_plate[read.client_event_id]
        review.read_label(read=read, by=reviewer, plate=plate, country=country or "IR", note="demo")
        labelled += 1
    # 7. A gate photo no reader can read (a plate crop too small and blurred to hold a character): it waits for
    #    a person in the queue's «not read» tab.
    import cv2

    gate = all_cams[0]
    ok, blank = cv2.imencode(".jpg", np.full((12, 60, 3), 128, np.uint8))
    if ok:
        item = ingest.ReadInput(
            captured_at=now - dt.timedelta(minutes=25),
            client_event_id=f"demo-{gate.code}-unread",
            photo=blank.tobytes(),
        )
        for one in ingest.reads_ingest(camera=gate, items=[item], match_inline=True):
            if one.read is not None:
                services.read_recognise(read_id=one.read.id)
    # 8. At the destination a person said a gate read one look-alike character off a truck's plate was not that
    #    truck: the read contradicts the declaration's plate (the queue's «contradicts» tab).
    for d in lingering:
        text = _misread(d.vehicle.plate) if d.vehicle_country == "IR" else ""
        if not text:
            continue
        cam = cameras[d.destination_id]["in"]
        item = ingest.ReadInput(
            captured_at=now - dt.timedelta(minutes=35), plate_raw=text, client_event_id=f"demo-{cam.code}-rejected"
        )
        ids = [r.read.id for r in ingest.reads_ingest(camera=cam, items=[item], match_inline=True) if r.read]
        fuzzy = PlateMatch.objects.filter(read_id__in=ids, declaration=d, exact=False, review="").first()
        if fuzzy is not None:
            match_review.match_review(match=fuzzy, by=reviewer, decision=MatchReview.REJECTED, note="demo")
            break
    checked = health.cameras_check_health(now=now)
    return {
        "cameras": len(all_cams),
        "cameras_silent": checked["silent"],
        "plate_reads": PlateRead.objects.count(),
        "plate_reads_with_photo": PlateRead.objects.exclude(photo="").count(),
        "plate_reads_recognised": len(to_recognise),
        "plate_reads_labelled": labelled,
    }


def foreign_trucks_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    """Sightings of the demo's foreign trucks (``declarations.demo.FOREIGN_SCENARIOS``) that the permit
    checks judge (``declarations.permit_checks``): one off its permitted route at another border, one
    driving beyond the daily limit, one unseen too long with no TIR park stay, one resting at the TIR
    park of Tabriz whose camera records its entry and exit. Posted through the same ingest as a camera.

    The park's camera is made as ``anpr_demo`` makes the others: lane 1, a fresh read of a passing truck, then the
    health check; every read with the reader's confidence. Its own random draws (``local``), so that the steps
    after this one draw what they drew before."""
    from declarations.demo import FOREIGN_SERIAL
    from declarations.models import TirPark

    it = demo_staff("it", "it")
    local = np.random.default_rng(90061)
    cams = {
        c.office.code: c for c in Camera.objects.filter(direction="in", tir_park__isnull=True).select_related("office")
    }
    trucks = {
        d.serial.removeprefix(FOREIGN_SERIAL): d
        for d in TransitDeclaration.objects.filter(
            serial__startswith=FOREIGN_SERIAL, status=Status.IN_TRANSIT
        ).select_related("vehicle")
    }
    counts = {"tir_parks": 0, "foreign_sightings": 0}
    tabriz = CustomsOffice.objects.filter(code="TBZ").first()
    park_cam = None
    if tabriz is not None:
        lat, lon = LOCATIONS["TBZ"]
        park = TirPark.objects.filter(office=tabriz).first() or TirPark.objects.create(
            name="تیرپارک تبریز", office=tabriz, latitude=Decimal(str(lat + 0.03)), longitude=Decimal(str(lon - 0.05))
        )
        counts["tir_parks"] = TirPark.objects.count()
        park_cam = Camera.objects.filter(tir_park=park).first()
        if park_cam is None:
            park_cam, _token = services.camera_register(
                office=tabriz,
                code="TBZ-TIR-1",
                direction="in",
                lane="1",
                model_name="Demo ANPR 4MP",
                by=it,
                tir_park=park,
            )
    plan = {
        "OFFROUTE": [("BZG", 0.2), ("SRO", 26)],
        "DRIVING": [("BZG", 0.2), ("TBZ", 4.2), ("THR", 11.2)],
        "UNSEEN": [("BZG", 0.2), ("TBZ", 45)],
        "TIRPARK": [("BZG", 0.2), ("TIR", 5), ("TIR", 17), ("TBZ", 17.5)],
    }
    for name, reads in plan.items():
        d = trucks.get(name)
        if d is None or d.departed_at is None:
            continue
        for n, (where, hours) in enumerate(reads):
            camera = park_cam if where == "TIR" else cams.get(where)
            at = d.departed_at + dt.timedelta(hours=hours)
            if camera is None or at > now:
                continue
            item = ingest.ReadInput(
                captured_at=at,
                plate_raw=d.vehicle.plate,
                country=d.vehicle_country,
                confidence=round(float(local.uniform(0.82, 0.99)), 2),
                client_event_id=f"demo-ft-{name}-{n}",
            )
            with transaction.atomic():
                ingest.reads_ingest(camera=camera, items=[item], match_inline=True)
            counts["foreign_sightings"] += 1
    if park_cam is not None:  # a passing truck minutes ago, as every demo camera but the silent few (``anpr_demo``)
        item = ingest.ReadInput(
            captured_at=now - dt.timedelta(minutes=float(local.uniform(1, 50))),
            plate_raw=_random_plate(local),
            country="IR",
            confidence=round(float(local.uniform(0.82, 0.99)), 2),
            client_event_id=f"demo-{park_cam.code}-passing",
        )
        with transaction.atomic():
            ingest.reads_ingest(camera=park_cam, items=[item], match_inline=True)
        health.cameras_check_health(now=now)
    return counts
