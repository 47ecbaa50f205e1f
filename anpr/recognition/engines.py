"""OCR engines behind one interface: ``plate_crnn`` (default), ``easyocr``, ``tesseract``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import cast

import cv2
import numpy as np

from anpr.recognition import localise as loc
from anpr.recognition.decode import decode_plate, greedy, quick_score, rescore
from anpr.recognition.foreign import (
    COUNTRY_FORMS,
    IRANIAN_DS,
    IRANIAN_OTHER,
    PLATE_CLASSES,
    TYPE_NAMES,
    latin_score,
)
from anpr.recognition.nationality import (
    MIN_ASPECT,
    NOT_IRANIAN_FORM,
    NOT_ONE_LINE,
    NUDGE_FRAMES,
    NUDGES,
    not_iranian,
    one_off_form,
    reframe,
    vote,
)
from declarations.plates import PlateError, canonical_plate, normalise_text

DEFAULT_ENGINE = "plate_crnn"


def setting(name: str, default=None):
    """A Django setting, or ``default`` when Django or its settings are not configured.

    The one dynamic ``getattr(settings, ...)``: the engines also run without Django (training,
    benchmarks). Every name read here is declared in transit_monitor/settings.py."""
    try:
        from django.conf import settings

        return getattr(settings, name, default)
    except Exception:  # ImproperlyConfigured, ImportError, …
        return default


@dataclass
class Reading:
    raw_text: str
    # Canonical plate: Iranian ("59د16913"), or a foreign plate's letters and digits ("34ABC123") when
    # ``country`` is not IR; '' if nothing was read.
    plate: str
    confidence: float  # 0..1
    engine: str
    box: tuple[int, int, int, int] | None = None
    crop: np.ndarray | None = field(default=None, repr=False)
    # Why no text is given although a plate was found: it is not an Iranian plate (a person reads it).
    not_iranian: str = ""
    # The plate-type classifier's class (anpr.recognition.foreign.PLATE_CLASSES: "ir", "ir_free_zone",
    # "ir_motorcycle", "ir_old", "ir_diplomatic_service" or a country code) and its probability; "" when no
    # classifier ran.
    plate_type: str = ""
    type_confidence: float = 0.0
    # ISO 3166-1 alpha-2 nationality of ``plate`` ("IR" for Iranian plates), '' when nothing was read.
    country: str = ""
    # Why a person must read or confirm the plate (an Iranian layout not read, a doubtful foreign read).
    deferred: str = ""
    # A plate of the standard Iranian layout not given as read: the characters the reader read steadily, each
    # other place "?" ("59?169??"), for the person who reads it; '' when a plate is given or too few are steady.
    partial: str = ""

    @property
    def review_reason(self) -> str:
        """Non-empty when the read waits for a person (not Iranian, or deferred)."""
        return self.deferred or self.not_iranian

    @property
    def plate_with_country(self) -> str:
        """The canonical form that keeps the country: Iranian plates as they are, foreign ``TR:34ABC123``."""
        if not self.plate or self.country in ("", "IR"):
            return self.plate
        return f"{self.country}:{self.plate}"


def _canonical(text: str) -> str:
    try:
        return canonical_plate(text)
    except PlateError:
        return ""


def _canonical_foreign(text: str, country: str) -> str:
    try:
        return canonical_plate(text, country)
    except PlateError:
        return ""


# The Iranian read is voted between the crop's own read and the seven nudged reads the nationality check
# makes anyway (a first digit cut by a tight crop, a 3 that reads 4 in one framing); figures in
# docs/anpr-recognition.md.
VOTE_NUDGED = False
# Test-time augmentation (empty: off). Framings of a crop read as Iranian that are read besides the crop
# itself, each (left, right, top, bottom) as shares of the crop's size (positive: padded with its edge
# pixels, negative: trimmed; nationality.reframe); the plate is the read with the highest CTC
# log-likelihood summed over the crop and its framings (decode.rescore, as for an ensemble's members).
# A framing that is one of the nationality check's nudges (nationality.NUDGE_FRAMES) reuses that read (no
# extra forward pass); any other costs one forward pass, and one per further ensemble member.
TTA: tuple[tuple[float, float, float, float], ...] = ()
# A crop of Iranian form that the nudged reads refuse is still read as Iranian when the type classifier
# gives the Iranian layout at least this probability.
TRUST_TYPE = 0.9

# A crop whose unconstrained read is one character off the Iranian form (the check's form test) is read as
# Iranian when the type classifier gives the Iranian layout at least TRUST_TYPE and the nudged crops read its
# grammar read steadily (nationality.one_off_form): the held-out refusals of real plates were nearly all such
# reads, a thin ۱ or a doubled digit lost (docs/benchmarks.md, issue 16 §2 eleventh pass).
ONE_OFF_FORM = True

# A foreign read below this (reader confidence × classifier probability) waits for a person.
FOREIGN_MIN_CONFIDENCE = 0.5
# A foreign read of digits only (Afghan and Iraqi numeric forms, which any row of digits fits, such as a
# free-zone plate's number) also needs its country's type probability at least this.
NUMERIC_MIN_TYPE = 0.5

# Guards on a read the nationality check accepts (the check alone let a model with the D and S classes
# give Iranian text to rendered foreign plates in photos, and the shipped model gives diplomatic and service
# plates another plate's text; docs/benchmarks.md, issue 16 §2 eighth pass). Each sends the crop on as not
# Iranian, to the classifier's routing or to a person:
# - a crop of the standard layout that the classifier gives the diplomatic/service layout at least TRUST_DS
#   (D/S differ from it by one letter) waits for a person, and no read with a Latin D or S (which a foreign
#   plate's letters also fit) is given;
TRUST_DS = 0.1
# - a crop whose most probable type is a foreign country or another Iranian layout (free-zone, motorcycle,
#   older) is not read as Iranian, at any probability of at least DISTRUST_CHECK: 0, since rendered Latin plates
#   that the check accepted were found with a foreign type below 0.5, while every real Iranian dev crop has
#   the Iranian layout on top (docs/benchmarks.md, issue 16 §2 tenth pass, rule 3);
DISTRUST_CHECK = 0.0
# - a crop smaller than this (px, height and width) is too small to be read at all, as Iranian or foreign
#   (the smallest real plate box read in the dev photos is 31 × 113 px).
MIN_CROP = (20, 80)
TOO_SMALL = "crop of {w} × {h} px is too small to read"
LATIN_LETTER_READ = "read with a Latin letter (a diplomatic or service plate): a person reads it"


# A photo whose boxes are neither Iranian nor foreign goes to a person with another Iranian layout named when
# the classifier gives one of its boxes that layout at least this probability (read_image).
LAYOUT_MIN_TYPE = 0.5

# A photo whose plate-shaped boxes are neither Iranian, foreign nor another layout: boxes of a two-line plate's
# shape are looked at for a motorcycle plate to name (read_image; docs/benchmarks.md, issue 16 §2 eleventh pass).
TWO_LINE_BOXES = True
# ... and when the refused box is taken for the standard layout, only a two-line box holding this share of it.
TWO_LINE_COVER = 0.5

# A photo at most this high and of a plate's shape (at least nationality.MIN_ASPECT times wider than high) is
# the plate's crop, as some cameras send it: it is read as one first (read_image).
CROP_PHOTO_MAX_H = 400
# A photo whose plate-shaped boxes are all refused, or whose best box reads as a foreign number or is named another
# layout, is searched for a free-zone plate's zone strip (a wide coloured block with a light plate to its right),
# whose box the classifier may then name (docs/benchmarks.md, issue 16 §2 twelfth pass).
ZONE_STRIP_BOXES = True
# A photo at most CROP_PHOTO_MAX_H high of a two-line plate's shape in which no text is read is also read as a
# motorcycle plate's crop, which wins when it names that layout (read_image; same pass).
TWO_LINE_CROP_PHOTOS = True

# A crop of the standard layout that is not given as read (refused by the check or a guard, or named a diplomatic or
# service plate) shows the person who reads it the places its reads agree on: the crop's grammar read at a peak
# probability of at least PARTIAL_MIN_PEAK, read the same in all seven nudged framings (a D or S never shown: the
# letter a D/S plate differs by). Shown only when at least PARTIAL_MIN_CHARS places are; never given as the plate.
PARTIAL_READS = True
PARTIAL_MIN_PEAK = 0.9
PARTIAL_MIN_CHARS = 4

# Boxes tried after a refused best box (read_image); each costs one read with the nationality check.
ALTERNATIVES = 3


# (dx, dy, sw, sh) of the tighter boxes tried inside a refused box, as shares of its size.
TIGHTER = (
    (0.075, 0.1, 0.85, 0.8), (0.15, 0.1, 0.7, 0.8), (0.25, 0.0, 0.75, 1.0), (0.0, 0.0, 0.75, 1.0),
    *((dx, dy, 0.5, 0.5) for dx in (0.0, 0.125, 0.25, 0.375, 0.5) for dy in (0.2, 0.35, 0.5)),
)  # fmt: skip


def _tighter(img_bgr, best) -> list:
    x, y, w, h = best.box
    out = []
    for dx, dy, sw, sh in TIGHTER:
        box = (int(x + dx * w), int(y + dy * h), int(w * sw), int(h * sh))
        crop = loc.cut(img_bgr, box, best.angle)
        if crop is not None:
            out.append(loc.Candidate(box, best.angle, 0.0, best.source + "-", crop))
    return out


def _distinct(ranked, best) -> list:
    """Candidates after ``best`` that overlap neither it nor each other much (IoU < 0.5)."""
    kept = [best]
    for c in ranked:
        if c.crop is not None and all(loc.iou(c.box, k.box) < 0.5 for k in kept):
            kept.append(c)
    return kept[1:]


class Engine:
    name = "base"
    available = False
    unavailable_reason = ""

    def _unavailable(self, img=None) -> Reading:
        return Reading("", "", 0.0, self.name, None, img)

    def read_crop(self, img_bgr: np.ndarray) -> Reading:
        raise NotImplementedError

    def score_crops(self, crops: list[np.ndarray]) -> list[float] | None:
        """Read confidence per crop, used to choose among localisation candidates (None = no scorer)."""
        return None

    def read_image(self, img_bgr: np.ndarray, region=None) -> Reading:
        """Localise the plate in a vehicle photo (optionally within a fixed camera region), then read it."""
        if not self.available:
            return self._unavailable()
        r = self._read_photo(img_bgr, region)
        h, w = img_bgr.shape[:2]
        named = not r.plate and bool(r.deferred)
        if (
            TWO_LINE_CROP_PHOTOS
            and not r.plate
            and region is None
            and h <= CROP_PHOTO_MAX_H
            and loc.TWO_LINE_ASPECT[0] * h <= w <= loc.TWO_LINE_ASPECT[1] * h
        ):
            # No text in a small photo of a two-line plate's shape, or a layout named from a part of it: a
            # motorcycle plate's crop sent as the photo, which localising cuts into parts. The crop read of the whole
            # photo is kept only when it names that layout (over a part already named, more surely). It comes after
            # the search, not before: read first, it named small photos of cars a motorcycle plate.
            crop = self.read_crop(img_bgr)
            if (
                not crop.plate
                and crop.deferred
                and crop.plate_type == "ir_motorcycle"
                and crop.type_confidence >= TRUST_TYPE
                and (not named or crop.type_confidence > r.type_confidence)
            ):
                crop.box, crop.crop = (0, 0, w, h), img_bgr
                return crop
        if not r.plate and not r.partial and r.crop is not None and r.review_reason:
            r.partial = self.partial_of(r)
        return r

    def partial_of(self, r: Reading) -> str:
        """The steady places of a refused read's crop (``Reading.partial``), '' when the engine gives none."""
        return ""

    def _read_photo(self, img_bgr: np.ndarray, region) -> Reading:
        h, w = img_bgr.shape[:2]
        if region is None and h <= CROP_PHOTO_MAX_H and w >= MIN_ASPECT * h:
            # A camera that sends the plate's crop as its photo: read as a crop (localising inside a crop finds
            # parts of the plate); when that gives nothing, the photo is localised as any other.
            r = self.read_crop(img_bgr)
            if r.plate or r.deferred:
                r.box, r.crop = (0, 0, w, h), img_bgr
                return r
        seen: dict = {}
        scorer = self._scorer(seen)
        ranked: list[loc.Candidate] = []
        best = loc.localise(img_bgr, region, scorer=scorer, ranked=ranked, confident=loc.CONFIDENT)
        if best is None or best.crop is None:
            return (
                self._zone_strip(img_bgr, region, seen)
                or self._two_line(img_bgr, region, seen)
                or Reading("", "", 0.0, self.name, None, None)
            )
        r = self._read_scored(best.crop, seen)
        r.box, r.crop = best.box, best.crop
        if r.plate and r.country not in ("", "IR") and scorer is not None:
            # A foreign read of the best box: a free-zone plate's number, boxed without its zone strip, reads as
            # an Afghan or Iraqi one. A zone-strip box the classifier calls free-zone is the plate.
            return self._zone_strip(img_bgr, region, seen) or r
        if r.deferred and r.plate_type in (*IRANIAN_OTHER, IRANIAN_DS) and r.plate_type != "ir_free_zone":
            # ... or half of it named another layout: the zone-strip box wins when the classifier is surer of it.
            zone = self._zone_strip(img_bgr, region, seen)
            if zone is not None and zone.type_confidence > r.type_confidence:
                return zone
        if r.not_iranian and scorer is not None:
            # The most plate-like box is refused as not Iranian: a box twice the plate's size, or a lamp or
            # badge put first on a night photo. Tighter boxes inside it and the next distinct boxes are
            # scored; the best few are read, and an accepted Iranian read wins. Otherwise the first box
            # stands (a foreign plate is read from it).
            tight = _tighter(img_bgr, best)
            alts = [*tight, *_distinct(ranked, best)[:3]]
            scores = scorer([c.crop for c in alts])
            for _, c in sorted(zip(scores, range(len(alts))), reverse=True)[:ALTERNATIVES]:
                alt = self._read_scored(alts[c].crop, seen)
                if alt.plate and not alt.review_reason:
                    alt.box, alt.crop = alts[c].box, alts[c].crop
                    return alt
            # A free-zone plate, found by its zone strip (its digits alone are often boxed as half a plate and
            # taken for a foreign number): to a person with its layout named, before any foreign read.
            zone = self._zone_strip(img_bgr, region, seen)
            if zone is not None:
                return zone
            # Not Iranian anywhere: the box that looks most like a foreign plate (type classifier × Latin
            # reader) is read as one, when the engine has them.
            pick = self._foreign_pick([best, *tight[:4], *_distinct(ranked, best)[:5]])
            if pick is not None and pick is not best and pick.crop is not None:
                alt = self._read_scored(pick.crop, seen)
                if alt.plate and alt.country not in ("", "IR") and (not r.plate or alt.confidence > r.confidence):
                    alt.box, alt.crop = pick.box, pick.crop
                    return alt
            # Nor foreign: a box the classifier gives another Iranian layout (a motorcycle plate's two lines,
            # a free-zone or older plate, a diplomatic one) goes to a person with its layout named, and the
            # person sees that box rather than the refused one.
            other = self._layout_pick([best, *tight[:4], *_distinct(ranked, best)[:5]])
            if other is None:
                # A refused box the classifier takes for the standard layout is the car's plate, or one row of a
                # motorcycle plate: then only a two-line box around it is looked at (elsewhere in the photo a
                # mirror or a lamp can look like a motorcycle plate).
                around = best.box if self._classify(best.crop)[0] == "ir" else None
                return self._two_line(img_bgr, region, seen, around) or r
            if other is not None and other is not best and other.crop is not None:
                alt = self._read_scored(other.crop, seen)
                if alt.deferred and alt.plate_type in (*IRANIAN_OTHER, IRANIAN_DS):
                    alt.box, alt.crop = other.box, other.crop
                    return alt
        return r

    def _two_line(self, img_bgr: np.ndarray, region, seen: dict, around=None) -> Reading | None:
        """A photo none of whose plate-shaped boxes is Iranian, foreign or another layout: a box of a two-line
        plate's shape, which the plate-shaped candidates leave out, named as a motorcycle plate for the person
        who reads it (nothing is read from it), or None. ``around``: only a box holding most of that one."""
        if not TWO_LINE_BOXES:
            return None
        boxes = loc.two_line_candidates(img_bgr, region)
        if around is not None:
            boxes = [c for c in boxes if loc.covers(c.box, around) >= TWO_LINE_COVER]
        pick = self._layout_pick(boxes, kinds=("ir_motorcycle",))
        if pick is None or pick.crop is None:
            return None
        r = self._read_scored(pick.crop, seen)
        if not (r.deferred and r.plate_type == "ir_motorcycle"):
            return None
        r.box, r.crop = pick.box, pick.crop
        return r

    def _zone_strip(self, img_bgr: np.ndarray, region, seen: dict) -> Reading | None:
        """A photo whose plate-shaped boxes are refused: a box found from a free-zone plate's zone strip
        (:func:`localise.zone_strip_candidates`) that the classifier calls a free-zone plate, named as one for the
        person who reads it (nothing is read from it), or None."""
        if not ZONE_STRIP_BOXES:
            return None
        pick = self._layout_pick(loc.zone_strip_candidates(img_bgr, region), kinds=("ir_free_zone",))
        if pick is None or pick.crop is None:
            return None
        r = self._read_scored(pick.crop, seen)
        if not (r.deferred and r.plate_type == "ir_free_zone"):
            return None
        r.box, r.crop = pick.box, pick.crop
        return r

    def _scorer(self, seen: dict) -> loc.Scorer | None:
        """The scorer of one photo's candidate boxes (None: the engine has none). ``seen`` is that photo's
        memo: an engine may keep there what scoring computed, for :meth:`_read_scored`."""
        if self.score_crops([]) is None:  # an engine that scores returns a list for every input
            return None
        return cast(loc.Scorer, self.score_crops)

    def _read_scored(self, crop: np.ndarray, seen: dict) -> Reading:
        """``read_crop`` of a crop the scorer may have seen (``seen``: see :meth:`_scorer`)."""
        return self.read_crop(crop)

    def _foreign_pick(self, cands: list) -> loc.Candidate | None:
        """The candidate most like a foreign plate, or None when the engine cannot tell."""
        return None

    def _classify(self, img_bgr: np.ndarray) -> tuple[str, float]:
        """The plate type of a crop and its probability (('', 0.0): the engine cannot tell)."""
        return "", 0.0

    def _layout_pick(self, cands: list, kinds: tuple[str, ...] | None = None) -> loc.Candidate | None:
        """The candidate most like another Iranian layout (of ``kinds``, default: any), or None (none likely,
        or the engine cannot tell)."""
        return None

    def read_foreign(self, img_bgr: np.ndarray) -> Reading:
        """Latin-script (foreign) plate crop: routed to easyocr English when it is installed."""
        eng = get_engine("easyocr")
        if not eng.available:
            r = Reading("", "", 0.0, "easyocr")
            return r
        return eng.read_foreign(img_bgr)


