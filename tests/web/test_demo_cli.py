"""``giamngheo demo --no-serve`` and ``giamngheo units import``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import authenticate
from django.contrib.auth.models import User

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.cli import main
from giamngheo.cli.demo import DEMO_PASSWORD
from giamngheo.geo.models import AdminUnit, Level, Succession

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.STATIC_ROOT = tmp_path / "data" / "static"
    # Hashing the demo passwords with PBKDF2 dominates these tests; the hasher is not tested.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_no_serve_twice(settings: Any) -> None:
    first = _run("demo", "--no-serve")
    counts = (AdminUnit.objects.count(), Succession.objects.count(), User.objects.count())
    second = _run("demo", "--no-serve", "--host", "0.0.0.0", "--port", "8123")
    assert (AdminUnit.objects.count(), Succession.objects.count(), User.objects.count()) == counts
    assert settings.DATA_DIR.is_dir()
    assert "http://127.0.0.1:8000/" in first
    assert "http://0.0.0.0:8123/" in second
    for output in (first, second):
        assert DEMO_PASSWORD in output
        for username in ("huyen.ngochoi", "xa.dakang", "admin"):
            assert username in output
    # Units: the Ngọc Hồi demo, old and new.
    assert AdminUnit.objects.filter(code="611", level=Level.DISTRICT).exists()
    assert AdminUnit.objects.filter(code="23377", level=Level.COMMUNE).count() == 2
    # Users, with their units and roles, and the printed password works.
    district = UserProfile.objects.get(user__username="huyen.ngochoi")
    assert (district.role, district.unit.code) == (Role.DISTRICT_OFFICER, "611")
    commune = UserProfile.objects.get(user__username="xa.dakang")
    assert (commune.role, commune.unit.name) == (Role.COMMUNE_OFFICER, "Xã Đắk Ang")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for username in ("huyen.ngochoi", "xa.dakang", "admin"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None


def test_units_import_command(tmp_path: Path) -> None:
    output = _run("units", "import")
    assert "3321" in output and "2-level" in output
    assert AdminUnit.objects.filter(level=Level.PROVINCE).count() == 34
    bad = tmp_path / "hong.json"
    bad.write_text(json.dumps([{"name": "Tỉnh A", "code": 1}]), encoding="utf-8")
    result = CliRunner().invoke(main, ["units", "import", str(bad)])
    assert result.exit_code == 1
    assert "hong.json" in result.output and "$[0]" in result.output
    assert "không có" in result.output and "neither" in result.output


def test_demo_campaign_in_progress(settings: Any) -> None:
    """The demo's 2020 campaign right after ``giamngheo demo``: five communes done and
    locked, three in progress (posted with a complaint, a failed vote, one overdue), seen as
    of 09/10/2020; the transitions name the unfinished communes rather than count them."""
    import datetime as dt

    from giamngheo.computed.tasks import current_value
    from giamngheo.reviews.demo import AS_OF
    from giamngheo.reviews.models import Campaign, CommuneState, ComplaintStatus, SurveyState
    from giamngheo.reviews.selectors import campaign_progress
    from giamngheo.transitions.report import TRANSITIONS, TransitionsParams

    _run("demo", "--no-serve")
    campaign = Campaign.objects.get(year=2020)
    states = {r.commune.code: r for r in campaign.communes.select_related("commune")}
    assert sum(r.state == CommuneState.ACCEPTED and r.locked for r in states.values()) == 5
    ang, duc, bo_y = states["23380"], states["23383"], states["23395"]
    assert ang.posting_start == dt.date(2020, 10, 5) and ang.posting_end == dt.date(2020, 10, 14)
    assert ang.complaints.filter(status=ComplaintStatus.OPEN).count() == 1
    assert duc.meetings.get().passed is False
    assert duc.entries.filter(survey_state=SurveyState.RESURVEY).exists()
    officer = User.objects.get(username="huyen.ngochoi")
    progress = {p.review.commune.code: p for p in campaign_progress(officer, campaign, AS_OF)}
    overdue = {code for code, p in progress.items() if p.overdue_days}
    assert overdue == {"23395"} and progress["23395"].overdue_days == 9  # survey due 30/09
    assert bo_y.entries.filter(survey_state=SurveyState.DONE).exists()
    figures = current_value(
        TRANSITIONS, officer, TransitionsParams(officer.profile.unit, 2020), "figures"
    )
    assert set(figures.pending) == {"Xã Đắk Ang", "Xã Đắk Dục", "Xã Bờ Y"}
