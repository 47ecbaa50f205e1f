"""An «arrival without plate read» explained: the destination office's clerk says why a confirmed arrival has
no read at the destination's camera (a reason from the list and a note), or refers it to the inspectors; the
province's inspector receives the referrals and may only refer an explanation he doubts. The review is a record of its own, a revision a new one naming the one it replaces; the
review that counts takes the declaration out of the signal (explained) or keeps it there (refer)."""

import datetime as dt
import html as htmllib
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from declarations import monitoring
from declarations.models import ArrivalReadReview, DeclarationEvent, TransitDeclaration
from declarations.services import declaration_confirm_arrival, declaration_depart
from notifications.models import Kind, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "دوربین ورودی از ساعت ۸ تا ۱۲ به علت قطع برق خاموش بود؛ با دفتر فاوا تأیید شد."


@pytest.fixture
def arrived(declaration, dest_clerk):
    """Bazargan → Tehran, arrived an hour ago; Tehran has a camera but no read of the truck."""
    declaration_depart(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration.refresh_from_db()
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    return TransitDeclaration.objects.get(pk=declaration.pk)


@pytest.fixture
def tehran_inspector(tehran_province):
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


def _url(declaration) -> str:
    return reverse("declarations:arrival-read-review", args=[declaration.pk])


def _post(client, declaration, **fields):
    return client.post(_url(declaration), {f"arrival_read-{k}": v for k, v in fields.items()})


def _tile(client) -> int:
    page = client.get("/").content.decode()
    m = re.search(r'data-signal="arrival_without_read">\s*<span class="count" data-count="(\d+)"', page)
    assert m, "no arrival-without-read tile"
    return int(m.group(1))


def _field_errors(page: str, name: str) -> list[str]:
    field_id = f"id_arrival_read-{name}"
    for block in re.split(r'<(?:div class="mb-2|fieldset)', page)[1:]:
        if f'id="{field_id}' in block:
            found = re.findall(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', block, re.S)
            return [htmllib.unescape(re.sub(r"<[^>]+>", "", e)).strip() for e in found]
    raise AssertionError(f"no field {field_id} on the page")


def test_the_tile_drops_when_explained_and_rises_again_on_a_refer_revision(
    client, arrived, dest_clerk, inspector, tehran_inspector, django_capture_on_commit_callbacks
):
    client.force_login(inspector)
    assert _tile(client) == 1
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'data-signal="arrival_without_read"' in page and 'id="explain-arrival-read"' not in page

    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'id="explain-arrival-read"' in page
    with django_capture_on_commit_callbacks(execute=True):  # the dashboard's figures recounted once it commits
        response = _post(client, arrived, reason="plate_unreadable", note=NOTE)
    assert response.status_code == 302 and response["Location"].endswith("#arrival-read")
    first = ArrivalReadReview.objects.get()
    assert (first.declaration, first.reason, first.note, first.by, first.supersedes) == (
        arrived,
        "plate_unreadable",
        NOTE,
        dest_clerk,
        None,
    )

    client.force_login(inspector)
    assert _tile(client) == 0
    listed = client.get(reverse("declarations:list") + "?signal=arrival_without_read").content.decode()
    assert arrived.serial not in listed
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'data-signal="arrival_without_read"' not in page and 'data-explained="yes"' in page

    # The inspector does not believe it: «not explained — refer», a revision naming the review it replaces.
    doubt = "عکس‌های دوربین ساعت ۱۰ کار می‌کرد؛ کامیون دیده نشده."
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, arrived, reason="refer", note=doubt, supersedes=first.pk)
    assert response.status_code == 302
    assert _tile(client) == 1
    refer = ArrivalReadReview.objects.get(supersedes=first)
    assert refer.reason == "refer" and refer.by == inspector
    # The other province's inspector is told (the one who referred it is not).
    told = Notification.objects.filter(kind=Kind.ARRIVAL_UNSEEN, subject=f"arrival_read_refer:{refer.pk}")
    assert {n.user for n in told} == {tehran_inspector}
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'data-signal="arrival_without_read"' in page and 'data-explained="no"' in page


def test_the_inspector_neither_explains_nor_refers_it_to_himself(client, arrived, inspector, dest_clerk):
    """He receives the referrals: the form is not his, and his post of «refer» (or a reason) is refused; over a
    referral too, he may not refer it again to himself."""
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'id="explain-arrival-read"' not in page and _url(arrived) not in page
    for reason in ("refer", "other"):
        response = _post(client, arrived, reason=reason, note=NOTE)
        assert response.status_code == 403 and "destination office" in response.content.decode()
    assert not ArrivalReadReview.objects.exists()
    client.force_login(dest_clerk)
    assert _post(client, arrived, reason="refer", note=NOTE).status_code == 302
    referral = ArrivalReadReview.objects.get()
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'id="explain-arrival-read"' not in page
    assert _post(client, arrived, reason="refer", note=NOTE, supersedes=referral.pk).status_code == 403
    assert ArrivalReadReview.objects.count() == 1


def test_wrong_roles_are_refused_before_the_body(client, arrived, origin_clerk, hq, outsider, dest_clerk):
    for user in (origin_clerk, hq):
        client.force_login(user)
        response = _post(client, arrived)  # an empty body: refused for the role, not for the fields
        assert response.status_code == 403, user
        assert 'id="error-message"' in response.content.decode()
        assert "destination office" in response.content.decode() or "گمرک مقصد" in response.content.decode()
    client.force_login(outsider)
    assert _post(client, arrived, reason="other", note=NOTE).status_code == 404
    assert not ArrivalReadReview.objects.exists()
    # Headquarters see the history, without the form.
    client.force_login(dest_clerk)
    _post(client, arrived, reason="other", note=NOTE)
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert 'id="arrival-read-history"' in page and _url(arrived) not in page


def test_an_empty_form_names_both_fields(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    response = _post(client, arrived)
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page, "reason") == ["Choose the reason, or «not explained: refer to the inspector»."]
    assert _field_errors(page, "note") == [
        "Write a note of at least 10 letters or digits saying what you found (punctuation marks are not counted)."
    ]
    assert not ArrivalReadReview.objects.exists()


def test_a_short_note_is_refused_in_persian(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    client.cookies["django_language"] = "fa"
    response = _post(client, arrived, reason="other", note="خراب بود")
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), "note") == [
        "یادداشتی دست‌کم ۱۰ حرف یا رقم بنویسید که بگوید چه یافتید (نشانه‌ها شمرده نمی‌شوند)."
    ]
    assert not ArrivalReadReview.objects.exists()
    assert (
        monitoring.filter_signal(TransitDeclaration.objects.all(), "arrival_without_read")
        .filter(pk=arrived.pk)
        .exists()
    )


