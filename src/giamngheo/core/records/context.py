"""What the record rules know besides the record: the review and the scope (:class:`Context`),
the registry (:class:`RegistryFacts`, looked up by the caller for the keys
:class:`FactKeys` names), and what the batch has already checked (:class:`Seen`).

The rules never look anything up themselves and keep no state: a caller fetches the facts a
chunk of records needs in one go, passes them in, and records each checked record in its
:class:`Seen` (``Seen.add``), so that the next records are checked against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from giamngheo.core.records.errors import FieldError
from giamngheo.core.records.headings import HOUSEHOLD
from giamngheo.core.records.vocab import ADHOC, HEAD, SPOUSE, is_minority
from giamngheo.core.standards import Standard
from giamngheo.core.text import fold


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune of the scope: ``villages`` maps a village's name key
    (``giamngheo.core.text.unit_name_key``) to its id."""

    id: int
    code: str
    name: str
    name_key: str
    area: str
    villages: Mapping[str, int]


@dataclass(frozen=True)
class Context:
    """The review the records are for, and the scope they belong to.

    ``scope_label`` names the scope in messages; ``scope_code`` is the scope's own code: when
    the scope is a commune (``scope_is_commune``), a record that names no commune is of it."""

    year: int
    kind: str
    standard: Standard
    review_date_default: dt.date | None
    communes: Sequence[Commune]
    scope_label: str
    scope_is_commune: bool
    scope_code: str = ""
    by_code: dict[str, Commune] = field(init=False, repr=False, compare=False)
    by_name: dict[str, list[Commune]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, list[Commune]] = {}
        for c in self.communes:
            by_name.setdefault(c.name_key, []).append(c)
        object.__setattr__(self, "by_code", {c.code: c for c in self.communes})
        object.__setattr__(self, "by_name", by_name)


def review_key(kind: str, review_date: str) -> str:
    """What tells two reviews of a household apart within a year and kind: the date of an ad
    hoc review (there may be several), nothing for the periodic one."""
    return review_date if kind == ADHOC else ""


@dataclass(frozen=True, slots=True)
class Registered:
    """A household already in the registry: its id, status and, per review key
    (:func:`review_key`), the inputs and causes of its approved review of the context's year
    and kind."""

    id: int
    status: str
    approved: Mapping[str, tuple[Any, Sequence[str]]]


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry says about the keys of :class:`FactKeys`.

    * ``households``: (commune id, code) → the registered household;
    * ``id_owners``: ID number → (commune id, household code) of the member who has it;
    * ``split_sources``: (commune id, code) → id of a registered household a split names;
    * ``masked``: (household code, masked ID number) → the full number of a registered
      member of that household (a template shows masked numbers to some officers)."""

    households: Mapping[tuple[int, str], Registered] = field(default_factory=dict)
    id_owners: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    split_sources: Mapping[tuple[int, str], int] = field(default_factory=dict)
    masked: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class FactKeys:
    """The registry facts some records need: households and split sources by (commune id,
    code), the owners of ``national_ids``, and the ID numbers of the members of the
    ``masked`` households (by (commune id, code)). ``masked_owners``: look up the owners of
    the numbers the masked ones stand for too."""

    households: set[tuple[int, str]] = field(default_factory=set)
    sources: set[tuple[int, str]] = field(default_factory=set)
    national_ids: list[str] = field(default_factory=list)
    masked: set[tuple[int, str]] = field(default_factory=set)
    masked_owners: bool = False


@dataclass(slots=True)
class Checked:
    """One record checked: its normalised values (``clean``, what a commit writes when there
    are no ``errors``) and every problem found. ``kind`` is ``HOUSEHOLD`` or ``MEMBER``;
    ``row`` the record's row (or position) in its batch; ``new_id`` an ID number seen for the
    first time, which ``Seen.add`` records."""

    kind: str
    row: int
    clean: dict[str, Any]
    errors: list[FieldError]
    new_id: str = ""


@dataclass(slots=True)
class SeenHousehold:
    """A household record of the batch, with what the checks against its members compare.

    ``valid`` is the caller's: whether it accepted the household's record (the checks against
    the members are made for accepted records only). ``heads`` are the (sex, name key) of the
    members marked as head; ``minority_head_or_spouse`` whether the head or a spouse is of an
    ethnic minority."""

    row: int
    commune_id: int
    female_head: bool
    ethnic_minority: bool
    head_key: str
    persons: int | None
    valid: bool = False
    members: int = 0
    heads: list[tuple[str, str]] = field(default_factory=list)
    minority_head_or_spouse: bool = False

    def add_member(self, clean: Mapping[str, Any]) -> None:
        """Count a member (its clean values, even when the member has errors)."""
        self.members += 1
        relationship = clean["relationship"]
        if relationship == HEAD:
            self.heads.append((clean.get("sex") or "", fold(clean["full_name"])))
        if relationship in (HEAD, SPOUSE) and is_minority(clean["ethnicity"]):
            self.minority_head_or_spouse = True


@dataclass
class Seen:
    """What a batch has checked so far: its households by code (the first record of each
    code), and its ID numbers → (household code, row) of the first record with each."""

    households: MutableMapping[str, SeenHousehold] = field(default_factory=dict)
    ids: MutableMapping[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, checked: Checked) -> None:
        """Record a checked record: its new ID number; a household's code (unless seen
        already), or a member in its household's counts."""
        clean = checked.clean
        if checked.new_id:
            self.ids[checked.new_id] = (clean["code"], checked.row)
        code = clean["code"]
        if checked.kind == HOUSEHOLD:
            if code and code not in self.households:
                self.households[code] = seen_household(checked)
        else:
            household = self.households.get(code)
            if household is not None:
                household.add_member(clean)


def seen_household(checked: Checked) -> SeenHousehold:
    """A household record as :class:`Seen` keeps it."""
    clean = checked.clean
    return SeenHousehold(
        row=checked.row,
        commune_id=clean.get("commune", 0),
        female_head=clean["female_head"],
        ethnic_minority=clean["ethnic_minority"],
        head_key=fold(clean["head_name"]),
        persons=clean["persons"],
    )
