"""Reading review rule sets from their files: the national JSON files and a unit's own.

The national rule sets are ``giamngheo/core/review/data/review-*.json``; a province's file
(JSON or TOML) is complete or ``"based_on"`` a national set whose values it overrides. Every
key is checked (:class:`~giamngheo.core.review.rules_reader.Reader`); a malformed file raises
:class:`InvalidRules` naming the file and the key. The lookups by year, date and id are in
:mod:`giamngheo.core.review.rules`, which re-exports :func:`load_rules` and
:func:`rules_from_dict`.
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from giamngheo.core.review.calendar import DAY_UNITS
from giamngheo.core.review.rules_model import (
    ANCHORS,
    CITED_KEYS,
    CYCLE_KINDS,
    FORM_KEYS,
    STEP_KEYS,
    AdhocRule,
    Anchor,
    CitedBases,
    CitedKey,
    Count,
    CycleKind,
    Form,
    FormKey,
    InvalidRules,
    Level,
    MonthlyReport,
    Provenance,
    ReviewRules,
    StepRule,
    Vote,
    Window,
    YearlyReports,
)
from giamngheo.core.review.rules_reader import PROV_KEYS, Reader
from giamngheo.core.standards.model import LegalBasis, Note

SCHEMA_VERSION = 1
DATA_DIR = Path(__file__).parent / "data"
FILE_GLOB = "review-*.json"


@cache
def national_files() -> Mapping[str, tuple[str, Mapping[str, Any]]]:
    """The national files' data by id, with the file name each came from."""
    out: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for path in sorted(DATA_DIR.glob(FILE_GLOB)):
        name = f"{DATA_DIR.name}/{path.name}"
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise InvalidRules(f"{name}: id: thiếu khoá 'id' / missing the 'id' key")
        if data["id"] in out:
            raise InvalidRules(f"{name}: id: trùng mã {data['id']!r} / duplicate id")
        out[data["id"]] = (name, data)
    return out


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_rules(path: str | Path) -> ReviewRules:
    """A unit's own rule set from a JSON or TOML file.

    Raises:
        InvalidRules: the file is malformed or is based on an unknown rule set.
        OSError: the file cannot be read.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        data: Any = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidRules(f"{p}: không đọc được tệp / the file cannot be parsed: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidRules(
            f"{p}: cần một đối tượng ở cấp trên cùng / expected an object at the top"
        )
    return rules_from_dict(data, source=str(p))


def rules_from_dict(data: Mapping[str, Any], *, source: str = "") -> ReviewRules:
    """Build a rule set from its data (the structure of the JSON files).

    With ``"based_on": "<national id>"``, that rule set's data is copied and ``data`` overrides
    it key by key (objects merge, lists and values replace); the result is not national.

    Raises:
        InvalidRules: a key is missing, unknown, or has the wrong type or value.
    """
    src = source or str(data.get("id", "?"))
    based_on = data.get("based_on")
    if based_on is not None:
        files = national_files()
        if based_on not in files:
            known = ", ".join(sorted(files))
            raise InvalidRules(
                f"{src}: based_on: {based_on!r} không phải bộ quy định quốc gia ({known}) / "
                f"is not a national rule set ({known})"
            )
        overrides = {k: v for k, v in data.items() if k != "based_on"}
        merged = _merge(files[based_on][1], overrides)
        if "national" not in overrides:
            merged["national"] = False
        return _build(merged, source=src, based_on=based_on)
    return _build(data, source=src, based_on=None)


_TOP_KEYS = frozenset(
    {
        "schema",
        "id",
        "name_vi",
        "name_en",
        "national",
        "legal_bases",
        "review_years",
        "adhoc_from",
        "window",
        "steps",
        "complaint_response",
        "vote",
        "minutes_copies",
        "adhoc",
        "monthly_report",
        "yearly_reports",
        "chain",
        "forms",
        "cited_bases",
        "notes",
    }
)


def _build(data: Mapping[str, Any], *, source: str, based_on: str | None) -> ReviewRules:
    r = Reader(source)
    r.keys(data, "", _TOP_KEYS)
    if data.get("schema") != SCHEMA_VERSION:
        raise r.fail(
            "schema",
            f"phiên bản cấu trúc {data.get('schema')!r} không được hỗ trợ (cần {SCHEMA_VERSION})",
            f"unsupported schema version {data.get('schema')!r} (expected {SCHEMA_VERSION})",
        )
    rid = r.text(data, "id", "")
    bases = _legal_bases(r, data.get("legal_bases"))
    years = r.obj(data, "review_years", "")
    first, last = _years(r, years)
    window = _window(r, r.obj(data, "window", ""))
    steps = _steps(r, r.obj(data, "steps", ""))
    vote = _vote(r, r.obj(data, "vote", ""))
    copies = _copies(r, r.obj(data, "minutes_copies", ""))
    monthly = _monthly_report(r, r.obj(data, "monthly_report", ""))
    yearly = _yearly_reports(r, r.obj(data, "yearly_reports", ""))
    chain, chain_prov = _chain(r, r.obj(data, "chain", ""))
    forms = _forms(r, r.obj(data, "forms", ""))
    cited = _cited(r, r.obj(data, "cited_bases", ""))
    notes = _notes(r, data.get("notes", []))
    return ReviewRules(
        id=rid,
        name_vi=r.text(data, "name_vi", ""),
        name_en=r.text(data, "name_en", ""),
        legal_bases=bases,
        first_year=first,
        last_year=last,
        years_note=r.note(years, "review_years"),
        adhoc_from=r.iso_date(data, "adhoc_from", ""),
        window=window,
        steps=steps,
        complaint_response=r.duration(r.obj(data, "complaint_response", ""), "complaint_response"),
        vote=vote,
        minutes_copies=copies,
        adhoc=_adhoc(r, r.obj(data, "adhoc", "")),
        monthly_report=monthly,
        yearly_reports=yearly,
        chain=chain,
        chain_provenance=chain_prov,
        forms=MappingProxyType(forms),
        cited=MappingProxyType(cited),
        notes=notes,
        national=r.boolean(data, "national", "", True),
        based_on=based_on,
        source=source,
    )


def _legal_bases(r: Reader, raw: Any) -> tuple[LegalBasis, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise r.fail("legal_bases", "cần một danh sách khác rỗng", "expected a non-empty list")
    bases: list[LegalBasis] = []
    for n, lb in enumerate(raw):
        where = f"legal_bases[{n}]"
        if not isinstance(lb, Mapping):
            raise r.fail(where, "cần một đối tượng", "expected an object")
        r.keys(lb, where, frozenset({"instrument", "signed", "effective", "note_vi", "note_en"}))
        for key in ("signed", "effective"):
            if lb.get(key):
                r.iso_date(lb, key, where)
        bases.append(
            LegalBasis(
                instrument=r.text(lb, "instrument", where),
                signed=r.text(lb, "signed", where, empty=True),
                effective=r.text(lb, "effective", where, empty=True),
                note=r.note(lb, where),
            )
        )
    return tuple(bases)


def _years(r: Reader, years: Mapping[str, Any]) -> tuple[int, int | None]:
    """The first and last review years (None: open-ended)."""
    r.keys(years, "review_years", frozenset({"first", "last", "note_vi", "note_en"}))
    first = r.integer(years, "first", "review_years", 1990, 2200)
    last: int | None = None
    if years.get("last") is not None:
        last = r.integer(years, "last", "review_years", first, 2200)
    return first, last


def _window(r: Reader, raw: Mapping[str, Any]) -> Window:
    r.keys(raw, "window", PROV_KEYS | {"start", "end"})
    window = Window(
        start=r.month_day(raw, "start", "window"),
        end=r.month_day(raw, "end", "window"),
        provenance=r.provenance(raw, "window"),
    )
    if (window.end.month, window.end.day) < (window.start.month, window.start.day):
        raise r.fail("window.end", "kết thúc trước khi bắt đầu", "ends before it starts")
    return window


def _vote(r: Reader, raw: Mapping[str, Any]) -> Vote:
    r.keys(raw, "vote", PROV_KEYS | {"threshold", "inclusive"})
    threshold = raw.get("threshold")
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 < threshold <= 1
    ):
        raise r.fail(
            "vote.threshold", "cần một tỉ lệ trong (0, 1]", "expected a fraction in (0, 1]"
        )
    return Vote(
        threshold=Fraction(str(threshold)),
        inclusive=r.boolean(raw, "inclusive", "vote", True),
        provenance=r.provenance(raw, "vote"),
    )


def _copies(r: Reader, raw: Mapping[str, Any]) -> Count:
    r.keys(raw, "minutes_copies", PROV_KEYS | {"count"})
    return Count(
        r.integer(raw, "count", "minutes_copies", 1, 20),
        r.provenance(raw, "minutes_copies"),
    )


def _monthly_report(r: Reader, raw: Mapping[str, Any]) -> MonthlyReport:
    r.keys(raw, "monthly_report", PROV_KEYS | {"day", "months"})
    months = raw.get("months")
    if (
        not isinstance(months, Sequence)
        or isinstance(months, str)
        or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in months)
        or len(set(months)) != len(months)
    ):
        raise r.fail(
            "monthly_report.months",
            "cần danh sách các tháng khác nhau từ 1 đến 12",
            "expected a list of distinct months 1–12",
        )
    return MonthlyReport(
        day=r.integer(raw, "day", "monthly_report", 1, 28),
        months=tuple(sorted(months)),
        provenance=r.provenance(raw, "monthly_report"),
    )


def _yearly_reports(r: Reader, raw: Mapping[str, Any]) -> YearlyReports:
    r.keys(raw, "yearly_reports", PROV_KEYS | {"preliminary", "official"})
    return YearlyReports(
        preliminary=r.month_day(raw, "preliminary", "yearly_reports"),
        official=r.month_day(raw, "official", "yearly_reports"),
        provenance=r.provenance(raw, "yearly_reports"),
    )


def _notes(r: Reader, raw: Any) -> tuple[Note, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise r.fail("notes", "cần một danh sách", "expected a list")
    notes: list[Note] = []
    for k, nt in enumerate(raw):
        where = f"notes[{k}]"
        if not isinstance(nt, Mapping):
            raise r.fail(where, "cần một đối tượng", "expected an object")
        r.keys(nt, where, frozenset({"vi", "en"}))
        notes.append(Note(r.text(nt, "vi", where), r.text(nt, "en", where)))
    return tuple(notes)


def _steps(r: Reader, raw: Mapping[str, Any]) -> tuple[StepRule, ...]:
    missing = [k for k in STEP_KEYS if k not in raw]
    if missing:
        raise r.fail(
            f"steps.{missing[0]}",
            f"thiếu bước; cần đủ các bước {', '.join(STEP_KEYS)}",
            f"missing step; all of {', '.join(STEP_KEYS)} are needed",
        )
    r.keys(raw, "steps", frozenset(STEP_KEYS))
    out: list[StepRule] = []
    for n, key in enumerate(STEP_KEYS):
        where = f"steps.{key}"
        s = r.obj(raw, key, "steps")
        r.keys(s, where, PROV_KEYS | {"name_vi", "name_en", "from", "days", "unit"})
        anchor: Anchor = r.choice(s, "from", where, ANCHORS)
        if n == 0 and anchor == "previous":
            raise r.fail(
                f"{where}.from",
                "bước đầu tiên không có bước trước",
                "the first step has no previous step",
            )
        out.append(
            StepRule(
                key=key,
                name_vi=r.text(s, "name_vi", where),
                name_en=r.text(s, "name_en", where),
                anchor=anchor,
                days=r.integer(s, "days", where, 0, 366),
                unit=r.choice(s, "unit", where, DAY_UNITS),
                provenance=r.provenance(s, where),
            )
        )
    return tuple(out)


def _adhoc(r: Reader, raw: Mapping[str, Any]) -> AdhocRule:
    r.keys(raw, "adhoc", frozenset({"cycle", "join", "decision"}))
    cycle_raw = r.obj(raw, "cycle", "adhoc")
    r.keys(cycle_raw, "adhoc.cycle", PROV_KEYS | {"kind", "day"})
    kind: CycleKind = r.choice(cycle_raw, "kind", "adhoc.cycle", CYCLE_KINDS)
    cycle_day: int | None = None
    join_day: int | None = None
    join_prov: Provenance | None = None
    if kind == "monthly":
        cycle_day = r.integer(cycle_raw, "day", "adhoc.cycle", 1, 28)
        join_raw = r.obj(raw, "join", "adhoc")
        r.keys(join_raw, "adhoc.join", PROV_KEYS | {"last_day"})
        join_day = r.integer(join_raw, "last_day", "adhoc.join", 1, 31)
        join_prov = r.provenance(join_raw, "adhoc.join")
    elif cycle_raw.get("day") is not None or raw.get("join") is not None:
        raise r.fail(
            "adhoc.cycle",
            "'day' và 'join' chỉ dùng cho chu kỳ hằng tháng",
            "'day' and 'join' apply to a monthly cycle only",
        )
    return AdhocRule(
        cycle=kind,
        cycle_day=cycle_day,
        cycle_provenance=r.provenance(cycle_raw, "adhoc.cycle"),
        join_last_day=join_day,
        join_provenance=join_prov,
        decision=r.duration(r.obj(raw, "decision", "adhoc"), "adhoc.decision"),
    )


def _chain(r: Reader, raw: Mapping[str, Any]) -> tuple[tuple[Level, ...], Provenance]:
    r.keys(raw, "chain", PROV_KEYS | {"levels"})
    levels_raw = raw.get("levels")
    if not isinstance(levels_raw, Sequence) or isinstance(levels_raw, str) or not levels_raw:
        raise r.fail("chain.levels", "cần một danh sách khác rỗng", "expected a non-empty list")
    levels: list[Level] = []
    for n, lv in enumerate(levels_raw):
        where = f"chain.levels[{n}]"
        if not isinstance(lv, Mapping):
            raise r.fail(where, "cần một đối tượng", "expected an object")
        r.keys(lv, where, frozenset({"key", "name_vi", "name_en", "district"}))
        key = r.text(lv, "key", where)
        if any(x.key == key for x in levels):
            raise r.fail(f"{where}.key", f"cấp {key!r} bị lặp", f"duplicate level {key!r}")
        levels.append(
            Level(
                key=key,
                name_vi=r.text(lv, "name_vi", where),
                name_en=r.text(lv, "name_en", where),
                district=r.boolean(lv, "district", where, False),
            )
        )
    return tuple(levels), r.provenance(raw, "chain")


def _forms(r: Reader, raw: Mapping[str, Any]) -> dict[FormKey, Form]:
    r.keys(raw, "forms", frozenset(FORM_KEYS))
    out: dict[FormKey, Form] = {}
    for key in FORM_KEYS:
        where = f"forms.{key}"
        f = r.obj(raw, key, "forms")
        allowed = PROV_KEYS | {"code", "title_vi", "title_en", "instrument"}
        r.keys(f, where, (allowed | {"number_suffix"}) if key == "certificate" else allowed)
        out[key] = Form(
            key=key,
            code=r.text(f, "code", where),
            title_vi=r.text(f, "title_vi", where),
            title_en=r.text(f, "title_en", where),
            instrument=r.text(f, "instrument", where),
            provenance=r.provenance(f, where),
            number_suffix=(r.text(f, "number_suffix", where) if key == "certificate" else ""),
        )
    return out


def _cited(r: Reader, raw: Mapping[str, Any]) -> dict[CitedKey, CitedBases]:
    r.keys(raw, "cited_bases", frozenset(CITED_KEYS))
    out: dict[CitedKey, CitedBases] = {}
    for key in CITED_KEYS:
        where = f"cited_bases.{key}"
        c = r.obj(raw, key, "cited_bases")
        r.keys(c, where, PROV_KEYS | {"lines"})
        lines = c.get("lines")
        if (
            not isinstance(lines, Sequence)
            or isinstance(lines, str)
            or not lines
            or not all(isinstance(x, str) and x.strip() for x in lines)
        ):
            raise r.fail(
                f"{where}.lines",
                "cần danh sách các dòng căn cứ khác rỗng",
                "expected a non-empty list of non-empty lines",
            )
        out[key] = CitedBases(tuple(lines), r.provenance(c, where))
    return out
