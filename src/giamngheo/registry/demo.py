"""The demo registry: synthetic Ngọc Hồi households, members and approved reviews for 2018,
2019 and 2020 (``giamngheo.core.synth.history.ngoc_hoi_history``), so that the transitions and
the plan's baseline are visible right after ``giamngheo demo``.

:func:`load_demo_registry` is idempotent: a marker audit event records a finished load and a
second call returns at once; a household whose code already exists in its commune is left as
it is (with its members and reviews). Everything is written in one transaction with
multi-row inserts (``registry.bulk.insert_many``): about 16,300 households, 65,000 members and
48,000 reviews in well under 30 s on SQLite.

What is stored, from the synthetic registry:

* the villages it uses (up to 27 per commune, "Thôn 5", "Tổ dân phố 12") that the geography
  demo does not create, as thôn / tổ dân phố under the pre-2025 commune with its validity;
* households with their policy groups and status: moved away, dissolved, merged (with a date
  in the year of the first review they miss, 30 June, and for a merger the household joined);
* how each arrival came in, on the household itself: ``entry_reason`` (moved in, split off),
  ``entry_date`` (a day of its entry year between 15 March and late November, before that
  year's review on 31 December) and, for a split-off, ``came_from`` (the household it split
  from);
* members with sex, year of birth, relationship, ethnicity, 12-digit citizen ID (aged 14+),
  health insurance, schooling (in school or not) and disability;
* one periodic review per household per year under QĐ 59/2015, classified again by the
  standards engine (its explanation stored; a different result than the synthetic one raises),
  with the causes of poverty, **approved** by the inactive demo account "du-lieu-mau".
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from giamngheo.accounts.models import Role, UserProfile
from giamngheo.core.numbers import format_int
from giamngheo.core.standards import classify_household, get_standard
from giamngheo.core.synth.history import DemoRegistry, Entry, ngoc_hoi_history
from giamngheo.geo.models import AdminUnit, Kind, Level
from giamngheo.geo.services import load_ngoc_hoi_demo
from giamngheo.registry.audit import audit
from giamngheo.registry.bulk import insert_many, tune_connection
from giamngheo.registry.models import (
    MEMBER_DATA_FIELDS,
    AuditEvent,
    EntryReason,
    Household,
    HouseholdStatus,
    Member,
    Relationship,
    ReviewKind,
    ReviewRecord,
    ReviewState,
    name_key,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

__all__ = ["DEMO_LOADER_USERNAME", "DemoRegistrySummary", "load_demo_registry"]

#: The account named as author and approver (the same as the plans demo's; cannot log in).
DEMO_LOADER_USERNAME = "du-lieu-mau"
MARKER_ACTION = "demo_load"
MARKER_TYPE = "registry.demo"
CHUNK = 5000

_RELATIONSHIP = {
    "Chủ hộ": Relationship.HEAD,
    "Vợ": Relationship.SPOUSE,
    "Chồng": Relationship.SPOUSE,
    "Con": Relationship.CHILD,
    "Cháu": Relationship.GRANDCHILD,
    "Bố": Relationship.PARENT,
    "Mẹ": Relationship.PARENT,
    "Khác": Relationship.OTHER,
}
#: The synthetic data's causes → the registry's standard list.
_CAUSE = {
    "lack_land": "land",
    "lack_capital": "capital",
    "lack_labour": "labour",
    "lack_tools": "tools",
    "lack_knowhow": "know_how",
    "lack_skills": "skills",
    "illness_accident": "illness",
    "other": "other",
}
_STATUS = {
    "active": HouseholdStatus.ACTIVE,
    "moved_away": HouseholdStatus.MOVED_AWAY,
    "dissolved": HouseholdStatus.DISSOLVED,
    "merged": HouseholdStatus.MERGED,
}
_ENTRY = {Entry.MOVED_IN: EntryReason.MOVED_IN, Entry.SPLIT_OFF: EntryReason.SPLIT_OFF}
#: Arrival dates: from 15 March of the entry year, within 260 days (so by 29 November, before
#: the review on 31 December).
_ENTRY_FROM = (3, 15)
_ENTRY_SPAN = 260

T = TypeVar("T")


@dataclass(frozen=True)
class DemoRegistrySummary:
    households: int
    members: int
    reviews: int
    villages: int
    seconds: float
    already_loaded: bool = False
    drafts: int = 0

    def __str__(self) -> str:
        hh, mm, rr = (format_int(n) for n in (self.households, self.members, self.reviews))
        if self.already_loaded:
            return (
                f"đã có sẵn / already loaded: {hh} hộ/households, {mm} thành viên/members, "
                f"{rr} phiếu/reviews"
            )
        drafts = (
            f", {format_int(self.drafts)} dự thảo chờ duyệt/drafts awaiting approval"
            if self.drafts
            else ""
        )
        return (
            f"{hh} hộ/households, {mm} thành viên/members, {rr} phiếu rà soát/reviews "
            f"2018–2020 (đã duyệt/approved{drafts}), {self.villages} thôn mới/new villages "
            f"({self.seconds:.1f} s)"
        )


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _entry_date(year: int, n: int) -> dt.date:
    """The ``n``-th arrival's date in its entry ``year``: 15 March + (n mod 260) days."""
    return dt.date(year, *_ENTRY_FROM) + dt.timedelta(days=n % _ENTRY_SPAN)


