"""The demo's review campaign: Ngọc Hồi's 2020 periodic review, seen as of 09/10/2020.

The seed plan asks the communes to review in September 2020 and report to the district before
15/10/2020: those are the unit's own deadlines here (survey 30/09, report 15/10). Five
communes are done — their result accepted and locked, their 2020 records the registry demo's
approved ones, each with its list, surveys, meetings, posting and decision. Three are in
progress, their 2020 reviews still drafts from a committed import (the registry demo stores
them so, ``DRAFTS_FOR``):

* Đắk Ang — surveys from the import, every village agreed, the lists posted on 05/10 (until
  14/10), one complaint open;
* Đắk Dục — surveys from the import, the meeting of one village failed its vote (its
  households back to survey);
* Bờ Y — half of its listed households surveyed: the survey step, due 30/09, is overdue.

The pages read "today" from ``GIAMNGHEO_TODAY`` when it is set (``giamngheo demo`` sets it to
``AS_OF``), so the campaign shows what was due that week and what was overdue.
Idempotent: a second call returns the existing campaign.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from giamngheo.geo.services import load_ngoc_hoi_demo
from giamngheo.registry.models import (
    Classification,
    ImportBatch,
    ImportStatus,
    Member,
    ReviewKind,
    ReviewRecord,
    ReviewState,
)
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews.models import (
    STEP_KEYS,
    Campaign,
    CommuneReview,
    CommuneState,
    Decision,
    ListEntry,
    Meeting,
    Source,
    Survey,
    SurveyState,
)
from giamngheo.reviews.selectors import current_classes, voted_versions
from giamngheo.reviews.services import (
    assign,
    campaign_open,
    complaint_open,
    figures_of,
    import_into_campaign,
    list_generate,
    meeting_record,
    posting_start,
    survey_save,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from giamngheo.geo.models import AdminUnit

YEAR = 2020
AS_OF = dt.date(2020, 10, 9)
POSTED, MEETING, OVERDUE = "23380", "23383", "23395"  # Đắk Ang, Đắk Dục, Bờ Y
IN_PROGRESS = (POSTED, MEETING, OVERDUE)
#: What the registry demo keeps as drafts: the in-progress communes' 2020 reviews.
DRAFTS_FOR: tuple[tuple[str, int], ...] = tuple((c, YEAR) for c in IN_PROGRESS)
#: The seed's own deadlines ("rà soát trong tháng 9/2020 … báo cáo về huyện trước 15/10/2020").
OVERRIDES = {"survey": dt.date(2020, 9, 30), "report": dt.date(2020, 10, 15)}
LISTED = (Classification.POOR, Classification.NEAR_POOR)
CHAIRMEN = ("A Hùng", "Y Bình", "A Thái", "Y Mai", "A Sang", "Y Hương", "A Dũng", "Y Lan")


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@transaction.atomic
def load_demo_campaign(
    actor: AbstractBaseUser, reviewer: AbstractBaseUser | None = None
) -> Campaign:
    units = load_ngoc_hoi_demo()
    existing = Campaign.objects.filter(unit=units.district, year=YEAR).first()
    if existing is not None:
        return existing
    campaign = campaign_open(
        actor=actor,
        unit=units.district,
        year=YEAR,
        name="Rà soát hộ nghèo, hộ cận nghèo năm 2020 — huyện Ngọc Hồi (KH 252/KH-UBND)",
        overrides=OVERRIDES,
    )
    for n, review in enumerate(campaign.communes.select_related("commune")):
        code = review.commune.code
        if code not in IN_PROGRESS:
            _done(review, actor, CHAIRMEN[n % len(CHAIRMEN)], n + 1)
    _posted(campaign.communes.get(commune__code=POSTED), actor, reviewer)
    _meeting_failed(campaign.communes.get(commune__code=MEETING), actor)
    _overdue(campaign.communes.get(commune__code=OVERDUE), actor)
    _backdate(campaign)
    return campaign


#: When the in-progress communes did the steps the loader ran today.
_STEP_DAYS = {
    "list": dt.date(YEAR, 9, 8),
    "assign": dt.date(YEAR, 9, 10),
    "survey": dt.date(YEAR, 9, 29),
}


def _backdate(campaign: Campaign) -> None:
    for review in campaign.communes.filter(commune__code__in=IN_PROGRESS):
        for key, day in _STEP_DAYS.items():
            if key in review.done:
                review.done[key] = day.isoformat()
        review.save(update_fields=["done"])


# --- done communes: built from the registry demo's approved 2020 records ----------------------
def _done(review: CommuneReview, actor: AbstractBaseUser, chairman: str, n: int) -> None:
    """The commune's finished review, in bulk: the list (2019's poor and near-poor plus 2020's),
    one final survey each, a passed meeting per village, the posting, the decision, accepted."""
    records = {
        r.household_id: r
        for r in ReviewRecord.objects.filter(
            household__commune=review.commune,
            year=YEAR,
            kind=ReviewKind.PERIODIC,
            state=ReviewState.APPROVED,
        ).select_related("household")
    }
    when = dt.date(YEAR, 10, 1 + n)
    decision = Decision.objects.create(
        review=review, number=f"{30 + n}/QĐ-UBND", date=when, signer_name=chairman
    )
    _done_list(review, records, decision)
    saved = list(review.entries.select_related("household"))
    _done_surveys(review, saved, records, actor)
    _done_meetings(review, saved, actor)
    _done_steps(review, when)
    review.carried_over = len(records) - len(saved)
    review.state = CommuneState.ACCEPTED
    review.locked = True
    review.submitted_at = review.accepted_at = _at(when, 15)
    review.accepted_by_id = actor.pk
    review.save()
    review.accepted_figures = figures_of(review)
    review.save(update_fields=["accepted_figures"])


def _done_list(review: CommuneReview, records: dict[int, ReviewRecord], decision: Decision) -> None:
    before = current_classes(review.commune, YEAR)
    listed = sorted(
        hid for hid, r in records.items() if r.classification in LISTED or before.get(hid) in LISTED
    )
    entries, seq = [], 0
    for hid in listed:
        rec = records[hid]
        recognised = rec.classification in LISTED
        seq += recognised
        on_list = before.get(hid) in LISTED
        entries.append(
            ListEntry(
                review=review,
                household_id=hid,
                source=Source.CURRENT if on_list else Source.MANUAL,
                reason="" if on_list else "Hộ phát sinh qua rà soát",
                previous_class=before.get(hid, ""),
                survey_state=SurveyState.DONE,
                proposed_class=rec.classification,
                record=rec,
                decision=decision,
                certificate_seq=seq if recognised else None,
            )
        )
    ListEntry.objects.bulk_create(entries)


def _done_surveys(
    review: CommuneReview,
    saved: list[ListEntry],
    records: dict[int, ReviewRecord],
    actor: AbstractBaseUser,
) -> None:
    campaign = review.campaign
    persons: dict[int, int] = defaultdict(int)
    members = Member.objects.filter(household_id__in=[e.household_id for e in saved])
    for hid in members.values_list("household_id", flat=True):
        persons[hid] += 1
    surveys = []
    for e in saved:
        rec = records[e.household_id]
        res = review_rules.classify(campaign, e.household, rec.inputs, persons[e.household_id])
        surveys.append(
            Survey(
                entry=e,
                final=True,
                standard_id=campaign.standard_id,
                inputs=rec.inputs,
                causes=rec.causes,
                persons=persons[e.household_id],
                result=res.data,
                classification=res.classification,
                entered_by_id=actor.pk,
            )
        )
    Survey.objects.bulk_create(surveys)


def _done_meetings(review: CommuneReview, saved: list[ListEntry], actor: AbstractBaseUser) -> None:
    by_village: dict[int, list[ListEntry]] = defaultdict(list)
    for e in saved:
        if e.household.village_id is not None:
            by_village[e.household.village_id].append(e)
    for village_id, es in sorted(by_village.items()):
        m = Meeting.objects.create(
            review=review,
            village_id=village_id,
            held_at=_at(dt.date(YEAR, 9, 11), 19),
            chair="Trưởng thôn",
            secretary="Thư ký thôn",
            attendees=40,
            agreement=35,
            key_attendees=[["Bí thư chi bộ", ""], ["Đại diện MTTQ xã (giám sát)", ""]],
            passed=True,
            versions=voted_versions(e.pk for e in es),
            recorded_by_id=actor.pk,
        )
        m.entries.set(es)


def _done_steps(review: CommuneReview, when: dt.date) -> None:
    campaign = review.campaign
    start = dt.date(YEAR, 9, 14)
    review.posting_start = start
    review.posting_end = review_rules.posting_end(campaign, review_rules.rules_of(campaign), start)
    review.posting_places = "Nhà văn hóa các thôn và trụ sở UBND xã"
    days = (
        dt.date(YEAR, 9, 4),
        dt.date(YEAR, 9, 7),
        dt.date(YEAR, 9, 9),
        dt.date(YEAR, 9, 11),
        start,
        review.posting_end,
        when,
        when,
    )
    review.done = {k: d.isoformat() for k, d in zip(STEP_KEYS, days, strict=True)}


# --- in progress -----------------------------------------------------------------------------
def _from_file(review: CommuneReview, actor: AbstractBaseUser) -> None:
    list_generate(actor=actor, review=review)
    batch = ImportBatch.objects.create(
        file_name=f"ra-soat-{YEAR}-{review.commune.code}.xlsx",
        sha256=f"demo-{review.commune.code}".ljust(64, "0"),
        scope=review.commune,
        year=YEAR,
        kind=ReviewKind.PERIODIC,
        status=ImportStatus.COMMITTED,
        created_by_id=actor.pk,
        committed_at=_at(dt.date(YEAR, 9, 28)),
    )
    import_into_campaign(actor=actor, review=review, batch=batch)


def _villages(review: CommuneReview) -> list[AdminUnit]:
    from giamngheo.geo.models import AdminUnit

    ids = set(
        review.entries.exclude(household__village=None).values_list(
            "household__village_id", flat=True
        )
    )
    return list(AdminUnit.objects.filter(pk__in=ids).order_by("name"))


def _meet(
    review: CommuneReview, actor: AbstractBaseUser, village: AdminUnit, day: dt.date, agree: int
) -> None:
    meeting_record(
        actor=actor,
        review=review,
        village=village,
        held_at=_at(day, 19),
        chair=f"Trưởng {village.name.lower()}",
        secretary="Thư ký thôn",
        attendees=40,
        agreement=agree,
        key_attendees=[
            ("Bí thư chi bộ", ""),
            ("Chi hội trưởng Hội Phụ nữ", ""),
            ("Đại diện MTTQ xã (giám sát)", ""),
        ],
        venue=f"Nhà văn hóa {village.name.lower()}",
    )


def _posted(
    review: CommuneReview, actor: AbstractBaseUser, reviewer: AbstractBaseUser | None
) -> None:
    _from_file(review, actor)
    for v in _villages(review):
        assign(actor=actor, review=review, reviewer=reviewer or actor, village_id=v.pk)
        _meet(review, actor, v, dt.date(YEAR, 10, 1), agree=31)
    posting_start(actor=actor, review=review, start=dt.date(YEAR, 10, 5))
    entry = review.entries.filter(proposed_class__in=LISTED).order_by("household__code").first()
    if entry is not None:
        complaint_open(
            actor=actor,
            review=review,
            entry=entry,
            complainant="Đại diện hộ lân cận",
            received=dt.date(YEAR, 10, 7),
            content="Đề nghị phúc tra thu nhập của hộ: gia đình mới mua xe máy và máy cày.",
        )


def _meeting_failed(review: CommuneReview, actor: AbstractBaseUser) -> None:
    _from_file(review, actor)
    villages = _villages(review)
    for v in villages:
        assign(actor=actor, review=review, reviewer=actor, village_id=v.pk)
    if villages:
        _meet(review, actor, villages[0], dt.date(YEAR, 10, 8), agree=17)


def _overdue(review: CommuneReview, actor: AbstractBaseUser) -> None:
    list_generate(actor=actor, review=review)
    for v in _villages(review):
        assign(actor=actor, review=review, reviewer=actor, village_id=v.pk)
    drafts = {
        r.household_id: r
        for r in ReviewRecord.objects.filter(
            household__commune=review.commune, year=YEAR, state=ReviewState.DRAFT
        )
    }
    entries = list(review.entries.order_by("household__code"))
    for i, e in enumerate(entries[: len(entries) // 2]):
        d = drafts.get(e.household_id)
        if d is not None:
            survey_save(actor=actor, entry=e, inputs=d.inputs, causes=d.causes, final=i % 5 != 0)
