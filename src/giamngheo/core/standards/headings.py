"""Column headings: canonical names and the Vietnamese headings accepted for them.

Headings match after folding case, diacritics, spaces and punctuation: "Thu nhập bình quân
đầu người/tháng", "THU NHAP BINH QUAN DAU NGUOI / THANG" and "thu_nhap_binh_quan_dau_nguoi_thang"
are the same heading. The accepted headings are data: ``data/headings.json`` for the common
fields, each indicator's ``name_vi`` and ``aliases_vi`` and the score rule's ``headings_vi`` in
the standard's own file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from giamngheo.core.standards.model import (
    AREA,
    DEPRIVATION_PREFIX,
    HOUSEHOLD_ID,
    INCOME,
    INCOME_SCORE,
    Area,
    Standard,
)
from giamngheo.core.standards.registry import headings_data, national_standards
from giamngheo.core.text import fold

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
CORE_FIELDS = (HOUSEHOLD_ID, AREA, INCOME, INCOME_SCORE)


@lru_cache(maxsize=4096)
def heading_key(heading: str) -> str:
    """The matching key of a heading: folded, letters and digits only."""
    return _NOT_ALNUM.sub("", fold(heading))


@lru_cache(maxsize=1)
def _area_values() -> dict[str, Area]:
    out: dict[str, Area] = {}
    for area, names in headings_data()["areas"].items():
        for name in names:
            out[heading_key(name)] = area
    return out


def area_value(value: str) -> Area | None:
    """The canonical area of a cell ("Thành thị" -> "urban"), None if not recognised."""
    return _area_values().get(heading_key(value))


class AmbiguousColumns(ValueError):
    """Two input columns mean the same field."""


@dataclass(frozen=True)
class ColumnMap:
    """How the columns of an input map to the canonical record of one standard.

    ``fields``: canonical field (``household_id``, ``area``, ``income``, ``income_score``,
    ``dep_<key>``) -> the input heading that carries it.
    ``foreign``: input heading -> ``dep_<key>`` for indicator columns the standard does not have.
    ``other``: the remaining headings, passed through untouched.
    """

    fields: Mapping[str, str]
    foreign: Mapping[str, str]
    other: tuple[str, ...]


def _standard_headings(standard: Standard) -> dict[str, str]:
    """heading key -> canonical field, for the common fields and this standard's columns."""
    out: dict[str, str] = {}
    for name, headings in headings_data()["fields"].items():
        for h in headings:
            out[heading_key(h)] = name
    if standard.score_rule is not None:
        for h in standard.score_rule.headings_vi:
            out[heading_key(h)] = INCOME_SCORE
    for ind in standard.indicators:
        for h in (ind.column, ind.name_vi, *ind.aliases_vi):
            out[heading_key(h)] = ind.column
    return out


@lru_cache(maxsize=1)
def _all_indicator_headings() -> dict[str, str]:
    out: dict[str, str] = {}
    for std in national_standards():
        for ind in std.indicators:
            for h in (ind.column, ind.name_vi, *ind.aliases_vi):
                out.setdefault(heading_key(h), ind.column)
    return out


_MAP_CACHE: dict[tuple[int, tuple[str, ...]], tuple[Standard, ColumnMap]] = {}


def resolve_columns(headings: Iterable[str], standard: Standard) -> ColumnMap:
    """Map input headings to canonical fields for ``standard``.

    Raises:
        AmbiguousColumns: two headings map to the same field.
    """
    names = tuple(headings)
    cache_key = (id(standard), names)
    hit = _MAP_CACHE.get(cache_key)
    if hit is not None and hit[0] is standard:
        return hit[1]
    known = _standard_headings(standard)
    others = _all_indicator_headings()
    fields: dict[str, str] = {}
    foreign: dict[str, str] = {}
    other: list[str] = []
    for h in names:
        key = heading_key(h)
        field = known.get(key)
        if field is not None:
            if field in fields:
                # The canonical name wins over a Vietnamese heading (an earlier output has both
                # household_id and "Mã hộ"); two other headings for one field are ambiguous.
                if h == field:
                    other.append(fields[field])
                elif fields[field] == field:
                    other.append(h)
                    continue
                else:
                    raise AmbiguousColumns(
                        f"Hai cột cùng nghĩa {field!r}: {fields[field]!r} và {h!r} / "
                        f"two columns mean {field!r}: {fields[field]!r} and {h!r}"
                    )
            fields[field] = h
        elif key in others:
            foreign[h] = others[key]
        elif h.strip().lower().startswith(DEPRIVATION_PREFIX):
            foreign[h] = h.strip().lower()
        else:
            other.append(h)
    result = ColumnMap(fields=fields, foreign=foreign, other=tuple(other))
    if len(_MAP_CACHE) > 256:
        _MAP_CACHE.clear()
    _MAP_CACHE[cache_key] = (standard, result)
    return result
