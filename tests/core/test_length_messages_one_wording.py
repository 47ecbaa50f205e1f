"""A walk: a text past its limit was refused in two wordings, «۳۰۱ نویسه است؛ حداکثر مجاز ۳۰۰ نویسه است» in some
places and «حداکثر ۳۰۰ نویسه.» in others (the one every form's max_length says). Every hand-written maximum-length
message now says it one way (``core.text.too_long``): the limit first, as Django's own message does, then how many
characters were written."""

import pytest
from django.utils import translation

from core.errors import InvalidInput
from core.text import too_long

pytestmark = pytest.mark.django_db

SAID = "At most 40 characters; 100 were written."


def test_the_one_message_in_persian():
    with translation.override("fa"):
        assert too_long("x" * 3001, 3000) == "حداکثر ۳٬۰۰۰ نویسه؛ ۳٬۰۰۱ نوشته شد."
    assert too_long("x" * 40, 40) == ""


def test_a_system_problems_text_and_a_plate_reviewers_note():
    from anpr.review import NOTE_MAX, checked_note
    from reports.services import PROBLEM_DESCRIPTION_MAX, description_error

    assert description_error("خرابی سامانه " * 400) == too_long(
        ("خرابی سامانه " * 400).strip(), PROBLEM_DESCRIPTION_MAX
    )
    with pytest.raises(InvalidInput) as refused:
        checked_note("y" * (NOTE_MAX + 1))
    assert str(refused.value) == too_long("y" * (NOTE_MAX + 1), NOTE_MAX)


def test_the_remarks_of_an_arrival_and_of_a_scan_review():
    from declarations.services import REMARKS_MAX_LENGTH, check_remarks

    with pytest.raises(InvalidInput) as refused:
        check_remarks("z" * (REMARKS_MAX_LENGTH + 1))
    assert str(refused.value) == too_long("z" * (REMARKS_MAX_LENGTH + 1), REMARKS_MAX_LENGTH)
    from scans.services import REMARK_MAX_LENGTH, comparison_review

    with pytest.raises(InvalidInput) as refused:
        comparison_review(comparison=None, by=None, decision="escalate", remark="r" * (REMARK_MAX_LENGTH + 1))
    assert str(refused.value) == too_long("r" * (REMARK_MAX_LENGTH + 1), REMARK_MAX_LENGTH)


def test_a_seal_number_an_imported_text_and_a_letters_copy_name_what_is_too_long():
    from casework.services import letter_copies
    from declarations.import_validation import seal_numbers_problem

    assert seal_numbers_problem(["S1", "A" * 100]).endswith(SAID)
    _, error = letter_copies(["گمرک بازرگان", "ب" * 3000])
    assert "At most 200 characters; 3,000 were written." in error
