"""My exports in a real browser: a waiting job's row follows the worker (htmx swaps the row alone, every
two seconds, inside the table) and stops asking once the job has ended."""

import pytest

from core.models import ExportJob
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]


def test_a_waiting_row_follows_its_job_until_it_ends(live_server, new_page, origin_clerk):
    job = ExportJob.objects.create(user=origin_clerk, kind="declarations", fmt="xlsx", language="fa")
    page = new_page()
    login(page, live_server, "origin_clerk")
    page.goto(f"{live_server.url}/exports/")
    row = f"#export-jobs tbody > tr#export-{job.pk}"
    page.wait_for_selector(f'{row}[data-state="queued"]')

    ExportJob.objects.filter(pk=job.pk).update(state="running", progress=40, rows=812)
    page.wait_for_selector(f'{row}[data-state="running"]', timeout=10000)
    assert "۸۱۲" in page.locator(f"{row} td[data-rows]").inner_text()

    ExportJob.objects.filter(pk=job.pk).update(state="failed", error="دیسک پر است")
    page.wait_for_selector(f'{row}[data-state="failed"]', timeout=10000)
    assert "دیسک پر است" in page.locator(f"{row} [data-error]").inner_text()
    assert page.locator("#export-jobs tbody > tr").count() == 1  # swapped in place, not beside the table
    assert page.locator(row).get_attribute("hx-trigger") is None  # ended: it asks no more
