"""The shipped deployment (docker-compose.yml, deploy/) starts clean, checked without a Docker engine:

- the compose file is valid against the Compose Specification's JSON schema (vendored in
  deploy/compose-spec/), every service has a health check, one worker per queue;
- each app service's own command, taken from the compose file with the environment of .env.example,
  is run here as a process: the init step (migrations, static files, the bucket on a real S3 server,
  the first administrator), gunicorn behind the shipped nginx configuration with the certificate
  tls-init makes, a Celery worker per queue and beat; each passes the health check compose runs on it;
- through nginx: port 80 only redirects, HSTS everywhere, static files from the collected folder,
  media as a presigned URL through nginx's /<bucket>/ that works and then expires.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests import s3server

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [name for name, s in SERVICES.items() if s.get("image") == "transit-monitor:latest"]
QUEUES = {"recognition", "comparison", "reports", "default"}
BIN = Path(sys.executable).parent


# --- the file itself ---------------------------------------------------------------------------


def test_the_compose_file_is_valid_against_the_compose_specification_schema():
    import jsonschema

    schema = json.loads((ROOT / "deploy" / "compose-spec" / "compose-spec.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)

    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(COMPOSE)]

    assert errors == []


def test_every_service_has_a_health_check():
    missing = [name for name, s in SERVICES.items() if not s.get("healthcheck", {}).get("test")]
    disabled = [name for name, s in SERVICES.items() if s.get("healthcheck", {}).get("disable")]

    assert missing == [] and disabled == []


def test_one_worker_per_queue_each_with_its_concurrency_from_the_environment():
    commands = {name: " ".join(s.get("command") or []) for name, s in SERVICES.items()}
    workers = {name: cmd for name, cmd in commands.items() if "celery -A transit_monitor worker" in cmd}

    queues = {re.search(r"-Q (\S+)", cmd).group(1): cmd for cmd in workers.values()}

    assert set(queues) == QUEUES and len(workers) == len(QUEUES)
    for queue, cmd in queues.items():
        assert re.search(rf"--concurrency \$\{{CELERY_{queue.upper()}_CONCURRENCY:-\d+\}}", cmd), cmd


def test_broker_results_and_cache_are_separate_redis_databases():
    env = SERVICES["web"]["environment"]

    urls = [env["CELERY_BROKER_URL"], env["CELERY_RESULT_BACKEND"], env["CACHE_URL"]]

    assert len({u.rsplit("/", 1)[1] for u in urls}) == 3


def test_the_app_services_start_after_the_init_step_and_nginx_after_a_healthy_web():
    for name in APP_SERVICES:
        if name not in ("init", "tls-init"):
            assert SERVICES[name]["depends_on"]["init"]["condition"] == "service_completed_successfully", name
    assert SERVICES["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert SERVICES["init"]["depends_on"]["minio"]["condition"] == "service_healthy"


# --- running the services' commands ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ``$$``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}``."""

    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        value = env.get(name, "")
        if m.group(2) in (":-", "-") and not value:
            return m.group(3)
        if m.group(2) in (":?", "?") and not value:
            raise AssertionError(f"compose would refuse to start: {m.group(3)}")
        return value

    return _VAR.sub(sub, value)


