"""Hook points that let higher apps (casework, anpr, scans, reports) add to pages of this app
without this app importing them (dependencies run one way: declarations ← casework, anpr, scans ← reports).

- ``timeline_providers``: callables ``(declaration, user) -> list[TimelineItem]`` adding
  plate reads, scans, comparisons, letters ... to a declaration's timeline. The declaration is
  one the user may see (the caller scoped it) and carries its evidence summary.
- ``dashboard_panels``: callables ``(request, scoped_declarations) -> TemplatePanel | None``
  rendering a panel on the dashboard home (camera health, scan compliance ...).
- ``vehicle_panels``: the same for the vehicle/plate page, ``(request, vehicle) -> TemplatePanel | None``.
- ``declaration_actions``: callables ``(user, declaration) -> dict`` adding to the declaration page's
  context the actions a higher app offers on it (casework: ``letter_kind``, ``may_open_case``) and what it says
  there (scans: ``scan_missing_views``, a view of the pass one side has not scanned).
- ``gate_reads``: callables ``(declaration, office | None, user | None) -> list[GateRead]``: the plate
  reads matched to the declaration (at ``office`` only, when given), each with its match score and
  whether a person confirmed or rejected it (anpr). ``user`` decides only the links offered (photo,
  review); ``None`` (a service recomputing the evidence summary) gets the reads without links.
- ``comparison_links``: callables ``(declaration) -> str``: the page of the declaration's scan comparison
  that withholds its settlement (suspicious awaiting review, then one that could not align awaiting review,
  else escalated), "" when none (scans).
- ``settlement_blocks``: callables ``(declaration) -> list[serials.Block]``: what a higher app withholds the
  settlement for, beside this app's own blocks (scans: each comparison escalated, current or not; a reuse of
  another truck's scan confirmed). Each reads
  the declaration's evidence summary first, so that a declaration without its evidence costs no query.
- ``judicial_case_states``: callables ``(declaration) -> list[str]``: the state of each judicial case on the
  declaration, ``"open"`` or ``"closed"`` (its outcome recorded) (casework). A declaration is closed only
  after a judicial case on it ended (``services.check_close``); with no provider it has none.
- ``arrival_outages``: callables ``(declaration) -> list[Outage]``: what was known to keep the destination's
  camera from reading when the arrival was confirmed (anpr: a camera silent or out of service then; reports:
  a plate-reader system problem open then), offered to name when an arrival without plate read is explained
  by a camera out of service (``arrival_reads``).
- ``outage_names``: callables ``(refs: list[str]) -> dict[str, str]``: the outages among ``refs`` (an
  ``Outage.ref``: "problem:12", "camera:3") that the app keeps, named in the reader's language (reports: a system
  problem by its number; anpr: a camera by its code), for the audit trail to name what a review named
  (``outage_text``); a reference no provider knows is left out.
- ``submitted_returns``: callables ``(province_id) -> SubmittedReturn | None``: the latest monthly return
  already submitted that counts the declarations leaving the province (its own or the nation's), with the
  moment up to which it counted them (reports). A declaration registered by hand is not declared before
  it: it would change figures headquarters has received (``services.check_declared_at``).
- ``declaration_changes``: callables ``(changes: list[DeclarationChange]) -> None``, called inside the
  transaction that creates declarations (import, API, page) or moves one's status (``services._transition``),
  so that a higher app records what moved under figures already sent (reports: a late change against a
  submitted monthly return). Each is called once per batch and must stay cheap (an indexed query per month).
- ``trip_starts``: callables ``(declaration_id, departed_at, by) -> int``, called inside the transaction that
  records a declaration's departure (``services.declaration_depart``), perhaps late and dated before now: the
  trip begins then, no longer at the registration, so a higher app judges again what it judged against the
  trip (anpr: a read matched to it, taken before the departure, is no sighting off its route), audited as
  done by ``by``; returns how many of its records changed (``evidence.note_departure``).

Apps register in their ``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TimelineItem:
    at: dt.datetime
    kind: str  # short machine key: "plate_read", "scan", "comparison", "letter" ...
    title: str  # already translated
    detail: str = ""
    url: str = ""  # link to more (a photo, a viewer), already scope-checked by the provider's view
    actor: str = ""
    severity: str = ""  # "", "warning", "danger"
    source: str = ""  # where the record came from, as recorded then ("ICS export (file.csv)"), already translated


@dataclass
class TemplatePanel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass
class GateRead:
    """A plate read matched to a declaration, as the arrival form and the evidence summary need it."""

    at: dt.datetime
    office_id: int
    plate: str  # as read (a person's reading in effect over the camera's), for display
    declared_plate: str  # the declaration's plate it was matched to
    score: float  # 1.0 exact; less: a similar plate (a possible mis-read)
    exact: bool
    on_route: bool
    at_destination: bool
    match_id: int | None = None
    camera: str = ""
    photo_url: str = ""  # already scope-checked by the provider's view
    has_photo: bool = False  # the read came with a photo (its link may still be withheld: ``photo_url`` "")
    review: str = ""  # "", "confirmed", "rejected": a person's verdict on a similar-plate match
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    review_url: str = ""  # where this user may confirm or reject it (empty: nothing to review or not allowed)
    tir_park_id: int | None = None  # the read's camera stands at this TIR park (``TirPark``)
    too_early: bool = False  # at the destination sooner after the departure than the route can be driven
    # A person read the plate (``plate`` is theirs, in effect): what the camera or the reader made of it, for
    # display ('' when it read nothing), who that was (the camera, the reader), and whether the person read it
    # from the read's photo.
    read_by_person: bool = False
    camera_plate: str = ""
    camera_by: str = ""
    from_photo: bool = True
    corrected: bool = False  # the person's plate replaced a plate the camera or the reader had read

    @property
    def counts(self) -> bool:
        """A rejected match is not a sighting of this truck."""
        return self.review != "rejected"

    @property
    def shows_arrival(self) -> bool:
        """A sighting that is evidence of arrival: not rejected, and not too early for the route."""
        return self.counts and not self.too_early

    @property
    def needs_review(self) -> bool:
        return not self.exact and not self.review


@dataclass(frozen=True)
class Outage:
    """A known gap in the destination's plate reading: ``ref`` names the record ("problem:12", "camera:3"),
    ``text`` says what it was, already translated."""

    ref: str
    text: str


@dataclass
class SubmittedReturn:
    """A monthly return already submitted: declarations declared before ``until`` are in its figures."""

    until: dt.datetime
    label: str  # the month and the province (or the whole country), already translated


@dataclass(frozen=True)
class DeclarationChange:
    """A declaration created or moved: ``what`` is ``"created"`` or the transition's action; ``at`` the time
    the change is dated (the declared time of a new one, the status time of a move); ``source`` where it
    came from, as recorded (``Source``), with ``source_ref`` (the import's file, the person)."""

    declaration_id: int
    serial: str
    province_id: int | None  # of the origin office: the province whose return counts it
    what: str
    at: dt.datetime
    by_id: int | None
    source: str
    source_ref: str = ""
    status: str = ""  # the status it has after the change


timeline_providers: list[Callable] = []
dashboard_panels: list[Callable] = []
vehicle_panels: list[Callable] = []
declaration_actions: list[Callable] = []
gate_reads: list[Callable] = []
comparison_links: list[Callable] = []
settlement_blocks: list[Callable] = []
judicial_case_states: list[Callable] = []
arrival_outages: list[Callable] = []
outage_names: list[Callable] = []
submitted_returns: list[Callable] = []
declaration_changes: list[Callable] = []
trip_starts: list[Callable] = []


def outage_text(ref: str) -> str:
    """An outage a review named (``Outage.ref``) as its keeper names it in the reader's language (a query); a
    reference no ``outage_names`` provider knows (its row since removed) as stored, isolated."""
    from core.text import isolate

    for provider in outage_names:
        if name := provider([ref]).get(ref):
            return name
    return isolate(ref)


def tell_changes(changes: list[DeclarationChange]) -> None:
    """Hand the changes to every ``declaration_changes`` provider (inside the caller's transaction)."""
    if changes:
        for provider in declaration_changes:
            provider(changes)
