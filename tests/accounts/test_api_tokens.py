"""API tokens: stored hashed, expiring, revocable, rotated with a grace period, each use attributable;
``POST /api/token/`` is throttled and under the login lock-out; ``issue_token`` prints a key once."""

import datetime as dt
import hashlib
import io
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from accounts.services import api_token_issue, api_token_revoke, api_token_rotate
from tests.factories import UserFactory

LIST = "/api/declarations/"
TOKEN_URL = "/api/token/"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def ics(db):
    return UserFactory(username="ics", role=Role.INTEGRATION)


def client_with(key: str, address: str = "198.51.100.7") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def all_stored_text() -> str:
    """Every column of every token row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        return repr(cursor.fetchall())


# --- at rest ----------------------------------------------------------------------------------


def test_the_database_holds_the_hash_never_the_key(ics, api_token_for):
    key = api_token_for(ics)

    stored = all_stored_text()
    token = ApiToken.objects.get()
    assert key not in stored
    assert key[len(token.prefix) :] not in stored  # not even the secret part
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)


def test_a_new_token_expires_after_the_configured_days(ics, settings):
    settings.API_TOKEN_DAYS = 30
    before = timezone.now()

    token, _ = api_token_issue(user=ics)
    forever, _ = api_token_issue(user=ics, days=0)

    assert before + dt.timedelta(days=30) <= token.expires_at <= timezone.now() + dt.timedelta(days=30)
    assert forever.expires_at is None


# --- use ---------------------------------------------------------------------------------------


def test_a_key_opens_the_api_and_its_use_is_recorded(ics, api_token_for, declaration):
    key = api_token_for(ics)

    response = client_with(key, "198.51.100.7").get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    token = ApiToken.objects.get()
    assert token.last_used_ip == "198.51.100.7"
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)
    assert token.via_ref == f"token {token.prefix}… of ics"  # as the audit seal names it


def test_a_use_from_another_address_is_recorded_at_once(ics, api_token_for, declaration):
    key = api_token_for(ics)
    client_with(key, "198.51.100.7").get(LIST)

    client_with(key, "198.51.100.8").get(LIST)

    assert ApiToken.objects.get().last_used_ip == "198.51.100.8"


def test_the_request_names_the_token(ics, api_token_for, rf):
    from accounts.authentication import ApiTokenAuthentication

    key = api_token_for(ics)
    request = rf.get(LIST, HTTP_AUTHORIZATION=f"Token {key}")

    user, token = ApiTokenAuthentication().authenticate(request)

    assert user == ics
    assert isinstance(token, ApiToken)
    assert token.via_ref.startswith("token ") and token.via_ref.endswith(" of ics")


@pytest.mark.parametrize(
    ("language", "named"),
    [
        pytest.param("fa", "توکن \u2066{p}…\u2069 کاربر \u2066ics\u2069", marks=pytest.mark.persian),
        ("en", "token \u2066{p}…\u2069 of \u2066ics\u2069"),
    ],
    ids=["fa", "en"],
)
def test_a_token_is_named_in_the_readers_language_its_prefix_and_user_isolated(ics, api_token_for, language, named):
    from django.utils import translation

    api_token_for(ics)
    token = ApiToken.objects.get()
    with translation.override(language):
        assert str(token) == named.format(p=token.prefix)
    with translation.override("fa"):
        assert token.via_ref == f"token {token.prefix}… of ics"  # the seal's reference: stored, in no language


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token nonsense-that-is-long-enough-to-have-a-prefix", "Unknown token."),
        ("Token short", "Unknown token."),
        ("Token a b", "one key"),
    ],
)
def test_a_wrong_key_is_a_401_that_says_so(db, header, message):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(LIST)

    assert response.status_code == 401
    assert message in response.json()["error"]["message"]


def test_a_right_prefix_with_a_wrong_secret_is_refused(ics, api_token_for):
    key = api_token_for(ics)
    forged = key[:10] + ("A" if key[10] != "A" else "B") + key[11:]

    response = client_with(forged).get(LIST)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Unknown token."
    assert ApiToken.objects.get().last_used_at is None


def test_an_expired_token_is_refused_with_a_clear_401(ics, api_token_for):
    key = api_token_for(ics)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client_with(key).get(LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert "expired" in error["message"] and "ask for a new token" in error["message"]


def test_a_revoked_token_is_refused_with_a_clear_401(ics, api_token_for, hq):
    key = api_token_for(ics)

    api_token_revoke(token=ApiToken.objects.get(), by=hq)
    response = client_with(key).get(LIST)

    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    entry = LogEntry.objects.get_for_model(ApiToken).latest("timestamp")
    assert entry.actor == hq and "revoked_at" in entry.changes_dict


def test_a_token_of_a_deactivated_user_is_refused(ics, api_token_for):
    key = api_token_for(ics)
    ics.is_active = False
    ics.save()

    response = client_with(key).get(LIST)

    assert response.status_code == 401
    assert "not active" in response.json()["error"]["message"]


# --- rotation ----------------------------------------------------------------------------------


def test_rotation_gives_a_new_key_and_the_old_one_stops_at_once(ics, api_token_for, hq, declaration):
    old_key = api_token_for(ics, name="ICS nightly import")
    old = ApiToken.objects.get()

    new, new_key = api_token_rotate(token=old, by=hq)

    assert new_key != old_key
    assert new.rotated_from == old and new.name == "ICS nightly import" and new.created_by == hq
    assert client_with(old_key).get(LIST).status_code == 401
    assert client_with(new_key).get(LIST).status_code == 200
    assert new_key not in all_stored_text()


def test_rotation_with_a_grace_period_keeps_the_old_key_until_then(ics, api_token_for, declaration):
    old_key = api_token_for(ics)
    old = ApiToken.objects.get()

    new, new_key = api_token_rotate(token=old, by=None, grace=dt.timedelta(hours=1))

    assert client_with(old_key).get(LIST).status_code == 200  # the client has an hour to switch
    assert client_with(new_key).get(LIST).status_code == 200
    old.refresh_from_db()
    assert timezone.now() + dt.timedelta(minutes=59) < old.revoked_at <= timezone.now() + dt.timedelta(hours=1)
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=timezone.now())  # the hour has passed
    assert client_with(old_key).get(LIST).status_code == 401


def test_a_revoked_token_cannot_be_rotated_into_a_new_one(ics, api_token_for):
    from core.errors import InvalidInput

    api_token_for(ics)
    token = api_token_revoke(token=ApiToken.objects.get())

    with pytest.raises(InvalidInput, match="revoked"):
        api_token_rotate(token=token)
    assert ApiToken.objects.count() == 1


# --- POST /api/token/ --------------------------------------------------------------------------


def test_the_token_endpoint_issues_a_hashed_token_for_a_password(ics, declaration):
    response = APIClient().post(TOKEN_URL, {"username": "ics", "password": PASSWORD}, format="json")

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(user=ics)
    assert body["prefix"] == token.prefix and body["user"] == "ics" and body["expires_at"]
    assert body["token"] not in all_stored_text()
    assert client_with(body["token"]).get(LIST).status_code == 200


def test_a_wrong_password_gets_no_token(ics):
    response = APIClient().post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert "do not match" in response.json()["error"]["message"]
    assert not ApiToken.objects.exists()


@pytest.mark.persian
def test_a_wrong_password_is_refused_in_the_requests_language(ics):
    """It was English whatever the language, unlike the API's other errors."""
    response = APIClient().post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "نام کاربری و گذرواژه با هیچ حساب فعالی جور نیست"


