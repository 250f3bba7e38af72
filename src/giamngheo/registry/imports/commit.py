"""Step 3 of an import: the batch's valid rows are written in ONE transaction (bulk,
chunked) as idempotent upserts on (commune, household code), members on (household, ID
number or name and year of birth) and reviews on (household, year, kind[, date]). Any
failure leaves nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from giamngheo.core.records import review_key
from giamngheo.core.records.headings import HOUSEHOLD, MEMBER
from giamngheo.core.records.vocab import FLAG_FIELDS
from giamngheo.registry import progress
from giamngheo.registry.audit import audit
from giamngheo.registry.bulk import bulk_session, insert_many, refresh_statistics
from giamngheo.registry.freeze import frozen_reason
from giamngheo.registry.imports.batch import CHUNK, load_batch, no_cyclic_gc, require_manager
from giamngheo.registry.imports.facts import current_reviews, households_by_key
from giamngheo.registry.models import (
    MEMBER_DATA_FIELDS,
    POLICY_FLAGS,
    Household,
    HouseholdStatus,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Member,
    ReviewRecord,
    ReviewState,
    name_key,
)

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser


class ImportConflict(ValidationError):
    """The registry changed between validation and commit; nothing was written."""


_HH_FIELDS = ("village_id", "head_name", "address", "ethnic_minority", *POLICY_FLAGS)
_MEMBER_FIELDS = MEMBER_DATA_FIELDS
_HH_INSERT = (
    "commune_id",
    "village_id",
    "code",
    "head_name",
    "head_name_key",
    "address",
    *FLAG_FIELDS,
    "area",
    "status",
    "entry_reason",
    "entry_date",
    "came_from_id",
    "created_by_id",
    "created_at",
    "updated_at",
)
_ENTRY_FIELDS = ("entry_reason", "entry_date", "came_from_id")
_MEMBER_INSERT = ("household_id", *_MEMBER_FIELDS, "created_by_id", "created_at")
_REVIEW_VALUES = (
    "standard_id",
    "inputs",
    "persons",
    "causes",
    "classification",
    "poor_basis",
    "deprivation_count",
    "deprived",
    "explanation_vi",
    "explanation_en",
)
_REVIEW_INSERT = (
    "household_id",
    "year",
    "kind",
    "review_date",
    *_REVIEW_VALUES,
    "state",
    "revision",
    "created_by_id",
    "created_at",
)


def _zero() -> dict[str, int]:
    return {"household": 0, "member": 0, "review": 0}


@dataclass
class _Tally:
    created: dict[str, int] = field(default_factory=_zero)
    updated: dict[str, int] = field(default_factory=_zero)
    unchanged: dict[str, int] = field(default_factory=_zero)

    def add(self, what: str, model: str, n: int = 1) -> None:
        d = getattr(self, what)
        d[model] = d.get(model, 0) + n

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Chunk:
    """One chunk being written: its households' clean rows, who writes them and when."""

    batch: ImportBatch
    cleans: list[dict[str, Any]]
    actor_id: int | None
    now: dt.datetime
    tally: _Tally


def _member_values(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "full_name": c["full_name"],
        "sex": c["sex"],
        "birth_date": dt.date.fromisoformat(c["birth_date"]) if c.get("birth_date") else None,
        "birth_year": c["birth_year"],
        "relationship": c["relationship"],
        "ethnicity": c.get("ethnicity", ""),
        "national_id": c.get("national_id", ""),
        "health_insurance": bool(c.get("health_insurance")),
        "in_school": bool(c.get("in_school")),
        "disability": bool(c.get("disability")),
    }


def _entry_values(c: Mapping[str, Any]) -> dict[str, Any]:
    """The household's entry fields from a clean row that states them."""
    e = c["entry"]
    return {
        "entry_reason": e["reason"],
        "entry_date": dt.date.fromisoformat(e["date"]),
        "came_from_id": e.get("came_from_id"),
    }


def _commit_chunk(
    b: ImportBatch, cleans: list[dict[str, Any]], actor_id: int | None, tally: _Tally
) -> None:
    ch = _Chunk(b, cleans, actor_id, timezone.now(), tally)
    pk_of, old_pks = _commit_households(ch)
    member_cleans = _commit_members(ch, pk_of, old_pks)
    _commit_reviews(ch, pk_of, old_pks, member_cleans)