class PlateCRNNEngine(Engine):
    """The project's CRNN (ONNX), trained on synthetic + real Iranian plates."""

    name = "plate_crnn"

    def __init__(
        self,
        weights: str | None = None,
        type_weights: str | None = None,
        latin_weights: str | None = None,
        extra_weights: list[str] | None = None,
        scorer_weights: str | None = None,
    ):
        from anpr.recognition.crnn import DEFAULT_WEIGHTS, ENSEMBLE_WEIGHTS, SCORER_WEIGHTS, load_model
        from anpr.recognition.foreign import load_foreign_reader, load_type_model

        path = weights or setting("ANPR_CRNN_WEIGHTS", None) or DEFAULT_WEIGHTS
        if extra_weights is None:  # the shipped ensemble goes with the shipped weights only
            shipped = os.path.exists(path) and os.path.samefile(path, DEFAULT_WEIGHTS)
            extra_weights = [str(p) for p in ENSEMBLE_WEIGHTS] if shipped else []
            if shipped and SCORER_WEIGHTS is not None:
                scorer_weights = scorer_weights or str(SCORER_WEIGHTS)
        self.available, self.unavailable_reason, self.model = False, "", None
        # A smaller model that scores the candidate boxes of a photo, when the reader is too slow to score
        # them all (None: the reader scores them, and its output for the chosen box is its read).
        self.scorer = None
        # Ensemble members after the first: they only re-read the crop that is read as Iranian (the first
        # model alone scores boxes and makes the nationality check).
        self.extras: list = []
        # Optional: without them every non-Iranian crop is refused as before (a person reads it).
        try:
            self.types = load_type_model(type_weights or setting("ANPR_TYPE_WEIGHTS", None))
            self.latin = load_foreign_reader(latin_weights or setting("ANPR_LATIN_WEIGHTS", None))
        except Exception:  # a corrupt optional model must not take the Iranian reader down
            self.types = self.latin = None
        if not os.path.exists(path):
            self.unavailable_reason = f"plate_crnn weights not found at {path}"
            return
        try:
            self.model = load_model(path)
            self.extras = [load_model(p) for p in extra_weights]
            self.scorer = load_model(scorer_weights) if scorer_weights else None
            self.available = True
        except Exception as e:  # corrupt file, onnxruntime missing
            self.unavailable_reason = f"cannot load plate_crnn weights {path}: {e}"

    def score_crops(self, crops):
        if not crops:
            return []
        return [quick_score(lp) for lp in (self.scorer or self.model).logp(crops)]

    def _scorer(self, seen: dict) -> loc.Scorer:
        # The model's output for each crop scored is kept (with the crop, so its id stays its own) and not
        # computed again: the chosen box is then read, and a refused box's next boxes rescored, without
        # running the model on them a second time. Exact: onnxruntime gives a crop the same output
        # whichever batch it is in (tests/anpr/test_recognition_speed.py).
        assert self.model is not None
        model = self.scorer or self.model

        def score(crops: list[np.ndarray]) -> list[float]:
            todo = [c for c in crops if id(c) not in seen]
            if todo:
                for c, lp in zip(todo, model.logp(todo)):
                    seen[id(c)] = (c, lp, quick_score(lp))
            return [seen[id(c)][2] for c in crops]

        return score

    def _read_scored(self, crop: np.ndarray, seen: dict) -> Reading:
        if self.scorer is not None:  # the scorer's output is not the reader's
            return self.read_crop(crop, partial=False)
        hit = seen.get(id(crop))
        return self.read_crop(crop, logp=hit[1] if hit is not None and hit[0] is crop else None, partial=False)

    def read_crop(self, img_bgr: np.ndarray, logp: np.ndarray | None = None, partial: bool = True) -> Reading:
        """Read one crop; ``logp``: the model's output for it when already computed (the box scorer's);
        ``partial``: a refused crop of the standard layout gets its steady places (off for the boxes a photo's
        search tries: read_image gives them to the box it returns)."""
        if not self.available or self.model is None:  # available: the model loaded
            return self._unavailable(img_bgr)
        h, w = img_bgr.shape[:2]
        if h < MIN_CROP[0] or w < MIN_CROP[1]:  # Iranian or foreign, nothing is read on so few pixels
            return Reading("", "", 0.0, self.name, None, img_bgr, not_iranian=TOO_SMALL.format(w=w, h=h))
        if logp is None:
            logp = self.model.logp([img_bgr])[0]
        text, conf, peaks = decode_plate(logp)
        nudged: list[np.ndarray] = []
        reason = not_iranian(self.model, img_bgr, logp, text, nudged)
        kind, kind_p = self._classify(img_bgr)
        if reason == NOT_IRANIAN_FORM and ONE_OFF_FORM and kind == "ir" and kind_p >= TRUST_TYPE:
            # Its own nudged reads: a one-off read that the nudges do not confirm stays refused as not of the
            # form (it must not reach the TRUST_TYPE override below, which would accept it unconfirmed).
            one_off: list[np.ndarray] = []
            if not one_off_form(self.model, img_bgr, logp, text, one_off):
                reason = ""
                nudged.extend(one_off)
        if not reason and nudged and VOTE_NUDGED:
            text, conf = vote([logp, *nudged])
        if reason and nudged and kind == "ir" and kind_p >= TRUST_TYPE and _canonical(text):
            # Of Iranian form, refused only because nudged reads disagree (a dirty or night plate): the
            # classifier, sure it is the Iranian layout, keeps it Iranian.
            reason = ""
        if not reason:
            reason = self._guard(img_bgr, text, kind, kind_p)
        if not reason and (self.extras or TTA):
            text, conf = rescore(self._reads(img_bgr, logp, nudged), n_decoded=1 + len(self.extras))
        if not reason:
            # The Iranian check (measured on real plates) outranks the classifier (trained on rendered ones).
            plate = _canonical(text)
            return Reading(greedy(logp), plate, conf, self.name, None, img_bgr, plate_type="ir",
                           type_confidence=kind_p if kind == "ir" else 0.0, country="IR" if plate else "")  # fmt: skip
        # The grammar would force some Iranian text onto it: give none; name the plate's type, read a foreign one.
        r = Reading("", "", 0.0, self.name, None, img_bgr, not_iranian=reason, plate_type=kind, type_confidence=kind_p)
        if partial and reason != NOT_ONE_LINE and kind in ("ir", IRANIAN_DS):
            r.partial = self._partial(img_bgr, logp, text, peaks, nudged)
        if kind in IRANIAN_OTHER or kind == IRANIAN_DS:
            r.not_iranian, r.country = "", "IR"
            r.deferred = f"{TYPE_NAMES[kind]}: not read by the reader, a person reads it"
        elif kind in COUNTRY_FORMS and self.latin is not None:
            likely = self._likely_countries(img_bgr)
            raw, country, ftext, fconf = self.latin.read_best(img_bgr, likely)
            fplate = _canonical_foreign(ftext, country)
            r.raw_text, r.not_iranian, r.plate_type = raw, "", country
            r.type_confidence = round(likely.get(country, 0.0), 4)
            r.plate, r.country, r.confidence = fplate, country, round(fconf * sum(likely.values()), 4)
            if (
                not fplate
                or r.confidence < FOREIGN_MIN_CONFIDENCE
                or (fplate.isdigit() and r.type_confidence < NUMERIC_MIN_TYPE)
            ):
                r.plate = ""
                r.deferred = f"foreign plate ({country}) read as '{ftext}' with low confidence: a person confirms it"
        return r

    def partial_of(self, r: Reading) -> str:
        if r.crop is None or not r.crop.size or r.plate_type not in ("ir", IRANIAN_DS) or r.not_iranian == NOT_ONE_LINE:
            return ""
        assert self.model is not None
        logp = self.model.logp([r.crop])[0]
        text, _, peaks = decode_plate(logp)
        return self._partial(r.crop, logp, text, peaks, [])

    def _partial(
        self, img_bgr: np.ndarray, logp: np.ndarray, text: str, peaks: list[float], nudged: list[np.ndarray]
    ) -> str:
        """The places of the grammar read ``text`` that the crop reads surely and every nudged framing the same
        (PARTIAL_READS), each other place "?"; '' when fewer than PARTIAL_MIN_CHARS are."""
        assert self.model is not None
        if not PARTIAL_READS or len(text) != len(peaks) or not text:
            return ""
        if len(nudged) != len(NUDGES):  # refused before the check read its nudged framings
            crops = [c for c in (nudge(img_bgr) for nudge in NUDGES) if c.size]
            nudged = list(self.model.logp(crops)) if len(crops) == len(NUDGES) else []
        if not nudged:
            return ""
        reads = [decode_plate(lp)[0] for lp in nudged]
        steady = [
            ch if p >= PARTIAL_MIN_PEAK and ch not in "DS" and all(len(r) == len(text) and r[k] == ch for r in reads)
            else "?"
            for k, (ch, p) in enumerate(zip(text, peaks, strict=True))
        ]  # fmt: skip
        return "".join(steady) if len(text) - steady.count("?") >= PARTIAL_MIN_CHARS else ""

    def _reads(self, img_bgr: np.ndarray, logp: np.ndarray, nudged: list[np.ndarray]) -> list[np.ndarray]:
        """The outputs rescored for a crop read as Iranian: each model's read of the crop (the first model's
        first), then their reads of the TTA framings (the first model's nudged reads reused where they match).
        The first 1 + len(extras) are the crop's own reads (decode.rescore's ``n_decoded``)."""
        assert self.model is not None
        framed = [c for c in (reframe(img_bgr, f) for f in TTA) if c.size]
        own: list[np.ndarray] = [logp]
        views: list[np.ndarray] = []
        reuse = len(nudged) == len(NUDGE_FRAMES) and len(framed) == len(TTA)
        todo = [c for f, c in zip(TTA, framed) if not (reuse and f in NUDGE_FRAMES)] if reuse else framed
        if reuse:
            views.extend(nudged[NUDGE_FRAMES.index(f)] for f in TTA if f in NUDGE_FRAMES)
        if todo:
            views.extend(self.model.logp(todo))
        for m in self.extras:
            lps = m.logp([img_bgr, *framed])
            own.append(lps[0])
            views.extend(lps[1:])
        return [*own, *views]

    def _foreign_pick(self, cands: list) -> loc.Candidate | None:
        cands = [c for c in cands if c.crop is not None and c.crop.size]
        if self.types is None or self.latin is None or not cands:
            return None
        crops = [c.crop for c in cands]
        foreign = np.array([c in COUNTRY_FORMS for c in PLATE_CLASSES])
        p_foreign = self.types.probs(crops)[:, foreign].sum(axis=1)
        latin = np.array([latin_score(lp) for lp in self.latin.logp(crops)])
        return cands[int(np.argmax(p_foreign * latin))]

    def _layout_pick(self, cands: list, kinds: tuple[str, ...] | None = None) -> loc.Candidate | None:
        cands = [c for c in cands if c.crop is not None and c.crop.size]
        if self.types is None or not cands:
            return None
        cols = [PLATE_CLASSES.index(k) for k in (kinds or (*IRANIAN_OTHER, IRANIAN_DS))]
        p = self.types.probs([c.crop for c in cands])[:, cols].max(axis=1)
        best = int(np.argmax(p))
        return cands[best] if p[best] >= LAYOUT_MIN_TYPE else None

    def _likely_countries(self, img_bgr: np.ndarray, top: int = 3) -> dict[str, float]:
        """The ``top`` most probable countries with their classifier probabilities."""
        assert self.types is not None
        p = self.types.probs([img_bgr])[0]
        ranked = sorted((float(p[i]), c) for i, c in enumerate(PLATE_CLASSES) if c in COUNTRY_FORMS)[::-1]
        return {c: q for q, c in ranked[:top]}

    def read_foreign(self, img_bgr: np.ndarray) -> Reading:
        """A crop known to be foreign: the Latin reader under the most likely country's forms (easyocr
        when the Latin reader or the classifier is not shipped)."""
        if self.types is None or self.latin is None:
            return super().read_foreign(img_bgr)
        likely = self._likely_countries(img_bgr)
        raw, country, text, conf = self.latin.read_best(img_bgr, likely)
        plate = _canonical_foreign(text, country)
        return Reading(raw, plate, round(conf * sum(likely.values()), 4) if plate else 0.0, self.name, None, img_bgr,
                       plate_type=country, type_confidence=round(likely.get(country, 0.0), 4),
                       country=country if plate else "")  # fmt: skip

    @staticmethod
    def _guard(img_bgr: np.ndarray, text: str, kind: str, kind_p: float) -> str:
        """Why a read the nationality check accepts is still not given as Iranian ('' when it is)."""
        if kind in COUNTRY_FORMS and kind_p >= DISTRUST_CHECK:
            return f"the plate type classifier gives a {kind} plate ({kind_p:.2f})"
        if kind in IRANIAN_OTHER and kind_p >= DISTRUST_CHECK:
            return f"the plate type classifier gives another Iranian layout ({kind_p:.2f})"
        if kind == IRANIAN_DS:
            return f"the plate type classifier gives a diplomatic or service plate ({kind_p:.2f})"
        if any(c in text for c in "DS"):
            return LATIN_LETTER_READ
        return ""

    def _classify(self, img_bgr: np.ndarray) -> tuple[str, float]:
        if self.types is None:
            return "", 0.0
        kind, p, probs = self.types.classify(img_bgr)
        if kind == "ir" and (p_ds := float(probs[PLATE_CLASSES.index(IRANIAN_DS)])) >= TRUST_DS:
            kind, p = IRANIAN_DS, p_ds  # one letter from the standard layout: a small share is enough
        return kind, round(p, 4)


