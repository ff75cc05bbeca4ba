"""Settings, read from environment variables with safe defaults.

The same code runs the embedded default (SQLite in var/, local-memory cache,
files for mail) and the scale-out (PostgreSQL, Redis, SMTP): see docs/operations.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CAMSHAFT_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("CAMSHAFT_ENV", "embedded") == "production"


def _secret_key() -> str:
    """In production the key must come from the environment; the embedded
    default keeps a generated one in var/ so sessions survive a restart."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when CAMSHAFT_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
SECRET_KEY_FROM_FILE = not os.environ.get("SECRET_KEY")

# V8: keys sealing personal fields, newest first, and the key of lookup
# digests. Unset, both live in key files in var/ (made on first use; back
# them up with the database): see docs/encryption.md.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
FIELD_ENCRYPTION_KEY_FILE = VAR_DIR / "field-keys"
FIELD_LOOKUP_KEY = os.environ.get("FIELD_LOOKUP_KEY", "")
FIELD_LOOKUP_KEY_FILE = VAR_DIR / "field-lookup-key"
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "camshaft.accounts.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "imagekit",
    "camshaft.core",
    "camshaft.consent",
    "camshaft.accounts",
    "camshaft.catalog",
    "camshaft.fitment",
    "camshaft.inventory",
    "camshaft.search",
    "camshaft.pricing",
    "camshaft.payments",
    "camshaft.notifications",
    "camshaft.privacy",
    "camshaft.orders",
    "camshaft.cart",
    "camshaft.checkout",
    "camshaft.returns",
    "camshaft.marketplace",
    "camshaft.support",
    "camshaft.chat",
    "camshaft.pricematch",
    "camshaft.shipping",
    "camshaft.tax",
    "camshaft.analytics",
    "camshaft.abuse",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "camshaft.core.middleware.PermissionsPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "camshaft.core.middleware.ReadReplicas",
    "camshaft.core.middleware.RefuseUnstorableInput",
    "camshaft.core.middleware.RefuseUnstorableValues",
    "camshaft.analytics.middleware.AnalyticsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "camshaft.pricing.middleware.DisplayCurrencyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "camshaft.urls"
WSGI_APPLICATION = "camshaft.wsgi.application"
ASGI_APPLICATION = "camshaft.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "camshaft" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "camshaft.fitment.context_processors.garage",
                "camshaft.privacy.context_processors.policy_notice",
                "camshaft.analytics.context_processors.cookie_choice",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'camshaft.sqlite3'}"),
        # 0: a connection per request. The store is served through ASGI, where
        # each request's Django code runs in a thread of its own; a kept
        # connection belongs to its thread, so kept ones pile up until
        # PostgreSQL refuses clients ("too many clients already", seen under
        # load). Put PgBouncer in front to save the connect (operations.md).
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on
    # busy_timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if os.environ.get("PYTEST_XDIST_WORKER") else 600
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    pool_size := int(os.environ.get("DB_POOL_SIZE", "0"))
):
    # A pool per app process (psycopg_pool), shared by its request threads:
    # connections are reused without being kept per thread (docs/operations.md).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": pool_size,
        "timeout": 10,
    }
DATABASES["default"].setdefault("TEST", {})
if name := os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = name

