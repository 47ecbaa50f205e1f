"""Hook points that let higher apps (casework, anpr, scans, reports) add to pages of this app
without this app importing them (dependencies run one way: declarations ← casework, anpr, scans ← reports).

- ``timeline_providers``: callables ``(declaration, user) -> list[TimelineItem]`` adding
  plate reads, scans, comparisons, letters ... to a declaration's timeline. The declaration is
  one the user may see (the caller scoped it) and carries its evidence summary.
- ``dashboard_panels``: callables ``(request, scoped_declarations) -> TemplatePanel | None``
  rendering a panel on the dashboard home (camera health, scan compliance ...).
- ``vehicle_panels``: the same for the vehicle/plate page, ``(request, vehicle) -> TemplatePanel | None``.
- ``declaration_actions``: callables ``(user, declaration) -> dict`` adding to the declaration page's
  context the actions a higher app offers on it (casework: ``letter_kind``, ``may_open_case``).

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


timeline_providers: list[Callable] = []
dashboard_panels: list[Callable] = []
vehicle_panels: list[Callable] = []
declaration_actions: list[Callable] = []
