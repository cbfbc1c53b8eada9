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
    # wagtail-localize replaces wagtail.locales (same app label).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
    "eyos.middleware.RequireMFAMiddleware",
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
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and the task worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every app server when REDIS_URL is set) -------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "eyos",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# --- Security defaults (tightened further in production) ------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

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
    "filters": {"redact": {"()": "eyos.logging.RedactFilter"}},
    # On the handler, every record is redacted whichever logger made it (a logger's own filters do
    # not see its children's records, e.g. django.security.csrf's "Forbidden (…): <path>").
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"level": "WARNING", "filters": ["redact"]},
        "django.server": {"filters": ["redact"]},
        "django.security": {"filters": ["redact"]},
        "django.security.csrf": {"filters": ["redact"]},
        "django.security.DisallowedHost": {"filters": ["redact"]},
    },
}

SITE_NAME = _("European Year of Skills")

# Submitted events waiting longer than this show as escalated in the EU team's queue.
EYOS_ESCALATION_DAYS = int(os.environ.get("EYOS_ESCALATION_DAYS", "5"))

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


# Multi-factor authentication (allauth): an authenticator app (TOTP) and recovery codes. With
# EYOS_REQUIRE_MFA=1 the EU team, coordinators and admin users can do nothing, on the admin or the
# public site, before they have set it up (eyos.middleware.RequireMFAMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "EYOS"
EYOS_REQUIRE_MFA = env_bool("EYOS_REQUIRE_MFA")
