"""Settings for the AI Operating Model Portal, read from the environment.

Without any variables set this runs the embedded default: DEBUG on, a SQLite file, no Redis
(Celery tasks execute eagerly in the web process) and emails printed to the console.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Development only: a key that is never valid outside DEBUG.
    SECRET_KEY = "insecure-development-key-only-valid-with-DJANGO_DEBUG-on"  # noqa: S105

# The key of the audit trail's hash chain (portal.core.audit). It defaults to SECRET_KEY; set it
# on its own where SECRET_KEY may be rotated: rows chained under one key fail verify_audit under
# another.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "") or SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The form renderer below finds Django's widget templates through this app.
    "django.forms",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    # Swagger UI and ReDoc served from the installed package, not a CDN: the docs work offline.
    "drf_spectacular_sidecar",
    "csp",
    "django_celery_beat",
    "pgtrigger",
    "portal.core",
    "portal.reminders",
    "scenarios",
    "exceptions",
    "releases",
    "incidents",
    # Support requests may name a scenario, so the app sits above the domain apps.
    "support",
    "staffing",
    # The people and teams directory lists each team's scenarios, so it sits above them too.
    "directory",
    # Gateway connectors, alias moves on the gateway, drift, and the playground: above releases.
    "gateway",
    "dashboard",
    # Sign-in through the company's identity provider, group mappings and SCIM.
    "identity",
    # Webhooks and chat channels carry every app's events, so the app sits above them.
    "integrations",
]

# Widgets render with the project's template engine, so templates/django/forms/ can override them;
# selects render in Python (portal/core/select_renderer.py).
FORM_RENDERER = "portal.core.select_renderer.FormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the settings' header built once (portal/core/csp.py).
    "portal.core.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.core.sessions.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading the user along with the session (portal/core/sessions.py).
    "portal.core.sessions.CachedUserAuthenticationMiddleware",
    "portal.core.middleware.ProfileLanguageMiddleware",
    "portal.core.middleware.NulCharacterMiddleware",
    "portal.core.middleware.PortalLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.core.confirm.ConfirmFirstMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.core.context_processors.portal",
                "identity.context_processors.sign_in",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production and CI) or the embedded SQLite file.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"].setdefault("OPTIONS", {})
    # No JIT compilation: the portal's queries are short, and compiling the dashboard's larger
    # ones cost several times their run time (7.4 s against 1.6 s at the 100x bench size).
    # DATABASE_JIT=true turns it back on.
    postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if postgresql and not env_bool("DATABASE_JIT", False):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE takes the write lock at BEGIN, so select_for_update-style writers queue
            # on the busy timeout instead of failing with "database is locked" mid-transaction.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The languages of the portal: English (the source) and Russian (locale/ru). The language comes
# from the profile, else the browser's Accept-Language (portal.core.middleware).
LANGUAGES = [("en-gb", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Email: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Without a timeout a stuck SMTP server holds the delivery task until its hard time limit.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "AI Operating Model Portal <portal@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions: idle timeout. The cookie lives SESSION_IDLE_HOURS and an active session is renewed
# at most once a minute (portal.core.sessions.SessionRenewalMiddleware). Sessions, and each
# user with their roles and teams (portal.core.user_cache), are cached in Redis with the
# database behind them (SESSION_CACHE_ALIAS, below CACHES).
SESSION_ENGINE = "portal.core.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_HOURS", 8) * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Production hardening (DJANGO_DEBUG off): HTTPS only, behind a proxy that sets X-Forwarded-Proto.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Failed sign-ins (django-axes; portal/core/signin.py), on the sign-in page, the admin's and
# the token exchange (HTTP Basic): a username at one address is locked after
# AXES_FAILURE_LIMIT failures, an address after AXES_IP_FAILURE_LIMIT whatever the usernames,
# for AXES_COOLOFF_MINUTES after the last attempt. The client address is REMOTE_ADDR; behind
# TRUSTED_PROXY_COUNT reverse proxies, the address the outermost one put in X-Forwarded-For.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password check, refusing while PASSWORD_LOGIN is off (identity/backends.py);
    # both read the signed-in user from the per-user cache (portal/core/auth_backend.py).
    "identity.backends.PasswordBackend",
    "identity.backends.ProviderBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "portal.core.signin.SignInHandler"
AXES_LOCKOUT_CALLABLE = "portal.core.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.core.signin.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Successful sign-ins are recorded too (the admin's "Access logs"); attempts are not reset by
# one, which would also clear the address's count.
AXES_RESET_ON_SUCCESS = False

# Content-Security-Policy (django-csp), debug or not: the portal's own files only, no inline
# script or style (page behaviour lives in static/js/portal.js). The API docs view adds a nonce
# for its own inline bootstrap (portal/core/api_conventions.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Redis and Celery. Without REDIS_URL tasks run eagerly in-process (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds to connect to Redis, and to wait for each answer, for the cache, the broker, the
# result backend and the health checks. Short: an unreachable Redis must not hold a request.
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.5)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above the longest task's hard limit, so an unacknowledged task is not redelivered while
    # it runs.
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
# An enqueue (a web request's on_commit) tries twice, then gives up: the email stays in the
# outbox and the beat requeue sends it. Celery's default waits up to four connection attempts.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT
# The result backend's default is 20 reconnection attempts a second apart.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

if REDIS_URL:
    # Degrades to computing everything while Redis is unreachable (portal/core/cache.py).
    _redis_cache: dict[str, Any] = {
        "BACKEND": "portal.core.cache.DegradingRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }
    CACHES = {
        "default": _redis_cache,
        # Sessions and signed-in users, read from memory while Redis says they are unchanged
        # (client-side caching with invalidations from Redis, portal/core/cache.py).
        "sessions": {
            **_redis_cache,
            "OPTIONS": {**_redis_cache["OPTIONS"], "CLIENT_TRACKING": True},
        },
    }
    SESSION_CACHE_ALIAS = "sessions"
else:
    # Without Redis, sessions and users are not cached: a cache of each process's own would
    # keep a signed-out session or a removed role alive in the other processes.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    SESSION_CACHE_ALIAS = "sessions"

# The dashboard's figures are computed at most once per this many seconds (0: every request).
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 60)
# A scenario select lists at most this many options; past it the page shows a text box for the
# scenario's number or exact name (portal/core/long_choices.py).
SELECT_OPTIONS_LIMIT = env_int("SELECT_OPTIONS_LIMIT", 200)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: anonymous requests then get 401 with a WWW-Authenticate header.
        "portal.core.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.core.api_conventions.PageNumberPagination",
    "DEFAULT_PARSER_CLASSES": [
        "portal.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.core.filter_backend.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.core.api_conventions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "2000/minute"),
    },
}
# Personal API tokens: knox hashes them; our model adds a name and the last-used time.
KNOX_TOKEN_MODEL = "core.ApiToken"
# knox's own migrations create its (now swapped-out) table with a foreign key to the user;
# flush skips swapped models, so on PostgreSQL that table blocks TRUNCATE between tests.
# Without migrations, Django creates no table for a swapped model.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=90),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "aiop_",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Operating Model Portal API",
    "DESCRIPTION": "Scenarios, releases, incidents, exceptions and operating metrics.",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.core.api_conventions.document_list_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReleaseStatusEnum": "releases.models.Release.Status",
        "SignOffKindEnum": "releases.models.SignOff.Kind",
        "SignOffDecisionEnum": "releases.models.SignOff.Decision",
        "ExceptionKindEnum": "exceptions.models.PlatformException.Kind",
        "ExceptionStatusEnum": "exceptions.models.PlatformException.Status",
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "IncidentUpdateKindEnum": "incidents.models.IncidentUpdate.Kind",
        "RollbackKindEnum": "incidents.models.RollbackAction.Kind",
        "ScenarioStatusEnum": "scenarios.models.Scenario.Status",
        "ScenarioRiskEnum": "scenarios.models.Scenario.Risk",
        "AmendmentStatusEnum": "scenarios.models.Amendment.Status",
        "AmendmentKindEnum": "scenarios.models.Amendment.Kind",
        "SupportRequestStatusEnum": "support.models.SupportRequest.Status",
        "TeamKindEnum": "portal.core.models.Team.Kind",
    },
    "WEBHOOKS": "integrations.openapi.WEBHOOKS",
}

# Webhooks and chat channels (integrations/)
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_CONNECT_TIMEOUT = env_float("WEBHOOK_CONNECT_TIMEOUT", 3.0)
WEBHOOK_READ_TIMEOUT = env_float("WEBHOOK_READ_TIMEOUT", 10.0)

# The platform's OpenAI-compatible gateway, for the playground (its key from the environment,
# never a team's provider key), and the seconds each gateway call may take.
GATEWAY_URL = os.environ.get("GATEWAY_URL", "")
GATEWAY_API_KEY = os.environ.get("GATEWAY_API_KEY", "")
GATEWAY_TIMEOUT = env_float("GATEWAY_TIMEOUT", 5.0)
PLAYGROUND_TIMEOUT = env_float("PLAYGROUND_TIMEOUT", 60.0)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 20)
WEBHOOK_SECRET_GRACE_HOURS = env_int("WEBHOOK_SECRET_GRACE_HOURS", 24)
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 120)
SLACK_SIGNING_SECRET = os.environ.get("SLACK_SIGNING_SECRET", "")
INTEGRATIONS_SECRET_KEY = os.environ.get("INTEGRATIONS_SECRET_KEY", "") or SECRET_KEY
SLACK_LINK_MAX_AGE_SECONDS = env_int("SLACK_LINK_MAX_AGE_SECONDS", 900)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Operating model settings (SLAs in hours unless named otherwise).
PORTAL = {
    "REMINDER_SWEEP_MINUTES": env_int("REMINDER_SWEEP_MINUTES", 15),
    "REMINDER_INTERVAL_HOURS": env_int("REMINDER_INTERVAL_HOURS", 24),
    "REMINDERS_BEFORE_ESCALATION": env_int("REMINDERS_BEFORE_ESCALATION", 2),
    "SLA_SCENARIO_REVIEW_HOURS": env_int("SLA_SCENARIO_REVIEW_HOURS", 48),
    "SLA_AMENDMENT_REVIEW_HOURS": env_int("SLA_AMENDMENT_REVIEW_HOURS", 48),
    "SLA_RELEASE_SIGNOFF_HOURS": env_int("SLA_RELEASE_SIGNOFF_HOURS", 24),
    "SLA_EXCEPTION_DECISION_HOURS": env_int("SLA_EXCEPTION_DECISION_HOURS", 48),
    "SLA_POSTMORTEM_DAYS": env_int("SLA_POSTMORTEM_DAYS", 5),
    "SLA_SUPPORT_ANSWER_HOURS": env_int("SLA_SUPPORT_ANSWER_HOURS", 24),
    "SLA_TEAM_ONBOARDING_HOURS": env_int("SLA_TEAM_ONBOARDING_HOURS", 72),
    # A move the gateway failed to apply: reminded to the platform owner after this long.
    "SLA_GATEWAY_MOVE_HOURS": env_int("SLA_GATEWAY_MOVE_HOURS", 1),
    "SLA_ACK_MINUTES": {
        "SEV1": env_int("SLA_ACK_SEV1_MINUTES", 15),
        "SEV2": env_int("SLA_ACK_SEV2_MINUTES", 60),
        "SEV3": env_int("SLA_ACK_SEV3_MINUTES", 8 * 60),
        "SEV4": env_int("SLA_ACK_SEV4_MINUTES", 24 * 60),
    },
    "EXCEPTION_DEFAULT_DAYS": 30,
    "EXCEPTION_MAX_DAYS": 180,
    # Approved exceptions: a notice this many days before the expiry date, and a final one.
    "EXCEPTION_EXPIRY_NOTICE_DAYS": env_int("EXCEPTION_EXPIRY_NOTICE_DAYS", 7),
    "EXCEPTION_EXPIRY_FINAL_NOTICE_DAYS": env_int("EXCEPTION_EXPIRY_FINAL_NOTICE_DAYS", 1),
    # Reminder sweep: rows per set-based batch, how long a sweep holds a reminder it is
    # sending, and sending retries (backoff doubles from REMINDER_RETRY_MINUTES).
    "REMINDER_BATCH_SIZE": env_int("REMINDER_BATCH_SIZE", 1000),
    "REMINDER_LEASE_MINUTES": env_int("REMINDER_LEASE_MINUTES", 10),
    "REMINDER_RETRY_MINUTES": env_int("REMINDER_RETRY_MINUTES", 5),
    "REMINDER_MAX_ATTEMPTS": env_int("REMINDER_MAX_ATTEMPTS", 5),
    "EMAIL_MAX_RETRIES": env_int("EMAIL_MAX_RETRIES", 5),
}

# Eval evidence (releases/evidence.py): releases name a run on this MLflow tracking server; its
# metrics are read through the REST API. A scenario may override the metric names and whether
# verification is required (ScenarioReleaseSettings).
EVAL_EVIDENCE = {
    "MLFLOW_URL": os.environ.get("MLFLOW_TRACKING_URL", "").rstrip("/"),
    "REQUIRED": env_bool("EVAL_VERIFICATION_REQUIRED", False),
    "SCORE_METRIC": os.environ.get("EVAL_SCORE_METRIC", "eval_score"),
    "COVERAGE_METRIC": os.environ.get("EVAL_COVERAGE_METRIC", "eval_coverage"),
    "DATASET_PARAM": os.environ.get("EVAL_DATASET_PARAM", "dataset"),
    "TIMEOUT_SECONDS": env_float("MLFLOW_TIMEOUT_SECONDS", 5),
}

# Sign-in through the company's OpenID Connect provider (identity/, mozilla-django-oidc): on
# when OIDC_ISSUER and OIDC_CLIENT_ID are set. The endpoints come from the issuer's discovery
# document. Authorization code flow with PKCE (S256), state and nonce; the id token's
# signature, issuer, audience and expiry are checked.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile groups")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your company account")
OIDC_TIMEOUT = env_float("OIDC_TIMEOUT", 10)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True
# Kept in the session for RP-initiated logout (the id_token_hint at the provider's sign-out).
OIDC_STORE_ID_TOKEN = True
# Password sign-in (the sign-in page, the admin's, the token exchange). Switched off only
# while OpenID Connect is configured, so the embedded default and the demo users keep it.
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", True)

# SCIM 2.0 (django-scim2) at /scim/v2/, for deprovisioning from the identity provider: every
# request needs `Authorization: Bearer <SCIM_BEARER_TOKEN>`; without the setting SCIM is closed.
SCIM_BEARER_TOKEN = os.environ.get("SCIM_BEARER_TOKEN", "")
_site = urlparse(SITE_URL)
SCIM_SERVICE_PROVIDER = {
    "NETLOC": _site.netloc or "localhost",
    "SCHEME": _site.scheme or "https",
    "USER_ADAPTER": "identity.scim.PortalSCIMUser",
    "GROUP_ADAPTER": "identity.scim.PortalSCIMGroup",
    "AUTH_CHECK_MIDDLEWARE": "identity.scim_auth.BearerTokenCheck",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "The token set in the portal's SCIM_BEARER_TOKEN.",
            "primary": True,
        }
    ],
}
