"""A written reason for a move says something anyone can check: at least ``NOTE_MIN_LENGTH`` characters, as
the scan review asks of its remark. The arrival form's «why the truck was not seen at the gate» took «x»; so
did the reasons for cancelling, extending, closing and an «other» unsettled reason (a permit waiver's
service asked for ten already)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import services
from declarations.forms import CancelForm, CloseForm, ExtendDeadlineForm, RecordReasonForm
from declarations.models import ArrivalConfirmation, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def _beside(html: str, name: str) -> str:
    form = html.split('data-action="confirm_arrival"', 1)[1].split("</form>", 1)[0]
    before, after = form.split(f'name="confirm_arrival-{name}"', 1)
    return before[-1500:] + after[:1500]


def test_the_arrival_form_refuses_x_as_why_the_truck_was_not_seen(client, dest_clerk, in_transit):
    assert in_transit.destination.has_anpr  # and no read of the truck
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[in_transit.pk, "confirm_arrival"])
    data = {"confirm_arrival-seals_intact": "intact", "confirm_arrival-unseen_reason": "x"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "at least 10 letters or digits" in _beside(response.content.decode(), "unseen_reason")
    assert not ArrivalConfirmation.objects.exists()
    data["confirm_arrival-unseen_reason"] = "the gate camera was out of service"
    assert client.post(url, data).status_code == 302


def test_the_api_refuses_it_too(dest_clerk, in_transit):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{in_transit.pk}/confirm-arrival/"
    response = api.post(url, {"seals_intact": True, "unseen_reason": "x"}, format="json")
    assert response.status_code == 400 and "unseen_reason" in response.json()["error"]["fields"]
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT


@pytest.mark.parametrize(
    ("form", "data", "field"),
    [
        (CancelForm, {"reason": "x"}, "reason"),
        (CloseForm, {"remarks": "x"}, "remarks"),
        (ExtendDeadlineForm, {"new_deadline": "1405/01/10 10:00", "reason": "snow"}, "reason"),
        (RecordReasonForm, {"reason": "other", "note": "x"}, "note"),
    ],
)
def test_the_other_lifecycle_reasons_need_as_much(form, data, field):
    bound = form(data)
    assert not bound.is_valid()
    assert "at least 10 letters or digits" in " ".join(bound.errors[field])
    bound = form({**data, field: "a reason anyone can check"})
    bound.is_valid()
    assert field not in bound.errors


def test_a_details_note_to_a_named_reason_may_stay_short():
    bound = RecordReasonForm({"reason": "duplicate_waybill", "note": "ok"})
    bound.is_valid()
    assert "note" not in bound.errors


@pytest.mark.parametrize("said", ["..........", "!!!!!!!!!!!!", "- - - - - -", "؟؟؟؟؟؟؟؟؟؟؟"])
def test_punctuation_alone_says_nothing(client, dest_clerk, in_transit, said):
    """Ten dots passed the length as «why the truck was not seen» (a walk, 2026-12-07): a reason is measured by its
    letters, digits and the spaces between its words, in the lifecycle's forms, the API and the scan review."""
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[in_transit.pk, "confirm_arrival"])
    data = {"confirm_arrival-seals_intact": "intact", "confirm_arrival-unseen_reason": said}
    response = client.post(url, data)
    assert response.status_code == 400 and not ArrivalConfirmation.objects.exists()
    assert "at least 10 letters or digits" in _beside(response.content.decode(), "unseen_reason")
    assert not CancelForm({"reason": said}).is_valid()


def test_a_persian_reason_counts_its_letters_and_the_spaces_between_its_words():
    from declarations.models import written_length

    assert written_length("دوربین ورودی خاموش بود.") == 22  # the full stop says nothing
    assert written_length("نیم‌فاصله") == 9  # the zero-width non-joiner is part of the word
    assert CancelForm({"reason": "برف سنگین در گردنه"}).is_valid()


def test_dots_spaced_apart_say_nothing_either(client, dest_clerk, in_transit):
    """«. . . . . . . . . . .» (eleven dots, ten spaces) passed every ten-letter rule (a second walk, 2026-12-07):
    only the single spaces between words count, not the spaces between punctuation marks."""
    said = ". . . . . . . . . . ."
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[in_transit.pk, "confirm_arrival"])
    data = {"confirm_arrival-seals_intact": "intact", "confirm_arrival-unseen_reason": said}
    response = client.post(url, data)
    assert response.status_code == 400 and not ArrivalConfirmation.objects.exists()
    assert "at least 10 letters or digits" in _beside(response.content.decode(), "unseen_reason")
    assert not CancelForm({"reason": said}).is_valid()
    assert not CancelForm({"reason": "__________ __________"}).is_valid()  # the underscore is not a letter
    assert not CancelForm({"reason": "a  .  b  .  c  .  d"}).is_valid()


def test_three_short_words_count_the_spaces_between_them():
    from declarations.models import written_length

    assert written_length("قطع برق شهر") == 11
    assert written_length("  قطع   برق ... شهر!  ") == 11
    assert CancelForm({"reason": "قطع برق شهر"}).is_valid()
