"""The admin index's «Recent actions» is said «فعالیت‌های اخیر» (with its zero-width non-joiner) by the project's
catalogue: its msgid must be in the project's sources, or ``makemessages`` marks the hand-kept entry obsolete
(«#~») and the admin falls back to Django's «فعالیتهای اخیر»."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

# What makemessages reads: a gettext call in Python, a translate tag in a template.
SAID = re.compile(
    r"""(gettext(_lazy|_noop)?|_)\(\s*["']Recent actions["']|\{%\s*(translate|trans)\s+["']Recent actions["']"""
)


def test_the_recent_actions_msgid_is_in_the_projects_sources():
    root = Path(settings.BASE_DIR)
    sources = [
        p
        for pattern in ("*.py", "*.html")
        for p in root.rglob(pattern)
        if not {".venv", "node_modules", "tests"} & set(p.relative_to(root).parts)
    ]
    assert any(SAID.search(p.read_text(encoding="utf-8", errors="ignore")) for p in sources)


@pytest.mark.persian
def test_the_admin_index_says_recent_actions_with_its_zwnj(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(hq)
    page = client.get(reverse("admin:index")).content.decode()
    assert "فعالیت‌های اخیر" in page and "فعالیتهای اخیر" not in page
