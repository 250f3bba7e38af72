"""Fixtures of the record-rule tests (builders in ``records_data``)."""

from __future__ import annotations

import pytest
from records_data import make_context

from giamngheo.core.records import Context


@pytest.fixture
def context() -> Context:
    return make_context()
