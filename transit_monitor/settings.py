"""One settings module, read from the environment.

Embedded default (no variables set): SQLite file in the project, media on disk,
Celery tasks run eagerly in-process. Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY, ALLOWED_HOSTS and friends; bad values fail loudly at start.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """Embedded default: a random key kept in var/ so sessions survive restarts."""
    import secrets

    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
# The embedded default (`make run`, the test suite) is the one that brings no SECRET_KEY: it is served
# over plain http on this machine. Any deployment sets SECRET_KEY, and is then assumed behind TLS.
EMBEDDED = not env.str("SECRET_KEY", default="")
# Rotating SECRET_KEY (docs/operations.md): the previous keys here, so that sessions, password-reset
# links and other signed values made with them stay valid until they expire; new ones use SECRET_KEY.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # django.contrib.admin, for headquarters and IT only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    "core.third_party_apps.SignInAttemptsConfig",  # axes, named in the page's language
    "django_otp",
    "core.third_party_apps.TwoFactorCodesConfig",  # django_otp.plugins.otp_totp, named in the page's language
    "core.third_party_apps.BackupCodesConfig",  # django_otp.plugins.otp_static
    "core",
    "accounts",
    "notifications",
    "declarations",
    "casework",
    "anpr",
    "scans",
    "reports",
]

MIDDLEWARE = [
    "core.request_context.RequestIdMiddleware",  # the request id and the request's log line and metrics
    "core.middleware.TrustedProxyMiddleware",  # first: everything after sees the client's address
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside the session's: the session's own save is no "write" that pins a browser to the primary.
    "core.db_router.ReplicaPinMiddleware",
    "core.middleware.PersianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulMiddleware",  # 400, before any view or query sees a \x00
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session passed the second factor
    "core.middleware.NoStoreForUsersMiddleware",  # shared workstations: nothing a user saw is cached
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.MethodNotAllowedPageMiddleware",  # a form's address opened by GET: a page, not a blank 405
    "accounts.middleware.ApiOnlyMachineAccountsMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",  # idle and absolute limits, sessions ended elsewhere
    "accounts.middleware.TwoFactorMiddleware",  # no page before the second factor, for whoever must have one
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.audit.AuditMiddleware",  # the request behind audit entries: address, user, interface
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "transit_monitor.urls"
WSGI_APPLICATION = "transit_monitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.may",
                "notifications.context_processors.bell",
                "core.context_processors.uploads",
            ],
            "builtins": ["core.templatetags.jalali", "core.templatetags.evidence", "declarations.templatetags.idents"],
            "libraries": {"ui": "core.templatetags.ui"},
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the dev server read while a seed or import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["timeout"] = 30
    # Under `make run` the worker writes beside the web server. A transaction that reads and then writes
    # (BEGIN DEFERRED) gets "database is locked" at once when another process wrote in between: the busy
    # timeout does not apply to that upgrade (two processes, 400 read-then-write transactions each: 301 of
    # 800 failed). BEGIN IMMEDIATE takes the write lock first and waits its turn: none failed.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # The overdue list's covering index (INCLUDE deadline) is a PostgreSQL feature; SQLite keeps the keys.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: on 10M rows the planner's estimates switch it on for report queries that then spend
    # one to three seconds compiling (measured), more than they take to run.
    _opts = DATABASES["default"].setdefault("OPTIONS", {})
    _opts["options"] = f"{_opts.get('options', '')} -c jit=off".strip()
# A PostgreSQL streaming replica for the read-heavy pages (core/db_router.py says which reads go there
# and how lag is handled); unset (the default): everything on DATABASE_URL.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Tests read the replica alias through the test database (no second test database is made).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# The replica is read from only while at most this many seconds behind; checked at most every
# REPLICA_CHECK_SECONDS per process; a browser that wrote reads the primary for REPLICA_PIN_SECONDS.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Argon2 for new and changed passwords; a PBKDF2 hash still verifies and is rehashed with Argon2 at
# the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },  # the count in the page's digits
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Persian first; English through Django i18n.
LANGUAGE_CODE = "fa"
# Links in e-mails (notifications) point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Notifications a person chose to get by e-mail; the embedded default prints them on the console.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="transit-monitor@customs.local")
LANGUAGES = [("fa", "فارسی"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
# The embedded default serves static files straight from the project; production collects them.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
# Media (scans, plate photos, evidence) lives outside the static root and is only
# served through views that check the user's scope.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
# Production keeps media on S3-compatible storage (MinIO on the closed network) when a bucket is set.
S3_BUCKET = env.str("S3_BUCKET", default="")
# Media is handed out as a redirect to a presigned URL (core.files.serve_evidence), after the view's
# scope check and the file's integrity check: valid this many seconds, then refused by the store.
S3_URL_EXPIRY_SECONDS = env.int("S3_URL_EXPIRY_SECONDS", default=60)
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY", default=""),
            "secret_key": env.str("S3_SECRET_KEY", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_URL_EXPIRY_SECONDS,  # any other URL of a stored file: as short-lived
            "file_overwrite": False,
            "region_name": env.str("S3_REGION", default="") or None,
            "signature_version": "s3v4",
            "addressing_style": "path",  # MinIO, and a bucket name that needs no DNS entry
        },
    }
# The address the browser reaches the object store at (nginx forwards /<bucket>/ to MinIO,
# deploy/nginx.conf.template); unset: S3_ENDPOINT_URL, as the app itself reaches it.
S3_PUBLIC_ENDPOINT_URL = env.str("S3_PUBLIC_ENDPOINT_URL", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Celery. Production: Redis is the broker and the result store. Embedded default: tasks run eagerly
# in-process (tests, shell, management commands), except where CELERY_BROKER_DIR names a folder:
# `make run` (manage.py run_embedded) sets it for the web server, the worker and beat it starts, which
# then share a broker in files there (Kombu's filesystem transport, transit_monitor/broker.py) and keep
# task states in a SQLite file beside it (Celery's SQLAlchemy result store, read by task-status pages).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and (_test_worker := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    # The test suite in parallel processes (pytest-xdist, `make test`): each process, and every worker or
    # server it starts, on its own Redis database, so that no Celery worker takes another process's tasks
    # and no cache key or queue is shared. Never set outside pytest.
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) + int(_test_worker[2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_redis_db}"))
CELERY_BROKER_DIR = "" if REDIS_URL else env.str("CELERY_BROKER_DIR", default="")
# One Redis server, three databases in production (docker-compose.yml): the broker's queues, the task
# results and the cache each on its own (a cache flush or eviction never drops a queued task or a
# result a page waits on). Each defaults to REDIS_URL.
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or REDIS_URL
elif CELERY_BROKER_DIR:
    _broker_dir = Path(CELERY_BROKER_DIR).resolve()
    for _sub in ("queue", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"  # a host named, or Kombu warns at every connection
    CELERY_BROKER_TRANSPORT = "transit_monitor.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "polling_interval": 0.5,
    }
    CELERY_RESULT_BACKEND = f"db+sqlite:///{_broker_dir / 'results.sqlite3'}"
    CELERY_DATABASE_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
    CELERY_BEAT_SCHEDULE_FILENAME = str(_broker_dir / "beat-schedule")
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
if not CELERY_BROKER_DIR:
    # Beat's schedule file: somewhere the app user may write (the image's /app is read-only to it).
    CELERY_BEAT_SCHEDULE_FILENAME = env.str(
        "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
    )
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or CELERY_BROKER_DIR)
CELERY_TASK_TRACK_STARTED = True  # a task-status page can tell "queued" from "running"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker process killed under a task (SIGKILL, out of memory): the message goes back to the queue
# at once, and the job's row decides what the second delivery does (core/taskruns.py).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Hard time limits by kind of job, in seconds (defaults in core/taskruns.py): ``TASK_TIME_LIMITS=
# "comparison=900,return=3600"``. The soft limit is a tenth earlier; the sweeper treats a job running
# past its hard limit (and a minute) as dead.
TASK_TIME_LIMITS = {k: int(v) for k, v in env.dict("TASK_TIME_LIMITS", default={}).items()}
# A job still queued after this long lost its message: the sweeper queues it again.
JOB_QUEUED_STALE_SECONDS = env.int("JOB_QUEUED_STALE_SECONDS", default=3600)
# Re-queues of one stuck job before the sweeper marks it failed and tells the IT office.
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
# Tests only: seconds a job sleeps after claiming its row (``TASK_TEST_PAUSE="comparison=30"``), so that
# a test can kill a real worker in the middle of it. Never set in a deployment.
TASK_TEST_PAUSE = {k: float(v) for k, v in env.dict("TASK_TEST_PAUSE", default={}).items()}
# A message not acknowledged within this time is given to another worker (Redis): longer than the
# longest hard time limit (training), or a job still running would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    **({"visibility_timeout": max([6 * 3600, *TASK_TIME_LIMITS.values()]) + 3600} if REDIS_URL else {}),
}
# Four queues, so that a month's return never holds up a plate read (docs/operations.md, "Workers and
# queues"): a worker started without -Q consumes all four; production runs a worker per queue.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("recognition", "comparison", "reports", "default")]
CELERY_TASK_ROUTES = {
    # recognition: plate OCR and read matching (a camera's read is matched within seconds)
    "anpr.tasks.recognise_read": {"queue": "recognition"},
    "anpr.tasks.match_reads": {"queue": "recognition"},
    "anpr.tasks.match_pending_reads": {"queue": "recognition"},
    # comparison: scan comparisons and previews (a clerk waits for the verdict)
    "scans.tasks.*": {"queue": "comparison"},
    "scans.tasks.notify_scan_reused": {"queue": "default"},  # a notice: not behind a queue of comparisons
    # reports: long jobs nobody waits for at a gate
    "reports.tasks.build_monthly_return": {"queue": "reports"},
    "declarations.tasks.render_letter_pdf": {"queue": "reports"},
    "declarations.tasks.run_import": {"queue": "reports"},
    "anpr.tasks.train_model": {"queue": "reports"},
    "core.tasks.partitions_daily": {"queue": "reports"},  # a month archived: minutes of COPY
    "core.tasks.build_export": {"queue": "reports"},  # a list or report as a file (core.exports)
    # everything else (beat jobs, flags, notifications, the sweeper): "default"
}
# The Redis result store gives up after one quick retry, not twenty one-second ones (Celery's
# default): a publish subscribes to its result, and a request must not wait 20 s on a Redis that is
# down (the job waits in the outbox instead, core.jobs); a worker's result write neither.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}

if REDIS_URL:
    CACHES = {
        "default": {
            # One client per pool, not per call; with Redis down, no cache rather than an error page.
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": env.str("CACHE_URL", default="") or REDIS_URL,
            # Several deployments (or a test run and its worker) can share one Redis.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database only (Django's default engine, said here on purpose). Read through
# Redis (cached_db) every logged-in page failed while Redis was down; and through a cache that
# degrades, a session ended during an outage (log-out, the lifetime limits) would come back from
# Redis's stale copy afterwards. One indexed row read per request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

REST_FRAMEWORK = {
    # The token first: its WWW-Authenticate makes a missing or refused key a 401 that says why.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "accounts.authentication.SessionAuthentication",  # DRF's, its CSRF refusal translated
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a NUL or a lone surrogate, or nested too deeply, is a 400 naming where (core/parsers.py).
    # JSON without the isolate marks the pages put around serials and plates (core/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Transit Monitor API",
    "DESCRIPTION": (
        "سامانه پایش ترانزیت — declarations, transitions, offices, vehicles, plate reads, scans.\n\n"
        "Files: the endpoints that return a file (a plate read's photo or crop, a scan and its previews) "
        "return one stored file, checked against its SHA-256, in the answer. They are not export jobs: "
        "lists and reports as files (XLSX, PDF) are asked for from the pages and built by the worker "
        "(an export job, downloaded from its page); the API returns rows as JSON, a page at a time.\n\n"
        "Language: messages (errors, labels, months) are in the language the request's `Accept-Language` "
        "header names first among those offered (`fa`, `en`; `en-US` is `en`), else the pages' language "
        "cookie, else Persian."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every endpoint: only a signed-in person or an integration client (its token)
    # reads it; anonymous callers and camera tokens (not an authentication class here) are refused.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and ReDoc served from this server (drf-spectacular-sidecar): the network has no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error answers (status and body) in the schema: core/api_schema.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api_schema.document_errors"],
    # One name per choice set: several models have a "status" (or a verdict, a review, a
    # reason) of their own, which drf-spectacular would otherwise name by hash or twice.
    "ENUM_NAME_OVERRIDES": {
        "DeclarationStatusEnum": "declarations.models.Status",
        "UnsettledReasonEnum": "declarations.models.UnsettledReason",
        "ComparisonVerdictEnum": "declarations.models.Verdict",
        "ComparisonReviewEnum": "declarations.models.Review",
        "ComparisonStatusEnum": "scans.models.ScanComparison.Status",
        "PreviewStatusEnum": "scans.models.Scan.PreviewStatus",
        "ReturnStatusEnum": "reports.models.ReturnStatus",
        "ProblemStatusEnum": "reports.models.ProblemStatus",
        "ReuseDecisionEnum": "scans.models.ReuseDecision",
        "ArrivalReadReasonEnum": "declarations.models.ArrivalReadReason",
    },
}

# Security: closed network, court-grade records.
# A deployment (SECRET_KEY set, DEBUG off) is served over TLS by the shipped nginx, which sets
# X-Forwarded-Proto: cookies are Secure, http is redirected to https, browsers keep to https (HSTS).
# The embedded default and DEBUG serve plain http on this machine. HTTPS=0/1 overrides.
HTTPS = env.bool("HTTPS", default=not DEBUG and not EMBEDDED)
SECURE_SSL_REDIRECT = HTTPS
# Probes and the Prometheus scraper talk to gunicorn directly over plain http, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Only meaningful for a public domain submitted to the browsers' preload list; harmless on a closed network.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages and Swagger UI send the token from the page, never from the cookie
LANGUAGE_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"  # the app's layout, in Persian
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Absolute lifetime of a login (seconds): activity does not extend it (accounts.middleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 3600)
# A login unused this long (seconds) is ended; each request slides it.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Login records (the account page's list of logins and sessions) older than this are deleted each
# night; the audit trail keeps every login and failed login for AUDIT_RETENTION_MONTHS regardless.
LOGIN_RECORD_KEEP_DAYS = env.int("LOGIN_RECORD_KEEP_DAYS", default=400)
# Days an export's file (core.exports: a list or report built by the worker) is kept for its download;
# then the nightly sweep removes the file. The job (who took what, when, the file's SHA-256) is kept.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

# Two-factor (django-otp, TOTP): required for HQ, IT and the admin's staff, optional for others.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Transit Monitor")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP key or a recovery code
OTP_RECOVERY_CODES = 10

# A production database (PostgreSQL on another host) or PRODUCTION=1 means real records: DEBUG would
# show them (and the settings) in error pages, and the embedded key would differ on every replica.
_db_host = DATABASES["default"].get("HOST") or ""
PRODUCTION = env.bool(
    "PRODUCTION",
    default=DATABASES["default"]["ENGINE"].endswith("postgresql")
    and _db_host not in ("", "localhost", "127.0.0.1", "::1"),
)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        f"DEBUG is on with a production database (host {_db_host or '-'}, or PRODUCTION=1): "
        "set DEBUG=0 (or point DATABASE_URL at a local test database)."
    )
if PRODUCTION and TASK_TEST_PAUSE:
    raise ImproperlyConfigured(
        "TASK_TEST_PAUSE is set with a production database: it makes jobs sleep after their claim, for tests "
        "only. Unset it."
    )
if PRODUCTION and EMBEDDED:
    raise ImproperlyConfigured("SECRET_KEY is not set and a production database is configured: set SECRET_KEY.")
# The reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed; from any
# other peer the header is ignored (core.middleware.TrustedProxyMiddleware).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# API tokens (accounts.ApiToken, stored hashed): lifetime of a new token in days (0: never expires),
# and how often one client address may ask POST /api/token/ for one (DRF rate, e.g. "10/min").
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_THROTTLE = env.str("API_TOKEN_THROTTLE", default="20/min")
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
# Lock the pair, not each alone: a stranger's failures never lock a named account from the
# owner's own computer, nor everyone who shares an address (a proxy, a NAT) with the stranger.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # the template, or JSON under /api/
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# No page may load anything from outside this server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

if S3_BUCKET and S3_PUBLIC_ENDPOINT_URL:
    # A page may show a scan or a photo the browser is redirected to on the object store; only that one
    # origin is added, and only when it is not this server's own (nginx forwarding /<bucket>/).
    from urllib.parse import urlsplit as _urlsplit

    _s3 = _urlsplit(S3_PUBLIC_ENDPOINT_URL)
    if (_s3.scheme, _s3.netloc) != _urlsplit(SITE_URL)[:2]:
        for _directive in ("img-src", "connect-src", "media-src"):
            CONTENT_SECURITY_POLICY["DIRECTIVES"].setdefault(_directive, ["'self'"]).append(
                f"{_s3.scheme}://{_s3.netloc}"
            )

AUDITLOG_INCLUDE_ALL_MODELS = False

# Monitoring clocks (hours/days), all settable per deployment.
TRANSIT_DEFAULT_LIMIT_HOURS = env.int("TRANSIT_DEFAULT_LIMIT_HOURS", default=72)
# A declaration registered by hand (ICS down, directive point 7) is declared at most this many days back,
# and never before the end of what a submitted monthly return counted: older ones come in by the ICS import.
DECLARATION_MAX_BACKDATE_DAYS = env.int("DECLARATION_MAX_BACKDATE_DAYS", default=7)
SIGNAL_READ_WITHOUT_ARRIVAL_HOURS = env.int("SIGNAL_READ_WITHOUT_ARRIVAL_HOURS", default=6)
SIGNAL_ORIGIN_SCAN_HOURS = env.int("SIGNAL_ORIGIN_SCAN_HOURS", default=4)
# No arrival is confirmed sooner after the departure than this, nor than the road distance driven at
# PERMIT_MAX_AVG_KMH where the pair has one (declarations.services.shortest_trip).
TRANSIT_MIN_TRIP_MINUTES = env.int("TRANSIT_MIN_TRIP_MINUTES", default=30)
# Foreign trucks (declarations/trip.py): the fastest average a loaded truck keeps between two camera
# sites (driving-time check, Art. 11), the slowest it plausibly moves (stop check, Art. 12), the
# slack before a long gap between sightings is a signal, and how far the declared goods' weight
# may differ from the permit's (Art. 13).
PERMIT_MAX_AVG_KMH = env.int("PERMIT_MAX_AVG_KMH", default=80)
PERMIT_MIN_AVG_KMH = env.int("PERMIT_MIN_AVG_KMH", default=30)
PERMIT_GAP_GRACE_HOURS = env.int("PERMIT_GAP_GRACE_HOURS", default=6)
PERMIT_GOODS_TOLERANCE_PCT = env.int("PERMIT_GOODS_TOLERANCE_PCT", default=5)
FOLLOWUP_FIRST_LETTER_DAYS = env.int("FOLLOWUP_FIRST_LETTER_DAYS", default=7)
FOLLOWUP_REPLY_DUE_DAYS = env.int("FOLLOWUP_REPLY_DUE_DAYS", default=28)
FOLLOWUP_ESCALATION_DAYS = env.int("FOLLOWUP_ESCALATION_DAYS", default=40)
FOLLOWUP_ARRIVED_UNSETTLED_DAYS = env.int("FOLLOWUP_ARRIVED_UNSETTLED_DAYS", default=7)
CAMERA_SILENT_HOURS = env.int("CAMERA_SILENT_HOURS", default=2)
# A provincial inspector visits every office at least this often (directive point 1).
INSPECTION_INTERVAL_DAYS = env.int("INSPECTION_INTERVAL_DAYS", default=90)

# Record keeping (AML executive regulation, Art. 33, by analogy): the records of a transit operation
# are kept at least RETENTION_YEARS after it ends; nothing deletes them earlier (declarations.retention).
# ``archive_operations`` exports the operations that ended more than ARCHIVE_ACTIVE_YEARS ago (and
# with --remove takes out of the active database only those also past RETENTION_YEARS).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)
if RETENTION_YEARS < 5:
    raise ImproperlyConfigured("RETENTION_YEARS: the regulation keeps records at least 5 years")
ARCHIVE_ACTIVE_YEARS = env.int("ARCHIVE_ACTIVE_YEARS", default=5)
ARCHIVE_DIR = env.str("ARCHIVE_DIR", default=str(BASE_DIR / "var" / "archive"))
# PostgreSQL: plate reads, audit entries and notifications are partitioned by month (core.partitions).
# The beat job and ``manage.py partitions ensure`` keep PARTITION_MONTHS_AHEAD months made ahead; a
# month older than its table's retention (months; unset: kept for ever) is detached, archived to a
# checked file under ARCHIVE_DIR and recorded. Plate reads and the audit trail are records: at least
# RETENTION_YEARS (checked when the job runs); notifications are not.
PARTITION_MONTHS_AHEAD = env.int("PARTITION_MONTHS_AHEAD", default=3)
PARTITION_RETENTION_MONTHS: dict[str, int | None] = {
    "anpr_plateread": env.int("PLATE_READ_RETENTION_MONTHS", default=RETENTION_YEARS * 12),
    "auditlog_logentry": env.int("AUDIT_RETENTION_MONTHS", default=RETENTION_YEARS * 12),
    "notifications_notification": env.int("NOTIFICATION_RETENTION_MONTHS", default=12),
}

# Follow-up letters proposed per run of the follow-up task (the rest wait for the next run).
FOLLOWUP_PROPOSE_LIMIT = env.int("FOLLOWUP_PROPOSE_LIMIT", default=2000)

# Dashboard caches (seconds): list pages per scope and query, other apps' home panels.
LIST_CACHE_SECONDS = env.int("LIST_CACHE_SECONDS", default=30)
DASHBOARD_PANELS_CACHE_SECONDS = env.int("DASHBOARD_PANELS_CACHE_SECONDS", default=60)
# Home dashboard figures: cache life (seconds), counts shown exactly up to the cap ("10,000+" beyond),
# the window of the per-office transit-time table (days), the chart's Jalali months.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=120)
# Evidence (plate reads, scans, comparisons) moves a scope's figures every second at a busy border: they
# are recounted at the next view once they are this old (a person's transition recounts them at once).
DASHBOARD_RECOUNT_SECONDS = env.int("DASHBOARD_RECOUNT_SECONDS", default=15)
DASHBOARD_COUNT_CAP = env.int("DASHBOARD_COUNT_CAP", default=10_000)
DASHBOARD_OFFICE_WINDOW_DAYS = env.int("DASHBOARD_OFFICE_WINDOW_DAYS", default=90)
DASHBOARD_CHART_MONTHS = env.int("DASHBOARD_CHART_MONTHS", default=12)
# Lists count their rows exactly up to this cap, then show "1,000+".
LIST_COUNT_CAP = env.int("LIST_COUNT_CAP", default=1_000)

# Recognition and comparison engines.
ANPR_ENGINE = env.str("ANPR_ENGINE", default="plate_crnn")
ANPR_EASYOCR_MODEL_DIR = env.str("ANPR_EASYOCR_MODEL_DIR", default="")
ANPR_CRNN_WEIGHTS = env.str("ANPR_CRNN_WEIGHTS", default="")  # unset: the weights shipped in anpr/recognition
# The plate-type classifier and the foreign (Latin) reader (issue 16); unset: the ones shipped beside it.
ANPR_TYPE_WEIGHTS = env.str("ANPR_TYPE_WEIGHTS", default="")
ANPR_LATIN_WEIGHTS = env.str("ANPR_LATIN_WEIGHTS", default="")
# X-ray comparison: the change score above which a region is flagged (unset: the engine's default).
SCANS_COMPARISON_THRESHOLD = env.float("SCANS_COMPARISON_THRESHOLD", default=None)
# Plate-read ingestion and matching (anpr).
ANPR_RATE_LIMIT_PER_MINUTE = env.int("ANPR_RATE_LIMIT_PER_MINUTE", default=3000)  # reads per camera per minute
# Lifetime of a camera's new token in days (0: never expires); rotating a token issues a new one.
ANPR_CAMERA_TOKEN_DAYS = env.int("ANPR_CAMERA_TOKEN_DAYS", default=0)
ANPR_CAMERA_CACHE_SECONDS = env.int("ANPR_CAMERA_CACHE_SECONDS", default=30)  # camera token look-ups kept per process
ANPR_BULK_MAX = env.int("ANPR_BULK_MAX", default=1000)
# batches of up to this many reads with text are matched in the request (0: always by the worker)
ANPR_MATCH_IN_REQUEST_MAX = env.int("ANPR_MATCH_IN_REQUEST_MAX", default=20)
ANPR_MAX_PHOTO_BYTES = env.int("ANPR_MAX_PHOTO_BYTES", default=3 * 1024 * 1024)
# Checked on the photo's header before anything decodes it (a 900-megapixel PNG fits in 1 MB).
ANPR_MAX_PHOTO_PIXELS = env.int("ANPR_MAX_PHOTO_PIXELS", default=12_000_000)
ANPR_MAX_READ_AGE_DAYS = env.int("ANPR_MAX_READ_AGE_DAYS", default=30)
ANPR_MATCH_MIN_SCORE = env.float("ANPR_MATCH_MIN_SCORE", default=0.9)
ANPR_MATCH_LOOKBACK_HOURS = env.int("ANPR_MATCH_LOOKBACK_HOURS", default=48)  # read before declaration
# Camera health counts silence only in working time (Tehran): hours [start, end) on these ISO weekdays.
ANPR_WORK_START_HOUR = env.int("ANPR_WORK_START_HOUR", default=7)
ANPR_WORK_END_HOUR = env.int("ANPR_WORK_END_HOUR", default=19)
ANPR_WORK_DAYS = env.list("ANPR_WORK_DAYS", cast=int, default=[6, 7, 1, 2, 3, 4])  # Saturday..Thursday
# The review queue (reads a person should look at): a recognised read below this confidence, within
# the last ANPR_REVIEW_DAYS; an unmatched read within ANPR_REVIEW_ARRIVAL_MINUTES of an arrival at
# its office that has no plate read contradicts that declaration's plate.
ANPR_REVIEW_MIN_CONFIDENCE = env.float("ANPR_REVIEW_MIN_CONFIDENCE", default=0.95)
ANPR_REVIEW_DAYS = env.int("ANPR_REVIEW_DAYS", default=30)
ANPR_REVIEW_ARRIVAL_MINUTES = env.int("ANPR_REVIEW_ARRIVAL_MINUTES", default=60)
# Retraining the plate reader (manage.py anpr_train): the trainer (dotted path; tests plug a quick
# one in) and where a worker keeps local copies of registered model files (checked by SHA-256).
ANPR_TRAINER = env.str("ANPR_TRAINER", default="anpr.training.finetune.TorchTrainer")
ANPR_MODEL_CACHE_DIR = env.path("ANPR_MODEL_CACHE_DIR", default=BASE_DIR / "var" / "anpr-models")
SCANS_MAX_UPLOAD_BYTES = env.int("SCANS_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
SCANS_MAX_PIXELS = env.int("SCANS_MAX_PIXELS", default=120_000_000)
# A scan narrower than this on either side is a thumbnail or an icon chosen by mistake: the comparison
# cannot align it (measured: a real pair stops aligning below ~48 px high) and it proves no scan was made.
SCANS_MIN_SIDE_PX = env.int("SCANS_MIN_SIDE_PX", default=32)
# Other uploads (arrival evidence, inspection attachments: PDF, JPEG, PNG; core/uploads.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Declaration import files (ICS export: CSV, XLSX).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# What an XLSX import may unpack to (its zip entries' declared sizes; above: a zip bomb).
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=500 * 1024 * 1024)
EVIDENCE_MAX_PIXELS = env.int("EVIDENCE_MAX_PIXELS", default=50_000_000)  # an A4 page at 600 dpi is 35 MP
# Malware scanning of every upload by ClamAV's daemon (core/malware.py, docs/malware.md): its unix
# socket, or its TCP host and port; neither set = scanning off (the embedded default, said on the
# upload forms). Set, and clamd down or slower than CLAMD_TIMEOUT seconds: uploads refused (503).
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)
if CLAMD_SOCKET and CLAMD_HOST:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set CLAMD_SOCKET or CLAMD_HOST, not both.")
# The viewer warns when this share of the load is beyond a scanner's saturation (blind there).
SCANS_SATURATED_WARN_SHARE = env.float("SCANS_SATURATED_WARN_SHARE", default=0.10)

# Static TTF instances of the PDF fonts, made once per machine (unset: the system temp directory).
FONT_CACHE_DIR = env.str("FONT_CACHE_DIR", default="")

# Logs: one JSON object per line (time, level, logger, message, request_id, and the request's or
# task's fields: core/logs.py) by default in a deployment; plain text under `make run` and DEBUG.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG or EMBEDDED else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)

# /readyz and /metrics answer requests from these networks (after TRUSTED_PROXIES has found the
# client's address), or with "Authorization: Bearer <METRICS_TOKEN>"; anybody else gets 403.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker serves its own task metrics here (0: not served); prometheus scrapes it beside /metrics.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_ADDR = env.str("WORKER_METRICS_ADDR", default="127.0.0.1")
