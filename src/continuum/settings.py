"""Settings, read from the environment.

``CONTINUUM_ENV`` selects the mode: ``development`` (the default, used by the demo) or
``production``. Production refuses to start without an explicit secret key and allowed hosts,
so a misconfigured server fails loudly instead of running with demo defaults.
See docs/configuration.md for every variable.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets admin and DRF classes take type arguments (ModelAdmin[Person]) at runtime.
django_stubs_ext.monkeypatch()

env = environ.Env()

PACKAGE_DIR = Path(__file__).resolve().parent
CONTINUUM_ENV = env.str("CONTINUUM_ENV", default="development")
if CONTINUUM_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CONTINUUM_ENV must be 'development' or 'production'.")
PRODUCTION = CONTINUUM_ENV == "production"

VAR_DIR = Path(env.str("CONTINUUM_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """The key from SECRET_KEY or SECRET_KEY_FILE; outside production, one generated into var/."""
    if value := str(env.str("SECRET_KEY", default="")):
        return value
    if path := str(env.str("SECRET_KEY_FILE", default="")):
        return Path(path).read_text().strip()
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY or SECRET_KEY_FILE is required in production.")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "continuum.core",
    "continuum.access",
    "continuum.audit",
    "continuum.intake",
    "continuum.reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "continuum.core.middleware.LoginRequiredMiddleware",
    "continuum.audit.middleware.RequestContextMiddleware",
    "continuum.core.middleware.ActiveMembershipMiddleware",
    "continuum.core.middleware.ApiNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "continuum.core.sessions.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "continuum.urls"
WSGI_APPLICATION = "continuum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "continuum.core.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'continuum.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
    # the start of a transaction so concurrent writers queue instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    if not DATABASES["default"]["NAME"].startswith(":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:choose-membership"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_TZ = True

STATIC_URL = "static/"
# Uploaded files (signal attachments) are never served directly: only through the access policy.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# The project-wide assets (style sheet, htmx) live beside the project templates.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "continuum.core.authentication.BearerTokenAuthentication",
        "continuum.core.authentication.MembershipSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["continuum.core.permissions.HasActiveMembership"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "continuum.core.api_errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Continuum API",
    "DESCRIPTION": "Multi-agency case management for rehabilitation (MAR). "
    "Authenticate with `Authorization: Bearer <token>`; every token is bound to one membership.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["continuum.core.permissions.HasActiveMembership"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"PhaseEnum": "continuum.core.models.Phase"},
}

CONTINUUM_TOKEN_DEFAULT_DAYS = env.int("CONTINUUM_TOKEN_DEFAULT_DAYS", default=90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Outside production, serve static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION


# --- Audit log (app continuum.audit) ------------------------------------------------------------
# Owned by the audit log work: the HMAC key that chains entries lives outside the database.
# The key is read by continuum.audit.keys when the app starts: from CONTINUUM_AUDIT_KEY (hex or
# base64, at least 32 bytes) or the file CONTINUUM_AUDIT_KEY_FILE, which is generated with mode
# 0600 outside production and must exist in production (the app refuses to start without it).
CONTINUUM_AUDIT_KEY = env.str("CONTINUUM_AUDIT_KEY", default="")
CONTINUUM_AUDIT_KEY_FILE = Path(
    env.str("CONTINUUM_AUDIT_KEY_FILE", default=str(VAR_DIR / "audit_key"))
)
# Keys that sealed older entries, kept to verify them after a rotation (comma-separated).
CONTINUUM_AUDIT_RETIRED_KEYS = env.list("CONTINUUM_AUDIT_RETIRED_KEYS", default=[])
# Signed checkpoints of the chain's head, outside the database: one line per checkpoint.
CONTINUUM_AUDIT_CHECKPOINT_FILE = Path(
    env.str("CONTINUUM_AUDIT_CHECKPOINT_FILE", default=str(VAR_DIR / "audit-checkpoints.jsonl"))
)
CONTINUUM_AUDIT_CHECKPOINT_EVERY = env.int("CONTINUUM_AUDIT_CHECKPOINT_EVERY", default=1000)
if CONTINUUM_AUDIT_CHECKPOINT_EVERY < 1:
    raise ImproperlyConfigured("CONTINUUM_AUDIT_CHECKPOINT_EVERY must be at least 1.")
# The time bound: `continuum periodic` writes a verified checkpoint when the newest is older
# than this and entries came after it (see docs/architecture.md, "Audit", for the window).
CONTINUUM_AUDIT_CHECKPOINT_SECONDS = env.int("CONTINUUM_AUDIT_CHECKPOINT_SECONDS", default=60)
if CONTINUUM_AUDIT_CHECKPOINT_SECONDS < 1:
    raise ImproperlyConfigured("CONTINUUM_AUDIT_CHECKPOINT_SECONDS must be at least 1.")

# --- Field encryption (identifying fields of persons) -------------------------------------------
# Owned by the field-encryption work: keys from the environment or a file in var/.
# The keyring is a JSON document (see continuum.core.encryption and docs/configuration.md):
# in CONTINUUM_FIELD_KEYS, or in the file CONTINUUM_FIELD_KEYS_FILE, which is generated with
# mode 0600 outside production and must exist in production.
CONTINUUM_FIELD_KEYS = env.str("CONTINUUM_FIELD_KEYS", default="")
CONTINUUM_FIELD_KEYS_FILE = Path(
    env.str("CONTINUUM_FIELD_KEYS_FILE", default=str(VAR_DIR / "field_keys.json"))
)
if PRODUCTION and not CONTINUUM_FIELD_KEYS and not CONTINUUM_FIELD_KEYS_FILE.is_file():
    raise ImproperlyConfigured(
        "CONTINUUM_FIELD_KEYS or CONTINUUM_FIELD_KEYS_FILE (an existing keyring file) is "
        "required in production: see docs/configuration.md, 'Field encryption keys'."
    )

# --- Sign-in and sessions -----------------------------------------------------------------------
# Owned by the sign-in hardening work. See "Sign-in and sessions" in docs/configuration.md.


def _positive(name: str, default: int) -> int:
    value = int(env.int(name, default=default))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1.")
    return value


# A second factor (TOTP) for every account that signs in; off by default outside production so
# that the demo and the tests stay simple.
CONTINUUM_REQUIRE_2FA = env.bool("CONTINUUM_REQUIRE_2FA", default=PRODUCTION)
CONTINUUM_SESSION_IDLE_MINUTES = _positive("CONTINUUM_SESSION_IDLE_MINUTES", 30)
CONTINUUM_SESSION_MAX_HOURS = _positive("CONTINUUM_SESSION_MAX_HOURS", 12)
# The cookie lives no longer than the session may: one setting decides both.
SESSION_COOKIE_AGE = CONTINUUM_SESSION_MAX_HOURS * 60 * 60
CONTINUUM_SIGNIN_FAILURE_LIMIT = _positive("CONTINUUM_SIGNIN_FAILURE_LIMIT", 5)
CONTINUUM_SIGNIN_COOLOFF_MINUTES = _positive("CONTINUUM_SIGNIN_COOLOFF_MINUTES", 15)
# Ending the browser ends the session too (shared workstations in institutions).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Argon2 first; the others stay so that older hashes still verify and are upgraded on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes counts failed sign-ins per username AND client address together, so nobody can
# lock a colleague out from another address. Its backend only refuses locked-out attempts;
# ModelBackend does the authenticating.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = CONTINUUM_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=CONTINUUM_SIGNIN_COOLOFF_MINUTES)
# The cool-off runs from the failure that locked; more attempts meanwhile do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The same address the audit log records (REMOTE_ADDR), never a client-supplied header: a
# forged X-Forwarded-For would give an attacker a fresh counter for every guess.
AXES_CLIENT_IP_CALLABLE = "continuum.core.signin.client_address"
# A locked-out attempt gets the same page and message as a wrong password.
AXES_LOCKOUT_CALLABLE = "continuum.core.signin.lockout_response"
# Sign-ins are in the audit log already; axes keeps only the failure counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]

OTP_TOTP_ISSUER = "Continuum"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-csp 4: nothing from outside, no inline scripts or styles, never framed. The API docs
# page adds a nonce for its own inline script and style (see continuum.urls).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the empty favicon of base.html and the icons in Swagger UI's style sheet.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Access (app continuum.access) --------------------------------------------------------------
CONTINUUM_EMERGENCY_ACCESS_HOURS = env.int("CONTINUUM_EMERGENCY_ACCESS_HOURS", default=4)

# --- Signals (app continuum.intake) -------------------------------------------------------------
# Attachments to a signal: the file types accepted (by extension, checked against the content)
# and the largest size in bytes.
CONTINUUM_SIGNAL_ATTACHMENT_TYPES = env.list(
    "CONTINUUM_SIGNAL_ATTACHMENT_TYPES", default=["pdf", "jpg", "jpeg", "png", "txt"]
)
CONTINUUM_SIGNAL_ATTACHMENT_MAX_BYTES = _positive(
    "CONTINUUM_SIGNAL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024
)
# How long the API keeps an Idempotency-Key's first answer (which repeats the reported words)
# before `continuum periodic` purges it; a retry after that records a new signal.
CONTINUUM_IDEMPOTENCY_RETENTION_HOURS = _positive("CONTINUUM_IDEMPOTENCY_RETENTION_HOURS", 72)

# --- Investigation and triage (app continuum.intake) --------------------------------------------
# The longest a measure may run, in days, per type; override any of them with, for example,
# CONTINUUM_MEASURE_MAX_DAYS="telephone_monitoring=14,cell_inspection=1".
MEASURE_MAX_DAYS_DEFAULTS = {
    "telephone_monitoring": 28,
    "cell_inspection": 1,
    "reading_material": 90,
    "visitor_review": 90,
    "judicial_file_review": 30,
    "information_request": 30,
}
CONTINUUM_MEASURE_MAX_DAYS = {
    **MEASURE_MAX_DAYS_DEFAULTS,
    **env.dict("CONTINUUM_MEASURE_MAX_DAYS", cast={"value": int}, default={}),
}
if set(CONTINUUM_MEASURE_MAX_DAYS) != set(MEASURE_MAX_DAYS_DEFAULTS) or any(
    days < 1 for days in CONTINUUM_MEASURE_MAX_DAYS.values()
):
    raise ImproperlyConfigured(
        "CONTINUUM_MEASURE_MAX_DAYS takes type=days pairs of known measure types, days >= 1."
    )

# --- Reports (app continuum.reporting) ----------------------------------------------------------
# Figures counting fewer than this many persons or signals are hidden, so that nobody can be
# recognised in a small cell.
CONTINUUM_SMALL_CELL_THRESHOLD = _positive("CONTINUUM_SMALL_CELL_THRESHOLD", 5)
