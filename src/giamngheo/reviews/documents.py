"""The documents of a review, filled from the data: the plain dataclasses of
``giamngheo.core.documents`` built from campaign rows (the layout and the templates are the
core's), so that every name, number and date on paper is the one in the database.

* ``minutes_of(meeting)`` — biên bản họp dân (two copies);
* ``posting_lists_of(review, village)`` — the lists posted at a village house or the commune
  office (proposed poor, near-poor, escaped poverty, escaped near-poverty);
* ``decision_of(decision)`` — the recognition decision with its annexed lists;
* ``certificates_of(decision)`` — one certificate per recognised household, printed from its
  classification history (a multi-year card);
* ``refusal_of(application)`` and ``monthly_report_of(commune, year, month)``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from giamngheo.core.documents import (
    Certificate,
    CertificateMember,
    CertificateYear,
    DecisionRow,
    Head,
    MeetingMinutes,
    MinutesHousehold,
    MonthlyReport,
    MonthlyRow,
    Person,
    PostingList,
    PostingRow,
    RecognitionDecision,
    RefusalLetter,
    Signer,
)
from giamngheo.core.identity import mask_national_id
from giamngheo.core.review.certificate import YearClass, certificate_number, certificate_rows
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import (
    Classification,
    Household,
    Member,
    Relationship,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    CommuneReview,
    Decision,
    ListEntry,
    Meeting,
)

POOR, NEAR = Classification.POOR, Classification.NEAR_POOR
LISTED = (POOR, NEAR)
_CLASS_TEXT = {
    POOR: "Hộ nghèo",
    NEAR: "Hộ cận nghèo",
    Classification.MEDIUM: "Hộ có mức sống trung bình",
    Classification.NON_POOR: "Hộ không nghèo",
}


_PREFIXES = (
    "Xã ",
    "Phường ",
    "Thị trấn ",
    "Đặc khu ",
    "Huyện ",
    "Quận ",
    "Thị xã ",
    "Thành phố ",
    "Tỉnh ",
)


def bare_name(unit: AdminUnit) -> str:
    """The unit's name without its kind ("Đắk Ang" for "Xã Đắk Ang"), for place lines."""
    for p in _PREFIXES:
        if unit.name.startswith(p):
            return unit.name[len(p) :]
    return unit.name


def _upper_body(commune: AdminUnit, on: dt.date) -> str:
    """The issuing body's superior in the heading: the district the commune belonged to on
    the date, else its province (districts were abolished on 1/7/2025)."""
    parent = commune.parent
    while parent is not None and not parent.is_valid_on(on) and parent.parent is not None:
        parent = parent.parent
    return f"UBND {parent.name.upper()}" if parent is not None else ""


def _commune_title(commune: AdminUnit) -> str:
    return commune.name.upper()


def commune_head(commune: AdminUnit, when: dt.date, number: str | None, symbol: str) -> Head:
    return Head(
        superior=_upper_body(commune, when),
        issuer=f"UBND {_commune_title(commune)}",
        number=number,
        symbol=symbol,
        place=bare_name(commune),
        date=when,
    )


