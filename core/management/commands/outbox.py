"""``manage.py outbox``: what waits in the outbox of follow-up jobs (``core.jobs``); ``--send`` publishes it now.

The worker does this by itself (beat every 30 s, and whenever it connects to the broker); the command
is for an operator who wants to see it, or to send at once after bringing Redis back."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count, Max, Min

from core import jobs
from core.models import OutboxJob


class Command(BaseCommand):
    help = "Show the follow-up jobs waiting for the broker (by task); --send publishes them now."

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="publish every waiting job now (the broker is back)")

    def handle(self, *args, send, **options):
        waiting = OutboxJob.objects.filter(sent_at__isnull=True)
        rows = waiting.values("task").annotate(n=Count("id"), oldest=Min("created_at"), tries=Max("attempts"))
        for row in rows.order_by("task"):
            self.stdout.write(
                f"{row['task']}: {row['n']} waiting since {row['oldest']:%Y-%m-%d %H:%M:%S} UTC, {row['tries']} tries"
            )
        last = waiting.exclude(last_error="").order_by("-id").values_list("last_error", flat=True).first()
        if last:
            self.stdout.write(f"last error: {last}")
        if send:
            self.stdout.write(f"sent: {jobs.outbox_sweep(broker_back=True)}")
        elif not rows:
            self.stdout.write("nothing waits")