def demo_loader_user(district: AdminUnit) -> AbstractBaseUser:
    """The inactive "du-lieu-mau" account (created when missing, like the plans demo's)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=DEMO_LOADER_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    UserProfile.objects.get_or_create(
        user=user, defaults={"unit_id": district.pk, "role": Role.DISTRICT_OFFICER}
    )
    return user


def _villages(registry: DemoRegistry, communes: dict[str, AdminUnit]) -> tuple[dict[Any, int], int]:
    """(commune code, village name) → village pk, creating the missing villages."""
    existing = {
        (parent, name): pk
        for pk, parent, name in AdminUnit.objects.filter(
            parent__in=list(communes.values()), code=""
        ).values_list("pk", "parent_id", "name")
    }
    new: list[AdminUnit] = []
    for code, names in registry.villages.items():
        commune = communes[code]
        for name in names:
            if (commune.pk, name) not in existing:
                unit = AdminUnit(
                    code="",
                    name=name,
                    kind=Kind.TO_DAN_PHO if name.startswith("Tổ") else Kind.THON,
                    level=Level.VILLAGE,
                    parent=commune,
                    area=commune.area,
                    valid_from=commune.valid_from,
                    valid_to=commune.valid_to,
                )
                unit.fill_derived()
                new.append(unit)
    AdminUnit.objects.bulk_create(new)
    by_name = {
        (parent, name): pk
        for pk, parent, name in AdminUnit.objects.filter(
            parent__in=list(communes.values()), code=""
        ).values_list("pk", "parent_id", "name")
    }
    code_of = {c.pk: code for code, c in communes.items()}
    return {(code_of[p], n): pk for (p, n), pk in by_name.items()}, len(new)


def _marker_id(seed: int) -> str:
    return f"ngoc_hoi_history:{seed}"


def _loaded_summary(seed: int, started: float) -> DemoRegistrySummary | None:
    if not AuditEvent.objects.filter(
        action=MARKER_ACTION, object_type=MARKER_TYPE, object_id=_marker_id(seed)
    ).exists():
        return None
    units = load_ngoc_hoi_demo()
    communes = list(units.communes_old.values())
    return DemoRegistrySummary(
        households=Household.objects.filter(commune__in=communes).count(),
        members=Member.objects.filter(household__commune__in=communes).count(),
        reviews=ReviewRecord.objects.filter(household__commune__in=communes).count(),
        villages=0,
        seconds=time.perf_counter() - started,
        already_loaded=True,
    )


@transaction.atomic
def load_demo_registry(
    seed: int = 1, drafts_for: Collection[tuple[str, int]] = ()
) -> DemoRegistrySummary:
    """Load the synthetic Ngọc Hồi registry (idempotent; see the module docstring).

    ``drafts_for``: (commune GSO code, year) pairs whose reviews are stored as **drafts**, as
    a committed import awaiting approval leaves them — the demo's review campaign carries
    them through its steps (``giamngheo.reviews.demo``)."""
    started = time.perf_counter()
    done = _loaded_summary(seed, started)
    if done is not None:
        return done
    units = load_ngoc_hoi_demo()
    communes = units.communes_old
    loader = demo_loader_user(units.district)
    registry = ngoc_hoi_history(seed=seed)
    tune_connection()
    village_pk, villages_created = _villages(registry, communes)

    existing = set(
        Household.objects.filter(commune__in=list(communes.values())).values_list(
            "commune_id", "code"
        )
    )
    todo = [h for h in registry.households if (communes[h.commune_code].pk, h.code) not in existing]
    load = _Load(registry, communes, loader.pk, timezone.now(), set(drafts_for))
    load.insert_households(todo, village_pk)
    load.link_households(todo)
    new_ids = {h.household_id for h in todo}
    members = [m for m in registry.members if m.household_id in new_ids]
    load.insert_members(members)
    reviews = [r for r in registry.reviews if r.household_id in new_ids]
    load.insert_reviews(reviews)

    audit(
        loader,
        MARKER_ACTION,
        object_type=MARKER_TYPE,
        object_id=_marker_id(seed),
        object_repr="Ngọc Hồi 2018–2020",
        changes={"households": len(todo), "members": len(members), "reviews": len(reviews)},
    )
    return DemoRegistrySummary(
        households=len(todo),
        members=len(members),
        reviews=len(reviews),
        villages=villages_created,
        seconds=time.perf_counter() - started,
        drafts=sum(
            (registry.household(r.household_id).commune_code, r.year) in load.drafts_for
            for r in reviews
        ),
    )


_HOUSEHOLD_FIELDS = (
    "commune_id",
    "village_id",
    "code",
    "head_name",
    "head_name_key",
    "address",
    "ethnic_minority",
    "area",
    "indigenous_minority",
    "no_labour_capacity",
    "merit_member",
    "social_assistance_member",
    "female_head",
    "status",
    "status_date",
    "went_to_id",
    "entry_reason",
    "entry_date",
    "created_by_id",
    "created_at",
    "updated_at",
)
_MEMBER_FIELDS = ("household_id", *MEMBER_DATA_FIELDS, "created_by_id", "created_at")
_REVIEW_FIELDS = (
    "household_id",
    "year",
    "kind",
    "review_date",
    "standard_id",
    "inputs",
    "persons",
    "classification",
    "poor_basis",
    "deprivation_count",
    "deprived",
    "explanation_vi",
    "explanation_en",
    "causes",
    "state",
    "revision",
    "corrects_id",
    "approved_by_id",
    "approved_at",
    "created_by_id",
    "created_at",
)


class _Load:
    """One load of the synthetic registry: the steps of :func:`load_demo_registry`, in order
    (households, their links to each other, members, reviews), all by the demo account."""

    def __init__(
        self,
        registry: DemoRegistry,
        communes: dict[str, AdminUnit],
        loader_id: int,
        now: dt.datetime,
        drafts_for: set[tuple[str, int]] | None = None,
    ) -> None:
        self.registry, self.communes = registry, communes
        self.loader_id, self.now = loader_id, now
        self.drafts_for = drafts_for or set()
        self.code_pk: dict[tuple[int, str], int] = {}

    def pk_of(self, household_id: str) -> int:
        h = self.registry.household(household_id)
        return self.code_pk[(self.communes[h.commune_code].pk, h.code)]

    def insert_households(
        self, todo: Sequence[Any], village_pk: dict[tuple[str, str], int]
    ) -> None:
        communes, now = self.communes, self.now
        for chunk in _chunks(todo):
            insert_many(
                Household,
                _HOUSEHOLD_FIELDS,
                (
                    (
                        communes[h.commune_code].pk,
                        village_pk.get((h.commune_code, h.village)),
                        h.code,
                        h.head_name,
                        name_key(h.head_name),
                        h.address,
                        h.ethnic_minority,
                        h.area,
                        h.local_ethnic_minority,
                        h.no_working_capacity,
                        h.person_of_merit,
                        h.social_assistance,
                        h.female_head,
                        _STATUS[h.status.value].value,
                        dt.date(h.status_year, 6, 30) if h.status_year else None,
                        None,
                        _ENTRY[h.entry].value if h.entry in _ENTRY else EntryReason.ORIGINAL.value,
                        _entry_date(h.entry_year, n) if h.entry in _ENTRY else None,
                        self.loader_id,
                        now,
                        now,
                    )
                    for n, h in enumerate(chunk)
                ),
            )
        self.code_pk = {
            (commune_id, code): pk
            for pk, commune_id, code in Household.objects.filter(
                commune__in=list(communes.values())
            ).values_list("pk", "commune_id", "code")
        }

    def link_households(self, todo: Sequence[Any]) -> None:
        """Mergers name the household joined; split-offs the household split from."""
        merged = [h for h in todo if h.status.value == "merged" and h.related_household_id]
        went = [Household(pk=self.pk_of(h.household_id)) for h in merged]
        for obj, h in zip(went, merged, strict=True):
            assert h.related_household_id is not None
            obj.went_to_id = self.pk_of(h.related_household_id)
        Household.objects.bulk_update(went, ["went_to_id"], batch_size=1000)
        split = [h for h in todo if h.entry is Entry.SPLIT_OFF and h.related_household_id]
        origins = [Household(pk=self.pk_of(h.household_id)) for h in split]
        for obj, h in zip(origins, split, strict=True):
            assert h.related_household_id is not None
            obj.came_from_id = self.pk_of(h.related_household_id)
        Household.objects.bulk_update(origins, ["came_from_id"], batch_size=1000)

    def insert_members(self, members: Sequence[Any]) -> None:
        for mchunk in _chunks(members):
            insert_many(
                Member,
                _MEMBER_FIELDS,
                (
                    (
                        self.pk_of(m.household_id),
                        m.full_name,
                        m.sex.value,
                        None,
                        m.birth_year,
                        _RELATIONSHIP.get(m.relationship, Relationship.OTHER).value,
                        m.ethnicity,
                        m.national_id or "",
                        m.health_insurance,
                        m.schooling == "in_school",
                        m.disability,
                        self.loader_id,
                        self.now,
                    )
                    for m in mchunk
                ),
            )

    def insert_reviews(self, reviews: Sequence[Any]) -> None:
        """Each review classified again by the engine (a different result raises), approved."""
        standard = get_standard(self.registry.standard_id)
        loader_id, now = self.loader_id, self.now
        for rchunk in _chunks(reviews):
            rows: list[tuple[Any, ...]] = []
            for r in rchunk:
                record = r.engine_input(standard)
                res = classify_household(record, standard)
                if res.classification != r.classification:  # pragma: no cover - the synth checks
                    raise AssertionError(f"{r.household_id} {r.year}: engine says {res}")
                inputs = {k: v for k, v in record.items() if k not in ("household_id", "area")}
                draft = (self.registry.household(r.household_id).commune_code, r.year) in (
                    self.drafts_for
                )
                state = ReviewState.DRAFT if draft else ReviewState.APPROVED
                rows.append(
                    (
                        self.pk_of(r.household_id),
                        r.year,
                        ReviewKind.PERIODIC.value,
                        dt.date(r.year, 12, 31),
                        r.standard_id,
                        inputs,
                        r.persons,
                        res.classification,
                        res.poor_basis,
                        res.deprivation_count,
                        list(res.deprived),
                        res.explanation_vi,
                        res.explanation_en,
                        [_CAUSE[c] for c in r.causes],
                        state.value,
                        0,
                        None,
                        None if draft else loader_id,
                        None if draft else now,
                        loader_id,
                        now,
                    )
                )
            insert_many(ReviewRecord, _REVIEW_FIELDS, rows)
