"""Access to the campaign and commune pages: every page and action × every persona (and an
anonymous visitor) × own and other commune. Pages of a commune one cannot see answer 404; an
action one may not take answers 403 (login page for anonymous visitors); a refused request
changes no reviews row, no registry review record and writes no audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from giamngheo.reviews import services
from giamngheo.reviews.models import CommuneReview, Complaint, Decision, Meeting

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "district_officer",
    "commune_officer",
    "other_commune_officer",
    "reviewer",
    "approver",
    "district_approver",
    "leader",
)
#: Those who see Đắk Ang (everyone but the officer of Đắk Dục).
SEES_DAK_ANG = frozenset(PERSONAS) - {"anonymous", "other_commune_officer"}
PREPARE = frozenset({"district_officer", "commune_officer"})
DISTRICT_OFFICER = frozenset({"district_officer"})
#: The recognition decision is the commune chairman's own: not the district chairman's.
DECIDE = frozenset({"approver"})


@dataclass
class World:
    users: dict[str, User | None]
    review: CommuneReview
    other: CommuneReview
    units: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        c = Client()
        user = self.users[persona]
        if user is not None:
            c.force_login(user)
        return c


@pytest.fixture
def world(  # noqa: PLR0917 - pytest fixtures
    review_flow: Any,
    review_units: Any,
    district_officer: User,
    commune_officer: User,
    other_commune_officer: User,
    reviewer: User,
    approver: User,
    district_approver: User,
    leader: User,
) -> Callable[[str], World]:
    def make(step: str) -> World:
        review = review_flow.until(review_units.dak_ang, step) if step else None
        review = review or review_flow.review(review_units.dak_ang)
        users: dict[str, User | None] = {
            "anonymous": None,
            "district_officer": district_officer,
            "commune_officer": commune_officer,
            "other_commune_officer": other_commune_officer,
            "reviewer": reviewer,
            "approver": approver,
            "district_approver": district_approver,
            "leader": leader,
        }
        return World(users, review, review_flow.review(review_units.dak_duc), review_units)

    return make


def _check(
    w: World,
    snapshot: Callable[[], tuple[Any, ...]],
    url: str,
    data: dict[str, Any] | None,
    allowed: frozenset[str],
    *,
    sees: frozenset[str] = SEES_DAK_ANG,
    ok: tuple[int, ...] = (200, 302, 400),
) -> None:
    """Every refused persona first (each must change nothing), then one allowed persona."""
    method = "get" if data is None else "post"
    for persona in PERSONAS:
        if persona in allowed:
            continue
        before = snapshot()
        response = getattr(w.client(persona), method)(url, data or {})
        if persona == "anonymous":
            assert response.status_code == 302, (persona, url)
            assert reverse("login") in response["Location"]
        else:
            expected = 403 if persona in sees else 404
            assert response.status_code == expected, (persona, url, response.status_code)
        assert snapshot() == before, (persona, url)
    for persona in sorted(allowed)[:1]:
        response = getattr(w.client(persona), method)(url, data or {})
        assert response.status_code in ok, (persona, url, response.status_code)


# ---------------------------------------------------------------------------------------------
# Pages and files: read access
# ---------------------------------------------------------------------------------------------
def test_pages_answer_by_visibility(world: Callable[[str], World]) -> None:
    w = world("accepted")
    meeting = Meeting.objects.filter(review=w.review).first()
    decision = Decision.objects.filter(review=w.review).first()
    assert meeting is not None and decision is not None
    village = w.units.villages["23380"][0]
    own = [
        reverse("reviews:commune", args=[w.review.pk]),
        reverse("reviews:commune_list_xlsx", args=[w.review.pk]),
        reverse("reviews:minutes_doc", args=[meeting.pk]) + "?format=docx",
        reverse("reviews:posting_doc", args=[w.review.pk]) + "?format=docx",
        reverse("reviews:posting_village_doc", args=[w.review.pk, village.pk]) + "?format=docx",
        reverse("reviews:decision_doc", args=[decision.pk]) + "?format=docx",
        reverse("reviews:certificates_doc", args=[decision.pk]) + "?format=docx",
    ]
    for persona in PERSONAS:
        c = w.client(persona)
        for url in own:
            r = c.get(url)
            if persona == "anonymous":
                assert r.status_code == 302, url
            else:
                assert r.status_code == (200 if persona in SEES_DAK_ANG else 404), (persona, url)
        if persona == "anonymous":
            continue
        # Every signed-in persona sees the campaign (the district's, or its own commune's).
        assert c.get(reverse("reviews:campaigns")).status_code == 200
        assert c.get(reverse("reviews:campaign", args=[w.review.campaign_id])).status_code == 200
    # Đắk Dục's page: its officer and the district see it, Đắk Ang's people do not.
    other = reverse("reviews:commune", args=[w.other.pk])
    for persona, status in (
        ("other_commune_officer", 200),
        ("district_officer", 200),
        ("district_approver", 200),
        ("commune_officer", 404),
        ("reviewer", 404),
        ("approver", 404),
        ("leader", 404),
    ):
        assert w.client(persona).get(other).status_code == status, persona


def test_commune_officer_sees_only_its_commune_in_the_campaign(
    world: Callable[[str], World],
) -> None:
    w = world("list")
    html = (
        w.client("other_commune_officer")
        .get(reverse("reviews:campaign", args=[w.review.campaign_id]))
        .content.decode()
    )
    assert "Xã Đắk Dục" in html
    assert "Xã Đắk Ang" not in html
    assert "Thị trấn Plei Kần" not in html


def test_unknown_campaign_and_commune_are_404(world: Callable[[str], World]) -> None:
    w = world("")
    c = w.client("district_officer")
    assert c.get(reverse("reviews:campaign", args=[999_999])).status_code == 404
    assert c.get(reverse("reviews:commune", args=[999_999])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Campaign actions
# ---------------------------------------------------------------------------------------------
def test_open_campaign(
    world: Callable[[str], World], snapshot: Callable[[], tuple[Any, ...]]
) -> None:
    w = world("")
    data = {"unit": w.units.district.pk, "year": 2022}
    # Nobody but an officer of a province or district may open one; all see the list page.
    _check(
        w,
        snapshot,
        reverse("reviews:campaign_open"),
        data,
        DISTRICT_OFFICER,
        sees=frozenset(PERSONAS),
    )


def test_campaign_deadlines_and_calendar(
    world: Callable[[str], World], snapshot: Callable[[], tuple[Any, ...]]
) -> None:
    w = world("list")
    campaign = w.review.campaign
    due = {f"due_{s.key}": s.due.isoformat() for s in campaign.steps.all()}
    due["due_report"] = "2021-12-01"
    sees = frozenset(PERSONAS) - {"anonymous"}
    _check(
        w,
        snapshot,
        reverse("reviews:campaign_set_due", args=[campaign.pk]),
        due,
        DISTRICT_OFFICER,
        sees=sees,
    )
    _check(
        w,
        snapshot,
        reverse("reviews:campaign_set_calendar", args=[campaign.pk]),
        {"days_off": "15/11/2021", "working_days": ""},
        DISTRICT_OFFICER,
        sees=sees,
    )


def test_campaign_close(
    world: Callable[[str], World], snapshot: Callable[[], tuple[Any, ...]]
) -> None:
    w = world("accepted")
    url = reverse("reviews:campaign_close", args=[w.review.campaign_id])
    sees = frozenset(PERSONAS) - {"anonymous"}
    _check(w, snapshot, url, {}, frozenset({"district_approver"}), sees=sees)


@pytest.mark.parametrize(
    ("name", "step", "data"),
    [
        ("commune_accept", "report", {}),
        ("commune_return", "report", {"comment": "Thiếu biên bản"}),
        ("commune_unlock", "accepted", {"reason": "Sai số liệu"}),
    ],
)
def test_upper_level_actions(
    world: Callable[[str], World],
    snapshot: Callable[[], tuple[Any, ...]],
    name: str,
    step: str,
    data: dict[str, Any],
) -> None:
    w = world(step)
    _check(w, snapshot, reverse(f"reviews:{name}", args=[w.review.pk]), data, DISTRICT_OFFICER)


# ---------------------------------------------------------------------------------------------
# A commune's steps
# ---------------------------------------------------------------------------------------------
NO = {
    f"q_{k}": "0"
    for k in (
        "car",
        "solid_large_house",
        "regular_salary_above_line",
        "large_production_assets",
        "large_business",
        "illness_or_disability",
        "recent_shock",
    )
}


def _meeting_data(w: World) -> dict[str, Any]:
    return {
        "village": w.units.villages["23380"][0].pk,
        "held_at": "2021-11-05T08:00",
        "chair": "A Nhơn",
        "secretary": "Y Thư",
        "attendees": 30,
        "agreement": 20,
        "head": "A Nhơn",
        "party": "A Bảo",
        "front": "Y Mận",
    }


PREPARE_CASES: list[tuple[str, str, Callable[[World], dict[str, Any]]]] = [
    ("list_generate", "", lambda w: {}),
    ("list_add_applicant", "list", lambda w: {"code": "DA-06", "received": "2021-09-20", **NO}),
    ("list_add", "list", lambda w: {"code": "DA-06", "reason": "Hộ gặp rủi ro"}),
    (
        "assign",
        "list",
        lambda w: {"reviewer": w.users["reviewer"].pk, "village": w.units.villages["23380"][0].pk},  # type: ignore[union-attr]
    ),
    ("meeting_record", "survey", _meeting_data),
    ("posting_start", "meeting", lambda w: {"start": "2021-11-08"}),
    (
        "complaint_open",
        "posting",
        lambda w: {
            "code": "DA-01",
            "complainant": "Ông B",
            "received": "2021-11-09",
            "content": "x",
        },
    ),
    ("commune_submit", "decision", lambda w: {"note": ""}),
]


@pytest.mark.parametrize(("name", "step", "data"), PREPARE_CASES, ids=[c[0] for c in PREPARE_CASES])
def test_commune_preparation(
    world: Callable[[str], World],
    snapshot: Callable[[], tuple[Any, ...]],
    name: str,
    step: str,
    data: Callable[[World], dict[str, Any]],
) -> None:
    w = world(step)
    # The officer of another commune: 404 on Đắk Ang's review, and Đắk Ang's officer on Đắk
    # Dục's review the same.
    _check(w, snapshot, reverse(f"reviews:{name}", args=[w.review.pk]), data(w), PREPARE)
    before = snapshot()
    r = w.client("commune_officer").post(reverse(f"reviews:{name}", args=[w.other.pk]), data(w))
    assert r.status_code == 404
    assert snapshot() == before


def test_decide(world: Callable[[str], World], snapshot: Callable[[], tuple[Any, ...]]) -> None:
    w = world("posting")
    data = {"number": "20/QĐ-UBND", "date": "2021-11-16", "signer_name": "Nguyễn Văn Chung"}
    _check(w, snapshot, reverse("reviews:decide", args=[w.review.pk]), data, DECIDE)
    assert Decision.objects.filter(review=w.review).count() == 1


def test_complaint_decide_and_appeal(
    world: Callable[[str], World],
    snapshot: Callable[[], tuple[Any, ...]],
    district_officer: User,
) -> None:
    w = world("posting")
    entry = w.review.entries.get(household__code="DA-01")
    first = services.complaint_open(
        actor=district_officer,
        review=w.review,
        entry=entry,
        complainant="Ông B",
        received=dt.date(2021, 11, 9),
        content="Xét lại",
    )
    decide = {"outcome": "rejected", "answer": "Giữ kết quả"}
    _check(w, snapshot, reverse("reviews:complaint_decide", args=[first.pk]), decide, PREPARE)
    assert Complaint.objects.get(pk=first.pk).status == "decided"
    appeal = {"complainant": "Ông B", "received": "2021-11-10", "content": "Khiếu nại tiếp"}
    _check(
        w, snapshot, reverse("reviews:complaint_appeal", args=[first.pk]), appeal, DISTRICT_OFFICER
    )
    assert Complaint.objects.filter(appeal_of=first).count() == 1