# Read replicas (docs/operations.md): each URL adds an alias replica1..N that
# serves a request's catalogue reads until it writes (camshaft.core.replicas).
# In tests a replica mirrors the test database.
for number, url in enumerate(
    (u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()),
    start=1,
):
    DATABASES[f"replica{number}"] = {
        **dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["camshaft.core.replicas.ReplicaRouter"]
# After a request changes the catalogue, that browser reads the primary this long.
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# B4: the live chat's messages travel between sockets through a channel
# layer: through the database between the app processes of one machine
# (core/channel_layer.py), through Redis when several app hosts share
# conversations.
if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "camshaft.core.channel_layer.DatabaseChannelLayer"}}
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# V11: rate-limit counters live in the default cache, so without REDIS_URL
# each gunicorn worker counts on its own (see docs/abuse.md). A cache that
# cannot answer lets requests through rather than refusing every shopper.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
# How many proxies in front of the app append to X-Forwarded-For; 0 means
# trust only REMOTE_ADDR (a client could write anything in the header).
CAMSHAFT_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
# Per-door overrides of the limits in camshaft/abuse/services.py, e.g.
# {"search": "300/m", "sign_in:account": "5/10m"}.
CAMSHAFT_RATE_LIMITS: dict[str, str] = {}

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A2: staff add the store to their authenticator app under this name.
OTP_TOTP_ISSUER = os.environ.get("STORE_NAME", "Camshaft Auto Parts")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", PRODUCTION or not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Part pictures (C7) and their thumbnails. The local disk under var/media by
# default, served by the store itself; an S3-compatible bucket through
# django-storages when MEDIA_S3_BUCKET is set (credentials from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; see docs/storefront.md).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
MEDIA_ORIGINS: list[str] = []  # where pictures load from, for img-src below
if MEDIA_S3_BUCKET:
    _endpoint = os.environ.get("MEDIA_S3_ENDPOINT_URL", "")
    _domain = os.environ.get("MEDIA_S3_CUSTOM_DOMAIN", "")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": _endpoint or None,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            "custom_domain": _domain or None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    if _domain:
        MEDIA_ORIGINS = [f"https://{_domain}"]
    elif _endpoint:
        MEDIA_ORIGINS = [_endpoint.rstrip("/")]
    else:
        MEDIA_ORIGINS = [f"https://{MEDIA_S3_BUCKET}.s3.amazonaws.com"]
    MEDIA_ORIGINS += env_list("MEDIA_ORIGINS", "")
# Thumbnails are made when a picture is saved, never while a page renders:
# the Optimistic strategy takes their existence for granted at page time.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "thumbs"
WHITENOISE_USE_FINDERS = not PRODUCTION

# Store settings.
STORE_NAME = os.environ.get("STORE_NAME", "Camshaft Auto Parts")
STORE_CURRENCY = os.environ.get("STORE_CURRENCY", "USD")
# Where the store is reached from outside: links in mail start with it.
STORE_URL = os.environ.get("STORE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who people write to about their personal data; breach notices name it (V6).
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "privacy@example.com")
# Where shoppers paying by check or money order send it, and how to wire money (Y1).
STORE_REMIT_ADDRESS = os.environ.get(
    "STORE_REMIT_ADDRESS",
    "Camshaft Auto Parts, Accounts Receivable, 100 Main Street, Columbus, OH 43004, USA",
)
STORE_WIRE_INSTRUCTIONS = os.environ.get(
    "STORE_WIRE_INSTRUCTIONS",
    # A demo value: a real store sets its own bank details.
    "Bank: Example National Bank. Account name: Camshaft Auto Parts. Routing (ABA): "
    "021000021. Account: 000123456789. SWIFT: EXNBUS33. Reference: your order number.",
)
# Payments (Y5): the built-in test gateway is the default, so the store runs
# with no processor account; see docs/payments.md to connect Stripe or PayPal.
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "camshaft.payments.gateways.test.TestGateway")
# PayPal through its own gateway while cards go through PAYMENT_GATEWAY; unset,
# PAYMENT_GATEWAY takes PayPal too.
PAYPAL_GATEWAY = os.environ.get("PAYPAL_GATEWAY", "")
# Seconds to wait for a processor; then nothing is stored and the shopper retries.
PAYMENT_GATEWAY_TIMEOUT = float(os.environ.get("PAYMENT_GATEWAY_TIMEOUT", "20"))
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Empty means Stripe's own; tests point these at a local fake.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
PAYPAL_CLIENT_ID = os.environ.get("PAYPAL_CLIENT_ID", "")
PAYPAL_CLIENT_SECRET = os.environ.get("PAYPAL_CLIENT_SECRET", "")
PAYPAL_WEBHOOK_ID = os.environ.get("PAYPAL_WEBHOOK_ID", "")
# "sandbox" (PayPal's test mode) or "live".
PAYPAL_ENVIRONMENT = os.environ.get("PAYPAL_ENVIRONMENT", "sandbox")
# Empty means PayPal's own; tests point it at a local fake.
PAYPAL_API_BASE = os.environ.get("PAYPAL_API_BASE", "")
# Who is told when a payment changes at the processor (a dispute, a refund
# made in its dashboard).
STAFF_ALERT_EMAIL = os.environ.get("STAFF_ALERT_EMAIL", "shop@example.com")
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", VAR_DIR / "search"))
# Several app hosts: a host not heard from for this long is dropped from the
# search change log's reckoning (and rebuilds its index when it comes back).
SEARCH_HOST_TIMEOUT_SECONDS = int(os.environ.get("SEARCH_HOST_TIMEOUT", str(6 * 3600)))
# A folder every host can read (a shared mount), where hosts publish index
# snapshots so a new host starts from one instead of reindexing. Unset: none.
SEARCH_SNAPSHOT_DIR = os.environ.get("SEARCH_SNAPSHOT_DIR", "")
GARAGE_COOKIE = "garage"
GARAGE_MAX_VEHICLES = 8

