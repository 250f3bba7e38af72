"""The spreadsheet import as a second way into a campaign: the drafts a committed import left
become final surveys of the campaign's list, and the decision approves those same records."""

from __future__ import annotations

import datetime as dt

import pytest
from campaign_world import DAK_ANG, PLAN, YEAR, World, world  # noqa: F401
from django.core.exceptions import ValidationError

from giamngheo.registry.models import ImportBatch, ImportStatus, ReviewRecord, ReviewState
from giamngheo.registry.services import review_create
from giamngheo.reviews import services
from giamngheo.reviews.models import Source, SurveyState

pytestmark = pytest.mark.django_db


def test_a_committed_import_lands_in_the_campaign(world: World) -> None:  # noqa: F811
    w = world
    officer = w.officers[DAK_ANG]
    campaign = services.campaign_open(
        actor=w.district_officer,
        unit=w.units.district,
        year=YEAR,
        communes=[w.communes[DAK_ANG]],
    )
    review = campaign.communes.get()
    services.list_generate(actor=officer, review=review)
    batch = ImportBatch.objects.create(
        file_name="ra-soat-dak-ang.xlsx",
        sha256="0" * 64,
        scope=w.communes[DAK_ANG],
        year=YEAR,
        kind="periodic",
        status=ImportStatus.PENDING,
        created_by=officer,
    )
    with pytest.raises(ValidationError) as exc:  # not committed yet
        services.import_into_campaign(actor=officer, review=review, batch=batch)
    assert exc.value.code == "batch"
    drafts = {}
    for h in ("H1", "H2", "H6"):  # what the file's commit left: drafts of the year
        drafts[h] = review_create(
            actor=officer,
            household=w.households[DAK_ANG, h],
            year=YEAR,
            inputs=PLAN[h][2],
        )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTED)
    batch.refresh_from_db()

    assert services.import_into_campaign(actor=officer, review=review, batch=batch) == 3
    entries = {e.household.code: e for e in review.entries.select_related("household")}
    assert entries["H1"].source == Source.CURRENT and entries["H6"].source == Source.MANUAL
    assert entries["H6"].reason == "Nhập từ tệp ra-soat-dak-ang.xlsx"
    assert entries["H1"].survey_state == SurveyState.DONE
    assert entries["H1"].proposed_class == "medium" and entries["H2"].proposed_class == "poor"
    survey = entries["H1"].surveys.get()
    assert survey.entered_by == officer and survey.final

    # The rest of the list by hand, then the usual steps; the decision approves the drafts.
    for h in ("H3", "H4"):
        services.survey_save(actor=officer, entry=entries[h], inputs=PLAN[h][2], final=True)
    for v in ("V1", "V2"):
        services.meeting_record(
            actor=officer,
            review=review,
            village=w.villages[DAK_ANG, v],
            held_at=dt.datetime(YEAR, 10, 5, 8, tzinfo=dt.UTC),
            chair="A",
            secretary="B",
            attendees=10,
            agreement=10,
        )
    services.posting_start(actor=officer, review=review, start=dt.date(YEAR, 10, 12))
    services.decide(
        actor=w.approvers[DAK_ANG],
        review=review,
        number="15/QĐ-UBND",
        date=dt.date(YEAR, 10, 28),
        signer_name="A Hùng",
    )
    for h, draft in drafts.items():
        rec = ReviewRecord.objects.get(pk=draft.pk)  # the same row, now approved
        assert rec.state == ReviewState.APPROVED and rec.review_date == dt.date(YEAR, 10, 28)
        assert rec.classification == entries[h].surveys.get().classification
    assert ReviewRecord.objects.filter(year=YEAR, state=ReviewState.DRAFT).count() == 0
