"""The transitions tests' data folder (uploads of the import that invalidates the cache); the
personas, units and generated households: ``tests/web/conftest.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

# The registry tests' import files (``registry_files``): the import commit that must invalidate
# the cached transitions uses them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "registry"))


@pytest.fixture(autouse=True)
def data_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path
