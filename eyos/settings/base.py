"""Settings shared by every deployment. Anything that differs between deployments comes from the
environment (see README: DJANGO_DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
EMAIL_*, DEFAULT_FROM_EMAIL, SITE_URL, PORT)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "eyos",
    "eyos.accounts",
    "campaigns",
    "events",
    "coordinators",
    "opendata",
    "contenttranslation",
    "outcomes",
    "series",
    "partnerfeeds",
    # django-ninja's templates and static files: the API docs page served from here, not a CDN.
    "ninja",
    "corsheaders",
    # wagtail-localize replaces wagtail.locales (same app label).
    "wagtail_localize",
    "wagtail_localize.locales",
    # No wagtail.contrib.forms: no page type is a form, and its "Forms" menu item looked up the
    # pages a user may edit on every admin page (15% of a coordinator's dashboard).
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.sitemaps",
    # wagtailsearch's IndexEntry uses SearchVectorField and GinIndex on PostgreSQL (postgres.E005
    # without it). Harmless on SQLite: it only registers lookups for PostgreSQL connections.
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # /api/v1/ only (CORS_URLS_REGEX)
    "eyos.middleware.PublicSiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "eyos.middleware.EYOSLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coordinators.middleware.RequireMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "eyos.urls"
WSGI_APPLICATION = "eyos.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
def database_from_env():
    """DATABASE_URL, or the embedded SQLite file when it is unset or empty (an empty variable is
    what `DATABASE_URL=` in a .env file or a Procfile manager gives)."""
    from django.core.exceptions import ImproperlyConfigured

    url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL EYOS understands ({error}). Use e.g. "
            "postgres://user:password@host:5432/eyos, or leave it unset for SQLite."
        ) from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(
            "DATABASE_URL names no known database engine. Use e.g. "
            "postgres://user:password@host:5432/eyos, or leave it unset for SQLite."
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with a health check that makes no round trip while the connection is
        # quiet (eyos/postgresql/base.py).
        config["ENGINE"] = "eyos.postgresql"
    return config


DATABASES = {"default": database_from_env()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and the task worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every app server when REDIS_URL is set) -------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis is a cache, not a dependency (eyos/cache.py): with it down, pages are served from the
# database, rate-limit counters are kept per process, and cached data is invalidated on recovery.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "eyos.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "eyos",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "RETRY_AFTER": float(os.environ.get("REDIS_RETRY_AFTER", "5")),
                # Counters that must not fail open (ours and allauth's rate limits).
                "LOCAL_FALLBACK_PREFIXES": ["eyos:rl:", "allauth:rl:"],
                "RECOVERY_HOOKS": ["events.cache.after_cache_outage"],
            },
        }
    }
else:
    # Per process; big enough for the feeds' cached VEVENTs (Django's default keeps 300 entries).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50000},
        }
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "eyos.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_FORMS = {"signup": "eyos.accounts.forms.SignupForm"}
# allauth's built-in rate limits (stored in the default cache, shared across app servers).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[EYOS] "

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "European Year of Skills"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]

# --- Languages ------------------------------------------------------------------------------
# The 24 official EU languages. Maltese is missing from Django's own LANG_INFO.
LANG_INFO.setdefault(
    "mt", {"bidi": False, "code": "mt", "name": "Maltese", "name_local": "Malti"}
)
LANGUAGE_CODE = "en"
EU_LANGUAGE_CODES = [
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
]  # fmt: skip
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in EU_LANGUAGE_CODES]
# The admin offers the same 24 (Account → Preferences); eyos.accounts.signals keeps it equal to
# User.preferred_language, so a coordinator who chose French gets the admin in French.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# A page submitted for translation starts as a draft, not as a live copy of the untranslated text
# (contenttranslation/pages.py).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# locale/ holds our strings (makemessages writes there). locale_overrides/ holds translations of
# django-allauth's and Django's own strings where theirs are missing (Maltese, Irish; allauth has
# no "pt", only pt_PT) or do not fit a public EU site (allauth's German says "du"). Earlier
# entries win over later ones and over the apps' own catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Brussels"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email (Django 6.1 MAILERS, configured from the EMAIL_* variables) ------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "EYOS <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)


def mailer_options(backend):
    if backend.endswith("filebased.EmailBackend"):
        return {"file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "outbox"))}
    if backend.endswith("smtp.EmailBackend"):
        return {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 20,
        }
    return {}


MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": mailer_options(EMAIL_BACKEND_PATH)}}

# --- Tasks: django.tasks on the django-tasks-db worker --------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Partner feeds (partnerfeeds.fetch) are refused on private and local addresses; networks listed
# here (comma-separated CIDRs) are let through, for a partner on the same private network.
EYOS_PARTNER_FEED_ALLOWED_NETWORKS = [net.strip() for net in
                                      os.environ.get("EYOS_PARTNER_FEED_ALLOWED_NETWORKS", "").split(",") if net.strip()]
# The page cache (events/pagecache.py): on unless DEBUG (whose templates should show as edited);
# EYOS_PAGE_CACHE=0 turns it off, EYOS_PAGE_CACHE_SECONDS is how long a copy lives.
# Empty values (as an .env file may give them) count as unset.
if os.environ.get("EYOS_PAGE_CACHE", "").strip():
    EYOS_PAGE_CACHE = env_bool("EYOS_PAGE_CACHE")
EYOS_PAGE_CACHE_SECONDS = int(os.environ.get("EYOS_PAGE_CACHE_SECONDS", "").strip() or "60")

# The worker (eyos/worker.py): a task RUNNING longer than this lost its worker and is queued again;
# a task that fails for a transient reason runs again after 10 s, 20 s, 40 s … (at most 30 min
# apart), up to this many runs in all.
EYOS_TASK_STALE_AFTER = int(os.environ.get("EYOS_TASK_STALE_AFTER", "300"))
EYOS_TASK_MAX_ATTEMPTS = int(os.environ.get("EYOS_TASK_MAX_ATTEMPTS", "12"))
EYOS_TASK_RETRY_BASE = float(os.environ.get("EYOS_TASK_RETRY_BASE", "10"))
EYOS_TASK_RETRY_CAP = float(os.environ.get("EYOS_TASK_RETRY_CAP", "1800"))
# Finished tasks (and their arguments) are deleted after this many days by the daily retention run.
EYOS_TASK_RESULTS_DAYS = int(os.environ.get("EYOS_TASK_RESULTS_DAYS", "7"))

# --- Security defaults (tightened further in production) ------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form sent without a valid CSRF token gets the site's page, in the visitor's language.
CSRF_FAILURE_VIEW = "eyos.views.csrf_failure"
# Messages ("Successfully signed in as …") stay in the session: no personal data in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Platform configuration -----------------------------------------------------------------
# Participating countries of the Year: the 27 Member States, EFTA/EEA states, candidate countries.
# Configuration, not code: override with EYOS_COUNTRIES="AT,BE,...".
EYOS_COUNTRIES = env_list(
    "EYOS_COUNTRIES",
    "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE,"
    "IS,LI,NO,AL,BA,GE,MD,ME,MK,RS,TR,UA",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django's request and server loggers name paths, which may carry signed links (eyos.logging).
    "filters": {"redact": {"()": "eyos.logging.RedactFilter"}, "probes": {"()": "eyos.logging.ProbeFilter"}},
    # On the handler, every record is redacted whichever logger made it (a logger's own filters do
    # not see its children's records, e.g. django.security.csrf's "Forbidden (…): <path>").
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's default config gives "django" a console handler of its own (with DEBUG on), so
        # each of its INFO records (every task the worker runs) was printed twice; root prints it.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"level": "WARNING", "filters": ["probes", "redact"]},
        "django.server": {"filters": ["redact"]},
        "django.security": {"filters": ["redact"]},
        "django.security.csrf": {"filters": ["redact"]},
        "django.security.DisallowedHost": {"filters": ["redact"]},
    },
}

SITE_NAME = _("European Year of Skills")

# Submitted events waiting longer than this show as escalated in the EU team's queue.
EYOS_ESCALATION_DAYS = int(os.environ.get("EYOS_ESCALATION_DAYS", "5"))
# Spam score (events.spam): domains known for spam, comma-separated; accounts younger than
# EYOS_SPAM_NEW_ACCOUNT_DAYS count as new.
EYOS_SPAM_DOMAINS = [d.strip().lower() for d in os.environ.get("EYOS_SPAM_DOMAINS", "").split(",") if d.strip()]
EYOS_SPAM_NEW_ACCOUNT_DAYS = int(os.environ.get("EYOS_SPAM_NEW_ACCOUNT_DAYS", "7"))

# Registration reminders go out this long before an event starts (hours).
EYOS_REMINDER_BEFORE = timedelta(hours=int(os.environ.get("EYOS_REMINDER_HOURS", "24")))
# Registration attempts per window, counted in the shared cache: per IP address and per email.
EYOS_REGISTRATION_RATE = {"ip": (20, 3600), "email": (5, 3600)}
# Organisers' form posts (organisations, events, submissions) per account and window (seconds).
EYOS_ORGANISER_RATE = (60, 3600)
# How many proxies (load balancer, CDN) in front of the app append to X-Forwarded-For; 0 = none.
EYOS_TRUSTED_PROXIES = int(os.environ.get("EYOS_TRUSTED_PROXIES", "0"))
# allauth's own limits (sign-in, sign-up, password reset) count the same client address.
ALLAUTH_TRUSTED_PROXY_COUNT = EYOS_TRUSTED_PROXIES

# iCal feeds cover events from this long ago to this far ahead, and at most this many events.
EYOS_FEED_PAST = timedelta(days=int(os.environ.get("EYOS_FEED_PAST_DAYS", "30")))
EYOS_FEED_FUTURE = timedelta(days=int(os.environ.get("EYOS_FEED_FUTURE_DAYS", "548")))
EYOS_FEED_MAX_EVENTS = int(os.environ.get("EYOS_FEED_MAX_EVENTS", "10000"))

FORMAT_MODULE_PATH = ["eyos.formats"]  # English dates the European way (eyos/formats/en)
# Form and field templates may be overridden from templates/ (e.g. the registration honeypot).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# The Year's dates for the dashboards' default period ("2026-05-09/2027-05-08"); empty means the
# current calendar year.
EYOS_YEAR = os.environ.get("EYOS_YEAR", "")


# A strict Content-Security-Policy on the public site: scripts, styles, images and fonts come from
# this origin only, no inline script or style unless it carries the request's nonce
# ({% csp_nonce_attr %}; the public templates have none today), no plugins, no framing by other
# sites. (JSON-LD data blocks are not executed, so they need no exception.) Django adds the nonce
# to the header only on responses whose template used it, so publicly cached pages carry none.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],  # the admin's page preview frames the site
}

# The Wagtail admin's policy (eyos.middleware): still no third-party origin, no plugins, no eval,
# no framing by other sites, forms post only here. Wagtail 8 writes inline scripts without nonces
# (inline panels, date and time widgets) and inline style attributes, so the admin allows inline
# script and style; its previews frame our own pages, and image uploads preview as blob: URLs.
# tests/browser checks that the admin's pages raise no CSP violation under this policy.
EYOS_ADMIN_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
# No third-party requests from the admin: no Gravatar (which would also send a hash of every
# user's address to another company), no update check or "what's new" banner from wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False


# Data protection. The version of the consent wording shown with registration forms (recorded with
# every registration), and how long guests' personal data stays after their event (days).
EYOS_CONSENT_VERSION = os.environ.get("EYOS_CONSENT_VERSION", "2026-11-v1")
EYOS_RETENTION_DAYS = int(os.environ.get("EYOS_RETENTION_DAYS", "90"))
# Certificates' credentials (outcomes.certificates): Ed25519 seed, base64; retired public keys
# (multibase, comma-separated) stay published so older credentials still verify. README: Certificates.
EYOS_CREDENTIAL_KEY = os.environ.get("EYOS_CREDENTIAL_KEY", "")
EYOS_CREDENTIAL_RETIRED_KEYS = env_list("EYOS_CREDENTIAL_RETIRED_KEYS", "")


# The map (events list, national pages, event forms): a tile server URL template such as
# https://tiles.example.org/{z}/{x}/{y}.png and the attribution its licence asks for. Empty: no map,
# the list alone. Its origin is allowed in img-src only on pages that show a map (events.maps).
EYOS_MAP_TILES_URL = os.environ.get("EYOS_MAP_TILES_URL", "")
EYOS_MAP_TILES_ATTRIBUTION = os.environ.get("EYOS_MAP_TILES_ATTRIBUTION", "")
# Geocoding of events' addresses, by a task after save: a Nominatim /search or Photon /api URL.
# Empty: the organiser's pin only.
EYOS_GEOCODER_URL = os.environ.get("EYOS_GEOCODER_URL", "")
EYOS_GEOCODER_TIMEOUT = float(os.environ.get("EYOS_GEOCODER_TIMEOUT", "5"))
EYOS_GEOCODER_MAX_BYTES = 256 * 1024

# Machine translation of events on request (contenttranslation.backends): "" / "none" (default),
# "deepl", "libretranslate", "etranslation" or a dotted path to a backend class.
EYOS_MT_BACKEND = os.environ.get("EYOS_MT_BACKEND", "")
EYOS_MT_URL = os.environ.get("EYOS_MT_URL", "")
EYOS_MT_API_KEY = os.environ.get("EYOS_MT_API_KEY", "")  # DeepL key, LibreTranslate key, eTranslation password
EYOS_ETRANSLATION_APPLICATION = os.environ.get("EYOS_ETRANSLATION_APPLICATION", "")
EYOS_MT_TIMEOUT = float(os.environ.get("EYOS_MT_TIMEOUT", "8"))
EYOS_MT_MAX_CHARS = int(os.environ.get("EYOS_MT_MAX_CHARS", "10000"))  # title + summary + description
EYOS_MT_MAX_BYTES = 1024 * 1024
EYOS_MT_RATE = (30, 3600)  # new machine translations asked per visitor (IP) and hour


# Multi-factor authentication (allauth): an authenticator app (TOTP) and recovery codes. With
# EYOS_REQUIRE_MFA=1 the EU team, coordinators and admin users can do nothing, on the admin or the
# public site, before they have set it up (coordinators.middleware.RequireMFAMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "EYOS"
EYOS_REQUIRE_MFA = env_bool("EYOS_REQUIRE_MFA")


# The public read API (/api/v1/): requests per window (seconds) per client address, counted in the
# shared cache; any origin may read it from a browser, without credentials, and only read.
EYOS_API_RATE = (int(os.environ.get("EYOS_API_RATE", "600")), 60)
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("Link", "Retry-After")
# Who publishes the open dataset (its DCAT-AP catalogue record names them).
EYOS_OPEN_DATA_PUBLISHER = os.environ.get("EYOS_OPEN_DATA_PUBLISHER", "European Year of Skills (EYOS)")

# The facet index's INCLUDE columns (events.Event, event_facets_idx) make PostgreSQL answer the
# list's counts from the index alone; SQLite builds the same index without them, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
