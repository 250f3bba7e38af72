"""Loading standards from their data files, and choosing one by id or by year.

A file (JSON, or TOML with the same structure) describes one standard. A province's local
standard needs no code: a file with ``"based_on": "<id>"`` copies that standard and overrides
the keys it gives (objects are merged key by key, lists and values replaced). See
``docs/standards.md``.
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from giamngheo.core.standards.model import (
    AREAS,
    REVIEW_KINDS,
    RULE_KINDS,
    AreaLines,
    Dimension,
    Indicator,
    InvalidStandard,
    LegalBasis,
    Note,
    ReviewKind,
    ScoreCuts,
    ScoreRule,
    Standard,
    UnknownStandard,
)

SCHEMA_VERSION = 1
NATIONAL_STANDARD_IDS = ("QD59-2015", "ND07-2021", "ND351-2025")
_DATA = "giamngheo.core.standards.data"


def _read_raw(name: str) -> dict[str, Any]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


@cache
def _raw_national(standard_id: str) -> dict[str, Any]:
    return _read_raw(f"{standard_id}.json")


@cache
def headings_data() -> dict[str, Any]:
    """The accepted headings of the common fields and the area values (``data/headings.json``)."""
    return _read_raw("headings.json")


@cache
def get_standard(standard_id: str) -> Standard:
    """The national standard with this id (``QD59-2015``, ``ND07-2021``, ``ND351-2025``).

    Raises:
        UnknownStandard: no national standard has this id.
    """
    if standard_id not in NATIONAL_STANDARD_IDS:
        known = ", ".join(NATIONAL_STANDARD_IDS)
        raise UnknownStandard(
            f"Không có chuẩn nghèo {standard_id!r} (có: {known}) / "
            f"no standard {standard_id!r} (known: {known})"
        )
    return standard_from_dict(_raw_national(standard_id), source=f"{standard_id}.json")


def national_standards() -> tuple[Standard, ...]:
    """The national standards, oldest first."""
    return tuple(get_standard(i) for i in NATIONAL_STANDARD_IDS)


def standard_for(year: int, review: ReviewKind = "periodic") -> Standard:
    """The national standard a review uses.

    The periodic review at the end of ``year`` makes the list for ``year + 1`` and so uses
    the standard in force in ``year + 1`` (the end-2021 review used ND07-2021); an ad-hoc
    review during ``year`` uses the standard in force in ``year``.

    Raises:
        UnknownStandard: no national standard is in force for that year.
        ValueError: ``review`` is not "periodic" or "adhoc".
    """
    if review not in REVIEW_KINDS:
        raise ValueError(f"review must be one of {REVIEW_KINDS}, not {review!r}")
    target = year + 1 if review == "periodic" else year
    for standard in national_standards():
        if standard.in_force(target):
            return standard
    first = national_standards()[0].years[0]
    last = national_standards()[-1].years[1]
    if review == "periodic":
        vi = f"rà soát định kỳ cuối năm {year} lập danh sách năm {target}"
        en = f"the periodic review at the end of {year} makes the list for {target}"
    else:
        vi = f"rà soát thường xuyên trong năm {year}"
        en = f"an ad-hoc review during {year}"
    raise UnknownStandard(
        f"Không có chuẩn nghèo quốc gia áp dụng cho năm {target} ({vi}); "
        f"các chuẩn đã biết áp dụng {first}–{last} / "
        f"no national standard is in force in {target} ({en}); "
        f"known standards cover {first}–{last}"
    )


def load_standard(path: str | Path) -> Standard:
    """A standard from a JSON or TOML file, e.g. a province's local standard.

    Raises:
        InvalidStandard: the file is malformed or refers to an unknown base standard.
        OSError: the file cannot be read.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidStandard(f"{p}: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidStandard(f"{p}: expected an object at the top level")
    return standard_from_dict(data, source=str(p))


def resolve_standard(name: str) -> Standard:
    """A national standard by id, or a standard file by path (``.json``/``.toml``)."""
    if name in NATIONAL_STANDARD_IDS:
        return get_standard(name)
    if name.lower().endswith((".json", ".toml")) or Path(name).is_file():
        return load_standard(name)
    return get_standard(name)  # raises UnknownStandard with the list of ids


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def standard_from_dict(data: Mapping[str, Any], *, source: str = "") -> Standard:
    """Build a standard from its data (the structure of the JSON files).

    With ``based_on``, the named national standard is copied and ``data`` overrides it;
    the result is a local (non-national) standard unless ``national`` is given.

    Raises:
        InvalidStandard: a key is missing or has the wrong type or value.
    """
    based_on = data.get("based_on")
    if based_on is not None:
        if based_on not in NATIONAL_STANDARD_IDS:
            raise InvalidStandard(f"{source}: based_on {based_on!r} is not a national standard")
        overrides = {k: v for k, v in data.items() if k != "based_on"}
        merged = _merge(_raw_national(based_on), overrides)
        merged.setdefault("national", False)
        if "national" not in overrides:
            merged["national"] = False
        return _build(merged, source=source, based_on=based_on)
    return _build(data, source=source, based_on=None)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, msg: str) -> InvalidStandard:
        return InvalidStandard(f"{self.source}: {where}: {msg}")

    def obj(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        v = d.get(key)
        if not isinstance(v, Mapping):
            raise self.fail(f"{where}.{key}", "expected an object")
        return v

    def text(self, d: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        v = d.get(key, default)
        if not isinstance(v, str) or (default is None and not v):
            raise self.fail(f"{where}.{key}", "expected a non-empty string")
        return v

    def integer(self, d: Mapping[str, Any], key: str, where: str, *, null: bool = False) -> Any:
        v = d.get(key)
        if v is None and null:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise self.fail(f"{where}.{key}", "expected a non-negative integer")
        return v

    def texts(self, d: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        v = d.get(key, [])
        if (
            not isinstance(v, Sequence)
            or isinstance(v, str)
            or not all(isinstance(x, str) for x in v)
        ):
            raise self.fail(f"{where}.{key}", "expected a list of strings")
        return tuple(v)

    def note(self, d: Mapping[str, Any], prefix: str) -> Note | None:
        vi, en = d.get(f"{prefix}_vi"), d.get(f"{prefix}_en")
        if vi is None and en is None:
            return None
        if not isinstance(vi, str) or not isinstance(en, str):
            raise self.fail(f"{prefix}_vi/{prefix}_en", "expected both strings")
        return Note(vi, en)


def _build(data: Mapping[str, Any], *, source: str, based_on: str | None) -> Standard:
    r = _Reader(source or str(data.get("id", "?")))
    if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise r.fail("schema", f"unsupported schema version {data.get('schema')!r}")
    sid = r.text(data, "id", "")
    lb = r.obj(data, "legal_basis", sid)
    legal = LegalBasis(
        instrument=r.text(lb, "instrument", "legal_basis"),
        signed=r.text(lb, "signed", "legal_basis", ""),
        effective=r.text(lb, "effective", "legal_basis", ""),
        note=r.note(lb, "note"),
    )
    years = data.get("years_in_force")
    if (
        not isinstance(years, Sequence)
        or len(years) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
        or years[0] > years[1]
    ):
        raise r.fail("years_in_force", "expected [first, last] years")
    rule = data.get("rule")
    if rule not in RULE_KINDS:
        raise r.fail("rule", f"expected one of {RULE_KINDS}")

    lines_raw = r.obj(data, "lines", sid)
    lines: dict[str, AreaLines] = {}
    for area in AREAS:
        a = r.obj(lines_raw, area, "lines")
        al = AreaLines(
            poverty=r.integer(a, "poverty", f"lines.{area}"),
            near_poverty=r.integer(a, "near_poverty", f"lines.{area}"),
            medium_upper=r.integer(a, "medium_upper", f"lines.{area}", null=True),
        )
        if rule == "line_and_deprivations" and al.poverty != al.near_poverty:
            raise r.fail(f"lines.{area}", "line_and_deprivations needs poverty == near_poverty")
        if al.poverty > al.near_poverty or (
            al.medium_upper is not None and al.medium_upper < al.near_poverty
        ):
            raise r.fail(f"lines.{area}", "need poverty <= near_poverty <= medium_upper")
        lines[area] = al

    medium = data.get("medium_band")
    medium_provisional = False
    medium_note = r.note(data, "medium_band_note")
    if isinstance(medium, Mapping):
        medium_provisional = bool(medium.get("provisional", False))
        medium_note = r.note(medium, "note") or medium_note
    elif medium is not None:
        raise r.fail("medium_band", "expected an object or null")

    score_rule: ScoreRule | None = None
    sr = data.get("score_rule")
    if isinstance(sr, Mapping):
        cuts_raw = r.obj(sr, "cuts", "score_rule")
        cuts: dict[str, ScoreCuts] = {}
        for area in AREAS:
            c = r.obj(cuts_raw, area, "score_rule.cuts")
            sc = ScoreCuts(
                poor=r.integer(c, "poor", f"score_rule.cuts.{area}", null=True),
                near_poor=r.integer(c, "near_poor", f"score_rule.cuts.{area}"),
            )
            if sc.poor is not None and sc.poor > sc.near_poor:
                raise r.fail(f"score_rule.cuts.{area}", "need poor <= near_poor")
            cuts[area] = sc
        score_rule = ScoreRule(
            basis=r.text(sr, "basis", "score_rule"),
            score_name=r.text(sr, "score_name", "score_rule"),
            deprivation_score_name=r.text(sr, "deprivation_score_name", "score_rule"),
            headings_vi=r.texts(sr, "headings_vi", "score_rule"),
            cuts=cast(Any, cuts),
            min_deprivation_score=r.integer(sr, "min_deprivation_score", "score_rule"),
        )
    elif sr is not None:
        raise r.fail("score_rule", "expected an object or null")

    dims_raw = data.get("dimensions")
    if not isinstance(dims_raw, Sequence) or not dims_raw:
        raise r.fail("dimensions", "expected a non-empty list")
    dimensions: list[Dimension] = []
    seen: set[str] = set()
    for n, d in enumerate(dims_raw):
        if not isinstance(d, Mapping):
            raise r.fail(f"dimensions[{n}]", "expected an object")
        dkey = r.text(d, "key", f"dimensions[{n}]")
        inds_raw = d.get("indicators")
        if not isinstance(inds_raw, Sequence) or not inds_raw:
            raise r.fail(f"dimensions[{n}].indicators", "expected a non-empty list")
        indicators: list[Indicator] = []
        for m, i in enumerate(inds_raw):
            where = f"dimensions[{n}].indicators[{m}]"
            if not isinstance(i, Mapping):
                raise r.fail(where, "expected an object")
            key = r.text(i, "key", where)
            if not key.isidentifier() or key != key.lower():
                raise r.fail(f"{where}.key", "expected a lower-case identifier")
            if key in seen:
                raise r.fail(f"{where}.key", f"duplicate indicator {key!r}")
            seen.add(key)
            confidence = i.get("confidence", "M")
            if confidence not in ("H", "M", "L"):
                raise r.fail(f"{where}.confidence", "expected H, M or L")
            indicators.append(
                Indicator(
                    key=key,
                    dimension=dkey,
                    name_vi=r.text(i, "name_vi", where),
                    name_en=r.text(i, "name_en", where),
                    threshold_vi=r.text(i, "threshold_vi", where, ""),
                    threshold_en=r.text(i, "threshold_en", where, ""),
                    confidence=confidence,
                    provisional=bool(i.get("provisional", False)),
                    aliases_vi=r.texts(i, "aliases_vi", where),
                )
            )
        dimensions.append(
            Dimension(
                key=dkey,
                name_vi=r.text(d, "name_vi", f"dimensions[{n}]"),
                name_en=r.text(d, "name_en", f"dimensions[{n}]"),
                indicators=tuple(indicators),
            )
        )
    if len(seen) > 63:
        raise r.fail("dimensions", "at most 63 indicators")

    notes_raw = data.get("notes", [])
    if not isinstance(notes_raw, Sequence):
        raise r.fail("notes", "expected a list")
    notes = []
    for k, nt in enumerate(notes_raw):
        if not isinstance(nt, Mapping):
            raise r.fail(f"notes[{k}]", "expected an object")
        notes.append(Note(r.text(nt, "vi", f"notes[{k}]"), r.text(nt, "en", f"notes[{k}]")))

    return Standard(
        id=sid,
        name_vi=r.text(data, "name_vi", sid),
        name_en=r.text(data, "name_en", sid),
        legal_basis=legal,
        years=(years[0], years[1]),
        rule=rule,
        lines=cast(Any, lines),
        dimensions=tuple(dimensions),
        deprivation_cutoff=r.integer(data, "deprivation_cutoff", sid),
        points_per_deprivation=r.integer(data, "points_per_deprivation", sid),
        score_rule=score_rule,
        score_rule_note=r.note(data, "score_rule_note"),
        medium_band_provisional=medium_provisional,
        medium_band_note=medium_note,
        notes=tuple(notes),
        national=bool(data.get("national", True)),
        based_on=based_on,
        source=source,
    )
