"""Server time of the plate-read review queue and a camera's page, in process (no server, no browser).

    python bench/review_queue.py [--users hq it inspector bazargan] [--runs 5]

Run against a database with the demo (``make run`` seeds one: SQLite ``db.sqlite3``; or ``DATABASE_URL``). Each
page is asked ``--runs`` times per user after one warm-up, through the view with the user signed in and verified
(as after two-factor sign-in), and one JSON line per page and user gives the median and worst wall ms, the number
of SQL queries and their summed time. Walks time the same pages through the browser, which adds the thumbnails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

import django

django.setup()

from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from anpr import views, views_review  # noqa: E402
from anpr.models import Camera, PlateRead  # noqa: E402


def ask(user, path: str, view, *args):
    request = RequestFactory().get(path)
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    return view(request, *args)


def timed(user, path: str, view, *args, runs: int) -> dict:
    ask(user, path, view, *args)  # warm-up: translations, URL patterns, caches
    walls: list[float] = []
    captured = CaptureQueriesContext(connection)
    for _ in range(runs):
        with captured:
            start = time.perf_counter()
            response = ask(user, path, view, *args)
            walls.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {
        "page": path,
        "user": user.username,
        "median_ms": round(statistics.median(walls), 1),
        "max_ms": round(max(walls), 1),
        "queries": len(captured.captured_queries),  # of the last run
        "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", nargs="+", default=["hq", "it", "inspector", "bazargan", "tehran"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    # The camera with the most reads: its page lists its latest reads with their matches and queue kinds.
    top = PlateRead.objects.values("camera_id").annotate(n=Count("id")).order_by("-n").first()
    camera = Camera.objects.filter(pk=top["camera_id"]).first() if top else None
    for name in args.users:
        user = User.objects.get(username=name)
        user.is_verified = lambda: True  # as after the two-factor step (hq and it)
        print(json.dumps(timed(user, "/anpr/review/", views_review.queue, runs=args.runs)))
        if camera is not None and user.can_see_office(camera.office):
            path = f"/anpr/cameras/{camera.pk}/"
            print(json.dumps(timed(user, path, views.camera_detail, camera.pk, runs=args.runs)))


if __name__ == "__main__":
    main()
