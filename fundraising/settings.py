"""Settings, read from the environment as docs/configuration.md lists; a bad value stops start-up."""

import datetime
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

# The supported Pythons are checked in fundraising/__init__.py, before anything else of the app is imported.

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists() and not os.environ.get("FUNDRAISING_IGNORE_DOTENV"):
    environ.Env.read_env(BASE_DIR / ".env")


def env_bool(name, default):
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}")


def env_int(name, default, low, high):
    """A whole number within [low, high]: every numeric setting has a range, so a typo stops start-up."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


def env_choice(name, default, choices):
    raw = (env.str(name, default="") or default).upper()
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_url(name, default, schemes):
    raw = env.str(name, default="") or default
    if raw and raw.split("://", 1)[0] not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of {', '.join(schemes)}")
    return raw


def env_database(name, default):
    raw = env.str(name, default="") or default
    config = env.db_url_config(raw) if "://" in raw else {}
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} is not a database URL (e.g. postgres://user@host:5432/db): {raw!r}")
    return config


DEBUG = env_bool("DEBUG", False)
# --- Secrets (docs/configuration.md, "Secrets") ---
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
# Keys this repository has printed (development, tests, examples): whoever reads it could forge links with them.
KNOWN_SECRET_KEYS = {DEV_SECRET_KEY, "test-secret-key-not-for-production", "smoke-test-secret-key-not-for-production"}


def secret_key_weakness(key):
    """Why a production SECRET_KEY is refused (manage links and invitations are signed with it), or ""."""
    if key in KNOWN_SECRET_KEYS or key.startswith("django-insecure-"):
        return "is a published development key"
    if len(key) < 50:
        return f"has {len(key)} characters; use at least 50"
    if len(set(key)) < 10:
        return f"uses only {len(set(key))} distinct characters"
    return ""


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is not 1")
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and secret_key_weakness(SECRET_KEY):
    raise ImproperlyConfigured(
        f"SECRET_KEY {secret_key_weakness(SECRET_KEY)} (make one: python -c "
        "'import secrets; print(secrets.token_urlsafe(50))')"
    )
# --- end of Secrets ---

ALLOWED_HOSTS = [h.strip() for h in env.str("ALLOWED_HOSTS", default="localhost,127.0.0.1").split(",") if h.strip()]
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", ("http", "https")).rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "axes",
    # The project's layers, lowest first (docs/layers.md); fundraising.core is a plain package.
    "fundraising.journal",
    "fundraising.campaigns",
    "fundraising.ledger",
    "fundraising.widgets",
    "fundraising.pipeline",
    "fundraising.integrations",
    "fundraising.payments",
    "fundraising.supporters",
    "fundraising.ops",
]

MIDDLEWARE = [
    # /livez and /readyz answer before host validation and the SSL redirect (fundraising/ops/probes.py).
    "fundraising.ops.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fundraising.urls"
WSGI_APPLICATION = "fundraising.wsgi.application"

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
                "fundraising.ops.context_processors.version",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, 0, 86400)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default behind gunicorn -w 2: readers never wait for the writer (WAL), and a
    # write transaction takes the lock when it begins (IMMEDIATE), so concurrent webhooks queue for
    # up to SQLITE_BUSY_TIMEOUT seconds instead of failing with "database is locked" mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, 1, 600),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", "", ("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A request never waits long on a dead or unreachable Redis.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport with a channel that survives a Redis restart (fundraising/celery.py).
    CELERY_BROKER_TRANSPORT = "fundraising.celery:RedisTransport"
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # One cache every process shares (gunicorn workers, manage.py commands): a table in the
    # database. Its add() is atomic (the key is the primary key), which the debounce relies on.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fundraising_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
        }
    }
    CELERY_BROKER_URL = "memory://"
    # Without a broker, tasks run in-process right after the transaction commits.
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "fundraising"
# Refreshes have their own queue, which workers serve in turn with the events: a coalesced refresh
# must not wait behind thousands of queued Stripe events, or widgets lag by the whole backlog.
# Declared here, not in fundraising/celery.py: the app reads its settings lazily, and a settings module that
# imports this one (tests.settings) is only half loaded when the fundraising package imports the app.
CELERY_TASK_QUEUES = (Queue("refresh"), Queue(CELERY_TASK_DEFAULT_QUEUE))
CELERY_TASK_ROUTES = {
    "fundraising.pipeline.tasks.period_refresh_task": {"queue": "refresh"},
    "fundraising.pipeline.tasks.periods_refresh_task": {"queue": "refresh"},
}
# A task a dead worker had taken comes back to the queue after this many seconds (acks_late).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300, 1, 86400)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for abandoned messages often enough that a low timeout actually takes effect.
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 5)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task holds a worker process forever (a hung SMTP or Stripe connection): past the soft limit the task
# gets SoftTimeLimitExceeded (it is retried or swept like any failure), 30 s later the process is replaced.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 900, 60, 86400)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# With the broker down, a web request gives up enqueueing within about a second (the sweeps catch up).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "fundraising.ops.tasks.beat_heartbeat", "schedule": 60.0},
    "journal-sweep": {"task": "fundraising.journal.tasks.journal_sweep_task", "schedule": 60.0},
    "notices-sweep": {"task": "fundraising.supporters.tasks.notices_sweep", "schedule": 60.0},
    "deliveries-sweep": {"task": "fundraising.integrations.tasks.deliveries_sweep", "schedule": 60.0},
    "periods-sweep": {"task": "fundraising.pipeline.tasks.periods_sweep", "schedule": 60.0},
    "events-sweep": {"task": "fundraising.payments.tasks.events_sweep", "schedule": 60.0},
    "stripe-reconcile": {"task": "fundraising.payments.tasks.stripe_reconcile_task", "schedule": 24 * 3600.0},
    "periods-rollover": {"task": "fundraising.pipeline.tasks.periods_rollover", "schedule": 300.0},
    "periods-verify": {"task": "fundraising.pipeline.tasks.periods_verify_task", "schedule": 3600.0},
}

# Admin sign-in is throttled by django-axes (answers 429): AXES_FAILURE_LIMIT wrong passwords for one username
# from one address lock that pair; AXES_USERNAME_FAILURE_LIMIT across all addresses lock the username, except
# from addresses it signed in from lately (fundraising/ops/signin.py), so guessing from many addresses stops
# and a stranger cannot lock an owner out of their usual place. Attempts refused during a lock do not count
# (else one address could push a username over the cross-address limit). Unlock: manage.py axes_reset_username.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_PAIR_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, 1, 1000)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 10, 1, 10000)
AXES_FAILURE_LIMIT = "fundraising.ops.signin.failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, 1, 7 * 24 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "fundraising.payments.views.client_ip"  # the NUM_PROXIES rule, as for donations
AXES_VERBOSE = False  # no "AXES: BEGIN ..." banner on every manage.py command and process start

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Public pages and widgets speak their campaign's language (activated per render, never from the
# request: no LocaleMiddleware). Catalogues live in locale/ with their .mo files committed.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WIDGET_ROOT = Path(env.str("WIDGET_ROOT", default=str(BASE_DIR / "var" / "widgets")))
# Whether this machine keeps widget files in WIDGET_ROOT (for nginx, and as the fallback when the cache is down).
# Off on every machine when several web machines share one worker and no disk: a file would only be as fresh as
# the last time its machine wrote it, so they read the shared cache, then the database (docs/operations.md).
WIDGET_FILES = env_bool("WIDGET_FILES", True)

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env_url("STRIPE_API_BASE", "", ("http", "https"))
# How many workers may drain a backlog of webhook events at once (about the worker processes serving it).
STRIPE_EVENT_DRAINS = env_int("STRIPE_EVENT_DRAINS", 2, 1, 64)
for _name, _prefix in (("STRIPE_SECRET_KEY", ("sk_", "rk_")), ("STRIPE_WEBHOOK_SECRET", ("whsec_",))):
    if globals()[_name] and not globals()[_name].startswith(_prefix):
        raise ImproperlyConfigured(f"{_name} must start with {' or '.join(_prefix)}")
    # A placeholder ("whsec_", "sk_live_") would let anyone who guesses it sign webhooks: refused outside DEBUG.
    _body = globals()[_name].split("_", 2)[-1] if _name == "STRIPE_SECRET_KEY" else globals()[_name][len("whsec_") :]
    if globals()[_name] and not DEBUG and len(_body) < 8:
        raise ImproperlyConfigured(f"{_name} looks like a placeholder: paste the whole secret from Stripe's dashboard")
# `make demo` without a Stripe account: a local test checkout page (fundraising/payments/demo_checkout.py)
# answers for Stripe Checkout and posts signed events to the webhook. Local development only; a real
# STRIPE_SECRET_KEY wins over it.
STRIPE_DEMO_CHECKOUT = env_bool("STRIPE_DEMO_CHECKOUT", False)
if STRIPE_DEMO_CHECKOUT and not DEBUG:
    raise ImproperlyConfigured("STRIPE_DEMO_CHECKOUT=1 takes no real payment and is refused unless DEBUG=1")
if STRIPE_DEMO_CHECKOUT and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("STRIPE_DEMO_CHECKOUT=1 signs its events: set STRIPE_WEBHOOK_SECRET (whsec_...)")


def env_rate(name, default):
    """A rate as "count/seconds" (e.g. "5/60"), returned as (count, seconds)."""
    raw = env.str(name, default="") or default
    count, _, seconds = raw.partition("/")
    if not (count.isdigit() and seconds.isdigit() and int(count) > 0 and int(seconds) > 0):
        raise ImproperlyConfigured(f"{name} must be requests/seconds like 5/60, not {raw!r}")
    return int(count), int(seconds)


# Card-testing defence: Checkout Sessions one client IP may create per window.
DONATION_RATE_LIMIT = env_rate("DONATION_RATE_LIMIT", "5/60")
# Bots and card testing (docs/security.md): the donation form's proof-of-work challenge (ALTCHA). Its HMAC key
# defaults to one derived from SECRET_KEY; ALTCHA_DIFFICULTY is how many key derivations a browser tries at most
# (about half on average); a challenge works for ALTCHA_EXPIRES seconds and once.
ALTCHA_HMAC_KEY = env.str("ALTCHA_HMAC_KEY", default="")
ALTCHA_DIFFICULTY = env_int("ALTCHA_DIFFICULTY", 2000, 2, 10_000_000)
ALTCHA_EXPIRES = env_int("ALTCHA_EXPIRES", 1200, 10, 86400)
# Velocity rules on failed (declined, expired) Checkout Sessions: past the address or campaign rate the challenge
# costs ten times more; past the pause rate the campaign opens no session until the window ends (owners alerted).
DONATION_VELOCITY_ADDRESS = env_rate("DONATION_VELOCITY_ADDRESS", "3/3600")
DONATION_VELOCITY_CAMPAIGN = env_rate("DONATION_VELOCITY_CAMPAIGN", "10/3600")
DONATION_VELOCITY_PAUSE = env_rate("DONATION_VELOCITY_PAUSE", "30/3600")
# Manage links (/c/<slug>/manage/): how long an e-mailed link works, and how often one may be asked for.
MANAGE_LINK_MAX_AGE = env_int("MANAGE_LINK_MAX_AGE", 14 * 24 * 3600, 60, 366 * 24 * 3600)
MANAGE_LINK_RATE_LIMIT_IP = env_rate("MANAGE_LINK_RATE_LIMIT_IP", "10/3600")
MANAGE_LINK_RATE_LIMIT_ADDRESS = env_rate("MANAGE_LINK_RATE_LIMIT_ADDRESS", "3/3600")
# Every rate limit's count is multiplied by this (core/ratelimit.py): a person exploring the demo (DEBUG) gives,
# cancels and asks for links far more often than a donor does.
RATE_LIMIT_MULTIPLIER = env_int("RATE_LIMIT_MULTIPLIER", 20 if DEBUG else 1, 1, 1000)
# How many reverse proxies (nginx, a load balancer) stand in front and append to X-Forwarded-For;
# 0 trusts only the socket's address. Behind deploy/nginx.conf this is 1; behind a load balancer and
# deploy/nginx-behind-lb.conf, 2.
NUM_PROXIES = env_int("NUM_PROXIES", 0, 0, 10)
# Outgoing HTTP to owners' URLs (fundraising/core/outgoing.py) reaches public addresses only, unless this is a
# local setup (the demo, tests). MILESTONE_WEBHOOK_ALLOW_PRIVATE, its name from before, is read when it is unset
# (deprecated: configuration that still sets it keeps working).
OUTGOING_ALLOW_PRIVATE = env_bool("OUTGOING_ALLOW_PRIVATE", env_bool("MILESTONE_WEBHOOK_ALLOW_PRIVATE", DEBUG))
# One outgoing try's whole time (connect, TLS, send, headers, body), the tries one endpoint may have under way
# at once, and the failed tries in a row after which an endpoint is disabled (its owners are told).
OUTGOING_TIMEOUT_SECONDS = env_int("OUTGOING_TIMEOUT_SECONDS", 10, 1, 60)
OUTGOING_MAX_IN_FLIGHT = env_int("OUTGOING_MAX_IN_FLIGHT", 2, 1, 100)
OUTGOING_DISABLE_AFTER = env_int("OUTGOING_DISABLE_AFTER", 50, 1, 100000)

# /healthz shows each check's details to staff and to callers sending "Authorization: Bearer <token>";
# everyone else gets the status only. Empty: staff only.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# /metrics (Prometheus) answers callers sending "Authorization: Bearer <token>"; empty: /metrics is off (403).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# The /w/ widget endpoints are public data; CORS is opened there only.
CORS_URLS_REGEX = r"^/w/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False

# --- Mail (docs/configuration.md, "Mail") ---
# EMAIL_URL names the server in django-environ's form; console:// is accepted for consolemail://.
EMAIL_SCHEMES = ("smtp", "smtp+tls", "smtp+ssl", "smtps", "console", "consolemail")


def env_email_url(name):
    raw = env.str(name, default="")
    if not raw:
        return {}
    if raw.split("://", 1)[0] not in EMAIL_SCHEMES or "://" not in raw:
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of {', '.join(EMAIL_SCHEMES)}")
    if raw.startswith("console://"):
        raw = "consolemail://" + raw[len("console://") :]
    config = env.email_url_config(raw)
    if config["EMAIL_BACKEND"].endswith("smtp.EmailBackend") and not config.get("EMAIL_HOST"):
        raise ImproperlyConfigured(f"{name} names no host: {raw.split('@')[-1]!r}")
    config.pop("EMAIL_FILE_PATH", None)
    return config


_email = env_email_url("EMAIL_URL")
if _email and env.str("EMAIL_BACKEND", default=""):
    raise ImproperlyConfigured("EMAIL_URL and EMAIL_BACKEND are both set: keep one")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND", None) or env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Django's SMTP backend with EMAIL_TIMEOUT as the deadline of a whole send (fundraising/core/smtp.py).
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "fundraising.core.smtp.EmailBackend"
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# A send (connecting to QUIT) gives up after this many seconds (the notice is retried by the sweep) instead of
# holding a request or a worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, 1, 300)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="fundraising@localhost")
# Where the demo's mailbox backend (EMAIL_BACKEND=fundraising.ops.mailbox.MailboxBackend) keeps messages.
MAILBOX_DIR = BASE_DIR / "var" / "mailbox"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# --- end of Mail ---

# Production hardening: on by default when DEBUG is off, each switchable.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, 0, 2 * 31536000)
# Opt-in: both bind every subdomain of the site's domain (preload for years, in browsers' lists), which only
# the domain's owner can decide.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# check --deploy's advice to turn those on is a choice made here, not an oversight.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logs (docs/operations.md, "Logs") ---
# Every line says when, how bad and from where; LOG_FORMAT=json writes one JSON object a line for machines.
LOG_FORMAT = env_choice("LOG_FORMAT", "TEXT", ("TEXT", "JSON"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "fundraising.core.logformat.JsonFormatter"},
    },
    "filters": {"redact": {"()": "fundraising.core.logformat.TokenRedactFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT.lower(), "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    # Django's own lines (a 500's traceback, 404 warnings) in the same format, not through its default handler.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
# The worker and beat log through LOGGING too, in the same format, instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Errors to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is set: web requests and Celery
# tasks. send_default_pii=False: no user, cookies, client IP or request bodies leave (donors' addresses stay).
SENTRY_DSN = env_url("SENTRY_DSN", "", ("http", "https"))
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from fundraising import __version__

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        release=f"fundraising@{__version__}",
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=0.0,
    )
# --- end of Logs ---
