"""Model rules: derived fields, approved reviews immutable, corrections, audit events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import (
    AuditEvent,
    Household,
    HouseholdStatus,
    ImmutableReview,
    ReviewRecord,
    ReviewState,
)
from giamngheo.registry.selectors import household_years, review_history
from giamngheo.registry.services import (
    household_create,
    household_set_status,
    household_update,
    member_add,
    review_approve,
    review_correct,
    review_create,
    review_update,
)

pytestmark = pytest.mark.django_db

POOR_INPUTS = {
    "income": 600_000,
    **{
        f"dep_{k}": 0
        for k in (
            "health_access",
            "health_insurance",
            "adult_education",
            "child_schooling",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "telecom",
            "info_assets",
        )
    },
}


@pytest.fixture
def household(district_officer: User, dak_ang: AdminUnit) -> Household:
    village = AdminUnit.objects.get(parent=dak_ang, name="Thôn 1")
    return household_create(
        actor=district_officer,
        commune=dak_ang,
        village=village,
        code="H1",
        head_name="Đinh Văn Ánh",
        ethnic_minority=True,
        flags={"no_labour_capacity": True},
    )


@pytest.fixture
def approved(district_officer: User, household: Household) -> ReviewRecord:
    r = review_create(
        actor=district_officer, household=household, year=2019, inputs=POOR_INPUTS, causes=["land"]
    )
    return review_approve(actor=district_officer, review=r)


def test_household_derived_fields_and_audit(household: Household) -> None:
    assert household.area == "rural"  # from the commune (a xã)
    assert household.head_name_key == "dinh van anh"
    assert household.no_labour_capacity and household.status == HouseholdStatus.ACTIVE
    ev = AuditEvent.objects.get(action="household_create")
    assert (ev.actor.username, ev.object_id) == ("huyen", str(household.pk))  # type: ignore[union-attr]


def test_village_must_belong_to_commune(district_officer: User, dak_ang: AdminUnit) -> None:
    other_village = AdminUnit.objects.filter(level="village").exclude(parent=dak_ang).first()
    with pytest.raises(ValidationError):
        household_create(
            actor=district_officer,
            commune=dak_ang,
            village=other_village,
            code="H9",
            head_name="X",
        )
    assert not Household.objects.filter(code="H9").exists()


def test_review_is_classified_by_the_engine(approved: ReviewRecord) -> None:
    assert (approved.standard_id, approved.classification, approved.poor_basis) == (
        "QD59-2015",
        "poor",
        "income",
    )
    assert approved.state == ReviewState.APPROVED and approved.approved_by is not None
    assert "600.000" in approved.explanation_vi and "600,000" in approved.explanation_en


def test_engine_rejection_names_the_field(district_officer: User, household: Household) -> None:
    with pytest.raises(ValidationError) as exc:
        review_create(
            actor=district_officer,
            household=household,
            year=2019,
            inputs={**POOR_INPUTS, "dep_water": 2},
        )
    assert "dep_water" in exc.value.message_dict
    assert not ReviewRecord.objects.exists()


def test_approved_review_is_immutable(district_officer: User, approved: ReviewRecord) -> None:
    before = list(ReviewRecord.objects.values_list())
    # the service
    with pytest.raises(ImmutableReview):
        review_update(actor=district_officer, review=approved, inputs={**POOR_INPUTS, "income": 1})
    with pytest.raises(ImmutableReview):
        review_approve(actor=district_officer, review=approved)
    # the model: save, clean, delete, queryset update and delete
    approved.classification = "non_poor"
    with pytest.raises(ImmutableReview):
        approved.save()
    with pytest.raises(ImmutableReview):
        approved.clean()
    with pytest.raises(ImmutableReview):
        approved.delete()
    with pytest.raises(ImmutableReview):
        ReviewRecord.objects.filter(pk=approved.pk).update(classification="non_poor")
    with pytest.raises(ImmutableReview):
        ReviewRecord.objects.all().delete()
    assert list(ReviewRecord.objects.values_list()) == before


def test_draft_is_editable(district_officer: User, household: Household) -> None:
    r = review_create(actor=district_officer, household=household, year=2019, inputs=POOR_INPUTS)
    r = review_update(actor=district_officer, review=r, inputs={**POOR_INPUTS, "income": 1_600_000})
    assert r.classification == "non_poor"
    assert ReviewRecord.objects.get(pk=r.pk).classification == "non_poor"


def test_correction_is_a_new_record(district_officer: User, approved: ReviewRecord) -> None:
    fix = review_correct(
        actor=district_officer,
        review=approved,
        inputs={**POOR_INPUTS, "income": 900_000},
        reason="Nhập sai thu nhập",
    )
    assert (fix.corrects_id, fix.revision, fix.state) == (approved.pk, 1, ReviewState.DRAFT)
    assert fix.classification == "near_poor"
    old = ReviewRecord.objects.get(pk=approved.pk)
    assert (old.classification, old.state) == ("poor", ReviewState.APPROVED)
    assert list(ReviewRecord.objects.current().values_list("pk", flat=True)) == [fix.pk]
    # a corrected record is not corrected twice; a draft is edited, not corrected
    with pytest.raises(ValidationError):
        review_correct(actor=district_officer, review=approved, inputs=POOR_INPUTS, reason="x")
    with pytest.raises(ValidationError):
        review_correct(actor=district_officer, review=fix, inputs=POOR_INPUTS, reason="x")
    review_approve(actor=district_officer, review=fix)
    history = review_history(actor=district_officer, household=approved.household)
    assert [r.revision for r in history] == [0, 1]


def test_member_add_checks_the_id(district_officer: User, household: Household) -> None:
    with pytest.raises(ValidationError):
        member_add(
            actor=district_officer,
            household=household,
            full_name="Y Nữ",
            sex="female",
            relationship="spouse",
            birth_year=1985,
            national_id="062085000001",  # 0 = male born in the 1900s
        )
    m = member_add(
        actor=district_officer,
        household=household,
        full_name="Y Nữ",
        sex="female",
        relationship="spouse",
        birth_date=dt.date(1985, 5, 1),
        national_id="062 185 000001",
    )
    assert (m.birth_year, m.national_id) == (1985, "062185000001")


def test_update_and_status(
    district_officer: User, household: Household, dak_ang: AdminUnit
) -> None:
    household_update(actor=district_officer, household=household, head_name="Y Mai")
    household.refresh_from_db()
    assert household.head_name_key == "y mai"
    target = household_create(actor=district_officer, commune=dak_ang, code="H2", head_name="B")
    household_set_status(
        actor=district_officer,
        household=household,
        status=HouseholdStatus.MERGED,
        on=dt.date(2020, 3, 1),
        went_to=target,
    )
    household.refresh_from_db()
    assert (household.status, household.went_to_id) == ("merged", target.pk)
    assert AuditEvent.objects.filter(action="household_status").count() == 1


def test_household_years_for_transitions(
    district_officer: User, household: Household, approved: ReviewRecord, dak_ang: AdminUnit
) -> None:
    household_set_status(
        actor=district_officer, household=household, status="moved_away", on=dt.date(2020, 5, 1)
    )
    records = household_years(actor=district_officer, unit=dak_ang.parent, years=[2019, 2020])  # type: ignore[arg-type]
    assert [(r.year, r.status, r.exit_reason) for r in records] == [
        (2019, "poor", None),
        (2020, None, "moved_away"),
    ]
    assert records[0].household_id == "23380/H1" and records[0].unit_code == "23380"


def test_the_choices_are_the_record_rules_vocabulary() -> None:
    """The registry's choices and the pure record rules (``core.records.vocab``) name the
    same values, so a value the rules accept is one the database stores."""
    from giamngheo.core.records import vocab
    from giamngheo.registry import models

    assert models.Sex.values == list(vocab.SEXES)
    assert models.Relationship.values == list(vocab.RELATIONSHIPS)
    assert models.EntryReason.values == list(vocab.ENTRY_REASONS)
    assert models.ReviewKind.values == list(vocab.REVIEW_KINDS)
    assert models.ReviewState.values == list(vocab.REVIEW_STATES)
    assert models.HouseholdStatus.values == list(vocab.HOUSEHOLD_STATUSES)
    assert models.CAUSES is vocab.CAUSES and models.POLICY_FLAGS is vocab.POLICY_FLAGS
    # every word a file may write maps to a stored value
    assert set(vocab.SEX_WORDS.values()) == set(models.Sex.values)
    assert set(vocab.RELATIONSHIP_WORDS.values()) == set(models.Relationship.values)
    assert set(vocab.ENTRY_REASON_WORDS.values()) == set(models.EntryReason.values) - {""}
    # the household's flags and the member's data are model fields
    household_fields = {f.name for f in models.Household._meta.get_fields()}
    assert set(vocab.FLAG_FIELDS) <= household_fields
