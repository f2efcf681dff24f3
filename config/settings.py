"""Settings for the 업무보고 포털.

One module, driven by environment variables. With nothing set it runs on an embedded SQLite
database in debug mode, so `make run` works on a fresh machine; a deployment sets SECRET_KEY
(which turns debug off), ALLOWED_HOSTS and DATABASE_URL.
"""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# A checkout without SECRET_KEY is a development machine: debug on, a random key per run
# (sessions end when the server restarts). A deployment sets SECRET_KEY, and then DEBUG is off
# unless it asks for it.
SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", not SECRET_KEY)
TESTING = "pytest" in sys.modules
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = get_random_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",  # django.contrib.admin (config/apps.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "import_export",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "org",
    "budget",
    "projects",
    "reports",
    "publishing",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with brotli/gzip and far-future caching (whitenoise), before anything else.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An anonymous reader's published department page from its kept answer, before the rest
    # (portal/front_cache.py); the page's own headers are those the full stack gave it.
    "portal.front_cache.AnonymousPageMiddleware",
    # Compressed HTML (with Django's "Heal the BREACH" padding; README "운영 서버").
    "django.middleware.gzip.GZipMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy (config/headers.py).
    "config.headers.PortalCSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    # Django's session middleware, answering 503 if the database stays busy (core/busy.py).
    "core.busy.BusyAwareSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET (the API's published data answers If-None-Match with 304).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL or an impossible date part in the query string: a Korean 400 (config/query_guard.py).
    "config.query_guard.QueryGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who made each change, for the history of every model (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that finds the database busy for longer than its timeout answers 503 "잠시 뒤에".
    "core.busy.BusyDatabaseMiddleware",
    # Failed logins are counted and throttled (django-axes); keep it last.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

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
            ],
            "string_if_invalid": "" if not env_bool("TEMPLATE_STRICT") else "!!%s!!",
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # DB_CONN_MAX_AGE (README "운영 서버": 60 in production) keeps each server thread's
        # connection instead of opening one per request — on SQLite that also repeats the
        # PRAGMAs below, ~1.2 of the 1.6 ms a cached page took; a kept connection is checked
        # before each request reuses it.
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite as a real embedded database: the web server's threads and the PDF worker processes
    # share one file. WAL lets readers go on while one writer writes; every transaction takes
    # the write lock when it begins (IMMEDIATE), so a writer waits its turn — up to
    # SQLITE_BUSY_SECONDS — instead of failing with "database is locked" when it upgrades a read
    # lock; synchronous=NORMAL is safe with WAL (a power cut may lose the last commits, never
    # corrupt the file).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": float(env_str("SQLITE_BUSY_SECONDS", "20")),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY"
        ),
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A save that waits for another's row lock waits DB_LOCK_TIMEOUT_SECONDS at most, then
    # answers "잠시 뒤에 다시" (core/busy.py) instead of hanging a server thread.
    lock_timeout = int(float(env_str("DB_LOCK_TIMEOUT_SECONDS", "20")) * 1000)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c lock_timeout={lock_timeout}".strip()
if TESTING and DATABASES["default"]["ENGINE"].endswith("sqlite3") and env_str("SQLITE_TEST_DB", ""):
    # A file instead of pytest's in-memory database, so that PDF worker processes started by
    # the tests (tests/test_pdf_workers.py) see the same data; tests/run_suite.sh sets it.
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_DB", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The UI is Korean for everyone. Strings are marked for translation; an English UI needs a
# locale/en catalogue and django.middleware.locale.LocaleMiddleware, not more code.
LANGUAGE_CODE = "ko-kr"
# Dates as Korean reports write them (core/formats.py): `|date` is 2020. 11. 20.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Session booklets and their cached department parts (publishing/booklet.py). Every web server
# and PDF worker must see the same folder: on several machines, a shared mount.
PDF_BUILD_ROOT = Path(env_str("PDF_BUILD_ROOT", str(MEDIA_ROOT / "pdf-builds")))

# Background work (session booklet PDFs) runs through Django's tasks API (the django-tasks
# backport of django.tasks) on the database-backed worker of django-tasks-db:
# `manage.py pdf_worker` (publishing/workers.py). Tests may run tasks in the request instead.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A worker signs of life this often; one silent for PDF_WORKER_STALE_SECONDS is taken for dead
# and its task is run again elsewhere (at most PDF_TASK_ATTEMPTS times in all).
PDF_WORKER_HEARTBEAT_SECONDS = float(env_str("PDF_WORKER_HEARTBEAT_SECONDS", "5"))
PDF_WORKER_STALE_SECONDS = float(env_str("PDF_WORKER_STALE_SECONDS", "30"))
PDF_TASK_ATTEMPTS = int(env_str("PDF_TASK_ATTEMPTS", "3"))
MEDIA_URL = "/media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:sessions"
LOGOUT_REDIRECT_URL = "reports:sessions"