def test_a_missing_password_is_named(ics):
    response = APIClient().post(TOKEN_URL, {"username": "ics"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_the_token_endpoint_is_throttled_per_address(ics, settings):
    settings.API_TOKEN_THROTTLE = "3/min"
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        assert client.post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json").status_code == 400

    response = client.post(TOKEN_URL, {"username": "ics", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert not ApiToken.objects.exists()
    other = APIClient(REMOTE_ADDR="198.51.100.8")
    assert other.post(TOKEN_URL, {"username": "ics", "password": PASSWORD}, format="json").status_code == 201


def test_the_token_endpoint_is_under_the_login_lock_out(ics, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10
    settings.API_TOKEN_THROTTLE = "100/min"
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    for _ in range(9):
        assert client.post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json").status_code == 400
    assert client.post(TOKEN_URL, {"username": "ics", "password": "wrong"}, format="json").status_code == 429

    response = client.post(TOKEN_URL, {"username": "ics", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "locked_out"
    assert "IT office" in response.json()["error"]["message"]
    assert not ApiToken.objects.exists()
    # The web login of the same user from the same address is locked too: one lock-out.
    web = client.post("/login/", {"username": "ics", "password": PASSWORD})
    assert web.status_code == 429 and "Login paused" in web.content.decode()


# --- the command -------------------------------------------------------------------------------


def test_issue_token_prints_the_key_once_and_stores_its_hash(ics, declaration):
    out, err = io.StringIO(), io.StringIO()

    call_command("issue_token", "ics", "--days", "7", "--name", "ICS", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.name == "ICS" and token.matches(key)
    assert dt.timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=7)
    assert "shown only now" in err.getvalue() and key not in err.getvalue()
    assert client_with(key).get(LIST).status_code == 200


def test_issue_token_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="^Username: no user is named \u2066nobody\u2069.$"):
        call_command("issue_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


# --- the migration of DRF's plain keys ---------------------------------------------------------


def test_drfs_plain_keys_become_hashed_tokens_and_are_deleted(ics, declaration, settings):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0004_hash_drf_authtoken_keys")
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy_key, ics.pk, timezone.now()])
    settings.API_TOKEN_DAYS = 90

    migration.copy_and_forget_plain_keys(apps, SimpleNamespace(connection=connection))  # all it uses

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert legacy_key not in all_stored_text()
    token = ApiToken.objects.get()
    assert token.user == ics and token.expires_at is not None
    assert client_with(legacy_key).get(LIST).status_code == 200  # the client keeps its key


def test_an_account_that_needs_a_second_factor_gets_no_token_from_its_password_alone(hq):
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    hq.set_password("correct-horse-battery")
    hq.save()
    response = APIClient().post("/api/token/", {"username": hq.username, "password": "correct-horse-battery"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert not ApiToken.objects.filter(user=hq).exists()
