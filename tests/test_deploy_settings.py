"""Production settings: `check --deploy` is clean with only DEBUG=0, SECRET_KEY and ALLOWED_HOSTS set,
and DEBUG refuses to start on a production database."""

import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    """``manage.py`` in a fresh process whose environment is exactly ``env`` (no DATABASE_URL, no
    REDIS_URL, nothing inherited)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_passes_with_only_the_three_variables():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=secrets.token_hex(32), ALLOWED_HOSTS="x"
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_deployment_defaults_are_secure_and_the_embedded_default_is_plain_http():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.SECURE_PROXY_SSL_HEADER, s.CSRF_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS)"
    )
    deployed = manage("shell", "-v", "0", "-c", script, DEBUG="0", SECRET_KEY=secrets.token_hex(32), ALLOWED_HOSTS="x")
    embedded = manage("shell", "-v", "0", "-c", script)

    assert deployed.stdout.split() == ["True"] * 4 + ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "DENY"]
    assert embedded.stdout.split()[:4] == ["False"] * 4


def test_debug_is_refused_on_a_production_database():
    result = manage(
        "check",
        DEBUG="1",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL="postgres://transit@db.customs.local:5432/transit",
    )

    assert result.returncode != 0
    assert "DEBUG is on with a production database" in result.stderr


def test_debug_is_refused_when_production_is_declared():
    result = manage("check", DEBUG="1", PRODUCTION="1", SECRET_KEY=secrets.token_hex(32))

    assert result.returncode != 0
    assert "DEBUG is on with a production database" in result.stderr


def test_the_test_only_job_pause_is_refused_in_production():
    result = manage(
        "check", DEBUG="0", PRODUCTION="1", SECRET_KEY=secrets.token_hex(32), TASK_TEST_PAUSE="comparison=30"
    )

    assert result.returncode != 0
    assert "TASK_TEST_PAUSE is set with a production database" in result.stderr
    assert manage("check", DEBUG="0", PRODUCTION="1", SECRET_KEY=secrets.token_hex(32)).returncode == 0
