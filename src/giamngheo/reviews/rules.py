"""The review app's one door to the core's rules: the rule set, calendar and schedule of a
campaign (``giamngheo.core.review``), the standards engine with the campaign's target groups,
and how a classification becomes a registry review record.

Everything a period's law decides is read from the core's data here, with the campaign's own
calendar (its extra days off and make-up working days); services and pages never hold a
duration or a date rule themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from giamngheo.core.review.calendar import WorkCalendar
from giamngheo.core.review.rules import ReviewRules, get_rules, rules_for, rules_for_adhoc
from giamngheo.core.review.schedule import (
    STATE_LABELS,
    StepDue,
    StepStatus,
    build_schedule,
    status_of,
)
from giamngheo.core.review.schedule import posting_end as core_posting_end
from giamngheo.core.review.screening import ScreeningError
from giamngheo.core.review.screening import screen as screen_answers
from giamngheo.core.review.targets import (
    TargetInputError,
    TargetResult,
    classify_targets,
    load_target_groups,
)
from giamngheo.core.standards import (
    InvalidHousehold,
    Standard,
    get_standard,
    load_standard,
    standard_for,
)
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.registry.models import Classification, Member, ReviewRecord

if TYPE_CHECKING:
    from giamngheo.registry.models import Household
    from giamngheo.reviews.models import Application, Campaign, Survey

__all__ = [
    "STATE_LABELS",
    "ReviewRules",
    "StepStatus",
    "get_rules",
    "status_of",
]


# ---------------------------------------------------------------------------------------------
# Rule sets, calendars, schedules
# ---------------------------------------------------------------------------------------------
def rules_for_year(year: int) -> ReviewRules:
    try:
        return rules_for(year)
    except LookupError as exc:
        raise ValidationError(str(exc), code="no_rules") from exc


def rules_for_received(received: dt.date) -> ReviewRules:
    try:
        return rules_for_adhoc(received)
    except LookupError as exc:
        raise ValidationError(str(exc), code="no_rules") from exc


def rules_of(campaign: Campaign) -> ReviewRules:
    return get_rules(campaign.rules_id)


def calendar_of(campaign: Campaign) -> WorkCalendar:
    return WorkCalendar(
        extra_days_off=[dt.date.fromisoformat(d) for d in campaign.days_off],
        extra_working_days=[dt.date.fromisoformat(d) for d in campaign.working_days],
    )


def default_window(rules: ReviewRules, year: int) -> tuple[dt.date, dt.date]:
    return rules.window_dates(year)


def campaign_schedule(campaign: Campaign, overrides: Mapping[str, dt.date]) -> tuple[StepDue, ...]:
    return build_schedule(
        rules_of(campaign),
        campaign.year,
        calendar_of(campaign),
        overrides,
        window=(campaign.window_start, campaign.window_end),
    )


def chain_for_unit(rules: ReviewRules, unit: AdminUnit, on: dt.date) -> list[str]:
    """The approval levels of the rule set that the unit's structure on ``on`` has: the
    district level only where a district is the campaign's unit or above its communes."""
    has_district = unit.level == Level.DISTRICT or (
        AdminUnit.objects.filter(parent=unit, level=Level.DISTRICT).valid_on(on).exists()
    )
    return [level.key for level in rules.chain_for(has_district)]


def _posting_end(rules: ReviewRules, start: dt.date, cal: WorkCalendar) -> dt.date:
    return core_posting_end(start, rules, cal)


def posting_end(campaign: Campaign, rules: ReviewRules, start: dt.date) -> dt.date:
    return _posting_end(rules, start, calendar_of(campaign))


def complaint_due(campaign: Campaign, rules: ReviewRules, received: dt.date) -> dt.date:
    d = rules.complaint_response
    return calendar_of(campaign).add_days(received, d.days, d.unit)


def vote_passes(rules: ReviewRules, agreement: int, attendees: int) -> bool:
    return rules.vote.passes(agreement, attendees)


def _unit_calendar(commune: AdminUnit) -> WorkCalendar:
    """A commune's calendar outside a campaign: the open campaign covering it lends its
    extra days off and make-up days, else the statutory holidays alone."""
    from giamngheo.reviews.models import Campaign, CampaignStatus

    campaign = (
        Campaign.objects.filter(communes__commune=commune, status=CampaignStatus.OPEN)
        .order_by("-year")
        .first()
    )
    return calendar_of(campaign) if campaign is not None else WorkCalendar()


def monthly_report_due(
    rules: ReviewRules, year: int, month: int, commune: AdminUnit | None
) -> dt.date | None:
    """The monthly report's due date, moved past days off by the commune's calendar."""
    cal = _unit_calendar(commune) if commune is not None else WorkCalendar()
    return rules.monthly_report_due(year, month, cal)


def adhoc_dates(
    rules: ReviewRules, commune: AdminUnit, received: dt.date
) -> tuple[dt.date, dt.date]:
    dates = rules.adhoc_due(received, _unit_calendar(commune))
    return dates.cycle_start, dates.decision_due


def adhoc_posting_end(rules: ReviewRules, commune: AdminUnit, start: dt.date) -> dt.date:
    return _posting_end(rules, start, _unit_calendar(commune))


def application_form(rules: ReviewRules, kind: str) -> str:
    form = rules.forms["escape_application" if kind == "escape" else "application"]
    return f"{form.code} ({form.instrument})"


