"""One whole household record with its members, checked at once by exactly the rules of the
spreadsheet import: for the survey form (Phiếu B), ODK / Kobo submissions and the API.

:func:`facts_needed` names the registry facts a set of records needs, for the caller to look
them up in one go; :func:`validate_household` checks one record with them;
:func:`record_seen` records it in the batch's :class:`Seen` for the records after it.
"""

from __future__ import annotations

import dataclasses
from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from giamngheo.core.identity import normalize_citizen_id
from giamngheo.core.records.cells import text
from giamngheo.core.records.context import (
    Checked,
    Commune,
    Context,
    FactKeys,
    RegistryFacts,
    Seen,
    SeenHousehold,
    seen_household,
)
from giamngheo.core.records.errors import FieldError
from giamngheo.core.records.headings import HOUSEHOLD_HEADINGS
from giamngheo.core.records.household import (
    check_against_members,
    check_household_registry,
    check_household_row,
    commune_of,
)
from giamngheo.core.records.member import check_member_registry, check_member_row

Record = Mapping[str, object]


@dataclass(frozen=True)
class RecordResult:
    """A checked household record and its checked members.

    ``errors``: every problem, the household's first, then its members' (``member`` is the
    member's index), then the household's against its members (made only when the household
    itself has no problem)."""

    household: Checked
    members: tuple[Checked, ...]
    errors: tuple[FieldError, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def clean(self) -> dict[str, Any] | None:
        """The household's clean values with its members' (``"members"``); None if invalid."""
        if self.errors:
            return None
        return {**self.household.clean, "members": [m.clean for m in self.members]}


def validate_household(
    record: Record,
    members: Sequence[Record],
    context: Context,
    facts: RegistryFacts,
    *,
    seen: Seen | None = None,
    row: int = 0,
) -> RecordResult:
    """Check a household record and its members.

    Args:
        record: the household's fields (those of ``HOUSEHOLD_HEADINGS`` but the flat layout's
            head columns, which are not read: the head is among the members) and the
            standards engine's columns (``income``, ``income_score``, ``dep_<key>``, ``area``:
            every other key goes to the engine).
        members: each member's fields (those of ``MEMBER_HEADINGS``); their household code
            is the record's.
        context: the review and the scope.
        facts: the registry facts of :func:`facts_needed` for this record.
        seen: what the batch checked before this record (duplicate codes and ID numbers are
            refused); it is not changed: see :func:`record_seen`.
        row: the record's number in messages about duplicates (its members are numbered
            from 1).

    Returns:
        The clean record (``result.clean``) or every error with its field.
    """
    before = seen if seen is not None else Seen()
    local = Seen(households=ChainMap({}, before.households), ids=ChainMap({}, before.ids))
    engine_fields = tuple(f for f in record if f not in HOUSEHOLD_HEADINGS)
    household = check_household_row(record, context, local, row=row, engine_fields=engine_fields)
    check_household_registry(household, context, facts)
    code = household.clean["code"]
    own: SeenHousehold = seen_household(household)
    local.households[code] = own  # the members are this record's, whatever the batch has
    checked: list[Checked] = []
    errors = list(household.errors)
    for i, member in enumerate(members):
        c = check_member_row({**member, "code": code}, context, local, facts, row=i + 1)
        check_member_registry(c, local, facts)
        local.add(c)
        checked.append(c)
        errors += [dataclasses.replace(e, member=i) for e in c.errors]
    if not household.errors:
        errors += check_against_members(own)
    return RecordResult(household, tuple(checked), tuple(errors))


def record_seen(seen: Seen, result: RecordResult) -> None:
    """Record a checked record in the batch's ``seen``: its code and its ID numbers."""
    seen.add(result.household)
    for member in result.members:
        seen.add(member)


def facts_needed(records: Iterable[tuple[Record, Sequence[Record]]], context: Context) -> FactKeys:
    """The registry facts :func:`validate_household` needs for these (record, members): to
    look up in one go for a whole chunk of records."""
    keys = FactKeys(masked_owners=True)
    for record, members in records:
        raw_ids = [text(m.get("national_id")) for m in members]
        keys.national_ids += [normalize_citizen_id(r) for r in raw_ids if r and "*" not in r]
        commune = commune_of(record, context)
        if not isinstance(commune, Commune):
            continue
        code = text(record.get("code"))
        keys.households.add((commune.id, code))
        came_from = text(record.get("came_from"))[:32]
        if came_from:
            keys.sources.add((commune.id, came_from))
        if any("*" in r for r in raw_ids):
            keys.masked.add((commune.id, code))
    return keys
