"""Household records: what a valid household record of the registry is, whatever brings it
(a spreadsheet, the survey form, ODK / Kobo, the API). Pure Python: no Django.

* ``vocab``: the stored values and the words a file may write for them;
* ``cells``: reading one cell; ``headings``: the template's headings and sheets;
* ``reader``: an import file as sheets of rows (xlsx/ods/csv);
* ``context``: what the rules know besides the record (the review and scope, registry facts,
  what the batch has seen);
* ``household`` / ``member``: the rules of one household row, one member row, a household
  against the registry and against its members (the spreadsheet import's steps);
* ``record``: one whole household record with its members, checked at once.

Errors are :class:`FieldError` (field, code, Vietnamese and English messages).
"""

from __future__ import annotations

from giamngheo.core.records.context import (
    Checked,
    Commune,
    Context,
    FactKeys,
    Registered,
    RegistryFacts,
    Seen,
    SeenHousehold,
    review_key,
)
from giamngheo.core.records.errors import FieldError, ImportFileError
from giamngheo.core.records.household import (
    check_against_members,
    check_household_registry,
    check_household_row,
    household_keys,
)
from giamngheo.core.records.member import (
    check_member_registry,
    check_member_row,
    masked_keys,
    member_keys,
)
from giamngheo.core.records.record import (
    RecordResult,
    facts_needed,
    record_seen,
    validate_household,
)

__all__ = [
    "Checked",
    "Commune",
    "Context",
    "FactKeys",
    "FieldError",
    "ImportFileError",
    "RecordResult",
    "Registered",
    "RegistryFacts",
    "Seen",
    "SeenHousehold",
    "check_against_members",
    "check_household_registry",
    "check_household_row",
    "check_member_registry",
    "check_member_row",
    "facts_needed",
    "household_keys",
    "masked_keys",
    "member_keys",
    "record_seen",
    "review_key",
    "validate_household",
]
