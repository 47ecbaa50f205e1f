"""The casework lists in pages: every row reachable, the real total shown, the filters kept from page to page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import CaseStatus, JudicialCase
from core.paging import PAGE_SIZE
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _total(page: str) -> int:
    return int(re.search(r'data-total="(\d+)"', page).group(1))


@pytest.fixture
def many_cases(bazargan, tehran, inspector):
    """Three open cases more than a page, and a closed one the ``open`` filter leaves out."""
    declarations = DeclarationFactory.create_batch(PAGE_SIZE + 4, origin=bazargan, destination=tehran)
    today = timezone.localdate()
    JudicialCase.objects.bulk_create(
        JudicialCase(
            declaration=d,
            file_number=f"1405-{i:03d}",
            authority="تعزیرات حکومتی",
            opened_on=today - dt.timedelta(days=i),
            cif_value=Decimal(100),
            exchange_rate=Decimal(1),
            goods_value=Decimal(100),
            status=CaseStatus.CLOSED if i == PAGE_SIZE + 3 else CaseStatus.OPEN,
        )
        for i, d in enumerate(declarations)
    )
    return JudicialCase.objects.all()


def test_the_case_list_reaches_every_case_on_its_pages_with_the_real_total(client, inspector, many_cases):
    client.force_login(inspector)
    first = client.get(reverse("casework:cases"), {"status": "open"}).content.decode()
    assert _total(first) == PAGE_SIZE + 3
    assert "1405-000" in first and "1405-026" not in first
    assert "status=open&amp;page=2" in first  # the filter stays on the next page
    second = client.get(reverse("casework:cases"), {"status": "open", "page": 2}).content.decode()
    assert _total(second) == PAGE_SIZE + 3
    for i in range(PAGE_SIZE, PAGE_SIZE + 3):
        assert f"1405-{i:03d}" in second
    assert "1405-000" not in second
    assert "1405-028" not in second  # closed: not in the open ones on any page


@pytest.mark.persian
def test_the_case_list_numbers_its_pages_in_persian(client, inspector, many_cases):
    client.force_login(inspector)
    page = client.get(reverse("casework:cases"), {"page": 2}).content.decode()
    assert "صفحهٔ ۲ از ۲" in page
    assert ">۱</a>" in page and "۲۹ مورد در مجموع" in page


@pytest.fixture
def many_letters(bazargan, tehran, origin_clerk):
    """Bazargan's letters to Tehran, sent and awaiting the reply: four more than a page; and one answered."""
    from casework.models import FollowUpLetter, LetterKind, LetterStatus

    now = timezone.now()
    declarations = DeclarationFactory.create_batch(PAGE_SIZE + 5, origin=bazargan, destination=tehran)
    return FollowUpLetter.objects.bulk_create(
        FollowUpLetter(
            declaration=d,
            kind=LetterKind.OVERDUE,
            from_office=bazargan,
            to_office=tehran,
            status=LetterStatus.ANSWERED if i == 0 else LetterStatus.SENT,
            number=f"1405/{i + 1}",
            subject=f"letter {i}",
            body="-",
            sent_at=now - dt.timedelta(days=3),
            reply_due_at=now + dt.timedelta(days=i),
        )
        for i, d in enumerate(declarations)
    )


def _letters_on(page: str, letters) -> set[int]:
    return {x.pk for x in letters if f'href="{reverse("casework:letter", args=[x.pk])}"' in page}


def test_the_letter_list_reaches_every_letter_on_its_pages_with_the_real_total(client, origin_clerk, many_letters):
    sent = {x.pk for x in many_letters if x.status == "sent"}
    client.force_login(origin_clerk)
    first = client.get(reverse("casework:letters"), {"status": "sent"}).content.decode()
    assert _total(first) == len(sent) == PAGE_SIZE + 4
    assert "status=sent&amp;page=2" in first  # the filter stays on the next page
    second = client.get(reverse("casework:letters"), {"status": "sent", "page": 2}).content.decode()
    assert _total(second) == len(sent)
    on_first, on_second = _letters_on(first, many_letters), _letters_on(second, many_letters)
    assert len(on_first) == PAGE_SIZE and len(on_second) == 4
    assert on_first | on_second == sent  # each once; not the answered one


def test_the_inbox_reaches_every_letter_on_its_pages_with_the_real_total(client, dest_clerk, many_letters):
    sent = {x.pk for x in many_letters if x.status == "sent"}
    client.force_login(dest_clerk)
    first = client.get(reverse("casework:inbox"), {"status": "sent"}).content.decode()
    assert _total(first) == len(sent)
    assert "status=sent&amp;page=2" in first
    second = client.get(reverse("casework:inbox"), {"status": "sent", "page": 2}).content.decode()
    on_first, on_second = _letters_on(first, many_letters), _letters_on(second, many_letters)
    assert len(on_first) == PAGE_SIZE and len(on_second) == 4
    assert on_first | on_second == sent


def test_the_milestone_list_reaches_every_milestone_on_its_pages_with_the_real_total(client, inspector, many_cases):
    from casework.models import CaseMilestone, MilestoneKind

    now = timezone.now()
    made = CaseMilestone.objects.bulk_create(
        CaseMilestone(
            case=case,
            kind=MilestoneKind.values[0],
            article="4",
            due_at=None if i % 3 == 0 else now + dt.timedelta(days=i),  # some with no due date: last
            done_at=now if i == 1 else None,
        )
        for i, case in enumerate(many_cases)
    )
    # Not the one done, nor the closed case's (no longer due once its case is closed).
    pending = {m.pk for m in made if m.done_at is None and m.case.status == CaseStatus.OPEN}
    client.force_login(inspector)
    first = client.get(reverse("casework:milestones"), {"state": "pending"}).content.decode()
    assert _total(first) == len(pending) == PAGE_SIZE + 2
    assert "state=pending&amp;page=2" in first
    second = client.get(reverse("casework:milestones"), {"state": "pending", "page": 2}).content.decode()
    on_first = {int(pk) for pk in re.findall(r"#milestone-(\d+)", first)}
    on_second = {int(pk) for pk in re.findall(r"#milestone-(\d+)", second)}
    assert len(on_first) == PAGE_SIZE and len(on_second) == 2
    assert on_first | on_second == pending  # each once
