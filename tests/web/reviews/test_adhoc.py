"""Monthly (ad-hoc) applications through the pages: receipt with the period's due date, the
survey on the ad-hoc standard, the village meeting, the posting and the decision — to an
approved ad-hoc registry record, or to the refusal letter with its reasons; the monthly report
and its due date; refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from giamngheo.core.standards import get_standard
from giamngheo.registry.models import Household, ReviewKind, ReviewRecord, ReviewState
from giamngheo.reviews.models import Application, ApplicationState

pytestmark = pytest.mark.django_db


def client_for(user: User, lang: str = "vi") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def _receive(c: Client, commune: Any, code: str, received: str, kind: str = "enter") -> Application:
    r = c.post(
        reverse("reviews:applications"),
        {"xa": commune.pk, "thang": received[:7], "code": code, "kind": kind, "received": received},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    app = Application.objects.get(household__code=code)
    assert r["Location"] == reverse("reviews:application", args=[app.pk])
    return app


def _survey(standard_id: str, income: str, *deprived: str) -> dict[str, str]:
    data = {"income": income, "action": "survey"}
    for key in get_standard(standard_id).indicator_keys:
        if key in deprived:
            data[f"dep_{key}"] = "on"
    return data


def _pdf_text(data: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return unicodedata.normalize("NFC", text)


def test_recognition_from_receipt_to_an_approved_adhoc_record(
    review_units: Any,
    review_households: dict[str, Household],
    commune_officer: User,
    approver: User,
) -> None:
    officer = client_for(commune_officer)
    app = _receive(officer, review_units.dak_ang, "DA-05", "2023-03-10")
    # QĐ 24/2021: received by the 15th → the cycle from 15/03, decision within 15 days
    assert (app.rules_id, app.cycle_start, app.due) == (
        "QD24-2021",
        dt.date(2023, 3, 15),
        dt.date(2023, 3, 30),
    )
    url = reverse("reviews:application", args=[app.pk])
    page = officer.get(url).content.decode()
    assert "15/03/2023" in page and "30/03/2023" in page and "Mẫu số 01" in page
    assert 'name="dep_employment"' in page  # NĐ 07/2021, the ad-hoc standard of 2023

    live = officer.post(
        reverse("reviews:application_classify", args=[app.pk]),
        _survey("ND07-2021", "1.000.000", "water", "sanitation", "telecom"),
    ).json()
    assert live["classification"] == "poor"
    r = officer.post(
        url,
        {
            **_survey("ND07-2021", "1.000.000", "water", "sanitation", "telecom"),
            "causes": ["capital"],
        },
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.SURVEYED and app.classification == "poor"
    assert app.causes == ["capital"] and app.inputs["income"] == 1_000_000

    r = officer.post(
        url, {"action": "meeting", "date": "2023-03-16", "attendees": "20", "agreement": "5"}
    )
    app.refresh_from_db()
    assert app.state == ApplicationState.RECEIVED  # below 50 %: survey again
    officer.post(url, _survey("ND07-2021", "1.000.000", "water", "sanitation", "telecom"))
    officer.post(
        url, {"action": "meeting", "date": "2023-03-17", "attendees": "20", "agreement": "15"}
    )
    officer.post(url, {"action": "post", "start": "2023-03-20"})
    app.refresh_from_db()
    assert app.state == ApplicationState.POSTED and app.posting_end is not None
    page = officer.get(url).content.decode()
    assert f"{app.posting_end:%d/%m/%Y}" in page

    # the officer is no approver: 403, nothing changes
    r = officer.post(
        url,
        {
            "action": "recognise",
            "number": "15/QĐ-UBND",
            "date": f"{app.posting_end + dt.timedelta(days=1):%Y-%m-%d}",
        },
    )
    assert r.status_code == 403
    chairman = client_for(approver)
    early = chairman.post(
        url, {"action": "recognise", "number": "15/QĐ-UBND", "date": f"{app.posting_end:%Y-%m-%d}"}
    )
    assert early.status_code == 200 and "sau khi hết thời gian niêm yết" in early.content.decode()
    r = chairman.post(
        url,
        {
            "action": "recognise",
            "number": "15/QĐ-UBND",
            "date": f"{app.posting_end + dt.timedelta(days=1):%Y-%m-%d}",
        },
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.RECOGNISED and app.record is not None
    rec = ReviewRecord.objects.get(pk=app.record.pk)
    assert rec.kind == ReviewKind.ADHOC and rec.state == ReviewState.APPROVED
    assert rec.classification == "poor" and rec.household.code == "DA-05"
    assert "15/QĐ-UBND" in chairman.get(url).content.decode()


def test_refusal_letter_names_the_head_and_the_reasons(
    review_units: Any,
    review_households: dict[str, Household],
    commune_officer: User,
    approver: User,
) -> None:
    officer = client_for(commune_officer)
    app = _receive(officer, review_units.dak_ang, "DA-06", "2023-05-03")
    url = reverse("reviews:application", args=[app.pk])
    officer.post(url, _survey("ND07-2021", "3.200.000"))
    chairman = client_for(approver)
    reasons = (
        "Thu nhập bình quân 3.200.000 đồng/người/tháng, trên chuẩn cận nghèo\n"
        "Không thiếu hụt chỉ số nào"
    )
    r = chairman.post(
        url, {"action": "refuse", "number": "21/UBND", "date": "2023-05-20", "reasons": reasons}
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.REFUSED and len(app.refusal_reasons) == 2
    page = chairman.get(url).content.decode()
    assert "Không thiếu hụt chỉ số nào" in page
    pdf = chairman.get(reverse("reviews:refusal", args=[app.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "Lê Văn Hùng" in text and "trên chuẩn cận nghèo" in text
    assert "Không thiếu hụt chỉ số nào" in text
    docx = chairman.get(reverse("reviews:refusal", args=[app.pk, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    other = Application.objects.create(
        commune=app.commune,
        household=app.household,
        kind="enter",
        rules_id=app.rules_id,
        form=app.form,
        received=app.received,
        cycle_start=app.cycle_start,
        due=app.due,
    )
    assert chairman.get(reverse("reviews:refusal", args=[other.pk, "pdf"])).status_code == 404


def test_tt17_due_seven_working_days_from_receipt(
    review_units: Any,
    review_households: dict[str, Household],
    commune_officer: User,
) -> None:
    officer = client_for(commune_officer)
    app = _receive(officer, review_units.dak_ang, "DA-03", "2019-03-04")  # a Monday
    assert app.rules_id == "TT17-2016" and app.cycle_start == dt.date(2019, 3, 4)
    assert app.due == dt.date(2019, 3, 13)  # Tue 5 … Fri 8, Mon 11 … Wed 13
    page = officer.get(reverse("reviews:application", args=[app.pk])).content.decode()
    assert "13/03/2019" in page and "Mẫu 1a" in page
    assert 'name="dep_water"' in page and 'name="dep_employment"' not in page  # QĐ 59/2015
    month = officer.get(
        reverse("reviews:applications"), {"xa": review_units.dak_ang.pk, "thang": "2019-03"}
    ).content.decode()
    assert "DA-03" in month and "13/03/2019" in month and "quá hạn" in month
    assert "overdue" in month  # open since 2019: red, with its days


def test_monthly_report_due_and_download(
    review_units: Any,
    review_households: dict[str, Household],
    commune_officer: User,
    district_officer: User,
) -> None:
    officer = client_for(commune_officer)
    _receive(officer, review_units.dak_ang, "DA-04", "2023-03-20")
    app = Application.objects.get(household__code="DA-04")
    # after the 15th: next month's cycle; 30/04 falls in the 29/4–3/5 holidays → 04/05
    assert (app.cycle_start, app.due) == (dt.date(2023, 4, 15), dt.date(2023, 5, 4))
    page = officer.get(reverse("reviews:applications"), {"thang": "2023-03"}).content.decode()
    assert "DA-04" in page and "05/04/2023" in page  # QĐ 24/2021: on the 5th of the next month
    # February's report is due on Sunday 5/3/2023: the next working day, Monday 6/3.
    feb = officer.get(reverse("reviews:applications"), {"thang": "2023-02"}).content.decode()
    assert "06/03/2023" in feb and "05/03/2023" not in feb
    october = officer.get(reverse("reviews:applications"), {"thang": "2023-10"}).content.decode()
    assert "Không có báo cáo tháng phải nộp cho tháng này" in october
    en = client_for(commune_officer, "en").get(
        reverse("reviews:applications"), {"thang": "2023-10"}
    )
    assert "No monthly report is due for this month" in en.content.decode()
    # the district officer chooses the commune
    district = client_for(district_officer)
    assert "Chọn xã" in district.get(reverse("reviews:applications")).content.decode()
    chosen = district.get(
        reverse("reviews:applications"), {"xa": review_units.dak_ang.pk, "thang": "2023-03"}
    )
    assert "DA-04" in chosen.content.decode()
    pdf = officer.get(
        reverse("reviews:monthly_report"),
        {"xa": review_units.dak_ang.pk, "thang": "2023-03", "dinh_dang": "pdf"},
    )
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert "ĐẮK ANG" in _pdf_text(pdf.content)


def test_refusals_change_nothing(
    *,
    review_units: Any,
    review_households: dict[str, Household],
    commune_officer: User,
    other_commune_officer: User,
    leader: User,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    app = _receive(client_for(commune_officer), review_units.dak_ang, "DA-01", "2023-03-10")
    url = reverse("reviews:application", args=[app.pk])
    before = snapshot()
    other = client_for(other_commune_officer)
    assert other.get(url).status_code == 404
    assert other.post(url, _survey("ND07-2021", "900.000")).status_code == 404
    assert (
        other.get(reverse("reviews:applications"), {"xa": review_units.dak_ang.pk}).status_code
        == 404
    )
    lead = client_for(leader)
    assert lead.get(url).status_code == 200
    r = lead.post(url, _survey("ND07-2021", "900.000"))
    assert r.status_code == 403 and "Không có quyền" in r.content.decode()
    r = lead.post(
        reverse("reviews:applications"),
        {"xa": review_units.dak_ang.pk, "code": "DA-02", "kind": "enter", "received": "2023-03-11"},
    )
    assert r.status_code == 403
    assert snapshot() == before


def test_a_commune_with_a_large_id_receives_applications(review_units: Any) -> None:
    """Ids of four digits and more are written without the Vietnamese thousands separator in
    the page's hidden fields (5.529 would not be read back as a commune): the form works for
    every commune of a country-wide database, not only the first thousand."""
    from giamngheo.accounts.models import Role, UserProfile
    from giamngheo.geo.models import AdminUnit, Kind, Level

    big = AdminUnit.objects.create(
        pk=12345,
        name="Xã Thử Nghiệm",
        kind=Kind.COMMUNE,
        level=Level.COMMUNE,
        code="99999",
        parent=review_units.district,
        valid_to=review_units.dak_ang.valid_to,
    )
    Household.objects.create(commune=big, code="TN-01", head_name="A Thử")
    officer = User.objects.create_user(username="rs_big", password="x")
    UserProfile.objects.create(user=officer, unit=big, role=Role.COMMUNE_OFFICER)
    c = client_for(officer)
    page = c.get(reverse("reviews:applications"), {"thang": "2023-03"}).content.decode()
    assert 'name="xa" value="12345"' in page and "12.345" not in page
    app = _receive(c, big, "TN-01", "2023-03-10")
    assert app.household.commune_id == 12345
