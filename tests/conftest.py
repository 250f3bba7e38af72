"""Shared test configuration.

Tests that touch the database get the ``dbtest`` marker automatically, so that
``bin/test`` can run exactly those again on PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

_DB_FIXTURES = {"db", "transactional_db", "client", "admin_client", "django_user_model"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dbtest: touches the database (run on SQLite and PostgreSQL)"
    )
    from django.conf import settings

    # Password hashing is slow on purpose; the tests log users in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run inline in tests unless a test asks for the worker explicitly.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The file caches (computed transitions) in a throwaway folder, not the checkout's ./data.
    cache_root = Path(tempfile.mkdtemp(prefix="gn_test_cache_"))
    settings.CACHES = {
        alias: (
            {**conf, "LOCATION": str(cache_root / alias)}
            if conf["BACKEND"].endswith("FileBasedCache")
            else conf
        )
        for alias, conf in settings.CACHES.items()
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _DB_FIXTURES or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.dbtest)