def screen(answers: Mapping[str, bool]) -> dict[str, Any]:
    """Phiếu A: ``{"answers", "passed", "reasons_vi", "reasons_en"}`` (a missing answer is
    refused, naming the question)."""
    try:
        s = screen_answers(answers)
    except ScreeningError as exc:
        raise ValidationError({"screening": str(exc)}, code="screening") from exc
    return {
        "answers": dict(answers),
        "passed": s.passed,
        "reasons_vi": list(s.reasons_vi),
        "reasons_en": list(s.reasons_en),
    }


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Classified:
    standard_id: str
    classification: str
    data: dict[str, Any]  # TargetResult.to_json()


@cache
def local_standard(ref: str) -> Standard:
    """A local standard by id (shipped data) or file path."""
    try:
        return get_standard(ref)
    except LookupError:
        path = Path(ref)
        if not path.is_absolute():
            from giamngheo.core.review._files import DATA_DIR

            path = DATA_DIR / ref
        try:
            return load_standard(path)
        except (OSError, ValueError) as exc:
            raise ValidationError(
                f"Không đọc được chuẩn nghèo địa phương {ref}: {exc} / "
                f"cannot read the local standard {ref}: {exc}",
                code="local_standard",
            ) from exc


def _members(household: Household, work: Mapping[str, str]) -> list[dict[str, object]]:
    return [
        {"birth_year": by, "sex": sex, "work_status": work.get(str(pk), "not_employed")}
        for pk, by, sex in Member.objects.filter(household=household)
        .order_by("pk")
        .values_list("pk", "birth_year", "sex")
    ]


def _classify(
    household: Household,
    inputs: Mapping[str, object],
    std: Standard,
    *,
    local: Standard | None,
    year: int,
    low_income: bool,
) -> Classified:
    work = inputs.get("work_status") or {}
    record = {k: v for k, v in inputs.items() if k != "work_status"}
    record.update({"household_id": household.code, "area": household.area})
    # The members are read only when the campaign identifies low-income workers.
    members = _members(household, work if isinstance(work, Mapping) else {}) if low_income else []
    try:
        res = classify_targets(
            record,
            members,
            std,
            local=local,
            groups=load_target_groups(),
            year=year,
        )
    except InvalidHousehold as exc:
        raise ValidationError(
            {e.field: f"{e.message_vi} / {e.message_en}" for e in exc.errors}
        ) from exc
    except TargetInputError as exc:
        raise ValidationError(str(exc), code="target_input") from exc
    return Classified(std.id, res.national.classification, res.to_json())


def classify(
    campaign: Campaign, household: Household, inputs: Mapping[str, object], persons: int
) -> Classified:
    """Every classification of one household in a campaign (national, local, medium farm,
    low-income members), each with its standard and explanation."""
    return _classify(
        household,
        inputs,
        get_standard(campaign.standard_id),
        local=local_standard(campaign.local_standard) if campaign.local_standard else None,
        year=campaign.year + 1,
        low_income=campaign.identify_low_income,
    )


def classify_adhoc(app: Application, inputs: Mapping[str, object], persons: int) -> Classified:
    std = standard_for(app.received.year, "adhoc")
    return _classify(
        app.household, inputs, std, local=None, year=app.received.year, low_income=False
    )


def target_result(data: Mapping[str, Any]) -> TargetResult:
    return TargetResult.from_json(data)


# ---------------------------------------------------------------------------------------------
# Into the registry
# ---------------------------------------------------------------------------------------------
def fill_from_result(rec: ReviewRecord, standard_id: str, data: Mapping[str, Any]) -> None:
    """A registry record's classification fields from a stored target result."""
    n = TargetResult.from_json(data).national
    rec.standard_id = standard_id
    rec.classification = n.classification
    rec.poor_basis = n.poor_basis
    rec.deprivation_count = n.deprivation_count
    rec.deprived = list(n.deprived)
    rec.explanation_vi = n.explanation_vi
    rec.explanation_en = n.explanation_en


def fill_from_survey(rec: ReviewRecord, survey: Survey) -> None:
    fill_from_result(rec, survey.standard_id, survey.result)
    rec.inputs = {k: v for k, v in survey.inputs.items() if k != "work_status"}
    rec.causes = list(survey.causes)
    rec.persons = survey.persons


_CARRIED = {
    Classification.MEDIUM: ("hộ có mức sống trung bình", "medium living standard"),
    Classification.NON_POOR: ("hộ không nghèo", "non-poor"),
    Classification.POOR: ("hộ nghèo", "poor"),
    Classification.NEAR_POOR: ("hộ cận nghèo", "near-poor"),
}


def fill_carried(
    rec: ReviewRecord, campaign: Campaign, previous: str, *, screened_out: bool
) -> None:
    """A household not surveyed in the campaign keeps the class it had (none: non-poor)."""
    cls = previous if previous in _CARRIED else Classification.NON_POOR
    vi, en = _CARRIED[Classification(cls)]
    rec.standard_id = campaign.standard_id
    rec.classification = cls
    rec.inputs = {"carried_over": True}
    # Nothing of an earlier draft (an import's) survives: no basis, deprivation or cause.
    rec.poor_basis = ""
    rec.deprivation_count = 0
    rec.deprived = []
    rec.causes = []
    if screened_out:
        rec.explanation_vi = f"Không qua nhận dạng nhanh (Phiếu A): giữ kết quả {vi}."
        rec.explanation_en = f"Did not pass the quick screening (Phiếu A): stays {en}."
    else:
        rec.explanation_vi = f"Không thuộc danh sách rà soát năm {campaign.year}: giữ kết quả {vi}."
        rec.explanation_en = f"Not on the {campaign.year} list to review: stays {en}."


def deprived_numbers(standard_id: str, keys: Sequence[str]) -> list[int]:
    order = get_standard(standard_id).indicator_keys
    return [order.index(k) + 1 for k in keys if k in order]