def _commit_households(ch: _Chunk) -> tuple[dict[str, int], list[int]]:
    """Insert the new households, update the changed ones; (code → pk, pks registered before)."""
    now, cleans = ch.now, ch.cleans
    keys = [(c["commune"], c["code"]) for c in cleans]
    existing = {
        (r["commune_id"], r["code"]): r
        for r in households_by_key(keys, "status", *_HH_FIELDS, *_ENTRY_FIELDS)
    }
    frozen = frozen_reason(r["pk"] for r in existing.values())
    if frozen:  # a posted review list changes only through its complaints: nothing written
        raise ImportConflict(frozen)
    new_rows: list[tuple[object, ...]] = []
    changed: list[Household] = []
    for c in cleans:
        values: dict[str, Any] = {
            "village_id": c["village"],
            "head_name": c["head_name"],
            "address": c["address"],
            **{f: c[f] for f in FLAG_FIELDS},
        }
        if c.get("entry"):  # a row without them keeps what the registry has
            values.update(_entry_values(c))
        cur = existing.get((c["commune"], c["code"]))
        if cur is None:
            new_rows.append(_new_household(ch, c))
        else:
            if cur["status"] != HouseholdStatus.ACTIVE:
                raise ImportConflict(f"{c['code']}: không còn trong sổ / not active")
            if any(cur[k] != val for k, val in values.items()):
                kept = {f: cur[f] for f in _ENTRY_FIELDS}
                h = Household(
                    pk=cur["pk"], commune_id=c["commune"], code=c["code"], **(kept | values)
                )
                h.head_name_key = name_key(h.head_name)
                h.updated_at = now
                changed.append(h)
    insert_many(Household, _HH_INSERT, new_rows)
    hh_pk = {k: r["pk"] for k, r in existing.items()}
    if new_rows:
        fresh = [k for k in keys if k not in existing]
        for r in households_by_key(fresh):
            hh_pk[(r["commune_id"], r["code"])] = r["pk"]
    if changed:
        Household.objects.bulk_update(
            changed, [*_HH_FIELDS, *_ENTRY_FIELDS, "head_name_key", "updated_at"]
        )
    ch.tally.add("created", "household", len(new_rows))
    ch.tally.add("updated", "household", len(changed))
    ch.tally.add("unchanged", "household", len(cleans) - len(new_rows) - len(changed))
    pk_of = {c["code"]: hh_pk[(c["commune"], c["code"])] for c in cleans}
    return pk_of, [r["pk"] for r in existing.values()]


def _new_household(ch: _Chunk, c: Mapping[str, Any]) -> tuple[object, ...]:
    entry = _entry_values(c) if c.get("entry") else dict.fromkeys(_ENTRY_FIELDS)
    return (
        c["commune"],
        c["village"],
        c["code"],
        c["head_name"],
        name_key(c["head_name"]),
        c["address"],
        *(c[f] for f in FLAG_FIELDS),
        c["area"],
        HouseholdStatus.ACTIVE.value,
        entry["entry_reason"] or "",
        entry["entry_date"],
        entry["came_from_id"],
        ch.actor_id,
        ch.now,
        ch.now,
    )


def _commit_members(
    ch: _Chunk, pk_of: Mapping[str, int], old_pks: list[int]
) -> dict[str, list[dict[str, Any]]]:
    """Upsert the chunk's members (the members sheet's valid rows, or the flat layout's
    heads) on ID number, or name and year of birth; return their clean rows by code."""
    b, now, actor_id = ch.batch, ch.now, ch.actor_id
    member_cleans: dict[str, list[dict[str, Any]]] = {}
    if b.layout == "two":
        for mc in ImportRow.objects.filter(
            batch=b, kind=MEMBER, valid=True, key__in=list(pk_of)
        ).values_list("clean", flat=True):
            member_cleans.setdefault(mc["code"], []).append(mc)
    else:
        for c in ch.cleans:
            if c.get("head"):
                member_cleans[c["code"]] = [c["head"]]
    current: dict[int, list[dict[str, Any]]] = {}
    for m in (
        Member.objects.filter(household_id__in=old_pks)
        .order_by()
        .values("pk", "household_id", *_MEMBER_FIELDS)
    ):
        current.setdefault(m["household_id"], []).append(m)
    new_members: list[tuple[object, ...]] = []
    changed_members: list[Member] = []
    for code, mcs in member_cleans.items():
        hpk = pk_of[code]
        pool = current.get(hpk, [])
        for mc in mcs:
            mv = _member_values(mc)
            match = None
            for m in pool:
                if (mv["national_id"] and m["national_id"] == mv["national_id"]) or (
                    name_key(m["full_name"]) == name_key(mv["full_name"])
                    and m["birth_year"] == mv["birth_year"]
                ):
                    match = m
                    break
            if match is None:
                new_members.append((hpk, *(mv[f] for f in _MEMBER_FIELDS), actor_id, now))
            else:
                pool = [m for m in pool if m is not match]
                if any(match[k] != val for k, val in mv.items()):
                    changed_members.append(Member(pk=match["pk"], household_id=hpk, **mv))
        current[hpk] = pool
    insert_many(Member, _MEMBER_INSERT, new_members)
    if changed_members:
        Member.objects.bulk_update(changed_members, list(_MEMBER_FIELDS))
    n_members = sum(len(v) for v in member_cleans.values())
    ch.tally.add("created", "member", len(new_members))
    ch.tally.add("updated", "member", len(changed_members))
    ch.tally.add("unchanged", "member", n_members - len(new_members) - len(changed_members))
    return member_cleans


