"""``manage.py ensure_admin``: the deployment's first administrator, from the environment, once."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User

pytestmark = pytest.mark.django_db
LRI, PDI = "\u2066", "\u2069"


def run(monkeypatch, capsys, **env):
    for name in ("ADMIN_USERNAME", "ADMIN_PASSWORD", "ADMIN_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    call_command("ensure_admin")
    return capsys.readouterr().out


def test_the_first_start_creates_an_hq_superuser_who_must_enrol_a_second_factor(monkeypatch, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    out = run(monkeypatch, capsys, ADMIN_USERNAME="hq-admin", ADMIN_PASSWORD="Urmia-Sarakhs-1403", ADMIN_EMAIL="a@x.ir")

    user = User.objects.get(username="hq-admin")
    assert user.role == Role.HQ and user.is_staff and user.is_superuser and user.email == "a@x.ir"
    assert user.check_password("Urmia-Sarakhs-1403") and user.password.startswith("argon2")
    assert "created" in out and "two-factor" in out


def test_a_later_start_never_changes_an_existing_users_password(monkeypatch, capsys):
    User.objects.create_user("hq-admin", password="Chosen-by-the-admin-42", role=Role.HQ)

    out = run(monkeypatch, capsys, ADMIN_USERNAME="hq-admin", ADMIN_PASSWORD="Another-strong-pass-99")

    assert User.objects.get(username="hq-admin").check_password("Chosen-by-the-admin-42")
    assert "already exists" in out and "not changed" in out


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "too short"),
        ("password1234", "too common"),
        ("4815162342108", "entirely numeric"),
        ("hq-admin12", "too similar to the username"),
        ("", "This field is required"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason_and_nothing_is_created(monkeypatch, capsys, password, reason):
    with pytest.raises(CommandError) as refused:
        run(monkeypatch, capsys, ADMIN_USERNAME="hq-admin", ADMIN_PASSWORD=password)

    assert f"{LRI}hq-admin{PDI} was not created" in str(refused.value) and reason in str(refused.value)
    assert not User.objects.exists()


def test_a_username_the_login_form_would_refuse_is_refused(monkeypatch, capsys):
    with pytest.raises(CommandError, match="Username: Enter a valid username"):
        run(monkeypatch, capsys, ADMIN_USERNAME="hq admin/1", ADMIN_PASSWORD="Urmia-Sarakhs-1403")


@pytest.mark.persian
def test_it_speaks_the_sites_language_naming_the_fields_as_the_forms_do_and_the_username_isolated(monkeypatch, capsys):
    # IT staff run it in the site's language (LANGUAGE_CODE, Persian): no English field name or sentence left.
    with pytest.raises(CommandError) as refused:
        run(monkeypatch, capsys, ADMIN_USERNAME="hq admin/1", ADMIN_PASSWORD="password1234")

    message = str(refused.value)
    assert message.startswith(f"مدیر {LRI}hq admin/1{PDI} ساخته نشد. نام کاربری: ")
    assert "؛ گذرواژه: " in message and "username" not in message and "password" not in message
    assert not User.objects.exists()

    out = run(monkeypatch, capsys, ADMIN_USERNAME="hq-admin", ADMIN_PASSWORD="Urmia-Sarakhs-1403")
    assert out.startswith(f"مدیر {LRI}hq-admin{PDI} ساخته شد") and "ورود دومرحله‌ای" in out

    out = run(monkeypatch, capsys, ADMIN_USERNAME="hq-admin", ADMIN_PASSWORD="Another-strong-pass-99")
    assert out.startswith(f"کاربر {LRI}hq-admin{PDI} از پیش وجود دارد") and "گذرواژه‌اش تغییر نکرد" in out

    assert run(monkeypatch, capsys) == f"{LRI}ADMIN_USERNAME{PDI} تنظیم نشده است: مدیری ساخته نشد.\n"


def test_without_a_username_it_says_so_and_does_nothing(monkeypatch, capsys):
    out = run(monkeypatch, capsys)

    assert f"{LRI}ADMIN_USERNAME{PDI} is not set" in out and not User.objects.exists()


def test_with_media_on_disk_ensure_bucket_only_makes_the_folder(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"

    call_command("ensure_bucket")

    assert (tmp_path / "media").is_dir() and "no bucket needed" in capsys.readouterr().out