class EasyOCREngine(Engine):
    """easyocr (Persian + English), weights only from ``settings.ANPR_EASYOCR_MODEL_DIR``; never downloads."""

    name = "easyocr"
    # Files easyocr needs for detection + the Persian (Arabic-script) and English recognisers.
    NEEDED = ("craft_mlt_25k.pth", "arabic.pth")

    def __init__(self, model_dir: str | None = None):
        self.reader = self.reader_en = None
        self.available = False
        self.model_dir = (
            model_dir or setting("ANPR_EASYOCR_MODEL_DIR", None) or os.environ.get("ANPR_EASYOCR_MODEL_DIR")
        )
        try:
            import easyocr  # optional, not in requirements
        except Exception as e:
            self.unavailable_reason = f"easyocr is not installed ({e.__class__.__name__}); pip install easyocr"
            return
        if not self.model_dir or not os.path.isdir(self.model_dir):
            self.unavailable_reason = (
                "easyocr weights directory not set or missing: set ANPR_EASYOCR_MODEL_DIR to a folder holding "
                + ", ".join(self.NEEDED)
                + " (downloads are disabled)"
            )
            return
        missing = [f for f in self.NEEDED if not os.path.exists(os.path.join(self.model_dir, f))]
        if missing:
            self.unavailable_reason = f"easyocr weights missing in {self.model_dir}: {', '.join(missing)}"
            return
        try:
            self.reader = easyocr.Reader(
                ["fa", "en"], gpu=False, model_storage_directory=self.model_dir, download_enabled=False, verbose=False
            )
            self.available = True
        except Exception as e:
            self.unavailable_reason = f"easyocr failed to load from {self.model_dir}: {e}"

    def read_crop(self, img_bgr):
        if not self.available:
            return self._unavailable(img_bgr)
        res = self.reader.readtext(img_bgr)
        res.sort(key=lambda r: min(p[0] for p in r[0]))
        raw = "".join(r[1] for r in res)
        conf = float(np.mean([r[2] for r in res])) if res else 0.0
        try:
            text = normalise_text(raw)
        except PlateError:
            text = ""
        return Reading(raw, _canonical(text), conf, self.name, None, img_bgr)

    def read_foreign(self, img_bgr):
        if not self.available:
            return self._unavailable(img_bgr)
        if self.reader_en is None:
            import easyocr

            self.reader_en = easyocr.Reader(
                ["en"], gpu=False, model_storage_directory=self.model_dir, download_enabled=False, verbose=False
            )
        res = self.reader_en.readtext(img_bgr, allowlist="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        res.sort(key=lambda r: min(p[0] for p in r[0]))
        raw = "".join(r[1] for r in res).upper()
        conf = float(np.mean([r[2] for r in res])) if res else 0.0
        return Reading(raw, "", conf, self.name, None, img_bgr)


class TesseractEngine(Engine):
    """Tesseract with the Persian (fas) model via the ``tesseract`` binary, if installed."""

    name = "tesseract"

    def __init__(self):
        self.binary = shutil.which("tesseract")
        self.available = False
        if not self.binary:
            self.unavailable_reason = "tesseract binary not found (apt-get install tesseract-ocr tesseract-ocr-fas)"
            return
        try:
            langs = subprocess.run(  # noqa: S603 - fixed binary from PATH, fixed args
                [self.binary, "--list-langs"], capture_output=True, text=True, timeout=10
            ).stdout
        except Exception as e:
            self.unavailable_reason = f"tesseract not usable: {e}"
            return
        if "fas" not in langs.split():
            self.unavailable_reason = "tesseract Persian model missing (apt-get install tesseract-ocr-fas)"
            return
        self.available = True

    def read_crop(self, img_bgr):
        if not self.available:
            return self._unavailable(img_bgr)
        gray = cv2.cvtColor(img_bgr, cv2.COLOR_BGR2GRAY) if img_bgr.ndim == 3 else img_bgr
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            cv2.imwrite(f.name, gray)
            out = subprocess.run(  # noqa: S603 - fixed binary, our own temp file
                [self.binary, f.name, "stdout", "-l", "fas", "--psm", "7"], capture_output=True, text=True, timeout=30
            ).stdout
        try:
            text = normalise_text(out)
        except PlateError:
            text = ""
        return Reading(out.strip(), _canonical(text), 0.5 if _canonical(text) else 0.0, self.name, None, img_bgr)


class UnknownEngine(Engine):
    def __init__(self, name: str):
        self.name = name
        self.available = False
        self.unavailable_reason = f"unknown ANPR engine '{name}' (choose plate_crnn, easyocr or tesseract)"

    def read_crop(self, img_bgr):
        return self._unavailable(img_bgr)


ENGINES = {"plate_crnn": PlateCRNNEngine, "easyocr": EasyOCREngine, "tesseract": TesseractEngine}
_INSTANCES: dict[str, Engine] = {}


def get_engine(name: str | None = None) -> Engine:
    """The engine named (default ``settings.ANPR_ENGINE`` or ``plate_crnn``), created once per process."""
    name = name or setting("ANPR_ENGINE", DEFAULT_ENGINE) or DEFAULT_ENGINE
    if name not in _INSTANCES:
        cls = ENGINES.get(name)
        _INSTANCES[name] = cls() if cls else UnknownEngine(name)
    return _INSTANCES[name]