def test_a_revision_keeps_the_history_on_the_page_and_the_timeline(client, arrived, dest_clerk, inspector):
    client.force_login(dest_clerk)
    _post(client, arrived, reason="plate_unreadable", note=NOTE)
    first = ArrivalReadReview.objects.get()
    # A second first review, from a page that did not know of the first, is refused: the first counts.
    stale = _post(client, arrived, reason="other", note="یک توضیح دیگر برای همین ورود")
    assert stale.status_code == 302 and ArrivalReadReview.objects.count() == 1
    why = "گل روی پلاک نبود؛ کامیون از درِ شمالی بدون دوربین وارد شد."
    assert _post(client, arrived, reason="gate_without_camera", note=why, supersedes=first.pk).status_code == 302

    first.refresh_from_db()
    assert (first.reason, first.note) == ("plate_unreadable", NOTE)  # never edited
    second = ArrivalReadReview.objects.get(supersedes=first)
    assert (second.reason, second.note) == ("gate_without_camera", why)
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    history = page.split('id="arrival-read-history"')[1].split("</ol>")[0]
    assert f'data-review="{first.pk}" data-reason="plate_unreadable" data-current="no"' in history
    assert f'data-review="{second.pk}" data-reason="gate_without_camera" data-current="yes"' in history
    assert "<del>" in history and NOTE in history and why in history
    kinds = list(DeclarationEvent.objects.filter(declaration=arrived).values_list("kind", flat=True))
    assert kinds.count("arrival_read_explained") == 2
    timeline = page.split('id="timeline"')[1]
    assert timeline.count('data-kind="arrival_read_explained"') == 2
    audited = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ArrivalReadReview))
    assert audited.count() == 2


def test_a_camera_out_of_service_names_the_system_problem_open_at_the_arrival(client, arrived, dest_clerk, tehran):
    from reports.models import ProblemStatus, SystemProblem

    open_then = SystemProblem.objects.create(
        system="anpr",
        symptom="unavailable",
        office=tehran,
        since=arrived.arrived_at - dt.timedelta(hours=3),
        description="دوربین ورودی تصویری نمی‌فرستد.",
    )
    over_before = SystemProblem.objects.create(
        system="anpr",
        symptom="unavailable",
        office=tehran,
        since=arrived.arrived_at - dt.timedelta(days=3),
        description="دوربین ورودی خاموش بود.",
        status=ProblemStatus.RESOLVED,
        resolved_at=arrived.arrived_at - dt.timedelta(days=2),
    )
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert f'value="problem:{open_then.pk}"' in page and f'value="problem:{over_before.pk}"' not in page
    assert _post(client, arrived, reason="camera_down", note=NOTE, outage=f"problem:{open_then.pk}").status_code == 302
    review = ArrivalReadReview.objects.get()
    assert review.outage_ref == f"problem:{open_then.pk}" and f"no. {open_then.pk}" in review.outage
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert review.outage in htmllib.unescape(page.split('id="arrival-read-history"')[1])


