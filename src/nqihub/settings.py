"""One settings module, driven by the environment (see .env.example).

Nothing differs between development and production except what the environment says.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from nqihub.core import logs
from nqihub.core.schedule import beat_schedule

BASE_DIR = Path(__file__).resolve().parent  # src/nqihub
PROJECT_DIR = BASE_DIR.parent.parent  # checkout root


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (for secrets mounted as files)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
# Without it in production every process refuses to start, naming it (core.preflight); manage.py
# generate_secrets still runs, to print one. Rotation: the old key in SECRET_KEY_FALLBACKS for a while.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "csp",
    "nqihub.core",
    "nqihub.accounts",
    "nqihub.directory",
    "nqihub.standards",
    "nqihub.notifications",
    "nqihub.desk",
    "nqihub.metrology",
    "nqihub.certification",
    "nqihub.cases",
    "nqihub.testing",
    "nqihub.cooperatives",
    "nqihub.labels",
    "nqihub.stats",
    "nqihub.drafting",
    "nqihub.web",
    "nqihub.demo",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before the host check, the HTTPS redirect and the session.
    "nqihub.core.health.HealthCheckMiddleware",
    # X-Request-ID on the response and every log line; one access-log line per request.
    "nqihub.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "nqihub.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nqihub.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the session's user read from the cache (accounts.token_cache), not the database.
    "nqihub.accounts.middleware.AuthenticationMiddleware",
    # The idle timeout without a session write on every request (at most one a minute).
    "nqihub.core.middleware.SessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "nqihub.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nqihub.core.middleware.RequestContextMiddleware",
    "nqihub.core.middleware.BadInputMiddleware",
    "nqihub.core.middleware.PermissionDeniedAuditMiddleware",
    # AxesMiddleware must be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nqihub.urls"
WSGI_APPLICATION = "nqihub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nqihub.web.context_processors.navigation",
                "nqihub.notifications.context_processors.unread_count",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}",
        # Persistent connections in production (a new PostgreSQL connection per request cost more than
        # the request); checked before reuse.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and /readyz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The account-wide limit (ACCOUNT_LOCK_FAILURES), before the password is checked.
    "nqihub.accounts.lockout.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "nqihub.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out (nqihub.accounts.lockout): 5 failed logins within 15 minutes lock that username *from that client
# address* for 15 minutes (so that nobody can lock a user out from elsewhere by typing the username), and
# ACCOUNT_LOCK_FAILURES failures within ACCOUNT_LOCK_WINDOW_HOURS lock the account whatever the address.
# Either way the user is told (notification) and their API tokens end.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "nqihub.core.middleware.ip_from_request"
AXES_LOCKOUT_CALLABLE = "nqihub.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Logins, logouts and failures are in the audit log (core.receivers) with the client address; axes' own
# access log duplicated them, and to hash a session key it created a session even for
# ``POST /api/v1/auth/token`` (a session row and a cookie an API client never uses).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
ACCOUNT_LOCK_FAILURES = env_int("ACCOUNT_LOCK_FAILURES", 50)
ACCOUNT_LOCK_WINDOW_HOURS = env_int("ACCOUNT_LOCK_WINDOW_HOURS", 24)

# Idle session timeout: the cookie's age is renewed on every request.
# Regulators and platform administrators must sign in with a second factor (TOTP, SPEC §14). On by
# default in production; off by default with DEBUG so that the demo logs in with a password alone.
# Whoever has bound a device is asked for its code either way.
REQUIRE_SECOND_FACTOR = env_bool("REQUIRE_SECOND_FACTOR", not DEBUG)
#: Name of the platform in authenticator apps.
OTP_TOTP_ISSUER = "NQI Hub"
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# The idle timeout is kept by core.middleware.SessionIdleMiddleware, which renews the session's expiry at
# most once a minute instead of writing it on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# API bearer tokens.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or PROJECT_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
# Uploaded files are private: no URL serves them (there is no /media/ route); each is read through the
# scoped view of the record it belongs to (core.files.file_response). Object names are random; the
# original name is kept in the row for display and download.
#   STORAGE_BACKEND=local (default): a directory outside every served path (PRIVATE_FILES_ROOT).
#   STORAGE_BACKEND=s3: a private bucket of any S3-compatible store (MinIO, Ceph, OSS, COS …).
STORAGE_BACKEND = (env("STORAGE_BACKEND", "local") or "local").lower()
PRIVATE_FILES_ROOT = Path(env("PRIVATE_FILES_ROOT") or PROJECT_DIR / "private")
# Where uploads lived before they were private (served at /media/): `manage.py migrate_private_files`
# moves what it finds there into the private storage.
LEGACY_MEDIA_ROOT = Path(env("MEDIA_ROOT") or PROJECT_DIR / "media")
S3_BUCKET = env("S3_BUCKET", "")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", "") or None
S3_ACCESS_KEY_ID = env("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = env("S3_SECRET_ACCESS_KEY", "")
S3_REGION = env("S3_REGION", "") or None
S3_PREFIX = env("S3_PREFIX", "")
# Serve large downloads through the proxy: with e.g. FILES_X_ACCEL_REDIRECT=/_private/ (an `internal`
# nginx location aliasing PRIVATE_FILES_ROOT) the app checks access and answers only the header.
FILES_X_ACCEL_REDIRECT = env("FILES_X_ACCEL_REDIRECT", "")
FILES_X_ACCEL_MIN_BYTES = env_int("FILES_X_ACCEL_MIN_BYTES", 1024 * 1024)
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "nqihub.core.s3.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL,
            "access_key": S3_ACCESS_KEY_ID,
            "secret_key": S3_SECRET_ACCESS_KEY,
            "region_name": S3_REGION,
            "location": S3_PREFIX,
            "addressing_style": env("S3_ADDRESSING_STYLE", "path"),
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "nqihub.core.files.PrivateFileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, got {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = PRIVATE_FILES_ROOT
MEDIA_URL = ""
# Source maps are served as they are: compressing their megabytes (Bootstrap's, the API docs' bundles) at
# brotli's best level made collectstatic take minutes. The rest is whitenoise's default list.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *"jpg jpeg png gif webp zip gz tgz bz2 tbz xz br swf flv woff woff2 3gp 3gpp asf avi m4v mov mp4 mpeg mpg webm wmv".split(),
    "map",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Import jobs (core.ImportJob) are kept this long for their uploader, then swept (core.imports.sweep).
IMPORT_JOB_RETENTION_DAYS = env_int("IMPORT_JOB_RETENTION_DAYS", 30)

# Personal data at rest (core.crypto): SM4-GCM keys "<id>:<base64 of 16 bytes>", comma-separated; the first
# encrypts, all decrypt (rotation: new key first, `manage.py rotate_keys`, then drop the old one).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
# Fernet keys of data written before SM4 (enc1:…), read until rotate_keys has rewritten it.
FIELD_ENCRYPTION_LEGACY_KEYS = env_list("FIELD_ENCRYPTION_LEGACY_KEYS")
# HMAC-SM3 key (base64, ≥ 16 bytes) of the blind indexes for exact look-ups of encrypted phone numbers.
FIELD_BLIND_INDEX_KEY = env("FIELD_BLIND_INDEX_KEY", "") or ""

# Security headers; production turns on HTTPS-only flags through the environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the app that append to X-Forwarded-For (core.middleware.ip_from_request):
# the client address every throttle, lock-out and audit entry uses is the one the outermost saw.
PROXY_HOPS = env_int("PROXY_HOPS", 1 if BEHIND_PROXY else 0)
if PROXY_HOPS < 0:
    raise ImproperlyConfigured("PROXY_HOPS must be 0 or more")

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images from this site
# only — no inline script, no style="" attribute, no <style> block, no eval; nothing from a CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Cache (and with it sessions, throttles, the working-day calendar): Redis when REDIS_URL is set, which
# production requires (core.preflight: every app process must see the same state); local memory for the
# embedded set-up.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "nqihub"),
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
    # Sessions read from Redis, written through to the database (they survive a Redis restart).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager (in-process) when no broker is configured. Every task acknowledges late, retries with
# backoff (nqihub.celery.BaseTask) and is bounded in time; results are not kept.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_TASK_SOFT_TIME_LIMIT = max(CELERY_TASK_TIME_LIMIT - 60, 1)
# Redis broker: a task not acknowledged within this long is handed out again (longer than any task).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT + 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_CONCURRENCY = env_int("CELERY_CONCURRENCY", 2)
# Every periodic job (core.schedule): deadline sweep, reminders, upload sweep, statistics upkeep. The same
# jobs run from cron with `manage.py run_periodic` where there is no broker.
CELERY_BEAT_SCHEDULE = beat_schedule()

# E-mail: SMTP when EMAIL_HOST is set (or EMAIL_BACKEND names a backend), the console otherwise.
EMAIL_HOST = env("EMAIL_HOST", "") or ""
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other"
    )
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = env("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@nqihub.local")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# A notification e-mail is tried this many times in all, with exponential backoff, before it is recorded
# as failed.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 6)

# SMS (notifications.sms): console (logs only; the default), aliyun (阿里云短信, dysmsapi) or tencent
# (腾讯云短信), or a dotted path. Providers send approved templates only: the template codes and the
# signature come from the environment.
SMS_BACKEND = env("SMS_BACKEND", "console") or "console"
SMS_ACCESS_KEY_ID = env("SMS_ACCESS_KEY_ID", "") or ""
SMS_ACCESS_KEY_SECRET = env("SMS_ACCESS_KEY_SECRET", "") or ""
SMS_SIGN_NAME = env("SMS_SIGN_NAME", "") or ""
SMS_TEMPLATE_NOTIFICATION = env("SMS_TEMPLATE_NOTIFICATION", "") or ""
SMS_TEMPLATE_VERIFICATION = env("SMS_TEMPLATE_VERIFICATION", "") or ""
SMS_SDK_APP_ID = env("SMS_SDK_APP_ID", "") or ""  # Tencent Cloud only
SMS_REGION = env("SMS_REGION", "") or ""
SMS_ENDPOINT = env("SMS_ENDPOINT", "") or ""

# The platform's address as people reach it, e.g. https://nqi.example.gov.cn: links in e-mails and SMS
# and printed QR codes on test reports are built from it (reports fall back to the issuing request's host).
PUBLIC_BASE_URL = (env("PUBLIC_BASE_URL", "") or "").rstrip("/")
# Public report verification: at most this many look-ups per client address per window (seconds).
TESTING_VERIFY_LIMIT = env_int("TESTING_VERIFY_LIMIT", 20)
TESTING_VERIFY_WINDOW = env_int("TESTING_VERIFY_WINDOW", 600)
# Label checks a minute per client address for anonymous users (signed-in users are not limited).
LABELS_ANONYMOUS_RATE = env_int("LABELS_ANONYMOUS_RATE", 30)
# Public request tracking (GET /api/v1/requests/track, /desk/track/): look-ups per client address per window.
DESK_TRACK_LIMIT = env_int("DESK_TRACK_LIMIT", 20)
DESK_TRACK_WINDOW = env_int("DESK_TRACK_WINDOW", 600)
# Enterprise self-registration submissions, and forgotten-password requests, per client address per window.
ACCOUNTS_PUBLIC_LIMIT = env_int("ACCOUNTS_PUBLIC_LIMIT", 10)
ACCOUNTS_PUBLIC_WINDOW = env_int("ACCOUNTS_PUBLIC_WINDOW", 3600)
ACCOUNTS_RESET_LIMIT = env_int("ACCOUNTS_RESET_LIMIT", 10)
# Label photos read on this server (labels/ocr.py): onnxruntime intra-op threads per process (0 = its
# default, all cores) and the long side, in pixels, a photo is scaled down to before text detection.
LABELS_OCR_THREADS = env_int("LABELS_OCR_THREADS", 0)
LABELS_OCR_MAX_SIDE = env_int("LABELS_OCR_MAX_SIDE", 1800)

# Audit entries are kept at least this long (等保 / 网络安全法 第二十一条: ≥ 180 days, enforced), then archived
# to signed files in AUDIT_ARCHIVE_DIR and deleted (`manage.py archive_audit`, daily).
AUDIT_RETENTION_DAYS = max(env_int("AUDIT_RETENTION_DAYS", 365), 180)
AUDIT_ARCHIVE_DIR = Path(env("AUDIT_ARCHIVE_DIR") or PROJECT_DIR / "audit-archive")
# HMAC-SM3 key (base64, ≥ 16 bytes) that signs the archives; derived from SECRET_KEY when unset.
AUDIT_SIGNING_KEY = env("AUDIT_SIGNING_KEY", "") or ""

# Logs to stderr with the request id on every line: JSON in production (LOG_FORMAT=json, the default
# with DEBUG off), text otherwise. The platform's own loggers (access lines, periodic jobs, tasks) log at
# APP_LOG_LEVEL (INFO in production).
LOG_FORMAT = (env("LOG_FORMAT", "text" if DEBUG else "json") or "json").lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = logs.logging_config(
    level=env("LOG_LEVEL", "WARNING") or "WARNING",
    app_level=env("APP_LOG_LEVEL", "WARNING" if DEBUG else "INFO"),
    json=LOG_FORMAT == "json",
)