# Security: the embedded default serves plain HTTP on 127.0.0.1, so secure
# cookies and HTTPS redirects are for production only.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# B2/V: a strict Content-Security-Policy (django-csp): our own scripts and
# styles only, no inline code anywhere, nobody may frame the store. A page
# that needs a processor's hosted card fields adds its origins itself
# (`CardForm.origins`).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
#: Browser features the store never uses, switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), usb=()"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Y5: the payment gateway, a dotted path; the default is the built-in test
# gateway, which the deploy checks refuse in production.
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "camshaft.payments.gateways.test.TestGateway")
# Checks a store has decided to live with (comma-separated ids, e.g. a
# staging store rehearsing with the test gateway: camshaft.W104).
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "")

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail leaves only through the outbox (N4). The embedded default writes each
# message as a file in var/mail/; EMAIL_URL=smtp://user:pass@host:587 sends.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Camshaft Auto Parts <shop@example.com>")
MAIL_DIR = VAR_DIR / "mail"
# V5: days a delivered mail's body is kept (for staff answering "did you
# send me...?"), after which `camshaft jobs` blanks it, keeping who, what
# kind of mail, when and whether it was delivered.
OUTBOX_BODY_RETENTION_DAYS = int(os.environ.get("OUTBOX_BODY_RETENTION_DAYS", "90"))
# V5: days a live chat's transcript is kept after the chat ended (B4), after
# which `camshaft jobs` anonymises it: long enough for returns (30 days),
# core returns (60) and a card dispute (about 120) that may cite it.
CHAT_TRANSCRIPT_RETENTION_DAYS = int(os.environ.get("CHAT_TRANSCRIPT_RETENTION_DAYS", "180"))
#: The embedded default's mail stays on this machine, for trying the store:
#: links a person must receive (staff invitations) are then shown instead.
EMAIL_TO_FILES = not os.environ.get("EMAIL_URL")
if email_url := os.environ.get("EMAIL_URL"):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 587
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme in {"smtp", "submission"} and EMAIL_PORT != 25
    EMAIL_USE_SSL = _mail.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = MAIL_DIR

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Y3, V8: a card number or an email address that reaches a log line
    # anyway is masked before it is written.
    "filters": {"no_personal_data": {"()": "camshaft.core.logging.RedactPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# `camshaft jobs` runs each of these once per call (cron it daily); each is a
# dotted path to a function taking `now` and returning a line for the log.
CAMSHAFT_JOBS: list[str] = [
    "camshaft.privacy.services.retention_job",
    "camshaft.privacy.services.data_request_deadlines",
    "camshaft.notifications.services.blank_old_bodies",
    "camshaft.chat.services.expire_old_transcripts",
    "camshaft.analytics.services.purge_expired",
    "camshaft.abuse.jobs.purge_abuse_records",
    "camshaft.returns.services.refund_due_returns",
    "camshaft.returns.services.core_deposit_job",
    "camshaft.marketplace.services.pause_listings_after_terms_grace",
]