def _chairman(name: str) -> Signer:
    return Signer(authority="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name=name)


def _proposal(e: ListEntry) -> str:
    cls = e.proposed_class
    if cls in LISTED:
        return f"Đề nghị công nhận {_CLASS_TEXT[Classification(cls)].lower()}"
    if e.previous_class == POOR:
        return "Đề nghị công nhận thoát nghèo"
    if e.previous_class == NEAR:
        return "Đề nghị công nhận thoát cận nghèo"
    return "Không thuộc diện hộ nghèo, hộ cận nghèo"


def _summary(e: ListEntry) -> str:
    s = e.surveys.filter(final=True).order_by("-version").first()
    if s is None:
        return ""
    r = review_rules.target_result(s.result).national
    nums = review_rules.deprived_numbers(s.standard_id, r.deprived)
    basis = (
        f"điểm {r.income_score:g}".replace(".", ",")
        if r.decided_by == "score" and r.income_score is not None
        else f"thu nhập {int(r.income or 0):,}".replace(",", ".") + " đ/người/tháng"
    )
    dep = f"; thiếu hụt {', '.join(map(str, nums))}" if nums else "; không thiếu hụt"
    return basis + dep


def minutes_of(meeting: Meeting) -> MeetingMinutes:
    r = meeting.review
    commune, village = r.commune, meeting.village
    entries = meeting.entries.select_related("household").order_by("household__code")
    roles = [Person(name=n, role=role) for role, n in meeting.key_attendees]
    return MeetingMinutes(
        head=Head(
            superior=f"UBND {_commune_title(commune)}",
            issuer=village.name.upper(),
            number=None,
            symbol="",
            place=bare_name(commune),
            date=meeting.held_at.date(),
        ),
        commune=bare_name(commune),
        village=village.name,
        subject=f"bình xét kết quả rà soát hộ nghèo, hộ cận nghèo năm {r.campaign.year}",
        held_at=meeting.held_at,
        venue=meeting.venue or f"Nhà văn hóa {village.name}",
        chair=Person(name=meeting.chair, role="Trưởng thôn, chủ trì"),
        secretary=Person(name=meeting.secretary, role="Thư ký"),
        attendees=meeting.attendees,
        key_attendees=tuple(roles),
        households=tuple(
            MinutesHousehold(e.household.code, e.household.head_name, _proposal(e), _summary(e))
            for e in entries
        ),
        agreed=meeting.agreement,
        attempt=meeting.attempt,
    )


def _persons(households: Iterable[int]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for hid in Member.objects.filter(household_id__in=list(households)).values_list(
        "household_id", flat=True
    ):
        out[hid] += 1
    return out


def _posting_row(e: ListEntry, persons: dict[int, int]) -> PostingRow:
    hh = e.household
    return PostingRow(
        code=hh.code,
        head_name=hh.head_name,
        village=hh.village.name if hh.village else "",
        persons=persons.get(hh.pk, 0),
        ethnic_minority=hh.ethnic_minority,
    )


def _split(
    entries: Sequence[ListEntry], cls_of: dict[int, str]
) -> tuple[list[ListEntry], list[ListEntry], list[ListEntry], list[ListEntry]]:
    poor, near, out_poor, out_near = [], [], [], []
    for e in entries:
        cls = cls_of[e.pk]
        if cls == POOR:
            poor.append(e)
        elif cls == NEAR:
            near.append(e)
        elif e.previous_class == POOR:
            out_poor.append(e)
        elif e.previous_class == NEAR:
            out_near.append(e)
    return poor, near, out_poor, out_near


def posting_lists_of(review: CommuneReview, village: AdminUnit | None) -> PostingList:
    """The list posted at ``village``'s house (or, ``None``, at the commune office)."""
    assert review.posting_start is not None and review.posting_end is not None
    qs = review.entries.filter(screened_out=False).select_related("household__village")
    if village is not None:
        qs = qs.filter(household__village=village)
    entries = list(qs.order_by("household__village__name", "household__code"))
    persons = _persons(e.household_id for e in entries)
    poor, near, out_poor, out_near = _split(entries, {e.pk: e.proposed_class for e in entries})
    place = (
        f"Nhà văn hóa {village.name}"
        if village is not None
        else f"Trụ sở UBND xã {review.commune.name}"
    )
    return PostingList(
        head=commune_head(review.commune, review.posting_start, None, ""),
        commune=bare_name(review.commune),
        village=village.name if village is not None else None,
        subject=f"kết quả rà soát hộ nghèo, hộ cận nghèo định kỳ năm {review.campaign.year}",
        posting_place=place,
        start=review.posting_start,
        end=review.posting_end,
        poor=tuple(_posting_row(e, persons) for e in poor),
        near_poor=tuple(_posting_row(e, persons) for e in near),
        escaped_poor=tuple(_posting_row(e, persons) for e in out_poor),
        escaped_near_poor=tuple(_posting_row(e, persons) for e in out_near),
        complaints=(
            "Mọi ý kiến, khiếu nại xin gửi Ban Chỉ đạo rà soát xã tại trụ sở UBND "
            f"{review.commune.name} hoặc trưởng thôn"
        ),
        complaints_until=review.posting_end,
        signer=Signer(authority="TM. BAN CHỈ ĐẠO", title="TRƯỞNG BAN", name=""),
    )


def _decision_row(e: ListEntry, rec: ReviewRecord, persons: dict[int, int]) -> DecisionRow:
    hh = e.household
    if rec.classification in LISTED:
        text = _CLASS_TEXT[Classification(rec.classification)]
    else:
        text = "Thoát nghèo" if e.previous_class == POOR else "Thoát cận nghèo"
    return DecisionRow(
        code=hh.code,
        head_name=hh.head_name,
        village=hh.village.name if hh.village else "",
        persons=rec.persons or persons.get(hh.pk, 0),
        classification=text,
        deprived=tuple(review_rules.deprived_numbers(rec.standard_id, rec.deprived)),
    )


def _bases(review: CommuneReview, key: str) -> tuple[str, ...]:
    rules = review_rules.rules_of(review.campaign)
    cited = rules.cited.get(key)  # type: ignore[call-overload]
    return tuple(cited.for_year(review.campaign.year + 1)) if cited is not None else ()


def decision_of(decision: Decision) -> RecognitionDecision:
    r = decision.review
    entries = list(
        decision.entries.select_related("household__village", "record").order_by(
            "household__village__name", "household__code"
        )
    )
    persons = _persons(e.household_id for e in entries)
    recs = {e.pk: e.record for e in entries if e.record is not None}
    poor, near, out_poor, out_near = _split(entries, {k: v.classification for k, v in recs.items()})

    def rows(es: list[ListEntry]) -> tuple[DecisionRow, ...]:
        return tuple(_decision_row(e, recs[e.pk], persons) for e in es)

    return RecognitionDecision(
        head=commune_head(r.commune, decision.date, decision.number.split("/")[0], "QĐ-UBND"),
        commune=bare_name(r.commune),
        decider=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {_commune_title(r.commune)}",
        subject=(
            "công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo "
            f"năm {r.campaign.year + 1}"
        ),
        legal_bases=_bases(r, "decision"),
        poor=rows(poor),
        near_poor=rows(near),
        escaped_poor=rows(out_poor),
        escaped_near_poor=rows(out_near),
        effective=None,
        executors=(
            "Văn phòng HĐND và UBND xã, công chức phụ trách công tác giảm nghèo, "
            "trưởng các thôn và các hộ gia đình có tên tại Điều 1"
        ),
        signer=_chairman(decision.signer_name),
        recipients=("Như Điều 3;", "UBND cấp trên (báo cáo);", "Lưu: VT."),
    )


_RELATION = {
    Relationship.HEAD: "Chủ hộ",
    Relationship.SPOUSE: "Vợ/chồng",
    Relationship.CHILD: "Con",
    Relationship.PARENT: "Bố/mẹ",
    Relationship.GRANDCHILD: "Cháu",
    Relationship.SIBLING: "Anh/chị/em",
    Relationship.OTHER: "Khác",
}


def _history(household: Household, signers: dict[int, str]) -> list[YearClass]:
    recs = (
        ReviewRecord.objects.filter(household=household, state=ReviewState.APPROVED)
        .current()
        .order_by("review_date", "revision")
    )
    return [
        YearClass(
            review_year=rec.year,
            classification=rec.classification,  # type: ignore[arg-type]
            deprived=tuple(rec.deprived),
            standard_id=rec.standard_id,
            decision_date=rec.review_date,
            confirmed_by=signers.get(rec.pk, ""),
            review="adhoc" if rec.kind == ReviewKind.ADHOC else "periodic",
        )
        for rec in recs
    ]


def certificate_of(
    entry: ListEntry, decision: Decision, *, show_ids: bool, signers: dict[int, str]
) -> Certificate:
    hh = entry.household
    members = list(Member.objects.filter(household=hh).order_by("pk"))
    head = next((m for m in members if m.relationship == Relationship.HEAD), None)
    rows = certificate_rows(_history(hh, signers))
    nid = head.national_id if head is not None else ""
    assert entry.certificate_seq is not None
    rules = review_rules.rules_of(decision.review.campaign)
    first = rules.first_year + 1
    last = (rules.last_year + 1) if rules.last_year else first + 4
    return Certificate(
        head=commune_head(
            decision.review.commune,
            decision.date,
            certificate_number(entry.certificate_seq, decision.date.year).split("/")[0],
            "GCN-HN.HCN",
        ),
        certifier=f"ỦY BAN NHÂN DÂN {_commune_title(decision.review.commune)}",
        legal_bases=_bases(decision.review, "certificate"),
        period=f"{first} - {last}",
        head_name=hh.head_name,
        ethnicity=head.ethnicity if head is not None else "",
        id_number=(nid if show_ids else mask_national_id(nid)) if nid else "",
        residence=", ".join(
            p for p in (hh.address, hh.village.name if hh.village else "", hh.commune.name) if p
        ),
        members=tuple(
            CertificateMember(
                name=m.full_name,
                ethnicity=m.ethnicity,
                relation=_RELATION.get(Relationship(m.relationship), ""),
                birth_year=m.birth_year or 0,
                male=m.sex == "male",
            )
            for m in members
        ),
        years=tuple(
            CertificateYear(
                year=y.year,
                classification=y.mark,
                deprived=y.indicators,
                confirmed_on=y.decision_date,
                confirmed_by=y.confirmed_by,
            )
            for y in rows
        ),
        signer=_chairman(decision.signer_name),
    )


def certificates_of(decision: Decision, *, show_ids: bool) -> list[Certificate]:
    """One certificate per household the decision recognised poor or near-poor."""
    entries = list(
        decision.entries.filter(certificate_seq__isnull=False)
        .select_related("household__village", "household__commune")
        .order_by("certificate_seq")
    )
    signers = dict(
        ListEntry.objects.filter(household__in=[e.household_id for e in entries])
        .exclude(record=None)
        .values_list("record_id", "decision__signer_name")
    )
    return [certificate_of(e, decision, show_ids=show_ids, signers=signers) for e in entries]


def refusal_of(app: Application) -> RefusalLetter:
    assert app.state == ApplicationState.REFUSED and app.decision_date is not None
    hh = app.household
    applied = (
        "công nhận hộ nghèo, hộ cận nghèo"
        if app.kind == ApplicationKind.ENTER
        else "công nhận hộ thoát nghèo, thoát cận nghèo"
    )
    return RefusalLetter(
        head=commune_head(app.commune, app.decision_date, app.decision_number, "UBND"),
        summary=f"V/v trả lời đề nghị {applied}",
        responder=f"Ủy ban nhân dân {_lower_kind(app.commune)}",
        addressee_name=hh.head_name,
        addressee_residence=", ".join(
            p for p in (hh.address, hh.village.name if hh.village else "", app.commune.name) if p
        ),
        applied_for=applied,
        received=app.received,
        reasons=tuple(app.refusal_reasons),
        signer=_chairman(app.decided_by.get_full_name() if app.decided_by else ""),
        recipients=("Như trên;", "Lưu: VT."),
    )


def monthly_report_of(commune: AdminUnit, year: int, month: int, signer: str) -> MonthlyReport:
    """The commune's report of the ad-hoc decisions of ``month``, village by village."""
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    apps = list(
        Application.objects.filter(commune=commune)
        .filter(received__range=(start, end))
        .select_related("household__village")
        | Application.objects.filter(
            commune=commune, decision_date__range=(start, end)
        ).select_related("household__village")
    )
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for a in {a.pk: a for a in apps}.values():
        v = a.household.village.name if a.household.village else commune.name
        row = rows[v]
        if start <= a.received <= end:
            row[4] += 1
        decided = a.decision_date is not None and start <= a.decision_date <= end
        if decided and a.state == ApplicationState.REFUSED:
            row[5] += 1
        elif decided and a.state == ApplicationState.RECOGNISED:
            if a.kind == ApplicationKind.ENTER:
                row[0 if a.classification == POOR else 1] += 1
            else:
                prev = _previous_class(a)
                row[2 if prev == POOR else 3] += 1
    return MonthlyReport(
        head=commune_head(commune, end, None, "BC-UBND"),
        addressee=_addressee(commune, end),
        reporter=f"Ủy ban nhân dân {_lower_kind(commune)}",
        month=month,
        year=year,
        period_start=start,
        period_end=end,
        unit_label="Thôn",
        rows=tuple(MonthlyRow(v, *counts) for v, counts in sorted(rows.items())),
        signer=_chairman(signer),
    )


def _lower_kind(unit: AdminUnit) -> str:
    """ "xã Đắk Ang" for "Xã Đắk Ang": the kind in lower case inside a sentence."""
    bare = bare_name(unit)
    kind = unit.name[: len(unit.name) - len(bare)]
    return f"{kind.lower()}{bare}"


def _addressee(commune: AdminUnit, on: dt.date) -> str:
    parent = commune.parent
    while parent is not None and not parent.is_valid_on(on) and parent.parent is not None:
        parent = parent.parent
    return f"Ủy ban nhân dân {_lower_kind(parent)}" if parent is not None else ""


def _previous_class(app: Application) -> str:
    rec = (
        ReviewRecord.objects.filter(
            household=app.household, state=ReviewState.APPROVED, review_date__lt=app.received
        )
        .order_by("-review_date", "-revision")
        .first()
    )
    return rec.classification if rec is not None else ""
