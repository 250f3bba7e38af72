"""A whole periodic campaign, end to end, on the real database (SQLite and PostgreSQL).

Ngọc Hồi's 2020 review over two of its communes, Đắk Ang and Đắk Dục, each with two villages
and seven households on the 2019 lists: opening, the list (current lists, an applicant with
Phiếu A, a household added by hand), assignment, surveys, a village meeting that fails its
vote and is held again, the posting, complaints (one upheld after its re-check, one still open
at the decision, which holds back that household alone), the decision with its documents and
certificates, submission, return, resubmission, acceptance (locked), unlock and acceptance
again, and the district's approval that closes the campaign. Then the transitions and the
plan's target-versus-actual read the campaign's result, exactly as they read an approved
import.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document as DocxDocument
from pypdf import PdfReader

from giamngheo.core.documents import render_batch_pdf, render_docx, render_pdf
from giamngheo.core.transitions import movement_tables
from giamngheo.plans.baseline import plan_actuals
from giamngheo.plans.demo import load_demo_plan
from giamngheo.registry.histories import unit_histories
from giamngheo.registry.models import (
    AuditEvent,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import services
from giamngheo.reviews.documents import (
    certificates_of,
    decision_of,
    minutes_of,
    posting_lists_of,
)
from giamngheo.reviews.models import (
    Campaign,
    CampaignStatus,
    CommuneReview,
    CommuneState,
    Complaint,
    ListEntry,
    Source,
    SurveyState,
)

pytestmark = pytest.mark.django_db

from campaign_world import (  # noqa: E402
    DAK_ANG,
    DAK_DUC,
    NO_ANSWERS,
    PLAN,
    YEAR,
    World,
    head_id,
    inputs,
    world,  # noqa: F401  (the fixture)
)


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _docx_text(data: bytes) -> str:
    doc = DocxDocument(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _entry(review: CommuneReview, hcode: str) -> ListEntry:
    return review.entries.select_related("household").get(household__code=hcode)


def _prepare_list(w: World, review: CommuneReview, code: str) -> None:
    officer = w.officers[code]
    added = services.list_generate(actor=officer, review=review)
    assert added == 4  # the 2019 poor and near-poor households
    services.list_add_applicant(
        actor=officer,
        review=review,
        household=w.households[code, "H5"],
        received=dt.date(YEAR, 9, 7),
        answers=NO_ANSWERS,
    )
    with pytest.raises(ValidationError):  # an addition needs its reason
        services.list_add(
            actor=officer, review=review, household=w.households[code, "H6"], reason=" "
        )
    services.list_add(
        actor=officer,
        review=review,
        household=w.households[code, "H6"],
        reason="Hộ mới gặp rủi ro do thiên tai tháng 8/2020",
    )
    assert review.entries.count() == 6
    assert _entry(review, "H5").source == Source.APPLICANT
    assert _entry(review, "H5").screening["passed"] is True
    assert _entry(review, "H6").reason.startswith("Hộ mới")


def _survey_form(values: dict[str, object], causes: list[str]) -> dict[str, object]:
    """Phiếu B as the reviewer types it: the income in Vietnamese digits, a box per deprivation."""
    data: dict[str, object] = {
        "income": f"{values['income']:,}".replace(",", "."),
        "causes": causes,
    }
    data.update({k: "on" for k, v in values.items() if k.startswith("dep_") and v})
    return data


def _survey(
    actor: User,
    review: CommuneReview,
    hcode: str,
    *,
    values: dict[str, object] | None = None,
    complaint: Complaint | None = None,
    action: str = "finish",
    reason: str = "",
    expect: int = 302,
) -> str:
    """Enter a household's survey through the web form (``reviews:survey``): finish it, or
    save it as a draft (``action="draft"``)."""
    entry = _entry(review, hcode)
    causes = ["capital"] if hcode in ("H2", "H3") else []
    data = {**_survey_form(values or PLAN[hcode][2], causes), "action": action}
    if reason:
        data["correction_reason"] = reason
    url = reverse("reviews:survey", args=[entry.pk])
    if complaint is not None:
        url += f"?khieu_nai={complaint.pk}"
    client = Client()
    client.force_login(actor)
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == expect, page[:2000]
    return page


def _meet(w: World, review: CommuneReview, code: str, v: str, agree: int) -> bool:
    m = services.meeting_record(
        actor=w.officers[code],
        review=review,
        village=w.villages[code, v],
        held_at=timezone.make_aware(dt.datetime(YEAR, 10, 5, 8, 0)),
        chair="Trưởng thôn A Blông",
        secretary="Y Nhung",
        attendees=20,
        agreement=agree,
        key_attendees=[("Bí thư chi bộ", "A Thủy"), ("Đại diện MTTQ xã (giám sát)", "Y Lan")],
    )
    return m.passed


def _run_commune_to_posting(w: World, campaign: Campaign, code: str) -> CommuneReview:
    review = campaign.communes.get(commune=w.communes[code])
    officer = w.officers[code]
    _prepare_list(w, review, code)
    surveyor = w.reviewer if code == DAK_ANG else officer
    services.assign(
        actor=officer, review=review, reviewer=surveyor, village_id=w.villages[code, "V1"].pk
    )
    services.assign(
        actor=officer, review=review, reviewer=officer, village_id=w.villages[code, "V2"].pk
    )
    assert "assign" in review.__class__.objects.get(pk=review.pk).done
    if code == DAK_ANG:
        # A reviewer enters only for the households assigned to them: refused, nothing written.
        before = (AuditEvent.objects.count(), _entry(review, "H4").surveys.count())
        _survey(w.reviewer, review, "H4", expect=403)
        assert (AuditEvent.objects.count(), _entry(review, "H4").surveys.count()) == before
        # A draft first, then the final entry.
        _survey(w.reviewer, review, "H1", values=inputs(500_000), action="draft")
        assert _entry(review, "H1").survey_state == SurveyState.DRAFT
    for h in ("H1", "H2", "H3"):
        _survey(surveyor, review, h)
    for h in ("H4", "H5"):
        _survey(officer, review, h)
    _survey(w.admin if code == DAK_DUC else officer, review, "H6")
    assert _entry(review, "H1").surveys.count() == 1  # the draft became the final entry
    assert {e.household.code: e.proposed_class for e in review.entries.all()} == {
        "H1": "medium",
        "H2": "poor",
        "H3": "poor",
        "H4": "non_poor",
        "H5": "near_poor",
        "H6": "non_poor",
    }
    if code == DAK_ANG:
        # Below 50 % agreement: back to survey, and the meeting is held again.
        assert _meet(w, review, code, "V1", agree=9) is False
        assert {_entry(review, h).survey_state for h in ("H1", "H2", "H3")} == {
            SurveyState.RESURVEY
        }
        with pytest.raises(ValidationError) as exc:
            _meet(w, review, code, "V1", agree=15)
        assert exc.value.code == "not_surveyed"
        for h in ("H1", "H2", "H3"):
            _survey(surveyor, review, h)
    assert _meet(w, review, code, "V1", agree=15) is True
    with pytest.raises(ValidationError) as exc:  # not every village has agreed yet
        services.posting_start(actor=officer, review=review, start=dt.date(YEAR, 10, 12))
    assert exc.value.code == "meetings_missing"
    assert _meet(w, review, code, "V2", agree=18) is True
    return services.posting_start(actor=officer, review=review, start=dt.date(YEAR, 10, 12))


def test_a_whole_periodic_campaign(world: World) -> None:  # noqa: F811  # long: one story
    w = world
    campaign = services.campaign_open(
        actor=w.district_officer,
        unit=w.units.district,
        year=YEAR,
        communes=list(w.communes.values()),
        overrides={"report": dt.date(YEAR, 10, 15)},  # the seed's "before 15/10/2020"
    )
    assert campaign.rules_id == "TT17-2016"
    assert campaign.standard_id == "QD59-2015"
    assert "district" in campaign.chain
    steps = {s.key: s for s in campaign.steps.all()}
    assert steps["report"].due == dt.date(YEAR, 10, 15) and steps["report"].origin == "unit"

    reviews = {c: _run_commune_to_posting(w, campaign, c) for c in (DAK_ANG, DAK_DUC)}
    ang, duc = reviews[DAK_ANG], reviews[DAK_DUC]
    # TT 17/2016: 7 working days of posting from Monday 12/10/2020 → Wednesday 21/10/2020.
    assert ang.posting_end == dt.date(YEAR, 10, 21)

    # Posted: the survey is frozen except through a complaint, and so is the registry.
    surveys = _entry(ang, "H6").surveys.count()
    page = _survey(w.officers[DAK_ANG], ang, "H6", expect=400)
    assert "chỉ điều tra lại qua khiếu nại" in page
    # … and the list is closed: a household applying now goes to the monthly review.
    with pytest.raises(ValidationError) as exc:
        services.list_add(
            actor=w.officers[DAK_ANG],
            review=ang,
            household=w.households[DAK_ANG, "H7"],
            reason="Hộ mới đề nghị sau niêm yết",
        )
    assert exc.value.code == "posted"
    officer = Client()
    officer.force_login(w.officers[DAK_ANG])
    commune_page = officer.get(reverse("reviews:commune", args=[ang.pk])).content.decode()
    assert reverse("reviews:list_generate", args=[ang.pk]) not in commune_page
    assert reverse("reviews:list_add", args=[ang.pk]) not in commune_page
    assert _entry(ang, "H6").surveys.count() == surveys
    from giamngheo.registry.services import household_update

    with pytest.raises(ValidationError):
        household_update(
            actor=w.officers[DAK_ANG], household=w.households[DAK_ANG, "H6"], head_name="Đổi tên"
        )

    # A complaint upheld after its re-check: H6 is near-poor after all.
    c1 = services.complaint_open(
        actor=w.officers[DAK_ANG],
        review=ang,
        entry=_entry(ang, "H6"),
        complainant="Trưởng thôn 2",
        received=dt.date(YEAR, 10, 14),
        content="Hộ có người ốm nặng, thu nhập thực tế thấp hơn",
    )
    with pytest.raises(ValidationError) as exc:  # upheld needs the re-check
        services.complaint_decide(
            actor=w.officers[DAK_ANG], complaint=c1, outcome="upheld", answer="Đúng"
        )
    assert exc.value.code == "no_recheck"
    _survey(w.officers[DAK_ANG], ang, "H6", values=inputs(950_000), complaint=c1)
    services.complaint_decide(
        actor=w.officers[DAK_ANG],
        complaint=c1,
        outcome="upheld",
        answer="Phúc tra: thu nhập 950.000 đ/người/tháng",
    )
    assert _entry(ang, "H6").proposed_class == "near_poor"

    # In Đắk Dục a complaint is still open at the decision: H2 alone is held back.
    c2 = services.complaint_open(
        actor=w.officers[DAK_DUC],
        review=duc,
        entry=_entry(duc, "H2"),
        complainant="Hộ lân cận",
        received=dt.date(YEAR, 10, 20),
        content="Hộ đã có xe máy mới",
    )

    # The decision: only the commune's chairman, only after the posting, maker-checker.
    with pytest.raises(PermissionDenied):
        services.decide(
            actor=w.officers[DAK_ANG],
            review=ang,
            number="15/QĐ-UBND",
            date=dt.date(YEAR, 10, 28),
            signer_name="X",
        )
    with pytest.raises(ValidationError) as exc:
        services.decide(
            actor=w.approvers[DAK_ANG],
            review=ang,
            number="15/QĐ-UBND",
            date=dt.date(YEAR, 10, 21),
            signer_name="A Hùng",
        )
    assert exc.value.code == "posting_not_ended"
    # Maker-checker: the administrator entered H6's survey in Đắk Dục, so may not decide it.
    with pytest.raises(ValidationError) as exc:
        services.decide(
            actor=w.admin,
            review=duc,
            number="20/QĐ-UBND",
            date=dt.date(YEAR, 10, 28),
            signer_name="X",
        )
    assert exc.value.code == "maker_checker"
    assert ReviewRecord.objects.filter(year=YEAR).count() == 0

    d_ang = services.decide(
        actor=w.approvers[DAK_ANG],
        review=ang,
        number="15/QĐ-UBND",
        date=dt.date(YEAR, 10, 28),
        signer_name="A Hùng",
    )
    d_duc = services.decide(
        actor=w.approvers[DAK_DUC],
        review=duc,
        number="21/QĐ-UBND",
        date=dt.date(YEAR, 10, 29),
        signer_name="Y Bình",
    )
    ang.refresh_from_db()
    duc.refresh_from_db()
    assert ang.carried_over == 1 and duc.carried_over == 1  # H7
    assert _entry(duc, "H2").record is None  # held back by its open complaint
    recs = {
        (r.household.commune.code, r.household.code): r
        for r in ReviewRecord.objects.filter(year=YEAR).select_related("household__commune")
    }
    assert len(recs) == 13
    assert all(r.state == ReviewState.APPROVED for r in recs.values())
    assert recs[DAK_ANG, "H6"].classification == "near_poor"
    assert recs[DAK_ANG, "H7"].classification == "non_poor"
    assert recs[DAK_ANG, "H3"].classification == "poor" and recs[DAK_ANG, "H3"].causes

    with pytest.raises(ValidationError) as exc:  # H2 still waits for its complaint
        services.commune_submit(actor=w.officers[DAK_DUC], review=duc)
    assert exc.value.code == "undecided_entries"
    # The re-check finds a higher income, but the complaint is rejected: the household keeps
    # its survey, and its record comes whole from that survey, not from the re-check.
    _survey(w.officers[DAK_DUC], duc, "H2", values=inputs(2_000_000), complaint=c2)
    services.complaint_decide(
        actor=w.officers[DAK_DUC],
        complaint=c2,
        outcome="rejected",
        answer="Xe máy cũ mua lại, không thay đổi kết quả",
    )
    d_duc2 = services.decide(
        actor=w.approvers[DAK_DUC],
        review=duc,
        number="22/QĐ-UBND",
        date=dt.date(YEAR, 11, 2),
        signer_name="Y Bình",
    )
    h2 = _entry(duc, "H2").record
    assert h2 is not None and h2.classification == "poor"
    assert h2.inputs["income"] == PLAN["H2"][2]["income"] and h2.causes == ["capital"]
    assert ReviewRecord.objects.filter(year=YEAR).count() == 14

    _check_documents(w, ang, d_ang)
    assert [e.household.code for e in d_duc2.entries.all()] == ["H2"]
    assert len(certificates_of(d_duc, show_ids=False)) == 2  # H3 poor, H5 near-poor

    # Up the chain: submit, return, resubmit, accept (locked), unlock, accept, close.
    for code, r in reviews.items():
        services.commune_submit(actor=w.officers[code], review=r)
    with pytest.raises(PermissionDenied):
        services.commune_accept(actor=w.officers[DAK_ANG], review=ang)
    services.commune_return(
        actor=w.district_officer, review=ang, comment="Đề nghị kiểm tra lại hộ H1"
    )
    ang.refresh_from_db()
    assert ang.state == CommuneState.RETURNED and ang.return_comment.startswith("Đề nghị")
    services.commune_submit(actor=w.officers[DAK_ANG], review=ang, note="Đã kiểm tra lại")
    for r in reviews.values():
        services.commune_accept(actor=w.district_officer, review=r)
    ang.refresh_from_db()
    assert ang.locked and ang.accepted_figures["class:poor"] == 2
    with pytest.raises(ValidationError):
        services.commune_unlock(actor=w.district_officer, review=ang, reason="")
    with pytest.raises(PermissionDenied):
        services.campaign_close(actor=w.district_officer, campaign=campaign)
    services.commune_unlock(actor=w.district_officer, review=ang, reason="Sai số nhân khẩu")
    with pytest.raises(ValidationError) as exc:
        services.campaign_close(actor=w.district_approver, campaign=campaign)
    assert exc.value.code == "communes_waiting"
    _correct_after_the_return(w, ang)
    services.commune_submit(actor=w.officers[DAK_ANG], review=ang)
    services.commune_accept(actor=w.district_officer, review=ang)
    services.campaign_close(actor=w.district_approver, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    actions = set(
        AuditEvent.objects.filter(action__startswith="review_").values_list("action", flat=True)
    )
    assert {
        "review_campaign_open",
        "review_meeting",
        "review_decision",
        "review_commune_unlock",
        "review_campaign_close",
        "review_complaint_decide",
    } <= actions

    _check_transitions_and_plan(w)


def _check_documents(w: World, ang: CommuneReview, decision: object) -> None:
    v1 = ang.meetings.filter(village=w.villages[DAK_ANG, "V1"]).order_by("attempt")
    failed, passed = v1[0], v1[1]
    text = _pdf_text(render_pdf(minutes_of(failed)))
    assert text.count("Bản số") >= 2  # two copies in one file
    assert "A Lử H1 Đắk Ang" in text and "20" in text and "45" in text  # 9/20 = 45 %
    text = _docx_text(render_docx(minutes_of(passed)))
    assert "Thôn 1 Đắk Ang" in text and "75" in text  # 15/20
    posting = _pdf_text(render_pdf(posting_lists_of(ang, w.villages[DAK_ANG, "V1"])))
    assert "A Lử H2 Đắk Ang" in posting and "21/10/2020" in posting
    dec = _pdf_text(render_pdf(decision_of(decision)))  # type: ignore[arg-type]
    assert "15" in dec and "A Hùng" in dec and "A Lử H3 Đắk Ang" in dec
    dec_docx = _docx_text(render_docx(decision_of(decision)))  # type: ignore[arg-type]
    assert "28" in dec_docx and "A Lử H1 Đắk Ang" in dec_docx  # H1 escaped: annexed
    certs = certificates_of(decision, show_ids=False)  # type: ignore[arg-type]
    names = [c.head_name for c in certs]
    assert names == ["A Lử H2 Đắk Ang", "A Lử H3 Đắk Ang", "A Lử H5 Đắk Ang", "A Lử H6 Đắk Ang"]
    pdf = PdfReader(io.BytesIO(render_batch_pdf(certs)))
    assert len(pdf.pages) == len(certs)
    first = pdf.pages[0].extract_text()
    assert "A Lử H2 Đắk Ang" in first and "GCN-HN.HCN" in first and "2021" in first
    assert head_id(DAK_ANG, "H2") not in first  # masked without the right to see IDs


def _correct_after_the_return(w: World, ang: CommuneReview) -> None:
    """The result is back with the commune: it corrects H1 (an income mis-typed) through the
    survey form with a reason, and the chairman decides the correction; the registry keeps
    the first record and approves a second revision that corrects it."""
    first = _entry(ang, "H1").record
    assert first is not None
    page = _survey(w.officers[DAK_ANG], ang, "H1", values=inputs(1_250_000), expect=400)
    assert "Cần lý do điều chỉnh" in page  # a correction without a reason: nothing saved
    assert _entry(ang, "H1").record == first
    _survey(w.officers[DAK_ANG], ang, "H1", values=inputs(1_250_000), reason="Nhập sai thu nhập")
    assert _entry(ang, "H1").record is None
    with pytest.raises(ValidationError) as exc:  # the correction waits for its decision
        services.commune_submit(actor=w.officers[DAK_ANG], review=ang)
    assert exc.value.code == "undecided_entries"
    services.decide(
        actor=w.approvers[DAK_ANG],
        review=ang,
        number="30/QĐ-UBND",
        date=dt.date(YEAR, 11, 20),
        signer_name="A Hùng",
    )
    second = _entry(ang, "H1").record
    assert second is not None and second.pk != first.pk
    assert (second.revision, second.corrects_id) == (first.revision + 1, first.pk)
    assert second.state == ReviewState.APPROVED
    assert second.inputs["income"] == 1_250_000 and second.classification == "medium"
    assert ReviewRecord.objects.get(pk=first.pk).state == ReviewState.APPROVED  # kept


def _check_transitions_and_plan(w: World) -> None:
    communes = [c.pk for c in w.communes.values()]
    histories = unit_histories(
        actor=w.district_officer, unit=w.units.district, up_to=YEAR, communes=communes
    )
    poor = movement_tables(histories, YEAR - 1, YEAR, list_kind="poor", group_by=("unit",))
    by_unit = {k.unit_code: t for k, t in poor.groups.items()}
    ang = by_unit[str(w.communes[DAK_ANG].pk)]
    assert (ang.start.households, ang.end.households) == (2, 2)  # {H1, H2} → {H2, H3}
    assert ang.escaped.households == 1  # H1
    plan = load_demo_plan()
    lines = {line.unit_id: line for line in plan_actuals(plan=plan, actor=w.district_officer)}
    line = lines[w.communes[DAK_ANG].pk]
    assert (line.poor_start, line.poor_end, line.escaped) == (2, 2, 1)
    assert line.actual == 0
