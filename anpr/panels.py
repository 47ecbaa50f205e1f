"""What anpr adds to pages of ``declarations`` through its hooks (registered in apps.py)."""

from declarations.hooks import TemplatePanel, TimelineItem


def timeline_items(declaration, user) -> list[TimelineItem]:
    return []


def camera_health_panel(request, scoped_declarations) -> TemplatePanel | None:
    return None


def vehicle_reads_panel(request, vehicle) -> TemplatePanel | None:
    return None
