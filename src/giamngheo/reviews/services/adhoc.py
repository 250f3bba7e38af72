"""Monthly (ad-hoc, "thường xuyên") reviews: a household's application during the year, then
the same steps in small — survey, village meeting, posting, decision — with the period's
deadline (2016–2020: 7 working days from receipt; 2022+: the monthly cycle from the 15th,
decision within 15 days). A recognition writes an approved ad-hoc ``ReviewRecord``; a refusal
is a letter with its reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from giamngheo.registry.models import (
    Household,
    HouseholdStatus,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.access import require_decide, require_prepare
from giamngheo.reviews.models import Application, ApplicationKind, ApplicationState
from giamngheo.reviews.services.common import actor_id, log, refuse
from giamngheo.reviews.services.decision import RECOGNISED
from giamngheo.reviews.services.lists import _causes

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser


def _locked(app: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("commune", "household")
        .get(pk=app.pk)
    )


def _require_state(app: Application, *states: str) -> None:
    if app.state not in states:
        raise refuse(
            f"Hồ sơ đang ở bước «{app.get_state_display()}»",
            f"the application is at step {app.state!r}",
            "state",
        )


@transaction.atomic
def application_receive(
    *, actor: AnyUser, household: Household, kind: str, received: dt.date
) -> Application:
    hh = Household.objects.select_related("commune").get(pk=household.pk)
    require_prepare(actor, hh.commune)
    if kind not in ApplicationKind.values:
        raise refuse(f"Loại đề nghị không rõ: {kind}", f"unknown application kind: {kind}", "kind")
    if hh.status != HouseholdStatus.ACTIVE:
        raise refuse(
            f"Hộ {hh.code} không còn sinh sống tại xã",
            f"household {hh.code} no longer lives in the commune",
            "household_inactive",
        )
    if Application.objects.filter(
        household=hh,
        state__in=[
            ApplicationState.RECEIVED,
            ApplicationState.SURVEYED,
            ApplicationState.MEETING,
            ApplicationState.POSTED,
        ],
    ).exists():
        raise refuse(
            f"Hộ {hh.code} đang có hồ sơ chưa giải quyết",
            f"household {hh.code} has an application in progress",
            "duplicate_application",
        )
    rules = review_rules.rules_for_received(received)
    cycle_start, due = review_rules.adhoc_dates(rules, hh.commune, received)
    app = Application.objects.create(
        commune=hh.commune,
        household=hh,
        kind=kind,
        rules_id=rules.id,
        form=review_rules.application_form(rules, kind),
        received=received,
        cycle_start=cycle_start,
        due=due,
        created_by_id=actor_id(actor),
    )
    log(actor, "application_receive", app, kind=kind, received=received, due=due)
    return app


@transaction.atomic
def application_survey(
    *,
    actor: AnyUser,
    application: Application,
    inputs: Mapping[str, object],
    causes: Iterable[str] = (),
) -> Application:
    app = _locked(application)
    require_prepare(actor, app.commune)
    _require_state(app, ApplicationState.RECEIVED, ApplicationState.SURVEYED)
    persons = Member.objects.filter(household=app.household).count()
    result = review_rules.classify_adhoc(app, inputs, persons)
    app.standard_id = result.standard_id
    app.inputs = dict(inputs)
    app.causes = _causes(causes)
    app.result = result.data
    app.classification = result.classification
    app.entered_by_id = actor_id(actor)
    app.state = ApplicationState.SURVEYED
    app.save()
    log(actor, "application_survey", app, classification=app.classification)
    return app


@transaction.atomic
def application_meeting(
    *, actor: AnyUser, application: Application, date: dt.date, attendees: int, agreement: int
) -> Application:
    app = _locked(application)
    require_prepare(actor, app.commune)
    _require_state(app, ApplicationState.SURVEYED)
    if attendees <= 0 or not 0 <= agreement <= attendees:
        raise refuse(
            "Số người đồng ý phải từ 0 đến số người dự",
            "the agreement count must be between 0 and the attendees",
            "vote",
        )
    passed = review_rules.vote_passes(review_rules.get_rules(app.rules_id), agreement, attendees)
    app.meeting_date, app.attendees, app.agreement = date, attendees, agreement
    # Below the threshold the household is surveyed again (back to "received").
    app.state = ApplicationState.MEETING if passed else ApplicationState.RECEIVED
    app.save()
    log(actor, "application_meeting", app, attendees=attendees, agreement=agreement, passed=passed)
    return app


@transaction.atomic
def application_post(*, actor: AnyUser, application: Application, start: dt.date) -> Application:
    app = _locked(application)
    require_prepare(actor, app.commune)
    _require_state(app, ApplicationState.MEETING)
    rules = review_rules.get_rules(app.rules_id)
    app.posting_start = start
    app.posting_end = review_rules.adhoc_posting_end(rules, app.commune, start)
    app.state = ApplicationState.POSTED
    app.save()
    log(actor, "application_post", app, start=start, end=app.posting_end)
    return app


@transaction.atomic
def application_decide(
    *,
    actor: AnyUser,
    application: Application,
    recognise: bool,
    number: str,
    date: dt.date,
    reasons: Sequence[str] = (),
) -> Application:
    """Recognition (an approved ad-hoc record) or refusal (a letter with reasons)."""
    app = _locked(application)
    require_decide(actor, app.commune)
    if app.entered_by_id is not None and app.entered_by_id == actor_id(actor):
        raise refuse(
            "Người nhập phiếu điều tra không được phê duyệt hồ sơ đó",
            "the person who entered the survey may not approve it",
            "maker_checker",
        )
    if not number.strip():
        raise refuse("Cần số văn bản", "a document number is needed", "number")
    if recognise:
        _require_state(app, ApplicationState.POSTED)
        assert app.posting_end is not None
        if date <= app.posting_end:
            raise refuse(
                "Quyết định sau khi hết thời gian niêm yết",
                "the decision comes after the posting period",
                "posting_not_ended",
            )
        wanted = app.classification in RECOGNISED
        if (app.kind == ApplicationKind.ENTER) != wanted:
            raise refuse(
                "Kết quả điều tra không phù hợp với đề nghị: hãy ra văn bản không công nhận",
                "the survey's result does not match the application: refuse it with reasons",
                "mismatch",
            )
        rec = ReviewRecord(
            household=app.household,
            year=date.year,
            kind=ReviewKind.ADHOC,
            review_date=date,
            state=ReviewState.APPROVED,
            approved_by_id=actor_id(actor),
            approved_at=timezone.now(),
            created_by_id=actor_id(actor),
            persons=Member.objects.filter(household=app.household).count(),
            causes=app.causes,
            inputs=app.inputs,
        )
        review_rules.fill_from_result(rec, app.standard_id, app.result)
        rec.save()
        app.record = rec
        app.state = ApplicationState.RECOGNISED
    else:
        _require_state(
            app,
            ApplicationState.RECEIVED,
            ApplicationState.SURVEYED,
            ApplicationState.MEETING,
            ApplicationState.POSTED,
        )
        cleaned = [r.strip() for r in reasons if r.strip()]
        if not cleaned:
            raise refuse("Văn bản không công nhận cần lý do", "a refusal needs reasons", "reasons")
        app.refusal_reasons = cleaned
        app.state = ApplicationState.REFUSED
    app.decision_number = number.strip()
    app.decision_date = date
    app.decided_by_id = actor_id(actor)
    app.save()
    log(
        actor,
        "application_decide",
        app,
        recognise=recognise,
        number=app.decision_number,
        date=date,
        late_days=max(0, (date - app.due).days),
    )
    return app