def test_the_demo_explains_a_few_through_the_service_and_keeps_the_rest_flagged(bazargan, tehran, inspector):
    from declarations.demo_arrival_reads import arrival_reads_demo
    from tests.factories import DeclarationFactory

    for _ in range(4):
        d = DeclarationFactory(origin=bazargan, destination=tehran)
        declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
        d.refresh_from_db()
        declaration_confirm_arrival(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=1))
    counts = arrival_reads_demo(rng=None, now=timezone.now())
    assert counts == {"arrival_reads_explained": 2}
    assert ArrivalReadReview.objects.count() == 3  # two explained, the first of them then referred
    referred = ArrivalReadReview.objects.get(reason="refer")
    assert referred.by == inspector and referred.supersedes is not None
    flagged = monitoring.filter_signal(TransitDeclaration.objects.all(), "arrival_without_read")
    assert flagged.count() == 3


def test_the_refusal_of_a_second_review_names_the_first_reviewer_isolated(arrived, dest_clerk, inspector):
    """«… by John Smith 2 on …»: a Latin name in the Persian sentence keeps its place."""
    from core.errors import IllegalTransition
    from declarations.arrival_reads import arrival_read_review

    dest_clerk.first_name, dest_clerk.last_name = "John", "Smith 2"
    dest_clerk.save()
    arrival_read_review(declaration=arrived, by=dest_clerk, reason="other", note="The gate camera was being moved.")
    with pytest.raises(IllegalTransition) as refused:
        arrival_read_review(
            declaration=arrived, by=dest_clerk, reason="refer", note="Nobody logged any works that day."
        )
    assert "\u2068John Smith 2\u2069" in str(refused.value)


def test_another_reason_is_recorded_whatever_the_outage_box_still_shows(client, arrived, dest_clerk, tehran):
    """The outage box starts on the outage known then; ticking «gate without a camera» and sending the form as
    it stood was refused «Name an outage only for a camera out of service». The box is only for that reason."""
    from reports.models import SystemProblem

    open_then = SystemProblem.objects.create(
        system="anpr",
        symptom="unavailable",
        office=tehran,
        since=arrived.arrived_at - dt.timedelta(hours=3),
        description="دوربین ورودی تصویری نمی‌فرستد.",
    )
    client.force_login(dest_clerk)
    sent = _post(client, arrived, reason="gate_without_camera", note=NOTE, outage=f"problem:{open_then.pk}")
    assert sent.status_code == 302, sent.content.decode()[:2000]
    review = ArrivalReadReview.objects.get()
    assert review.reason == "gate_without_camera" and review.outage_ref == "" and review.outage == ""


def test_the_reasons_are_offered_one_per_line(client, arrived, dest_clerk):
    """Side by side, «other» sat beside «not explained: refer to the inspector» and was ticked for it."""
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    form = page[page.index('id="arrival-read"') :]
    form = form[: form.index("</fieldset>")]
    boxes = re.findall(r'<div class="([^"]*)">\s*<input type="radio"', form)
    assert len(boxes) >= 3
    assert all(b == "form-check" for b in boxes), boxes


@pytest.mark.persian
def test_the_inspector_is_told_where_it_stands_not_asked_to_say_why(client, arrived, inspector, dest_clerk):
    """The «say why, or refer it» line is the destination office's (the form is theirs): the inspector reads
    that the office has not explained it yet, then that it referred it to him."""
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert "علت را بگویید" not in page and "ارجاع دهید" not in page
    assert "گمرک مقصد هنوز علت آن را نگفته است" in page

    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert "علت را بگویید، یا آن را به بازرس ارجاع دهید" in page  # his to answer
    _post(client, arrived, reason="refer", note=NOTE)

    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert "علت را بگویید" not in page
    assert "گمرک مقصد علت را نتوانست بگوید و آن را به بازرس ارجاع داده است" in page


@pytest.mark.persian
def test_the_inspector_reads_what_the_destination_said_at_the_arrival(client, declaration, inspector):
    """The walk: the arrival was confirmed with «why the truck was not seen at the gate» answered, yet the
    inspector's panel said the destination office «has not said why»; it now quotes what was said there."""
    declaration_depart(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration.refresh_from_db()
    declaration_confirm_arrival(
        declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1), unseen_reason=NOTE
    )
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    state = page[page.index('id="arrival-read-state"') :]
    state = htmllib.unescape(state[: state.index("</p>")])
    assert "هنوز علت آن را نگفته است" not in state
    assert "هنگام اعلام وصول گفت" in state and NOTE in state
