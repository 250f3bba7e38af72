"""Django settings. The embedded default is a SQLite file in the data folder;
PostgreSQL (production) is chosen with ``DATABASE_URL``."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GIAMNGHEO_DATA_DIR", Path.cwd() / "data")).resolve()

SECRET_KEY = os.environ.get("GIAMNGHEO_SECRET_KEY", "dev-only-not-secret-change-me-in-production")
DEBUG = os.environ.get("GIAMNGHEO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("GIAMNGHEO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "giamngheo.geo",
    "giamngheo.accounts",
    "giamngheo.registry",
    "giamngheo.computed",
    "giamngheo.transitions",
    "giamngheo.plans",
    "giamngheo.reviews",
    "giamngheo.support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "giamngheo.web.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "giamngheo.web.wsgi.application"

_default_sqlite = f"sqlite:///{DATA_DIR / 'giamngheo.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web app read while a long import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Long work (imports, batch runs, big exports) runs as background tasks (django-tasks, the
# backport of Django 6's tasks framework) in a worker process (``giamngheo worker``, started by
# ``giamngheo demo``), so the web app never waits for it. Progress lives on the job's own model.
# Computed reports (giamngheo.computed; the transitions: giamngheo.transitions) are shared by the
# web processes and the worker that computes them: a file cache under DATA_DIR (result keys carry
# a data version stamp; each scope — for the transitions: visible communes, unit, year — keeps a
# pointer to its last finished result, shown with its time while a newer one is computed, and a
# new result deletes the one it replaces). An entry is a file: one transitions scope holds 2 (its
# figures and the drill-down index, ~7 MB at 500,000 households) plus its pointer and markers;
# the unit and year choices are one small entry per scope, overwritten in place. Past
# MAX_ENTRIES files the cache deletes a third of them at random, so the limit is kept well
# above the number of scopes in use.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "transitions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "transitions"),
        "TIMEOUT": 6 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # The campaigns' plausibility flags (``reviews.report``), shared with the worker.
    "reviews": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "reviews"),
        "TIMEOUT": 6 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GIAMNGHEO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first, English available; Vietnamese number and date formats.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["giamngheo.web.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# ``giamngheo.web`` is not an installed app: its static folder is listed explicitly.
STATICFILES_DIRS = [PACKAGE_DIR / "web" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# "Today" for deadlines (due this week, overdue, countdowns) when set, as an ISO date: for the
# demo and for training (``giamngheo demo`` shows its 2020 campaign as of 09/10/2020). Empty or
# unset in production: the real date. Audit times are never affected.
GIAMNGHEO_TODAY = (
    _dt.date.fromisoformat(os.environ["GIAMNGHEO_TODAY"])
    if os.environ.get("GIAMNGHEO_TODAY")
    else None
)
