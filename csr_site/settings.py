"""Settings for the site, one module for every environment.

Every value that differs between a laptop and production comes from an
environment variable, with a development default. Production is switched on
by `DEBUG=0`, which also turns on the HTTPS hardening `check --deploy` asks for.
"""

import datetime
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    """A variable's value; unset and empty both mean the default."""
    return os.environ.get(name) or default


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}.")


def env_list(name, default):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The host public pages are rendered for and cached under, whichever allowed
# alias or port a request names: by default the first host in ALLOWED_HOSTS.
SITE_HOST = env(
    "SITE_HOST",
    next((h for h in ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost"),
)

SITE_NAME = env("SITE_NAME", "Center for Strategic Research")
SITE_NAME_FA = env("SITE_NAME_FA", "مرکز تحقیقات راهبردی")
# How readers reach the institute, printed in every page's footer.
CONTACT_EMAIL = env("CONTACT_EMAIL", "")
SITE_ADDRESS = env("SITE_ADDRESS", "Tehran, Iran")
SITE_ADDRESS_FA = env("SITE_ADDRESS_FA", "تهران، ایران")

INSTALLED_APPS = [
    "csr_site.apps.SiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "reversion",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csr_site.apps.SiteConfig",
    "articles",
    "authors",
]

MIDDLEWARE = [
    # First, so that its duration and status cover everything below it.
    "csr_site.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csr_site.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Below CommonMiddleware, so a moved address is tried before a slash is added.
    "articles.redirects.RedirectFallbackMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "csr_site.security.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csr_site.middleware.ContentSecurityPolicyMiddleware",
    "csr_site.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: it turns a throttled login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "csr_site.urls"
WSGI_APPLICATION = "csr_site.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]

# Connections are reused between requests (and checked before reuse), since
# opening one costs more than rendering a page.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def release_fingerprint():
    """A digest of what shapes the pages (code, templates, translations, static
    files): cache keys carry it, so a deploy never serves pages rendered by the
    release before. RELEASE in the environment, if set, is used instead."""
    digest = hashlib.sha256()
    for folder in ("articles", "authors", "csr_site", "templates", "locale", "static"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


REDIS_URL = env("REDIS_URL")
CACHE_KEY_PREFIX = env("RELEASE") or release_fingerprint()
# The cache is optional (see articles/caching.py): a Redis that is down or
# hangs must cost a page a fraction of a second, not the socket's default wait.
CACHE_SOCKET_TIMEOUT = float(env("CACHE_SOCKET_TIMEOUT", "0.2"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
            },
        }
    }
else:
    # In-process: each worker keeps its own copy of the pages it served (a page
    # is some 20 KB), so the number kept is bounded; REDIS_URL shares one cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": int(env("CACHE_MAX_ENTRIES", "5000"))},
        }
    }

# Logins are throttled (django-axes): after AXES_FAILURE_LIMIT failures for one
# user name, or from one address, within AXES_COOLOFF_TIME, further attempts
# are refused for that long whatever the password. The address is the
# connection's, or the one the site's HTTPS proxy puts in TRUSTED_PROXY_HEADER
# (e.g. X-Real-IP): a header any client could set is never read otherwise.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the fifth failure; attempts meanwhile do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "csr_site.security.locked_out"
AXES_CLIENT_IP_CALLABLE = "csr_site.security.client_ip"
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER")

# Two-factor sign-in for staff (django-otp, TOTP with backup codes): "optional"
# lets each staff member turn it on; "required" makes it compulsory.
ADMIN_2FA = env("ADMIN_2FA", "optional")
if ADMIN_2FA not in {"optional", "required"}:
    raise ImproperlyConfigured(f"ADMIN_2FA must be optional or required, not {ADMIN_2FA!r}.")
OTP_TOTP_ISSUER = SITE_NAME

# What browsers (max-age) and shared caches such as the front cache
# (s-maxage) may reuse a public page for without asking again, in seconds.
PUBLIC_CACHE_MAX_AGE = int(env("PUBLIC_CACHE_MAX_AGE", "60"))
PUBLIC_CACHE_S_MAXAGE = int(env("PUBLIC_CACHE_S_MAXAGE", "300"))

# A search ranks, counts and pages at most this many matches, the most recent
# ones, so a word found across the archive costs about what one found in a
# thousand articles does.
SEARCH_RESULTS_LIMIT = int(env("SEARCH_RESULTS_LIMIT", "1000"))

# Requests large enough for the admin to save the largest article the
# importer accepts (articles.models.Section: 500 sections, 5 MB of HTML):
# some six fields a section besides the rest of the form, and the HTML three
# times over, as a browser sends Persian text percent-encoded.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English is the default edition, Persian lives under /fa/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Tehran")
USE_I18N = True
USE_TZ = True

TAGGIT_CASE_INSENSITIVE = True
TAGGIT_TAGS_FROM_STRING = "articles.keywords.parse_keywords"
TAGGIT_STRING_FROM_TAGS = "articles.keywords.keywords_text"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The rich-text editor's own extensions for section bodies (see
# articles/richtext.py): notes, <span data-note>…</span>, and figures from the
# image library, <figure data-image="12">; the sanitiser's allow-list follows
# from these too. Scripts are given as addresses, resolved when the editor is
# rendered (collected static files carry a hash in production).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(static, str)("js/editor-note.js")],
        "extensions": {"Note": html_tags(["span"], {"span": ["data-note"]})},
    },
    {
        "js": [lazy(static, str)("js/library-figure.js")],
        "extensions": {"LibraryFigure": html_tags(["figure"], {"figure": ["data-image"]})},
    },
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded media (documents, images and their renditions) go to the default
# storage: MEDIA_ROOT, served at /media/ by the front server, or with
# S3_BUCKET set, an S3-compatible bucket that serves them itself (from
# S3_CUSTOM_DOMAIN, if given). Stored names are unguessable and never reused,
# so the files are public and cached for a year.
S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "csr_site.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env("S3_REGION") or None,
            "custom_domain": env("S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# One line per request from csr_site.requests (see csr_site/middleware.py);
# LOG_FORMAT=json writes every record as a JSON object for log collectors.
LOG_FORMAT = env("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "csr_site.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"csr_site.requests": {"level": env("REQUEST_LOG_LEVEL", "INFO")}},
}

