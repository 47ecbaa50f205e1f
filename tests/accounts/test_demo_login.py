"""The demo stays walkable: seed_demo enrols hq and it, and demo_totp prints the code they type."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.offices_data import ensure_offices
from reports.management.commands import seed_demo


@pytest.fixture
def demo_users(db, tmp_path, monkeypatch):
    credentials = tmp_path / "demo_credentials.txt"
    monkeypatch.setattr(seed_demo, "CREDENTIALS", credentials)  # not the checkout's own file
    ensure_offices()
    out = io.StringIO()
    seed_demo.Command(stdout=out).users()
    lines = {line.split()[0]: line.split() for line in credentials.read_text().splitlines()}
    return lines, out.getvalue()


def test_hq_logs_in_with_the_printed_password_and_the_code_demo_totp_prints(client, demo_users):
    lines, printed = demo_users
    assert "demo_totp hq" in printed
    assert any(part.startswith("totp=") for part in lines["hq"])
    assert any(part.startswith("totp=") for part in lines["it"])
    assert not any(part.startswith("totp=") for part in lines["bazargan"])  # office staff: password only

    client.post(reverse("login"), {"username": "hq", "password": lines["hq"][1]})
    out = io.StringIO()
    call_command("demo_totp", "hq", stdout=out, stderr=io.StringIO())
    response = client.post(reverse("accounts:two-factor"), {"code": out.getvalue().strip(), "next": "/"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200


def test_seeding_again_keeps_the_enrolled_key(demo_users):
    lines, _ = demo_users
    again = io.StringIO()
    seed_demo.Command(stdout=again).users()

    assert f"totp={lines['hq'][-1].split('=', 1)[1]}" in again.getvalue()


def test_demo_totp_is_refused_in_a_deployment(demo_users, settings):
    settings.DEBUG, settings.EMBEDDED = False, False

    with pytest.raises(CommandError, match="never in a deployment"):
        call_command("demo_totp", "hq", stdout=io.StringIO())


def _recovery(line: list[str]) -> list[str]:
    return next(part.removeprefix("recovery=").split(",") for part in line if part.startswith("recovery="))


def test_the_demo_second_factor_users_have_recovery_codes_and_are_not_told_few_are_left(client, demo_users):
    """hq and it had none, so every login said «کدهای بازیابی اندکی مانده است»: seed_demo makes them a set
    (as the account page does), writes them beside the password and prints them."""
    from accounts import two_factor
    from accounts.models import User

    lines, printed = demo_users
    for username in ("hq", "it"):
        codes = _recovery(lines[username])
        assert len(codes) == 10 and all(code in printed for code in codes)
        assert two_factor.recovery_codes_left(User.objects.get(username=username)) == 10
    assert not any(part.startswith("recovery=") for part in lines["bazargan"])

    client.post(reverse("login"), {"username": "it", "password": lines["it"][1]})
    out = io.StringIO()
    call_command("demo_totp", "it", stdout=out, stderr=io.StringIO())
    response = client.post(reverse("accounts:two-factor"), {"code": out.getvalue().strip(), "next": "/"}, follow=True)
    assert "Few recovery codes are left" not in response.content.decode()


def test_a_written_recovery_code_logs_in_once_and_seeding_again_keeps_the_others(client, demo_users):
    lines, _ = demo_users
    codes = _recovery(lines["hq"])
    client.post(reverse("login"), {"username": "hq", "password": lines["hq"][1]})
    response = client.post(reverse("accounts:two-factor"), {"code": codes[0], "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"

    again = io.StringIO()
    seed_demo.Command(stdout=again).users()
    assert f"recovery={','.join(codes[1:])}" in again.getvalue()  # the nine left, the used one gone
