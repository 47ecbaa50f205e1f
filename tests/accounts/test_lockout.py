"""Login lock-out behind the proxy: the pair (username, client address) is locked, never everyone.

The shipped nginx connects from one address for every browser; its X-Forwarded-For names the
browser. Ten failures by the origin clerk from computer X must lock the origin clerk on X only.
"""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.urls import reverse

PROXY = "172.28.0.5"
X = "198.51.100.7"
Y = "198.51.100.8"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _axes_behind_proxy(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    settings.TRUSTED_PROXIES = ["172.28.0.0/24"]


def login(client, username, password, *, peer=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(reverse("login"), {"username": username, "password": password}, **extra)
    client.logout()
    return response


def fail_ten_times(client, username, **where):
    for _ in range(9):
        assert login(client, username, "wrong password", **where).status_code == 200
    assert login(client, username, "wrong password", **where).status_code == 429  # the tenth locks


def test_it_locks_the_user_from_that_address_only(client, origin_clerk, dest_clerk):
    fail_ten_times(client, "origin_clerk", forwarded=X)

    assert login(client, "origin_clerk", PASSWORD, forwarded=X).status_code == 429
    # The same proxy, another browser: the same user logs in from computer Y ...
    assert login(client, "origin_clerk", PASSWORD, forwarded=Y).status_code == 302
    # ... and another user logs in from computer X.
    assert login(client, "dest_clerk", PASSWORD, forwarded=X).status_code == 302


def test_it_reads_the_address_our_proxy_appended_not_one_the_client_wrote(client, origin_clerk):
    # nginx appends the peer it saw; whatever the client put in front is not believed.
    for n in range(10):
        login(client, "origin_clerk", "wrong password", forwarded=f"10.9.9.{n}, {X}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}
    assert login(client, "origin_clerk", PASSWORD, forwarded=X).status_code == 429


def test_it_ignores_x_forwarded_for_from_an_untrusted_peer(client, origin_clerk):
    stranger = "203.0.113.5"
    for n in range(10):
        login(client, "origin_clerk", "wrong password", peer=stranger, forwarded=f"198.51.100.{n}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {stranger}
    # A spoofed header does not get the stranger out of the lock either.
    assert login(client, "origin_clerk", PASSWORD, peer=stranger, forwarded=Y).status_code == 429
    # The proxy's own users are not affected by the stranger.
    assert login(client, "origin_clerk", PASSWORD, forwarded=Y).status_code == 302


@pytest.mark.persian
def test_the_lockout_page_says_what_happened_in_persian_in_the_app_layout(client, origin_clerk):
    fail_ten_times(client, "origin_clerk", forwarded=X)

    response = login(client, "origin_clerk", PASSWORD, forwarded=X)

    body = response.content.decode()
    assert response.status_code == 429
    assert 'class="navbar-brand"' in body  # the app's layout, not a bare text
    assert "<bdi>origin_clerk</bdi>" in body
    assert "۱۰" in body  # the limit, in Persian digits
    assert "دفتر فاوا" in body  # whom to ask


def test_it_office_lists_and_releases_a_lock_with_an_audit_entry(client, origin_clerk, it_officer):
    fail_ten_times(client, "origin_clerk", forwarded=X)
    client.force_login(it_officer)

    page = client.get(reverse("accounts:lockouts"))
    assert page.status_code == 200
    assert [(lock.username, lock.ip_address) for lock in page.context["lockouts"]] == [("origin_clerk", X)]

    response = client.post(reverse("accounts:lockouts"), {"username": "origin_clerk", "ip_address": X})

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="origin_clerk").exists()
    entry = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_repr=f"origin_clerk @ {X}")
    assert entry.actor == it_officer
    assert login(client, "origin_clerk", PASSWORD, forwarded=X).status_code == 302


@pytest.mark.parametrize("persona", ["origin_clerk", "inspector", "hq"])
def test_other_roles_may_not_release_locks(client, persona, request, it_officer):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(reverse("accounts:lockouts")).status_code == 403
    assert client.post(reverse("accounts:lockouts"), {"username": "it_officer", "ip_address": X}).status_code == 403


def test_headquarters_are_told_who_releases_locks_and_the_system_administrator_may(client, hq, origin_clerk):
    """The demo's hq is also the system administrator (a superuser): the lock-outs page is theirs as such,
    not as headquarters, whom the access table (docs/security.md) refuses. The refusal named only the IT
    office, which the superuser's page belied."""
    fail_ten_times(client, "origin_clerk", forwarded=X)
    client.force_login(hq)
    refused = client.get(reverse("accounts:lockouts"), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert "Only the IT office and the system administrator release login lock-outs." in refused.content.decode()

    hq.is_superuser = True
    hq.save(update_fields=["is_superuser"])
    assert client.get(reverse("accounts:lockouts")).status_code == 200
    released = client.post(reverse("accounts:lockouts"), {"username": "origin_clerk", "ip_address": X})
    assert released.status_code == 302
    assert not AccessAttempt.objects.filter(username="origin_clerk").exists()
