"""The spreadsheet import as a second way into a campaign: the drafts a committed import left
become final surveys of the campaign's list, and the decision approves those same records."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from campaign_world import DAK_ANG, DAK_DUC, PLAN, YEAR, World, inputs, world  # noqa: F401
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from giamngheo.core.standards import get_standard
from giamngheo.registry.imports.downloads import import_template_xlsx
from giamngheo.registry.models import (
    AuditEvent,
    ImportBatch,
    ImportStatus,
    ReviewRecord,
    ReviewState,
)
from giamngheo.registry.services import (
    import_commit,
    import_upload,
    import_validate,
    review_create,
)
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

    assert services.import_into_campaign(actor=officer, review=review, batch=batch) == (3, [])
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


def _filled_template(w: World, officer: User) -> bytes:
    """The commune's official import template for the year, downloaded pre-filled with its
    households and members, with each household's survey typed in (income and the ten
    indicators of QĐ 59/2015, from ``PLAN``), as an officer fills it in Excel."""
    data = import_template_xlsx(actor=officer, commune=w.communes[DAK_ANG], year=YEAR)
    wb = load_workbook(io.BytesIO(data))
    sheet = wb["Hộ"]
    heads = [c.value for c in sheet[1]]
    col = {h: i for i, h in enumerate(heads)}
    indicators = get_standard("QD59-2015").indicators
    for row in sheet.iter_rows(min_row=2):
        survey = PLAN[str(row[col["Mã hộ"]].value)][2] or inputs(2_500_000)
        row[col["Thu nhập bình quân đầu người/tháng"]].value = survey["income"]
        for ind in indicators:
            row[col[ind.name_vi]].value = int(bool(survey.get(f"dep_{ind.key}")))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_uploaded_file_comes_into_the_list_from_the_commune_page(
    world: World,  # noqa: F811
) -> None:
    w = world
    officer = w.officers[DAK_ANG]
    campaign = services.campaign_open(
        actor=w.district_officer, unit=w.units.district, year=YEAR, communes=[w.communes[DAK_ANG]]
    )
    review = campaign.communes.get()
    services.list_generate(actor=officer, review=review)
    page_url = reverse("reviews:commune", args=[review.pk])
    officer_client = Client()
    officer_client.force_login(officer)
    assert "nhan-tu-tep" not in officer_client.get(page_url).content.decode()  # nothing yet

    # The ordinary import: upload, check, commit (drafts of the year).
    content = _filled_template(w, officer)
    batch = import_upload(
        actor=officer,
        scope=w.communes[DAK_ANG],
        year=YEAR,
        file_name="ra-soat-2020-dak-ang.xlsx",
        content=content,
    )
    batch = import_validate(batch=batch, actor=officer)
    assert batch.status == ImportStatus.VALIDATED, batch.file_errors
    batch = import_commit(batch=batch, actor=officer)
    assert batch.status == ImportStatus.COMMITTED
    page = officer_client.get(page_url).content.decode()
    assert "nhan-tu-tep" in page and "ra-soat-2020-dak-ang.xlsx" in page

    # A reviewer may not bring a file in: 403, nothing changed.
    url = reverse("reviews:import_intake", args=[review.pk])
    reviewer = Client()
    reviewer.force_login(w.reviewer)
    before = (review.entries.count(), AuditEvent.objects.count())
    assert reviewer.post(url, {"batch": batch.pk}).status_code == 403
    other = Client()  # the officer of another commune does not see this one: 404
    other.force_login(w.officers[DAK_DUC])
    assert other.post(url, {"batch": batch.pk}).status_code == 404
    assert (review.entries.count(), AuditEvent.objects.count()) == before
    # Not a batch of this commune's: the page again with the reason, nothing changed.
    assert officer_client.post(url, {"batch": 999999}).status_code == 400
    assert (review.entries.count(), AuditEvent.objects.count()) == before

    # H4 was surveyed on the web already: the file does not overwrite it, and says so.
    h4 = review.entries.get(household__code="H4")
    services.survey_save(actor=officer, entry=h4, inputs=inputs(1_700_000), final=True)
    response = officer_client.post(url, {"batch": batch.pk}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#buoc-survey"), page[:3000]
    assert "Giữ nguyên phiếu đã có" in page and "1 hộ: H4" in page
    assert [s.inputs["income"] for s in h4.surveys.all()] == [1_700_000]
    entries = {e.household.code: e for e in review.entries.select_related("household")}
    drafts = {
        r.household.code: r
        for r in ReviewRecord.objects.filter(year=YEAR, state=ReviewState.DRAFT).select_related(
            "household"
        )
    }
    assert set(entries) == set(drafts)  # every household of the file is on the list
    for h, e in entries.items():
        assert e.survey_state == SurveyState.DONE
        if h == "H4":
            continue
        assert e.surveys.get().classification == drafts[h].classification
        assert e.surveys.get().entered_by == officer
    assert [drafts[h].inputs["income"] for h in ("H1", "H2")] == [
        PLAN[h][2]["income"] for h in ("H1", "H2")
    ]
    assert {entries[h].proposed_class for h in ("H1", "H2")} == {"medium", "poor"}
    assert entries["H6"].reason == "Nhập từ tệp ra-soat-2020-dak-ang.xlsx"