def _commit_reviews(
    ch: _Chunk,
    pk_of: Mapping[str, int],
    old_pks: list[int],
    member_cleans: Mapping[str, list[dict[str, Any]]],
) -> None:
    """Insert or update the chunk's draft reviews; an approved one is never changed."""
    b, tally = ch.batch, ch.tally
    reviews: dict[tuple[int, str], dict[str, Any]] = {}
    for r in current_reviews(old_pks, b.year, b.kind, *_REVIEW_VALUES):
        reviews[(r["household_id"], review_key(b.kind, r["review_date"].isoformat()))] = r
    new_reviews: list[tuple[object, ...]] = []
    changed_reviews: list[ReviewRecord] = []
    for c in ch.cleans:
        hpk = pk_of[c["code"]]
        persons = c["persons"]
        if persons is None:
            persons = len(member_cleans.get(c["code"], []))
        rv: dict[str, Any] = {
            "standard_id": b.standard_id,
            "inputs": c["inputs"],
            "persons": persons,
            "causes": c["causes"],
            **c["result"],
        }
        rev = reviews.get((hpk, review_key(b.kind, c["review_date"])))
        if rev is None:
            new_reviews.append(
                (
                    hpk,
                    b.year,
                    b.kind,
                    dt.date.fromisoformat(c["review_date"]),
                    *(rv[f] for f in _REVIEW_VALUES),
                    ReviewState.DRAFT.value,
                    0,
                    ch.actor_id,
                    ch.now,
                )
            )
        elif all(rev[k] == val for k, val in rv.items()):
            tally.add("unchanged", "review")
        elif rev["state"] == ReviewState.APPROVED:
            if rev["inputs"] != c["inputs"] or sorted(rev["causes"]) != sorted(c["causes"]):
                raise ImportConflict(
                    f"{c['code']}: phiếu {b.year} đã phê duyệt / approved {b.year} review"
                )
            tally.add("unchanged", "review")
        else:
            changed_reviews.append(ReviewRecord(pk=rev["pk"], household_id=hpk, **rv))
    insert_many(ReviewRecord, _REVIEW_INSERT, new_reviews)
    if changed_reviews:
        ReviewRecord.objects.bulk_update(changed_reviews, list(_REVIEW_VALUES))
    tally.add("created", "review", len(new_reviews))
    tally.add("updated", "review", len(changed_reviews))


def import_commit(
    *, batch: ImportBatch | int, actor: AnyUser, chunk_size: int = CHUNK
) -> ImportBatch:
    """Write the batch's valid rows in one transaction (all or nothing) and mark it
    COMMITTED with the counts in ``summary``. Committing a committed batch does nothing."""
    with no_cyclic_gc(), bulk_session(staging=False):
        return _import_commit(batch=batch, actor=actor, chunk_size=chunk_size)


def _import_commit(
    *, batch: ImportBatch | int, actor: AnyUser, chunk_size: int = CHUNK
) -> ImportBatch:
    b = load_batch(batch)
    require_manager(actor, b.scope)
    if b.status == ImportStatus.COMMITTED:
        return b
    if b.status != ImportStatus.VALIDATED:
        raise ValidationError(
            f"Lượt nhập chưa kiểm tra xong ({b.status}) / the batch is not validated ({b.status})",
            code="not_validated",
        )
    staged = ImportRow.objects.filter(batch=b, kind=HOUSEHOLD, valid=True).count()
    if staged != b.households_valid:
        # The staged rows are gone (on PostgreSQL they are not crash-safe: migration 0004)
        # or were changed: nothing is written, the batch is to be validated again.
        ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.PENDING)
        raise ValidationError(
            f"Các dòng đã kiểm tra không còn đủ ({staged}/{b.households_valid}): hãy kiểm tra lại"
            f" tệp / the checked rows are incomplete ({staged}/{b.households_valid}): validate"
            " the file again",
            code="staged_rows_missing",
        )
    actor_id = actor.pk if actor.is_authenticated else None
    tally = _Tally()
    ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.COMMITTING)
    total, done = b.households_valid, 0
    try:
        progress.report(b.pk, 0, total)
        with transaction.atomic():
            last = 0
            while True:
                rows = list(
                    ImportRow.objects.filter(batch=b, kind=HOUSEHOLD, valid=True, pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", "clean")[:chunk_size]
                )
                if not rows:
                    break
                _commit_chunk(b, [c for _pk, c in rows], actor_id, tally)
                last = rows[-1][0]
                done += len(rows)
                progress.report(b.pk, min(done, total), max(total, done))
            b.status = ImportStatus.COMMITTED
            b.summary = tally.as_dict()
            b.committed_at = timezone.now()
            b.save(update_fields=["status", "summary", "committed_at"])
            audit(actor, "import_commit", b, changes=tally.as_dict())
    except BaseException:
        ImportBatch.objects.filter(pk=b.pk).update(status=ImportStatus.VALIDATED)
        raise
    finally:
        progress.clear(b.pk)
    created = b.summary.get("created", {})
    refresh_statistics(Household, Member, ReviewRecord, rows=sum(created.values()))
    return b
