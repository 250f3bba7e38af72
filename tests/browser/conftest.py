"""Browser tests: the pages in a real Chromium (Debian's ``chromium`` package) driven by
Playwright for Python, against pytest-django's live server.

Playwright's own browser download cannot work on our machines, so the browser is the system's
(``GIAMNGHEO_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH). Without one the
tests skip with a plain message, except under CI (``CI=true``), where ``.ci/run`` installs it
and a missing browser is a failure, never a silent skip.

Screenshots go to ``GIAMNGHEO_SCREENSHOTS`` when it is set (to look at them), else to the
test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from site_data import Site, seed_site


def chromium_path() -> str | None:
    for name in (os.environ.get("GIAMNGHEO_CHROMIUM"), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GIAMNGHEO_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        message = (
            "Không tìm thấy Chromium / no Chromium found: `apt-get install -y chromium` to run"
            " the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own database calls
    # (fixtures, assertions) are synchronous and safe, so Django's async guard is lifted here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=path)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def site(live_server: Any, settings: SettingsWrapper, tmp_path: Path) -> Site:
    """The live server with the data of :func:`site_data.seed_site`; uploads and caches in a
    throwaway folder."""
    settings.DATA_DIR = tmp_path
    return seed_site(live_server.url)
