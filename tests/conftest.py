"""Shared test configuration.

Tests that touch the database get the ``dbtest`` marker automatically, so that
``bin/test`` can run exactly those again on PostgreSQL."""

from __future__ import annotations

import pytest

_DB_FIXTURES = {"db", "transactional_db", "client", "admin_client", "django_user_model"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dbtest: touches the database (run on SQLite and PostgreSQL)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _DB_FIXTURES or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.dbtest)