# A signed-in session ends after SESSION_IDLE_MINUTES without a request (each request renews it).
SESSION_COOKIE_AGE = int(env_str("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed logins (django-axes): after AXES_FAILURE_LIMIT failures for one account from one
# address, that pair waits AXES_COOLOFF_MINUTES; never a permanent lock.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env_str("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.auth.locked_out"
AXES_VERBOSE = False

# Mail: reminders before a deadline and when a report is returned. Development prints them.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "업무보고 포털 <noreply@portal.invalid>")
# The portal's own address, for links in e-mails (no request there to build them from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Days before a submission deadline on which reminders go out (manage.py send_reminders).
REMINDER_DAYS = [int(day) for day in env_list("REMINDER_DAYS", "3,1")]

# Access to unpublished material is logged with the client address; behind a reverse proxy
# set TRUSTED_PROXY_COUNT so the address is read from X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
# django-axes counts failures per client address as the access log reads it.
AXES_CLIENT_IP_CALLABLE = "reports.access_log.client_ip"

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# PDF rendering: WeasyPrint may only read the project's own static files and data: URLs.
PDF_BASE_URL = "https://portal.invalid/"

# The council that the reports go to, as printed on covers ("제227회 구의회 제2차 정례회").
COUNCIL_NAME = env_str("COUNCIL_NAME", "구의회")

# The report editor posts every card and budget line of a report at once (~16 fields a card).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000
SIMPLE_HISTORY_REVERT_DISABLED = True

# Spreadsheet imports (org/imports.py): an over-large upload is dropped as it arrives.
FILE_UPLOAD_HANDLERS = [
    "config.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Where an uploaded file waits between its preview and its confirmation (org/imports.py).
IMPORT_PREVIEW_DIR = env_str(
    "IMPORT_PREVIEW_DIR", os.path.join(tempfile.gettempdir(), "upmu-import-previews")
)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# The API (portal/api/base.py): public reading of published reports, and staff writing through the
# admin's own forms and permissions. Anonymous reading is throttled per client address.
API_ANON_RATE = env_str("API_ANON_RATE", "120/min")
API_STAFF_RATE = env_str("API_STAFF_RATE", "1200/min")
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 500
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials is then told 401 with WWW-Authenticate.
        "config.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.api.base.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["portal.api.base.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.base.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.base.AnonThrottle", "portal.api.base.StaffThrottle"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.Schema",
    "EXCEPTION_HANDLER": "portal.api.base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "업무보고 포털 API",
    "DESCRIPTION": (
        "구청 부서별 주요업무 보고를 자료로 내려받는 공개 API와, 직원이 관리 화면과 같은 규칙으로 "
        "보고서·사업 카드·예산·인력을 고치는 직원 API입니다. 공개 API는 공개된 보고서의 공개판만 "
        "보여 줍니다. 금액은 천원 단위입니다."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "TAGS": [
        {"name": "회기", "description": "볼 수 있는 보고서가 있는 회기"},
        {"name": "조직", "description": "국·단과 부서"},
        {
            "name": "부서 보고서",
            "description": "부서별 주요업무 보고와 그 내용(웹 화면과 같은 문서)",
        },
        {"name": "공개판", "description": "공개한 판과 그 문서; 정정하면 새 판이 생깁니다"},
        {"name": "공개 인력 현황", "description": "공개판 인력 현황표의 칸"},
        {"name": "공개 예산 현황", "description": "공개판 예산 현황표의 단위사업"},
        {"name": "공개 사업 카드", "description": "공개판 사업 카드와 개조식 내용"},
        {"name": "직원: 부서 보고서", "description": "보고서 편집 화면과 처리 단추(로그인·토큰)"},
        {"name": "직원: 보고 단원", "description": "관리 화면의 보고 단원"},
        {"name": "직원: 사업 카드", "description": "관리 화면의 사업 카드와 블록"},
        {"name": "직원: 예산 사업", "description": "관리 화면의 예산 사업과 집행 실적"},
        {"name": "직원: 인력 현황", "description": "관리 화면의 인력 현황과 칸"},
    ],
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "defaultModelsExpandDepth": 0},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SessionKindEnum": "reports.models.Session.Kind",
        "SectionKindEnum": "reports.models.ReportSection.Kind",
        "BudgetKindEnum": "projects.models.Card.BudgetKind",
        "ReportStatusEnum": "reports.models.DepartmentReport.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_shared_components",
    ],
}

# --- backups (issue 13.5) ---
# Where `manage.py backup` writes its archives (portal/backup.py); `--keep N` prunes them.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))

# --- files on more than one machine (issue 13.6) ---
# Published editions' PDF/HWPX files (STORAGES["default"], content-addressed under editions/)
# and session booklets with their department parts (STORAGES["booklets"]) go through Django's
# storages (core/filestore.py). By default both are folders (MEDIA_ROOT, PDF_BUILD_ROOT);
# with STORAGE_S3_BUCKET set, an S3 bucket (django-storages) that every web server and PDF
# worker shares — PDF_BUILD_ROOT is then each machine's own working folder.
STORAGE_S3_BUCKET = env_str("STORAGE_S3_BUCKET", "")
# A PDF worker task that cannot reach the storage is run again this many seconds later (at most
# PDF_STORAGE_ATTEMPTS times); the booklet build page says why it waits.
PDF_STORAGE_RETRY_SECONDS = float(env_str("PDF_STORAGE_RETRY_SECONDS", "30"))
PDF_STORAGE_ATTEMPTS = int(env_str("PDF_STORAGE_ATTEMPTS", "10"))
STORAGES = globals().get("STORAGES") or {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}
if STORAGE_S3_BUCKET:
    from botocore.config import Config as S3ClientConfig

    _s3_timeout = float(env_str("STORAGE_S3_TIMEOUT", "10"))
    _s3_prefix = env_str("STORAGE_S3_PREFIX", "").strip("/")
    _s3_options = {
        "bucket_name": STORAGE_S3_BUCKET,
        "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("STORAGE_S3_REGION", "") or None,
        "access_key": env_str("STORAGE_S3_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("STORAGE_S3_SECRET_ACCESS_KEY", "") or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
        "client_config": S3ClientConfig(
            s3={"addressing_style": env_str("STORAGE_S3_ADDRESSING_STYLE", "") or None},
            connect_timeout=_s3_timeout,
            read_timeout=_s3_timeout,
            retries={"mode": "standard", "max_attempts": 2},
        ),
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": "/".join(filter(None, [_s3_prefix, "media"]))},
    }
    STORAGES["booklets"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": "/".join(filter(None, [_s3_prefix, "pdf-builds"]))},
    }
else:
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    STORAGES["booklets"] = {"BACKEND": "core.filestore.BuildFileSystemStorage"}

# --- database roles (issue 18, point 6) ---
# PostgreSQL: DATABASE_URL names the app's role, which owns nothing (`manage.py grant_app_role`);
# DATABASE_OWNER_URL, when set, names the owner of the same database, as whom `migrate` and
# `grant_app_role` run (core/database_roles.py). Ignored under pytest, whose test database is
# another one; tests/test_database_roles.py sets it itself.
DATABASE_OWNER_URL = "" if TESTING else env_str("DATABASE_OWNER_URL", "")

# --- published page cache (issue 13, point 4) ---
# A published edition never changes: its public page (without the header, which depends on the
# reader) is rendered once and kept in a database table, so it survives restarts and is shared
# by every server process (publishing/page_cache.py; table made by migration reports 0011). Keys
# hold the edition and a fingerprint of the files below, so a deploy that changes a template,
# a static file or the rendering code serves freshly rendered pages; stale rows are culled.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "published": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "published_page_cache",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4},
    },
}
WEB_FINGERPRINT_INPUTS = [
    "templates/**/*.html",
    "static/**/*.css",
    "static/**/*.js",
    "static/**/*.woff2",
    "core/**/*.py",
    "reports/**/*.py",
    "publishing/**/*.py",
    "portal/**/*.py",
    "config/**/*.py",
    "locale/**/*.mo",
]