# Headers every response carries (see README, "Security settings").
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# After signing in without a (safe) ?next=, an editor lands in the admin.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"


def media_origins():
    """Origins other than the site's own that images may come from (object storage)."""
    origins = []
    if custom_domain := env("S3_CUSTOM_DOMAIN"):
        origins.append(f"https://{custom_domain}")
    if endpoint := env("S3_ENDPOINT_URL"):
        origins.append(endpoint.rstrip("/"))
    return origins


# Content-Security-Policy (django-csp). Public pages run no script at all: their
# only <script> is the JSON-LD data block, which browsers never execute and CSP
# does not govern, so public pages need no nonce and stay byte-identical.
# csr_site.middleware.ContentSecurityPolicyMiddleware sends ADMIN_CONTENT_SECURITY_POLICY
# on the admin's pages instead.
_CSP_COMMON = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", *media_origins()],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**_CSP_COMMON, "script-src": ["'none'"], "style-src": ["'self'"]},
}
# The admin's own scripts are files; the rich-text editor (django-prose-editor)
# adds an inline import map, which gets the request's nonce. Its editor (Tiptap)
# writes a <style> element and style attributes, and Django's admin templates
# use style attributes too, so inline styles are allowed there (styles cannot
# run code); inline scripts are not.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
    },
}

# Browser features the site never uses, turned off for its pages and anything
# they might embed.
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
    "browsing-topics",
]

# Production sits behind an HTTPS proxy; these follow from DEBUG=0 and can be
# loosened one by one from the environment.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers ask for the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
# HSTS for every subdomain, and the browsers' preload list, bind hosts beyond
# this site for a long time: only when the operator says so. Until then the
# checks that recommend them are answered here, deliberately.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