def dotenv(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


class Stack:
    """The app services' environment as compose gives it (.env.example + each service's environment),
    with the host names of the compose network replaced by local processes."""

    def __init__(self, tmp: Path, s3_endpoint: str, https_port: int):
        self.tmp = tmp
        self.https = f"https://127.0.0.1:{https_port}"
        self.project = dotenv(ROOT / ".env.example") | {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SITE_URL": self.https,
            "ADMIN_USERNAME": "hq-admin",
            "ADMIN_PASSWORD": "Tabriz-Bazargan-1403!",
        }
        self.local = {
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            "CELERY_BROKER_URL": os.environ.get("REDIS_URL", ""),
            "CELERY_RESULT_BACKEND": os.environ.get("REDIS_URL", ""),
            "CACHE_URL": os.environ.get("REDIS_URL", ""),
            "CACHE_KEY_PREFIX": f"deploy-test-{secrets.token_hex(4)}",
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_PUBLIC_ENDPOINT_URL": self.https,
            "S3_ACCESS_KEY": s3server.ACCESS_KEY,
            "S3_SECRET_KEY": s3server.SECRET_KEY,
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp / "celerybeat-schedule"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.https,
            "TRUSTED_PROXIES": "127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "S3_URL_EXPIRY_SECONDS": "2",
        }

    def env(self, service: str, **extra: str) -> dict[str, str]:
        compose_env = {
            k: interpolate(str(v), self.project) for k, v in SERVICES[service].get("environment", {}).items()
        }
        return {**self.project, **compose_env, **self.local, **extra}

    def command(self, service: str, env: dict[str, str]) -> list[str]:
        return [interpolate(part, env) for part in SERVICES[service]["command"]]

    def run(self, service: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
        env = self.env(service, **extra)
        return subprocess.run(
            self.command(service, env), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )

    def start(self, service: str, **extra: str) -> subprocess.Popen:
        env = self.env(service, **extra)
        log = open(self.tmp / f"{service}.log", "wb")
        return subprocess.Popen(self.command(service, env), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def healthy(self, service: str, *, within: float = 90, **extra: str) -> bool:
        """Runs the service's compose health check until it passes (True) or ``within`` seconds pass."""
        env = self.env(service, **extra)
        test = [interpolate(part, {}) if "$$" in part else part for part in SERVICES[service]["healthcheck"]["test"]]
        argv = test[1:] if test[0] == "CMD" else ["sh", "-c", test[1]]
        deadline = time.monotonic() + within
        while True:
            done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                return True
            if time.monotonic() > deadline:
                print(done.stdout, done.stderr)
                return False
            time.sleep(1)

    def log(self, service: str, tail: int | None = 3000) -> str:
        path = self.tmp / f"{service}.log"  # nginx/error: nginx's error log
        text = path.read_text(errors="replace") if path.exists() else ""
        return text[-tail:] if tail else text


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3server.running() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def stack(tmp_path_factory, s3_endpoint):
    """The init step run once (migrations on a fresh database, static files, bucket, administrator)."""
    stack = Stack(tmp_path_factory.mktemp("deploy"), s3_endpoint, https_port=_free_port())
    stack.init = stack.run("init", timeout=600)
    return stack


def test_init_migrates_collects_makes_the_bucket_and_the_administrator(stack, s3_endpoint):
    assert stack.init.returncode == 0, stack.init.stderr[-3000:] + stack.init.stdout[-3000:]
    assert (stack.tmp / "static" / "css").is_dir()
    bucket = stack.env("init")["S3_BUCKET"]
    assert bucket in [b["Name"] for b in s3server.client(s3_endpoint).list_buckets()["Buckets"]]
    assert f"Bucket {bucket!r} created (private)." in stack.init.stdout
    assert "مدیر \u2066hq-admin\u2069 ساخته شد" in stack.init.stdout  # in the site's language, as IT reads it
    assert stack.healthy("init", within=0)


def test_init_again_changes_nothing(stack):
    again = stack.run("init", timeout=600, ADMIN_PASSWORD="another-Password-that-is-long-9")

    assert again.returncode == 0, again.stderr[-3000:]
    assert "از پیش وجود دارد: همان\u200cگونه ماند (گذرواژه\u200cاش تغییر نکرد)" in again.stdout
    assert "exists." in again.stdout
    login = subprocess.run(
        [
            str(BIN / "python"),
            "manage.py",
            "shell",
            "-c",
            "from accounts.models import User; u = User.objects.get(username='hq-admin'); "
            "print(u.check_password('Tabriz-Bazargan-1403!'), u.role, u.is_superuser)",
        ],
        cwd=ROOT,
        env=stack.env("init"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert login.stdout.split()[-3:] == ["True", "hq", "True"], login.stderr[-2000:]


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def _nginx_conf(stack: Stack, http_port: int, https_port: int, web: str, s3: str) -> Path:
    """deploy/nginx.conf.template as the nginx image renders it, pointed at the local processes."""
    conf = (ROOT / "deploy" / "nginx.conf.template").read_text()
    conf = conf.replace("${S3_BUCKET}", stack.env("nginx")["S3_BUCKET"])
    conf = re.sub(r"^\s*listen \[::\].*$", "", conf, flags=re.M)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    conf = conf.replace("http://web:8000", f"http://{web}").replace("http://minio:9000", s3)
    conf = conf.replace("/etc/nginx/tls/", f"{stack.tmp / 'tls'}/").replace("/srv/static/", f"{stack.tmp / 'static'}/")
    t = stack.tmp / "nginx"
    t.mkdir(exist_ok=True)
    main = t / "nginx.conf"
    main.write_text(
        f"user root;\nworker_processes 1;\npid {t}/nginx.pid;\nerror_log {t}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n client_body_temp_path {t}/body;\n"
        f" proxy_temp_path {t}/proxy;\n fastcgi_temp_path {t}/fastcgi;\n uwsgi_temp_path {t}/uwsgi;\n"
        f" scgi_temp_path {t}/scgi;\n{conf}\n}}\n"
    )
    return main


@pytest.fixture(scope="module")
def behind_nginx(stack, s3_endpoint):
    """gunicorn (the web service's command) and nginx (the shipped configuration, the tls-init certificate)."""
    if stack.init.returncode != 0:
        pytest.skip("the init step failed (its own test says why)")
    if NGINX is None:
        pytest.skip("needs nginx to run the shipped configuration (apt-get install nginx-light)")
    https_port = int(stack.https.rsplit(":", 1)[1])
    http_port, web_port = _free_port(), _free_port()
    tls = subprocess.run(
        ["sh", "deploy/tls-init.sh", str(stack.tmp / "tls")],
        cwd=ROOT,
        env={**stack.env("tls-init"), "TLS_HOSTNAME": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert tls.returncode == 0 and "self-signed one for 127.0.0.1" in tls.stdout, tls.stderr
    bind = f"127.0.0.1:{web_port}"
    web = stack.start("web", GUNICORN_BIND=bind)
    conf = _nginx_conf(stack, http_port, https_port, bind, s3_endpoint)
    with open(stack.tmp / "nginx.log", "wb") as log:
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
    try:
        yield stack, bind, http_port
    finally:
        stop(nginx)
        stop(web)


def _health_path() -> str:
    """The web service's health check asks /healthz; before that endpoint exists, the login page."""
    from django.urls import Resolver404, resolve, reverse

    try:
        resolve("/healthz")
        return "/healthz"
    except Resolver404:
        return reverse("login")


def test_gunicorn_starts_and_passes_its_health_check(behind_nginx):
    stack, bind, _ = behind_nginx
    path = _health_path()
    argv = [str(BIN / "python"), "deploy/healthcheck.py", "http", path]
    deadline = time.monotonic() + 90
    while True:
        done = subprocess.run(argv, cwd=ROOT, env=stack.env("web", GUNICORN_BIND=bind), capture_output=True, text=True)
        if done.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert done.returncode == 0, done.stderr + stack.log("web")
    if path == "/healthz":
        assert stack.healthy("web", GUNICORN_BIND=bind)


def _session(certificate):
    """A browser that trusts only the certificate tls-init made (and no CA bundle from the environment)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    session.verify = str(certificate)
    return session


@pytest.fixture(scope="module")
def https(behind_nginx):
    import requests

    stack, bind, http_port = behind_nginx
    session = _session(stack.tmp / "tls" / "server.crt")
    deadline, error = time.monotonic() + 90, None
    while True:
        try:
            if session.get(f"{stack.https}/login/", timeout=10).status_code == 200:
                break
        except requests.ConnectionError as exc:
            error = exc
        assert time.monotonic() < deadline, (
            repr(error) + stack.log("web") + stack.log("nginx") + stack.log("nginx/error")
        )
        time.sleep(1)
    return session


def test_port_80_only_redirects_to_https(behind_nginx, https):
    stack, _, http_port = behind_nginx

    answer = https.get(f"http://127.0.0.1:{http_port}/login/?next=/x", allow_redirects=False, timeout=10)

    assert answer.status_code == 301 and answer.headers["Location"] == "https://127.0.0.1/login/?next=/x"
    assert "Set-Cookie" not in answer.headers


def test_pages_and_static_files_come_over_tls_with_hsts_and_secure_cookies(behind_nginx, https):
    stack, _, _ = behind_nginx

    page = https.get(f"{stack.https}/login/", timeout=10)
    static = https.get(f"{stack.https}/static/css/app.css", timeout=10)
    health = https.get(f"{stack.https}/nginx-health", timeout=10)

    for answer in (page, static, health):
        assert answer.status_code == 200
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert static.content == (stack.tmp / "static" / "css" / "app.css").read_bytes()
    assert all(c.secure for c in https.cookies), [c.name for c in https.cookies if not c.secure]


_MEDIA_SCRIPT = """
import datetime as dt
from django.utils import timezone
from accounts.models import Role, User
from anpr import ingest, services
from tests.factories import OfficeFactory, ProvinceFactory
office = OfficeFactory(province=ProvinceFactory())
other = OfficeFactory(province=ProvinceFactory())
User.objects.create_user("clerk", password="Clerk-password-77", role=Role.OFFICE, office=office)
User.objects.create_user("stranger", password="Stranger-password-77", role=Role.OFFICE, office=other)
camera, _ = services.camera_register(office=office, code="GATE-1", direction="in", lane="1")
jpeg = b"\\xff\\xd8\\xff\\xe0" + bytes(range(256)) * 4
(result,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=timezone.now() - dt.timedelta(hours=1), photo=jpeg)])
read = camera.reads.get(pk=result.id)
print(read.pk, read.photo_sha256)
"""


def _login(session, stack, username: str, password: str) -> None:
    page = session.get(f"{stack.https}/login/", timeout=10)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:2000]
    token = found.group(1)
    done = session.post(
        f"{stack.https}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{stack.https}/login/", "Origin": stack.https},
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code == 302, done.text[:2000]


def test_media_is_a_presigned_url_through_nginx_that_works_then_expires(behind_nginx, https):
    from django.urls import reverse

    stack, _, _ = behind_nginx
    made = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", _MEDIA_SCRIPT],
        cwd=ROOT,
        env=stack.env("web"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    pk, sha256 = made.stdout.split()[-2:]
    url = f"{stack.https}{reverse('anpr:photo', args=[pk])}"

    stranger = _session(https.verify)
    _login(stranger, stack, "stranger", "Stranger-password-77")
    refused = stranger.get(url, allow_redirects=False, timeout=30)
    assert refused.status_code in (403, 404) and "Location" not in refused.headers

    _login(https, stack, "clerk", "Clerk-password-77")
    answer = https.get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:2000]
    location = answer.headers["Location"]
    bucket = stack.env("web")["S3_BUCKET"]
    assert location.startswith(f"{stack.https}/{bucket}/") and "X-Amz-Expires=2&" in location
    photo = _session(https.verify).get(location, timeout=30)  # no cookie: the signature is the key
    assert photo.status_code == 200 and hashlib.sha256(photo.content).hexdigest() == sha256
    assert photo.headers["Cache-Control"] == "no-store"
    assert photo.headers["Strict-Transport-Security"].startswith("max-age=31536000")

    time.sleep(3.1)  # past X-Amz-Date + 2 s
    assert _session(https.verify).get(location, timeout=30).status_code == 403


@pytest.mark.redis
@pytest.mark.parametrize("service", sorted(n for n in SERVICES if n.startswith("worker-")))
def test_each_worker_starts_on_its_queue_and_passes_its_health_check(stack, service):
    proc = stack.start(service, HOSTNAME=f"deploy-test-{service}")
    try:
        assert stack.healthy(service, within=120, HOSTNAME=f"deploy-test-{service}"), stack.log(service)
        queue = SERVICES[service]["environment"]["QUEUE"]
        # the one queue it consumes, as celery lists it in its banner (the whole log: tasks it ran since
        # may have pushed the banner out of the tail)
        assert f".> {queue} " in stack.log(service, tail=None)
    finally:
        stop(proc)


@pytest.mark.redis
def test_beat_starts_and_passes_its_health_check(stack):
    proc = stack.start("beat")
    try:
        assert stack.healthy("beat", within=120), stack.log("beat")
    finally:
        stop(proc)
