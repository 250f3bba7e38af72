"""The database look-ups behind the record rules: the scope's communes and villages (the
rules' ``Context``) and the registry facts of a chunk of records (``RegistryFacts``), each
kind in one query per chunk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from giamngheo.core.identity import mask_national_id
from giamngheo.core.records import (
    Commune,
    Context,
    FactKeys,
    Registered,
    RegistryFacts,
    review_key,
)
from giamngheo.core.standards import Standard
from giamngheo.geo.models import AdminUnit, Level, valid_on_q
from giamngheo.registry.models import (
    Household,
    ImportBatch,
    Member,
    ReviewRecord,
    ReviewState,
)

_NO_REVIEWS: Mapping[str, tuple[Any, Sequence[str]]] = {}


def scope_context(batch: ImportBatch, std: Standard) -> Context:
    """The batch's review and scope: the communes of the scope valid at the end of the year,
    each with its villages."""
    on = dt.date(batch.year, 12, 31)
    communes = list(
        AdminUnit.objects.descendants_of(batch.scope)
        .filter(level=Level.COMMUNE)
        .filter(valid_on_q(on))
    )
    villages: dict[int, dict[str, int]] = {c.pk: {} for c in communes}
    for v in AdminUnit.objects.filter(parent__in=communes, level=Level.VILLAGE).only(
        "pk", "parent_id", "name_key"
    ):
        if v.parent_id is not None:
            villages[v.parent_id][v.name_key] = v.pk
    return Context(
        year=batch.year,
        kind=batch.kind,
        standard=std,
        review_date_default=batch.review_date_default,
        communes=tuple(
            Commune(c.pk, c.code, c.name, c.name_key, c.area, villages[c.pk]) for c in communes
        ),
        scope_label=str(batch.scope),
        scope_is_commune=batch.scope.level == Level.COMMUNE,
        scope_code=batch.scope.code,
    )


def registry_facts(keys: FactKeys, context: Context) -> RegistryFacts:
    """What the registry says about ``keys`` (no query for a kind of key that is empty)."""
    households = _registered(keys.households, context)
    sources = {(r["commune_id"], r["code"]): r["pk"] for r in households_by_key(keys.sources)}
    masked = _masked_ids(keys.masked)
    ids = [*keys.national_ids, *masked.values()] if keys.masked_owners else keys.national_ids
    return RegistryFacts(
        households=households,
        id_owners=_id_owners(ids),
        split_sources=sources,
        masked=masked,
    )


def _registered(keys: set[tuple[int, str]], context: Context) -> dict[tuple[int, str], Registered]:
    existing: dict[tuple[int, str], tuple[int, str]] = {
        (r["commune_id"], r["code"]): (r["pk"], r["status"])
        for r in households_by_key(keys, "status")
    }
    approved: dict[int, dict[str, tuple[Any, Sequence[str]]]] = {}
    if existing:
        for r in current_reviews(
            [pk for pk, _s in existing.values()], context.year, context.kind, "inputs", "causes"
        ):
            if r["state"] != ReviewState.APPROVED:
                continue
            key = review_key(context.kind, r["review_date"].isoformat())
            approved.setdefault(r["household_id"], {})[key] = (r["inputs"], r["causes"])
    return {
        key: Registered(pk, status, approved.get(pk, _NO_REVIEWS))
        for key, (pk, status) in existing.items()
    }


def _id_owners(ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """national id → (commune id, household code) of the members already registered."""
    out: dict[str, tuple[int, str]] = {}
    for nid, commune_id, code in (
        Member.objects.filter(national_id__in=ids)
        .order_by()
        .values_list("national_id", "household__commune_id", "household__code")
    ):
        out[nid] = (commune_id, code)
    return out


def _masked_ids(pairs: set[tuple[int, str]]) -> dict[tuple[str, str], str]:
    """(household code, masked id) → full id of existing members of these households."""
    out: dict[tuple[str, str], str] = {}
    for cid, codes in _by_commune(pairs).items():
        for code, nid in (
            Member.objects.filter(household__commune_id=cid, household__code__in=codes)
            .exclude(national_id="")
            .values_list("household__code", "national_id")
        ):
            out[(code, mask_national_id(nid))] = nid
    return out


def _by_commune(keys: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    by_commune: dict[int, list[str]] = {}
    for cid, code in keys:
        by_commune.setdefault(cid, []).append(code)
    return by_commune


def households_by_key(keys: Iterable[tuple[int, str]], *fields: str) -> list[dict[str, Any]]:
    """The households with these (commune id, code) keys, in one query: ``commune IN (…) AND
    code IN (…)`` probes the (commune, code) unique index for each pair on both databases (an
    OR of per-commune conditions would make SQLite scan the table), and the pairs that were
    not asked for (a code of one commune found in another) are dropped here."""
    wanted = set(keys)
    if not wanted:
        return []
    rows = (
        Household.objects.filter(
            commune_id__in={cid for cid, _c in wanted}, code__in={c for _cid, c in wanted}
        )
        .order_by()
        .values("pk", "commune_id", "code", *fields)
    )
    return [r for r in rows if (r["commune_id"], r["code"]) in wanted]


def current_reviews(
    household_ids: Sequence[int], year: int, kind: str, *fields: str
) -> list[dict[str, Any]]:
    """The uncorrected reviews of these households for (year, kind). Filtered by household
    only in SQL, the rest in Python: with year and kind in the query, SQLite's planner (without
    statistics) picks the (year, kind, classification) index and scans every review."""
    if not household_ids:
        return []
    return [
        r
        for r in ReviewRecord.objects.current()
        .filter(household_id__in=household_ids)
        .order_by()
        .values("pk", "household_id", "year", "kind", "review_date", "state", *fields)
        if r["year"] == year and r["kind"] == kind
    ]
