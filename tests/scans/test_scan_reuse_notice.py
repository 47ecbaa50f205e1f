"""A scan that is the same image as an earlier scan of another truck's declaration rings the bell of the
inspectors of the provinces of both declarations' offices, once per pair of declarations, after the
upload commits; each is told only what the scans page tells them, and the link opens that page.
One pass of a truck carrying two declarations tells nobody."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from core.dates import format_jalali
from core.text import persian_digits
from declarations import idents
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory, ProvinceFactory, UserFactory, VehicleFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db

FIRST, REUSING = "1405-BZG-90000011", "1405-SRK-90000012"


@pytest.fixture
def first(bazargan, tehran):
    """Bazargan (West Azerbaijan) → Tehran: its origin scan is the image reused."""
    return DeclarationFactory(origin=bazargan, destination=tehran, serial=FIRST)


@pytest.fixture
def reusing(sarakhs, bazargan):
    """Sarakhs (Khorasan) → Bazargan, another truck: Tehran sees nothing of it, Khorasan nothing of the first."""
    return DeclarationFactory(origin=sarakhs, destination=bazargan, serial=REUSING, vehicle=VehicleFactory())


@pytest.fixture
def sarakhs_clerk(sarakhs):
    return UserFactory(username="sarakhs_clerk", role=Role.OFFICE, office=sarakhs)


@pytest.fixture
def tehran_inspector(tehran_province):
    return UserFactory(username="tehran_inspector", role=Role.INSPECTOR, province=tehran_province)


@pytest.fixture
def fars_inspector(db):
    fars = ProvinceFactory(code="FRS", name_fa="فارس", name_en="Fars")
    return UserFactory(username="fars_inspector", role=Role.INSPECTOR, province=fars)


def _upload(capture, declaration, by, data):
    with capture(execute=True):  # the notice goes once the upload commits
        return upload(declaration, "origin", by, data)


def _page(client, user, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("notifications:list")).content.decode()


def _serial_html(serial: str) -> str:
    return f'<bdi dir="ltr" class="ident ident-serial">{serial}</bdi>'


def test_the_inspectors_of_both_declarations_provinces_are_told_once_each_what_they_may_see(
    client,
    django_capture_on_commit_callbacks,
    first,
    reusing,
    origin_clerk,
    dest_clerk,
    sarakhs_clerk,
    inspector,
    tehran_inspector,
    outsider,
    fars_inspector,
    hq,
):
    data = images.png(21)
    original = _upload(django_capture_on_commit_callbacks, first, origin_clerk, data)
    assert not Notification.objects.exists()  # an image of its own: nobody is told
    reused = _upload(django_capture_on_commit_callbacks, reusing, sarakhs_clerk, data)

    told = {n.user: n for n in Notification.objects.all()}
    assert set(told) == {inspector, tehran_inspector, outsider}  # one each; no clerk, no other province, not HQ
    assert {n.kind for n in told.values()} == {Kind.SCAN_REUSED}
    first_scans = reverse("scans:declaration", args=[first.pk])
    reusing_scans = reverse("scans:declaration", args=[reusing.pk])

    # West Azerbaijan's inspector sees both (Bazargan is on both): the declaration that repeats the
    # image, naming the one it repeats and that one's truck.
    both = told[inspector]
    assert both.url == f"{reusing_scans}#scan-{reused.pk}"
    page = _page(client, inspector, "en")
    assert _serial_html(REUSING) in page and _serial_html(FIRST) in page
    plate = idents.plate_html(first.vehicle.plate)
    assert (
        f"The origin scan no. {reused.pk} of {_serial_html(REUSING)} is the same image as the origin scan no. "
        f"{original.pk} of {_serial_html(FIRST)}, another truck ({plate}), uploaded on "
        f"{format_jalali(original.uploaded_at, persian=False)}: the truck of {_serial_html(REUSING)} may never "
        "have been scanned."
    ) in page
    page = _page(client, inspector, "fa")
    with translation.override("fa"):
        assert str(Kind.SCAN_REUSED.label) in page
    assert (
        f"تصویر اسکن مبدأ شماره {persian_digits(reused.pk)} اظهارنامه {_serial_html(REUSING)} همان تصویر اسکن "
        f"مبدأ شماره {persian_digits(original.pk)} اظهارنامه {_serial_html(FIRST)}، کامیونی دیگر"
    ) in page
    assert "same image" not in page

    # Tehran's inspector sees only the first: its scan was used again, for a declaration not named.
    only_first = told[tehran_inspector]
    assert only_first.url == f"{first_scans}#scan-{original.pk}"
    page = _page(client, tehran_inspector, "en")
    assert _serial_html(FIRST) in page and "outside your offices" in page
    assert REUSING not in page + only_first.title + only_first.body + only_first.url
    page = _page(client, tehran_inspector, "fa")
    assert _serial_html(FIRST) in page and "بیرون از حوزهٔ دسترسی شما" in page and REUSING not in page

    # Khorasan's inspector sees only the reusing one: the same image as another truck's scan, not which.
    only_reusing = told[outsider]
    assert only_reusing.url == f"{reusing_scans}#scan-{reused.pk}"
    page = _page(client, outsider, "en")
    assert _serial_html(REUSING) in page and "may never have been scanned" in page
    assert FIRST not in page + only_reusing.title + only_reusing.body + only_reusing.url
    assert first.vehicle.plate not in only_reusing.body

    # Each link opens a page its reader may see.
    for user, note in told.items():
        client.force_login(user)
        assert client.get(note.url.split("#")[0]).status_code == 200, user


def test_another_upload_of_the_same_pair_tells_nobody_again(
    django_capture_on_commit_callbacks, first, reusing, origin_clerk, sarakhs_clerk, inspector, tehran_inspector
):
    _upload(django_capture_on_commit_callbacks, first, origin_clerk, images.png(22))
    _upload(django_capture_on_commit_callbacks, first, origin_clerk, images.png(23))  # a second scan of the pass
    _upload(django_capture_on_commit_callbacks, reusing, sarakhs_clerk, images.png(22))
    _upload(django_capture_on_commit_callbacks, reusing, sarakhs_clerk, images.png(23))
    assert Notification.objects.filter(user=inspector).count() == 1
    assert Notification.objects.filter(user=tehran_inspector).count() == 1


def test_one_pass_of_a_truck_carrying_two_declarations_tells_nobody(
    django_capture_on_commit_callbacks, first, bazargan, sarakhs, origin_clerk, inspector, tehran_inspector
):
    same_truck = DeclarationFactory(origin=bazargan, destination=sarakhs, vehicle=first.vehicle)
    _upload(django_capture_on_commit_callbacks, first, origin_clerk, images.png(24))
    again = _upload(django_capture_on_commit_callbacks, same_truck, origin_clerk, images.png(24))
    assert again.repeats_scan is not None  # noted on the pages and timelines, as before
    assert not Notification.objects.exists()


def test_who_chose_it_gets_the_email_in_their_language_after_the_upload_commits(
    django_capture_on_commit_callbacks, first, reusing, origin_clerk, sarakhs_clerk, inspector
):
    inspector.email, inspector.language = "inspector@customs.local", "fa"
    inspector.save()
    inspector.email_preferences.create(kind=Kind.SCAN_REUSED)
    _upload(django_capture_on_commit_callbacks, first, origin_clerk, images.png(25))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reused = upload(reusing, "origin", sarakhs_clerk, images.png(25))
    assert not Notification.objects.exists() and not mail.outbox  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    (message,) = mail.outbox
    assert message.to == ["inspector@customs.local"]
    with translation.override("fa"):
        assert message.subject.startswith(str(Kind.SCAN_REUSED.label))
    assert idents.serial_text(REUSING) in message.subject
    assert idents.serial_text(FIRST) in message.body and "کامیونی دیگر" in message.body
    assert f"{reverse('scans:declaration', args=[reusing.pk])}#scan-{reused.pk}" in message.body


def test_the_kind_is_offered_in_the_email_choices(client, inspector):
    client.force_login(inspector)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'value="scan_reused"' in page and "same image as another truck&#x27;s scan" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert re.search(r'value="scan_reused"[^>]*>\s*<label[^>]*>تصویر اسکن همان تصویر اسکن کامیونی دیگر است<', page)
    assert client.post(reverse("notifications:preferences"), {"kinds": [Kind.SCAN_REUSED]}).status_code == 302
    assert list(inspector.email_preferences.values_list("kind", flat=True)) == [Kind.SCAN_REUSED]
