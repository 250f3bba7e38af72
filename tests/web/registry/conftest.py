"""The registry tests' data folder and snapshot; the personas and units are shared by the web
tests (``tests/web/conftest.py``).

Files are built in memory with openpyxl (``registry_files``); the review year is 2019
(periodic → QĐ 59/2015).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from registry_files import registry_snapshot


@pytest.fixture(autouse=True)
def data_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def snapshot() -> Callable[[], tuple[Any, ...]]:
    return registry_snapshot


@pytest.fixture
def latest_schema() -> Iterator[None]:
    """For a test that migrates the database back: migrate it forward to the latest schema
    afterwards, whatever happened, so that the next tests of the worker find every column."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
