"""Why a statutory step was waived, written by the system, was kept as text in the language of the person
whose action waived it: an English reader of a case closed on a Persian page saw «waived: دیگر لازم نیست:
پرونده … مختومه شد». It is kept as a message id and parameters, as the proposal notes are
(``test_proposal_notes_language``), and written in each reader's language; a row from before reads as stored."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import CaseMilestone
from declarations.models import Status, UnsettledReason
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def case(bazargan, tehran, inspector):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    return casework.case_open(
        declaration=declaration,
        by=inspector,
        file_number="1405-55",
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate() - dt.timedelta(days=3),
        discovered_at=timezone.now() - dt.timedelta(days=3),
        cif_value="1000",
        exchange_rate="700000",
    )


def _page(client, case, language: str) -> str:
    client.cookies["django_language"] = language
    return html.unescape(client.get(f"/casework/cases/{case.pk}/").content.decode())


def test_a_closed_cases_waived_steps_read_in_the_readers_language(client, case, inspector):
    casework.case_close(case=case, by=inspector, outcome="برائت", outcome_on=timezone.localdate())
    assert all("مختومه" in m.waived_note for m in CaseMilestone.objects.filter(case=case))  # the stored copy
    client.force_login(inspector)
    english = _page(client, case, "en")
    assert re.search(r"waived: No longer due: case <bdi [^>]*>1405-55</bdi> was closed\.", english)
    assert "دیگر لازم نیست" not in english
    assert "دیگر لازم نیست" in _page(client, case, "fa")


def test_a_step_waived_by_a_revaluation_reads_in_the_readers_language(client, case, inspector):
    live = CaseMilestone.objects.filter(case=case, waived_at__isnull=True).count()
    smuggling.case_value(
        case=case,
        by=inspector,
        kind="import",
        foreign_amount="1",
        currency="USD",
        exchange_rate="700000",
        rate_source="بانک مرکزی",
        corrects=case.valuations.get(),
        reason="اصلاح ارزش پس از کارشناسی",
    )
    waived = CaseMilestone.objects.filter(case=case, waived_at__isnull=False)
    assert waived.exists() and live
    client.force_login(inspector)
    english = _page(client, case, "en")
    assert "rial: no longer owed." in english
    assert "دیگر" not in english.split("<table", 1)[1].split("</table>", 1)[0]


def test_a_note_kept_as_text_before_reads_as_written(client, case, inspector):
    m = CaseMilestone.objects.filter(case=case).first()
    CaseMilestone.objects.filter(pk=m.pk).update(waived_at=timezone.now(), waived_note="دیگر لازم نیست (قدیمی)")
    client.force_login(inspector)
    assert "دیگر لازم نیست (قدیمی)" in _page(client, case, "en")
