"""The arrival-read review's note said «دست‌کم ۱۰ نویسه» (characters) while its check counts letters and
digits only: its help text, on the page and in the API's schema, now says letters or digits."""

import pytest

from declarations.forms import ArrivalReadReviewForm
from declarations.serializers_arrival_reads import ArrivalReadReviewIn


@pytest.mark.persian
def test_the_note_help_text_counts_letters_or_digits():
    help_text = str(ArrivalReadReviewForm().fields["note"].help_text)
    assert "۱۰ حرف یا رقم" in help_text and "نشانه‌ها شمرده نمی‌شوند" in help_text
    assert "نویسه" not in help_text


def test_the_api_note_help_text_too():
    help_text = str(ArrivalReadReviewIn().fields["note"].help_text)
    assert "10 letters or digits" in help_text and "characters" not in help_text
