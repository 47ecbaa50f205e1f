"""The dashboard's counts follow the evidence, and say when they were counted.

A transition makes the scopes it touches recount at their next view; plate reads, scans and
comparisons arrive through the ``note_*`` services of declarations (anpr and scans call them) and
make them recount once the figures are ``DASHBOARD_RECOUNT_SECONDS`` old (cameras send evidence every
second at a busy border). While one view recounts a scope, the others are given its previous figures.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core.dates import format_jalali
from declarations import evidence, selectors
from declarations.models import Review, Status, Verdict
from tests.factories import DeclarationFactory


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.DASHBOARD_RECOUNT_SECONDS = 0  # evidence recounts at the next view (the floor: tests below)
    cache.clear()
    yield
    cache.clear()


def _count(response, key):
    html = response.content.decode()
    chunk = html[html.index(f'data-signal="{key}"') :]
    return int(chunk.split('data-count="', 1)[1].split('"', 1)[0])


def test_a_plate_read_noted_through_the_service_changes_the_next_count(
    client, inspector, bazargan, tehran, django_capture_on_commit_callbacks
):
    now = timezone.now()
    arrived = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.ARRIVED,
        departed_at=now - dt.timedelta(days=1),
        arrived_at=now,
    )
    client.force_login(inspector)
    assert _count(client.get(reverse("home")), "arrival_without_read") == 1  # counted, and cached

    with django_capture_on_commit_callbacks(execute=True):
        evidence.note_plate_read(declaration_id=arrived.pk, office_id=tehran.pk, at=now, on_route=True)

    assert _count(client.get(reverse("home")), "arrival_without_read") == 0


def test_a_batch_of_reads_drops_the_counts_too(
    client, hq, bazargan, tehran, sarakhs, django_capture_on_commit_callbacks
):
    now = timezone.now()
    in_transit = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=now)
    client.force_login(hq)
    assert _count(client.get(reverse("home")), "off_route") == 0

    with django_capture_on_commit_callbacks(execute=True):
        evidence.note_plate_reads([(in_transit.pk, sarakhs.pk, now, False)])

    assert _count(client.get(reverse("home")), "off_route") == 1


def test_a_scan_and_a_comparison_drop_the_counts(
    client, origin_clerk, bazargan, tehran, django_capture_on_commit_callbacks
):
    d = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT)
    client.force_login(origin_clerk)
    assert _count(client.get(reverse("home")), "scan_suspicious") == 0

    with django_capture_on_commit_callbacks(execute=True):
        evidence.note_comparison(declaration_id=d.pk, verdict=Verdict.SUSPICIOUS, review=Review.PENDING)
    assert _count(client.get(reverse("home")), "scan_suspicious") == 1

    with django_capture_on_commit_callbacks(execute=True):
        evidence.note_comparison(declaration_id=d.pk, verdict=Verdict.SUSPICIOUS, review=Review.ACCEPTED)
    assert _count(client.get(reverse("home")), "scan_suspicious") == 0


def test_a_later_read_on_the_way_leaves_the_cached_counts_alone(
    client, hq, bazargan, tehran, django_capture_on_commit_callbacks
):
    now = timezone.now()
    d = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=now)
    client.force_login(hq)
    client.get(reverse("home"))
    cached = cache.get("dash:national:signals")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        evidence.note_plate_read(declaration_id=d.pk, office_id=bazargan.pk, at=now, on_route=True)

    assert callbacks == []  # no signal moved: nothing to drop
    assert cache.get("dash:national:signals") == cached


@pytest.mark.persian
def test_the_dashboard_says_when_its_figures_were_counted(client, inspector, bazargan, tehran):
    counted_at = timezone.now() - dt.timedelta(seconds=90)
    selectors.signal_counts_at(inspector, now=counted_at)  # counted 90 s ago, and cached since
    client.force_login(inspector)

    page = client.get(reverse("home")).content.decode()
    partial = client.get(reverse("home") + "?partial=signals", HTTP_HX_REQUEST="true").content.decode()

    stamp = format_jalali(counted_at)  # Jalali date, Tehran time, Persian digits
    assert re.fullmatch(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}", stamp)
    assert "ارقام تا " + stamp in page
    assert "ارقام تا " + stamp in partial  # the 60-second refresh says it too


def _arrived_unread(bazargan, tehran):
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.ARRIVED,
        departed_at=now - dt.timedelta(days=1),
        arrived_at=now,
    )


def test_evidence_within_the_recount_floor_leaves_the_figures_of_their_time(
    client, settings, inspector, bazargan, tehran, django_capture_on_commit_callbacks
):
    settings.DASHBOARD_RECOUNT_SECONDS = 60
    arrived = _arrived_unread(bazargan, tehran)
    client.force_login(inspector)
    first = client.get(reverse("home"))
    assert _count(first, "arrival_without_read") == 1
    stamp = re.search(r'data-figures-at="([^"]+)"', first.content.decode()).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        evidence.note_plate_read(declaration_id=arrived.pk, office_id=tehran.pk, at=timezone.now(), on_route=True)

    again = client.get(reverse("home"))
    assert _count(again, "arrival_without_read") == 1  # counted under a minute ago: kept, and said so
    assert f'data-figures-at="{stamp}"' in again.content.decode()

    settings.DASHBOARD_RECOUNT_SECONDS = 0  # the floor has passed
    assert _count(client.get(reverse("home")), "arrival_without_read") == 0


def test_a_transition_recounts_at_once_whatever_the_floor(client, settings, inspector, bazargan, tehran):
    settings.DASHBOARD_RECOUNT_SECONDS = 3600
    arrived = _arrived_unread(bazargan, tehran)
    client.force_login(inspector)
    assert _count(client.get(reverse("home")), "arrival_without_read") == 1

    selectors.invalidate_for(arrived)  # what every transition does on commit
    arrived.status = Status.CANCELLED
    arrived.save(update_fields=["status"])
    assert _count(client.get(reverse("home")), "arrival_without_read") == 0


def test_a_view_while_another_recounts_is_given_the_previous_figures_without_counting(
    client, inspector, bazargan, tehran
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    arrived = _arrived_unread(bazargan, tehran)
    client.force_login(inspector)
    assert _count(client.get(reverse("home")), "arrival_without_read") == 1
    selectors.invalidate_for(arrived)
    arrived.status = Status.CANCELLED
    arrived.save(update_fields=["status"])
    scope = selectors.scope_key(inspector)
    assert cache.add(f"dash:{scope}:signals:counting", 1, 30)  # another view is counting the signals

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home"))
    assert _count(page, "arrival_without_read") == 1  # the previous figures, not a second count
    signal_counts = [q for q in queries if "dest_first_read_at" in q["sql"]]
    assert signal_counts == []

    cache.delete(f"dash:{scope}:signals:counting")  # that view is done: the next one recounts
    assert _count(client.get(reverse("home")), "arrival_without_read") == 0


def test_on_a_cold_cache_a_view_waits_for_the_view_counting_instead_of_counting_too():
    import threading
    import time

    counted = []
    key = "dash:national:probe"
    assert cache.add(key + ":counting", 1, 30)  # a first view is counting: nothing stored yet
    # ...and stores its figures a moment later, as that view does when its count ends.
    threading.Timer(0.3, lambda: cache.set(key, {"value": 7, "ns": time.time_ns()}, 60)).start()
    value, _ns = selectors._fresh_or_recount("national", "probe", lambda: counted.append(1) or 8, 60)
    assert (value, counted) == (7, [])


def test_figures_past_their_life_are_shown_while_one_view_recounts_them(settings):
    import time

    key = "dash:national:probe"
    old = time.time_ns() - 120 * 1_000_000_000
    cache.set(key, {"value": 7, "ns": old}, 600)  # counted two minutes ago, for a life of 60 s
    assert cache.add(key + ":counting", 1, 30)
    assert selectors._fresh_or_recount("national", "probe", lambda: 8, 60) == (7, old)
    cache.delete(key + ":counting")
    value, counted_at = selectors._fresh_or_recount("national", "probe", lambda: 8, 60)
    assert value == 8 and counted_at > old  # past its life, no one counting: this view recounts


def test_evidence_recounts_the_signals_but_not_the_figures_it_cannot_move(client, hq, bazargan, tehran):
    # The office table, the charts and the ageing count statuses and times that only transitions
    # change: a camera's read must not make a scope recount them (the national office table alone
    # costs several hundred milliseconds on a large database).
    client.force_login(hq)
    client.get(reverse("home"))
    kept = {name: cache.get(f"dash:national:{name}") for name in ("offices", "charts", "ageing", "signals")}
    assert all(kept.values())
    selectors.evidence_moved([tehran.pk])  # with the recount floor at 0 (the fixture)
    client.get(reverse("home"))
    for name in ("offices", "charts", "ageing"):
        assert cache.get(f"dash:national:{name}") == kept[name], name
    assert cache.get("dash:national:signals")["ns"] > kept["signals"]["ns"]