# --- Production serving (issue 13.3, issue 18 headers and 18.7's SECRET_KEY) ---
# README "운영 서버": gunicorn (config/gunicorn.conf.py) behind a TLS reverse proxy, static
# files from whitenoise, JSON logs on stdout, /health/ for the load balancer.
from config.logs import logging_config  # noqa: E402

if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for a server with DEBUG off: use at least 50 random characters "
        "(at least 5 different ones), e.g. the output of "
        "`python -c 'from django.core.management.utils import get_random_secret_key as k; "
        "print(k())'`"
    )

# Static files: `manage.py collectstatic` into STATIC_ROOT, served by whitenoise with hashed
# names, brotli and gzip, and a year of caching. Development and the tests read the apps'
# static folders directly (no collectstatic needed).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(STATIC_ROOT)))
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not (DEBUG or TESTING))
# Only the "staticfiles" key is set here; the others are those of the storage settings above
# (or Django's default file storage when there are none).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    **globals().get("STORAGES", {}),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS: the reverse proxy terminates TLS. BEHIND_TLS_PROXY=1 trusts its X-Forwarded-Proto
# (set it only when the proxy always sets that header itself); SECURE_SSL_REDIRECT=1 sends
# plain-HTTP requests to https:// (the health URLs excepted, for a load balancer on HTTP).
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp 4): nothing inline, nothing from another site.
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
# Paths whose third-party templates carry style="" attributes (config/headers.py).
CSP_STYLE_ATTR_PREFIXES = ["/api/"]
# Permissions-Policy (config/headers.py): features the portal never uses, off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Logs: stdout, JSON in production (LOG_FORMAT=json), lines in development; LOG_LEVEL.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG or TESTING else "json")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)

# --- webperf ---
# collectstatic need not brotli/gzip the print TTFs (17 MB, minutes of brotli at quality 11):
# only WeasyPrint reads them, from disk; browsers get the WOFF2 slices (fonts-web.css).
from whitenoise.compress import Compressor as _Compressor  # noqa: E402

WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*_Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf"]
