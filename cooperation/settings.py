"""Settings for Cooperation, driven by the environment.

Every value has a safe default for a first local run (SQLite, eager Celery,
console e-mail). A malformed value stops the start with a clear message
instead of silently falling back.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - only used when DEBUG=1
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "django_filters",
    "django_htmx",
    "csp",
    "health_check",
    "django_prometheus",
    "cooperation",
    "agreements",
    "clients",
    "reintegration",
    "meetings",
    "sepi",
    "joboffers",
    "promotion",
    "partners",
    "indicators",
    "notifications",
    "messaging",
    "bench",  # `manage.py bench` only: no models
]

MIDDLEWARE = [
    # Outermost: latency as Prometheus sees it, and one JSON log line per request.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "cooperation.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cooperation.searches.PeselQueryMiddleware",
    "cooperation.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cooperation.middleware.RequestAddressMiddleware",
    "cooperation.middleware.SessionTimeoutMiddleware",
    "cooperation.middleware.InstitutionMiddleware",
    "cooperation.middleware.MfaRequiredMiddleware",
    "cooperation.errorpages.FriendlyErrorPagesMiddleware",
    "cooperation.middleware.DeniedAccessAuditMiddleware",
    # Redis away for a moment: 503 and a Polish "try again" page, never a 500.
    "cooperation.middleware.ServiceUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# With DEBUG=1 (the demo, local runs) 404 and 500 still answer with the app's
# Polish pages; Django's technical pages (routes, settings, traceback) only for a
# developer who asks: DEBUG_ERROR_PAGES=1. See cooperation/errorpages.py.
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)
DEFAULT_EXCEPTION_REPORTER = "cooperation.errorpages.FriendlyExceptionReporter"

ROOT_URLCONF = "cooperation.urls"
WSGI_APPLICATION = "cooperation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cooperation.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# Database: SQLite by default so a fresh machine needs nothing but Python.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    try:
        # Connections kept for a minute, checked before reuse (a restarted PostgreSQL).
        DATABASES = {
            "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        }
        if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
            # PostgreSQL's JIT compiler misjudges the permission filter's cost and
            # spends most of a client-list query compiling it (see README, Benchmark).
            DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    except Exception as exc:  # dj-database-url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
else:
    # SQLite for the demo and development, set up for several people at once:
    # WAL lets readers go on while one request writes; IMMEDIATE takes the write
    # lock when a transaction begins, so two writers queue for up to `timeout`
    # seconds instead of one failing with "database is locked" when it upgrades
    # a read lock. The tests use a file too (an in-memory database has no such
    # locking to test), one per process so parallel runs never share it.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env_str("SQLITE_NAME", "db.sqlite3"),  # type: ignore[typeddict-item]
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY"
                ),
            },
            "TEST": {
                "NAME": os.path.join(
                    tempfile.gettempdir(), f"cooperation-test-{os.getpid()}.sqlite3"
                )
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cooperation.User"

# Redis: the cache (login rate limits, the SEPI circuit breaker, computed figures)
# and Celery's broker. Sessions are in the database (Django's default), so they
# outlive a Redis restart and every web process shares them. The cache fails open
# while Redis is away (cooperation/cache.py: a read misses, a write is dropped, a
# warning is logged); short socket timeouts keep a hung Redis from holding a request.
# Absent, we use process-local memory and run tasks eagerly, in the request.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}"
    )
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cooperation.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "cooperation"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# (memory:// with a host name: without one kombu warns on every eager task)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Eager tasks marked `after_response` (a SEPI lookup) run once the response is sent,
# in a background thread, so the page answers at once (cooperation/celery.py).
EAGER_TASKS_AFTER_RESPONSE = env_bool("EAGER_TASKS_AFTER_RESPONSE", True)
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task (SIGKILL, OOM, a lost machine) loses nothing: the message
# stays unacknowledged in Redis and is delivered again once the visibility timeout has
# passed. It must be longer than the longest task *plus* the longest retry countdown
# (a task waiting for its countdown is held unacknowledged too, and would be run twice):
# the retry backoff stops at 600 s, so an hour. Tasks are idempotent, so a repeat is
# harmless. `make loadtest` shortens it to see a redelivery within its run.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# How often a worker looks for such messages to deliver again (kombu's default: ~100 s).
CELERY_UNACKED_RESTORE_SECONDS = env_int("CELERY_UNACKED_RESTORE_SECONDS", 100)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": min(10, CELERY_UNACKED_RESTORE_SECONDS),
    "unacked_restore_throttle": max(1, CELERY_UNACKED_RESTORE_SECONDS // 10),
}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task queued while Redis restarts (a second or two) waits for it instead of failing
# the request that queued it: up to 10 tries over about 15 seconds.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 10,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Worker and beat log through LOGGING below (one JSON line per record in production).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Europe/Warsaw"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "sessions-clear-expired": {
        "task": "cooperation.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=10),
    },
    "meetings-extend-series": {
        "task": "meetings.tasks.extend_series",
        "schedule": crontab(hour=1, minute=45),
    },
    "meetings-reminders": {
        "task": "meetings.tasks.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "meetings-action-items-due": {
        "task": "meetings.tasks.action_items_due",
        "schedule": crontab(hour=7, minute=30),
    },
    "agreements-daily": {
        "task": "agreements.tasks.agreements_daily",
        "schedule": crontab(hour=1, minute=15),
    },
    "consents-daily": {
        "task": "clients.tasks.consents_daily",
        "schedule": crontab(hour=1, minute=30),
    },
    # After the consent pass, so referrals resting on a lapsed consent are withdrawn the same night.
    "partners-referrals-daily": {
        "task": "partners.tasks.referrals_daily",
        "schedule": crontab(hour=1, minute=45),
    },
    "reintegration-plans-daily": {
        "task": "reintegration.tasks.plans_daily",
        "schedule": crontab(hour=6, minute=30),
    },
    "joboffers-cbop-import": {
        "task": "joboffers.tasks.cbop_import_all",
        "schedule": crontab(hour=5, minute=30),
    },
    "joboffers-daily": {
        "task": "joboffers.tasks.offers_daily",
        "schedule": crontab(hour=5, minute=50),
    },
    "joboffers-weekly-prints": {
        "task": "joboffers.tasks.boards_print_weekly",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon"),
    },
    # Weekly, but asked daily: a Monday beat missed is made up the next day it runs.
    "promotion-overdue-digest": {
        "task": "promotion.tasks.overdue_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # Each institution's people get their daily digest of notices at its hour.
    "notifications-digests": {
        "task": "notifications.tasks.digests_hourly",
        "schedule": crontab(minute=0),
    },
    # Proves beat sends and a worker runs: /health/ fails when the last one is too old.
    "beat-heartbeat": {"task": "cooperation.tasks.beat_heartbeat", "schedule": 60.0},
}
# /metrics (cooperation.metrics) answers only `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# /health/ reports beat down when its last heartbeat is older than this.
BEAT_HEARTBEAT_MAX_AGE = env_int("BEAT_HEARTBEAT_MAX_AGE", 180)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]

# django-allauth: log in with username or e-mail, no public sign-up (users are
# invited by their institution, see cooperation.services.member_invite).
ACCOUNT_ADAPTER = "cooperation.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "cooperation.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
_RESET_TOKENS = "allauth.account.forms.EmailAwarePasswordResetTokenGenerator"
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = _RESET_TOKENS  # noqa: S105 - a class path
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Login rate limits, kept in the cache (Redis when REDIS_URL is set, so every web
# process counts together). A whole office often shares one public address, so the
# per-address limits are generous; the per-account limit ("key") locks one
# username for 5 minutes after 5 failed attempts. The 429 page (templates/429.html)
# and the form's lockout message are in Polish. Behind a proxy set
# ALLAUTH_TRUSTED_PROXY_COUNT so the limits see the client's address, not the proxy's.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "60/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "30/m/ip,5/300s/key"),
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with
# recovery codes. Required for coordinators, institution administrators and
# superusers (cooperation.middleware.MfaRequiredMiddleware sends them to set it
# up before anything else); optional for everyone else.
MFA_ADAPTER = "cooperation.adapters.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Współpraca")
MFA_RECOVERY_CODE_COUNT = 10
# Accept the previous and the next 30-second code too: phone clocks drift.
MFA_TOTP_TOLERANCE = 1
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous sees nothing

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / env_str("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads hold personal data and go out only through views that check access
# (nothing serves MEDIA_URL); WhiteNoise serves everything under STATIC_ROOT.
for _inner, _outer in ((MEDIA_ROOT, STATIC_ROOT), (STATIC_ROOT, MEDIA_ROOT)):
    if Path(_inner).resolve().is_relative_to(Path(_outer).resolve()):
        raise ImproperlyConfigured("MEDIA_ROOT and STATIC_ROOT must not contain each other")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Współpraca <no-reply@wspolpraca.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Public address used in links inside e-mails (invitations, reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Sessions end after 30 minutes without activity and 12 hours in all; the page
# warns two minutes before the idle limit (static/js/session.js).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
LOGIN_URL_PATH = "/accounts/login/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: no inline scripts or styles anywhere; everything
# the pages load comes from this origin (htmx from django-htmx's static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The console shows warnings and errors (LOG_LEVEL=WARNING) unless told otherwise:
# production (docker-compose) sets INFO; LOG_LEVEL=INFO locally brings back the
# request lines of runserver. Whatever the level, no traceback for a refused request
# (403/404 are answers, not bugs), no progress lines from WeasyPrint or fontTools
# (a dozen per PDF), and, with eager tasks, no line per task.
LOG_LEVEL = env_str("LOG_LEVEL", "WARNING" if DEBUG else "INFO").upper()
# LOG_FORMAT=json (the default with DEBUG=0): one JSON object per line, for a log
# collector. Every line written while serving a request carries its request_id (the
# proxy's X-Request-ID); the per-request line (cooperation.requestlog) names the route
# and numeric ids, never a query string, a name or a PESEL.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', got {LOG_FORMAT!r}")
LOGGING: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_traceback_for_4xx": {"()": "cooperation.logfilters.NoTracebackFor4xx"},
        "request_id": {"()": "cooperation.requestlog.RequestIdFilter"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {
            "()": "cooperation.requestlog.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            # ISO 8601 in UTC, whatever TIME_ZONE says.
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_traceback_for_4xx", "request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" a console handler of its own under
        # DEBUG, and the records reach ours too: every line twice. One handler: root's.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # runserver's request lines: at WARNING only the 4xx/5xx ones.
        "django.server": {"handlers": ["django.server"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run inside the web process or a command: "Task … succeeded" for each is noise.
    # A worker (REDIS_URL) keeps Celery's own task lines.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}

# Consent for sharing a client lasts this many months unless the worker sets
# another date; a scope may have its own (e.g. SEPI lookups: 6).
CONSENT_VALIDITY_MONTHS = {
    "default": env_int("CONSENT_VALIDITY_MONTHS", 12),
    "sepi": env_int("CONSENT_VALIDITY_MONTHS_SEPI", 12),
}


# Retention: how long each kind of record keeps its personal data after it ends
# (the unit is in the key). The weekly pass (clients.retention) then anonymises
# or erases it, keeping the rows that statistics count. Until RETENTION_APPLY is
# on it only reports: each institution's coordinators and administrators get by
# e-mail the count of their own records that are due; `manage.py retention`
# prints the same, and `--apply` acts. The audit log is evidence and is never
# deleted by the application: `audit_log_years` states the policy for the
# operator, who archives older rows (the table is append-only on PostgreSQL).
def _retention_periods(periods: dict[str, tuple[str, int]]) -> dict[str, int]:
    """{key: (environment variable, default)} → {key: whole number of at least 1}."""
    values = {}
    for key, (name, default) in periods.items():
        values[key] = env_int(name, default)
        if values[key] < 1:
            raise ImproperlyConfigured(
                f"{name} must be a whole number of 1 or more, got {values[key]}"
            )
    return values


RETENTION = _retention_periods(
    {
        # A closed client may be anonymised (by hand, or by the pass) this long after closing.
        "closed_clients_years": ("CLIENT_RETENTION_YEARS", 10),
        "consent_scans_months": ("RETENTION_CONSENT_SCANS_MONTHS", 36),
        "sepi_answers_months": ("RETENTION_SEPI_ANSWERS_MONTHS", 12),
        "referral_snapshots_months": ("RETENTION_REFERRAL_SNAPSHOTS_MONTHS", 24),
        "promotion_cases_months": ("RETENTION_PROMOTION_CASES_MONTHS", 24),
        "audit_log_years": ("AUDIT_RETENTION_YEARS", 10),
    }
)
# Documents of a closed client go with the anonymisation unless set shorter.
RETENTION |= _retention_periods(
    {
        "client_documents_years": (
            "RETENTION_CLIENT_DOCUMENTS_YEARS",
            RETENTION["closed_clients_years"],
        )
    }
)
if RETENTION["client_documents_years"] > RETENTION["closed_clients_years"]:
    raise ImproperlyConfigured(
        "RETENTION_CLIENT_DOCUMENTS_YEARS cannot be longer than CLIENT_RETENTION_YEARS: "
        "anonymising a client deletes its documents"
    )
RETENTION_APPLY = env_bool("RETENTION_APPLY", False)
CELERY_BEAT_SCHEDULE["indicators-nightly"] = {
    "task": "indicators.tasks.figures_precompute",
    # After the nightly passes that change statuses (agreements, consents, referrals).
    "schedule": crontab(hour=3, minute=40),
}

CELERY_BEAT_SCHEDULE["indicators-january-reminder"] = {
    "task": "indicators.tasks.reports_january_reminder",
    # Mondays in January: the report for the year just ended is due.
    "schedule": crontab(hour=7, minute=30, day_of_week="mon", month_of_year="1"),
}

CELERY_BEAT_SCHEDULE["messaging-daily"] = {
    "task": "messaging.tasks.messaging_daily",
    # Overdue information requests and announcements starting today: told in the morning.
    "schedule": crontab(hour=6, minute=30),
}

CELERY_BEAT_SCHEDULE["clients-retention"] = {
    "task": "clients.tasks.retention_weekly",
    # Early on Monday, after the nightly passes: the report is in the inbox that morning.
    "schedule": crontab(hour=2, minute=30, day_of_week="mon"),
}

# The largest uploaded file. Which types each upload field takes is judged by
# the file's content, in cooperation/uploads.py.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 10)

# The deadlines the app enforces and the agreements' default terms promise:
# a partner answers a referral within this many working days, and the PUP
# takes up a promotion case within this many days.
REFERRAL_ANSWER_WORKING_DAYS = env_int("REFERRAL_ANSWER_WORKING_DAYS", 2)
PROMOTION_CASE_DAYS = env_int("PROMOTION_CASE_DAYS", 14)


# CBOP (Centralna Baza Ofert Pracy) feeds imported daily, one per labour office:
# "pup-skarzysko=https://... pup-ostrowiec=https://..." (separated by spaces).
def _cbop_feeds(raw: str) -> dict[str, str]:
    feeds = {}
    for item in raw.split():
        short, sep, url = item.partition("=")
        if not sep or not short or not url.startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"CBOP_FEEDS entries must look like pup-short-name=https://..., got {item!r}"
            )
        feeds[short] = url
    return feeds


CBOP_FEEDS = _cbop_feeds(env_str("CBOP_FEEDS", ""))
CBOP_TIMEOUT = env_int("CBOP_TIMEOUT", 30)
CBOP_MAX_BYTES = env_int("CBOP_MAX_BYTES", 20 * 1024 * 1024)
# New imported offers go straight to every partner board of the office.
CBOP_PUBLISH_IMPORTED = env_bool("CBOP_PUBLISH_IMPORTED", True)

# How many rows a list page shows; lists are paginated so a page costs the
# same whether the institution has 50 or 50,000 records.
PAGE_SIZE = env_int("PAGE_SIZE", 25)

# Cooperation indicators: how long computed figures of a period not yet ended are
# served (the page says "stan na …"), from the summary table `IndicatorSnapshot`
# and the cache in front of it; the nightly task fills the table with each
# institution's own, county and agreement figures for this year and the last.
# 0 computes on every request.
INDICATORS_CACHE_SECONDS = env_int("INDICATORS_CACHE_SECONDS", 6 * 3600)
# Figures of a period that had ended when they were computed are kept longer: from
# one nightly run to the next (the summary table `IndicatorSnapshot`, then the cache).
INDICATORS_ENDED_SECONDS = env_int("INDICATORS_ENDED_SECONDS", 26 * 3600)

# SEPI (R5): labour-market status lookups. `simulator` answers in-process with
# deterministic made-up data (development, demo); `http` talks JSON over HTTPS
# to SEPI (or to `manage.py sepi_simulator`). Production defaults to `http`, so
# simulated data can never be mistaken for real data by accident.
SEPI_BACKEND = env_str("SEPI_BACKEND", "simulator" if DEBUG else "http")
if SEPI_BACKEND not in ("http", "simulator"):
    raise ImproperlyConfigured(f"SEPI_BACKEND must be 'http' or 'simulator', got {SEPI_BACKEND!r}")
SEPI_BASE_URL = env_str("SEPI_BASE_URL", "").rstrip("/")
if SEPI_BASE_URL and not SEPI_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"SEPI_BASE_URL must start with http:// or https://, got {SEPI_BASE_URL!r}"
    )
SEPI_CLIENT_CERT = env_str("SEPI_CLIENT_CERT", "")  # PEM file of our client certificate
SEPI_CLIENT_KEY = env_str("SEPI_CLIENT_KEY", "")  # its private key (PEM), if not in the cert file
SEPI_CA_BUNDLE = env_str("SEPI_CA_BUNDLE", "")  # CA file for SEPI's server certificate
SEPI_CONNECT_TIMEOUT = env_float("SEPI_CONNECT_TIMEOUT", 3.0)
SEPI_READ_TIMEOUT = env_float("SEPI_READ_TIMEOUT", 10.0)
# Extra attempts after a 5xx answer or a timeout, with exponential backoff and jitter.
SEPI_RETRIES = env_int("SEPI_RETRIES", 2)
SEPI_BACKOFF = env_float("SEPI_BACKOFF", 0.5)
SEPI_BACKOFF_MAX = env_float("SEPI_BACKOFF_MAX", 8.0)
# Circuit breaker: after this many failed lookups in a row stop calling SEPI
# for SEPI_BREAKER_RESET_SECONDS, then let one trial lookup through.
SEPI_BREAKER_THRESHOLD = env_int("SEPI_BREAKER_THRESHOLD", 5)
SEPI_BREAKER_RESET_SECONDS = env_int("SEPI_BREAKER_RESET_SECONDS", 60)
# A result is reused (and shown with its age) for this long.
SEPI_CACHE_SECONDS = env_int("SEPI_CACHE_SECONDS", 24 * 60 * 60)
# Lookups one person may start in an hour (batch checks by a coordinator excepted).
SEPI_RATE_LIMIT_PER_HOUR = env_int("SEPI_RATE_LIMIT_PER_HOUR", 30)
# Batch check: clients per task, and the most clients in one batch.
SEPI_BATCH_CHUNK = env_int("SEPI_BATCH_CHUNK", 20)
SEPI_BATCH_MAX = env_int("SEPI_BATCH_MAX", 500)
# A lookup still queued or running after this many minutes is failed (with a retry button).
SEPI_STALE_MINUTES = env_int("SEPI_STALE_MINUTES", 15)
CELERY_BEAT_SCHEDULE["sepi-sweep-stale"] = {
    "task": "sepi.tasks.sepi_sweep_stale",
    "schedule": crontab(minute="*/5"),
}

CELERY_BEAT_SCHEDULE["clients-access-check"] = {
    "task": "clients.tasks.access_check_nightly",
    # After the nightly passes that end shares (agreements 1:15, consents 1:30).
    "schedule": crontab(hour=4, minute=20),
}
