"""The rules of the review *process* for each legal period, as versioned data.

The law gives some durations firmly (the 2016–2020 posting of 7 working days), others only by
common recollection (the 3-working-day posting of QĐ 24/2021) and some not at all (the complaint
re-check, the whole procedure for the end-2026 review under NĐ 351/2025). So, as with the
poverty standards (``core/standards``), the rules are data: one JSON file per period under
``giamngheo/core/review/data/review-*.json``, and every value carries where it comes from
(:class:`Provenance`): the law (with a confidence mark H/M/L) or a suggestion, and whether it is
**provisional** (a setting to check against the official text, not law), with a bilingual note
that pages show beside the value.

A province may ship its own file (:func:`load_rules`), complete or ``"based_on"`` a national
rule set whose values it overrides.

Which file covers which review year: TT17-2016 the periodic reviews of 2016–2020; QD24-2021 those
of 2021–2025 (the end-2021 review was the full baseline review for 2022–2025, run under QĐ 24/2021,
in force from 1/9/2021, and TT 07/2021); ND351-2025 those from 2026 on (the end-2026 review makes
the first list under NĐ 351/2025). Monthly (ad-hoc) applications follow the set in force on the
day they are received (:func:`rules_for_adhoc`).
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from giamngheo.core.review.calendar import DAY_UNITS, DayUnit, WorkCalendar
from giamngheo.core.standards.model import LegalBasis, Note

SCHEMA_VERSION = 1
DATA_DIR = Path(__file__).parent / "data"
FILE_GLOB = "review-*.json"

StepKey = Literal[
    "list", "assign", "survey", "meeting", "posting", "complaints", "decision", "report"
]
STEP_KEYS: tuple[StepKey, ...] = get_args(StepKey)

Basis = Literal["legal", "suggested"]
BASES: tuple[Basis, ...] = get_args(Basis)

Confidence = Literal["H", "M", "L"]
CONFIDENCES: tuple[Confidence, ...] = get_args(Confidence)

Anchor = Literal["window_start", "previous", "window_end"]
ANCHORS: tuple[Anchor, ...] = get_args(Anchor)

CycleKind = Literal["on_receipt", "monthly"]
CYCLE_KINDS: tuple[CycleKind, ...] = get_args(CycleKind)

FormKey = Literal["application", "escape_application", "phieu_a", "phieu_b", "certificate"]
FORM_KEYS: tuple[FormKey, ...] = get_args(FormKey)

CitedKey = Literal["decision", "certificate"]
CITED_KEYS: tuple[CitedKey, ...] = get_args(CitedKey)


class InvalidRules(ValueError):
    """A rules file is malformed; the message names the file and the key."""


class UnknownRules(LookupError):
    """No rule set for that year, date or id."""


@dataclass(frozen=True)
class Provenance:
    """Where a value comes from, so a page can tell law from settings.

    ``basis`` "legal": the value is the law's (``confidence`` H/M/L as in the domain notes);
    "suggested": a default the application proposes (no confidence). ``provisional``: not
    confirmed against the official text; the unit should check it. ``note`` says why.
    """

    basis: Basis
    confidence: Confidence | None = None
    provisional: bool = False
    note: Note | None = None


@dataclass(frozen=True)
class MonthDay:
    """A day of the year (e.g. 1 September), the same every year."""

    month: int
    day: int

    def on(self, year: int) -> date:
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}"


@dataclass(frozen=True)
class Window:
    """The periodic review's window inside the year."""

    start: MonthDay
    end: MonthDay
    provenance: Provenance

    def dates(self, year: int) -> tuple[date, date]:
        return self.start.on(year), self.end.on(year)


@dataclass(frozen=True)
class Duration:
    days: int
    unit: DayUnit
    provenance: Provenance


@dataclass(frozen=True)
class StepRule:
    """A step of a commune's periodic review and its default due date.

    ``anchor`` "window_start": ``days`` after the window's start; "previous": ``days`` after the
    previous step's due date; "window_end": ``days`` before the window's end (0: the end).
    """

    key: StepKey
    name_vi: str
    name_en: str
    anchor: Anchor
    days: int
    unit: DayUnit
    provenance: Provenance


@dataclass(frozen=True)
class Vote:
    """The village meeting's rule: agreement of at least ``threshold`` of the attendees
    (strictly more than, when not ``inclusive``)."""

    threshold: Fraction
    inclusive: bool
    provenance: Provenance

    def passes(self, agree: int, attendees: int) -> bool:
        if attendees <= 0 or agree < 0 or agree > attendees:
            raise ValueError(
                f"Số đồng ý ({agree}) phải từ 0 đến số người dự họp ({attendees}) / "
                f"agreement ({agree}) must be between 0 and the attendees ({attendees})"
            )
        share = Fraction(agree, attendees)
        return share >= self.threshold if self.inclusive else share > self.threshold


@dataclass(frozen=True)
class Count:
    count: int
    provenance: Provenance


@dataclass(frozen=True)
class AdhocRule:
    """The regular (monthly, ad-hoc) review of applications during the year.

    ``cycle`` "on_receipt": the period runs from the day the application is received (TT 17);
    "monthly": a cycle starts on day ``cycle_day`` of each month and an application received
    on or before day ``join_last_day`` joins that month's cycle, later ones the next month's.
    """

    cycle: CycleKind
    cycle_day: int | None
    cycle_provenance: Provenance
    join_last_day: int | None
    join_provenance: Provenance | None
    decision: Duration


@dataclass(frozen=True)
class AdhocDates:
    received: date
    cycle_start: date
    decision_due: date
    provisional: bool
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class MonthlyReport:
    """The commune's monthly report of ad-hoc results: due on ``day`` of the month after each
    month in ``months`` (the months covered)."""

    day: int
    months: tuple[int, ...]
    provenance: Provenance


@dataclass(frozen=True)
class YearlyReports:
    """The province's annual results: preliminary and official, each due *before* the date."""

    preliminary: MonthDay
    official: MonthDay
    provenance: Provenance


@dataclass(frozen=True)
class Level:
    """A level of the approval chain; ``district`` levels exist only where districts do."""

    key: str
    name_vi: str
    name_en: str
    district: bool


@dataclass(frozen=True)
class Form:
    key: FormKey
    code: str  # e.g. "Mẫu số 01"
    title_vi: str
    title_en: str
    instrument: str
    provenance: Provenance
    number_suffix: str = ""  # the certificate's number suffix, e.g. "GCN-HN.HCN"


@dataclass(frozen=True)
class CitedBases:
    """The "Căn cứ …" lines a document cites; ``{year}`` stands for the review year."""

    lines: tuple[str, ...]
    provenance: Provenance

    def for_year(self, year: int) -> tuple[str, ...]:
        return tuple(line.replace("{year}", str(year)) for line in self.lines)


@dataclass(frozen=True)
class ReviewRules:
    """One legal period's review process rules (see the module docstring)."""

    id: str
    name_vi: str
    name_en: str
    legal_bases: tuple[LegalBasis, ...]
    first_year: int
    last_year: int | None  # None: open-ended
    years_note: Note | None
    adhoc_from: date
    window: Window
    steps: tuple[StepRule, ...]
    complaint_response: Duration
    vote: Vote
    minutes_copies: Count
    adhoc: AdhocRule
    monthly_report: MonthlyReport
    yearly_reports: YearlyReports
    chain: tuple[Level, ...]
    chain_provenance: Provenance
    forms: Mapping[FormKey, Form]
    cited: Mapping[CitedKey, CitedBases]
    notes: tuple[Note, ...] = ()
    national: bool = True
    based_on: str | None = None
    source: str = ""

    def __hash__(self) -> int:
        # The forms and cited bases are mappings; a rule set is identified by id and file.
        return hash((self.id, self.source, self.based_on))

    def applies_to(self, year: int) -> bool:
        """Whether the periodic review of ``year`` runs under these rules."""
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def step(self, key: str) -> StepRule:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(f"Không có bước {key!r} / no step {key!r}")

    @property
    def posting(self) -> Duration:
        """The public posting's length (the "posting" step counted from the meeting)."""
        s = self.step("posting")
        return Duration(s.days, s.unit, s.provenance)

    def window_dates(self, year: int) -> tuple[date, date]:
        return self.window.dates(year)

    def chain_for(self, has_district: bool) -> tuple[Level, ...]:
        """The approval chain of a unit; district levels dropped where there is no district
        (districts were abolished on 1/7/2025)."""
        return tuple(lv for lv in self.chain if has_district or not lv.district)

    def adhoc_due(self, received: date, calendar: WorkCalendar) -> AdhocDates:
        """The cycle start and the decision's due date of an application received that day."""
        rule = self.adhoc
        notes = [p.note for p in (rule.cycle_provenance, rule.decision.provenance) if p.note]
        provisional = rule.cycle_provenance.provisional or rule.decision.provenance.provisional
        if rule.cycle == "on_receipt":
            start = received
        else:
            assert rule.cycle_day is not None and rule.join_last_day is not None
            year, month = received.year, received.month
            if received.day > rule.join_last_day:
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            start = date(year, month, rule.cycle_day)
            if rule.join_provenance is not None:
                provisional = provisional or rule.join_provenance.provisional
                if rule.join_provenance.note:
                    notes.append(rule.join_provenance.note)
        due = calendar.add_days(start, rule.decision.days, rule.decision.unit)
        return AdhocDates(received, start, due, provisional, tuple(notes))

    def monthly_report_due(
        self, year: int, month: int, calendar: WorkCalendar | None = None
    ) -> date | None:
        """When the commune's report on the ad-hoc results of ``month`` is due; None when
        no monthly report covers that month.

        The nominal date (e.g. the 5th of the next month); with a ``calendar``, a day off moves
        it to the next working day.
        """
        if not 1 <= month <= 12:
            raise ValueError(f"Tháng phải từ 1 đến 12: {month} / month must be 1 to 12: {month}")
        if month not in self.monthly_report.months:
            return None
        y, m = (year + 1, 1) if month == 12 else (year, month + 1)
        due = date(y, m, self.monthly_report.day)
        return calendar.on_or_after(due) if calendar is not None else due

    def yearly_report_dates(self, year: int) -> tuple[date, date]:
        """The preliminary and the official annual results of ``year`` are due before these."""
        yr = self.yearly_reports
        return yr.preliminary.on(year), yr.official.on(year)

    def provisional_values(self) -> tuple[tuple[str, Provenance], ...]:
        """Every provisional value, as (key path, provenance), for a page's warning list."""
        found: list[tuple[str, Provenance]] = [
            ("window", self.window.provenance),
            *((f"steps.{s.key}", s.provenance) for s in self.steps),
            ("complaint_response", self.complaint_response.provenance),
            ("vote", self.vote.provenance),
            ("minutes_copies", self.minutes_copies.provenance),
            ("adhoc.cycle", self.adhoc.cycle_provenance),
            ("adhoc.decision", self.adhoc.decision.provenance),
            ("monthly_report", self.monthly_report.provenance),
            ("yearly_reports", self.yearly_reports.provenance),
            ("chain", self.chain_provenance),
            *((f"forms.{k}", f.provenance) for k, f in self.forms.items()),
            *((f"cited.{k}", c.provenance) for k, c in self.cited.items()),
        ]
        if self.adhoc.join_provenance is not None:
            found.append(("adhoc.join", self.adhoc.join_provenance))
        return tuple((path, p) for path, p in found if p.provisional)


# ---------------------------------------------------------------------------------------------
# The national rule sets


@cache
def _national_files() -> Mapping[str, tuple[str, Mapping[str, Any]]]:
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


@cache
def all_rules() -> tuple[ReviewRules, ...]:
    """The national rule sets, oldest first."""
    rules = sorted(
        (rules_from_dict(data, source=name) for name, data in _national_files().values()),
        key=lambda r: r.first_year,
    )
    for before, after in pairwise(rules):
        if before.last_year is None or before.last_year >= after.first_year:
            raise InvalidRules(
                f"{after.source}: review_years: chồng lấn với {before.id} / "
                f"overlaps the review years of {before.id}"
            )
    return tuple(rules)


def rule_ids() -> tuple[str, ...]:
    return tuple(r.id for r in all_rules())


def get_rules(rules_id: str) -> ReviewRules:
    """A national rule set by id (e.g. "QD24-2021")."""
    for r in all_rules():
        if r.id == rules_id:
            return r
    known = ", ".join(rule_ids())
    raise UnknownRules(
        f"Không có bộ quy định rà soát {rules_id!r}; có: {known} / "
        f"no review rule set {rules_id!r}; known: {known}"
    )


def _known_span() -> str:
    rules = all_rules()
    last = rules[-1].last_year
    return f"{rules[0].first_year}–{'' if last is None else last}"


def rules_for(year: int) -> ReviewRules:
    """The rule set of the periodic review of ``year`` (it makes the lists of ``year + 1``)."""
    for r in all_rules():
        if r.applies_to(year):
            return r
    span = _known_span()
    raise UnknownRules(
        f"Không có quy định rà soát định kỳ cho năm {year}; các quy định đã biết áp dụng "
        f"cho các năm {span} / no periodic review rules for {year}; "
        f"the known rules cover the years {span}"
    )


def rules_for_adhoc(received: date) -> ReviewRules:
    """The rule set for an ad-hoc application received on ``received``: the latest one in force
    for ad-hoc reviews on that day."""
    found = [r for r in all_rules() if r.adhoc_from <= received]
    if found:
        return max(found, key=lambda r: r.adhoc_from)
    first = min(r.adhoc_from for r in all_rules())
    raise UnknownRules(
        f"Không có quy định rà soát thường xuyên cho ngày {received:%d/%m/%Y} (sớm nhất từ "
        f"{first:%d/%m/%Y}) / no ad-hoc review rules for {received.isoformat()} "
        f"(the earliest apply from {first.isoformat()})"
    )


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
        files = _national_files()
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


# ---------------------------------------------------------------------------------------------
# Strict reading


_PROV_KEYS = frozenset({"basis", "confidence", "provisional", "note_vi", "note_en"})


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, vi: str, en: str) -> InvalidRules:
        return InvalidRules(f"{self.source}: {where}: {vi} / {en}")

    def keys(self, d: Mapping[str, Any], where: str, allowed: frozenset[str]) -> None:
        extra = sorted(set(d) - allowed)
        if extra:
            raise self.fail(
                f"{where}.{extra[0]}" if where else extra[0],
                "khoá không được hỗ trợ (gõ sai?)",
                "unknown key (a typo?)",
            )

    def obj(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        v = d.get(key)
        if not isinstance(v, Mapping):
            raise self.fail(_at(where, key), "cần một đối tượng", "expected an object")
        return v

    def text(self, d: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
        v = d.get(key, "" if empty else None)
        if not isinstance(v, str) or (not empty and not v.strip()):
            raise self.fail(
                _at(where, key), "cần một chuỗi khác rỗng", "expected a non-empty string"
            )
        return v

    def integer(
        self, d: Mapping[str, Any], key: str, where: str, lo: int = 0, hi: int = 10_000
    ) -> int:
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.fail(
                _at(where, key), f"cần số nguyên từ {lo} đến {hi}", f"expected an integer {lo}–{hi}"
            )
        return v

    def boolean(self, d: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(_at(where, key), "cần true hoặc false", "expected true or false")
        return v

    def choice(self, d: Mapping[str, Any], key: str, where: str, options: tuple[str, ...]) -> Any:
        v = d.get(key)
        if v not in options:
            shown = ", ".join(options)
            raise self.fail(_at(where, key), f"cần một trong: {shown}", f"expected one of: {shown}")
        return v

    def iso_date(self, d: Mapping[str, Any], key: str, where: str) -> date:
        v = d.get(key)
        try:
            if not isinstance(v, str) or len(v) != 10:
                raise ValueError(v)
            return date.fromisoformat(v)
        except ValueError:
            raise self.fail(
                _at(where, key), "cần ngày dạng YYYY-MM-DD", "expected a YYYY-MM-DD date"
            ) from None

    def month_day(self, d: Mapping[str, Any], key: str, where: str) -> MonthDay:
        v = d.get(key)
        try:
            if not isinstance(v, str) or len(v) != 5 or v[2] != "-" or v == "02-29":
                raise ValueError(v)
            parsed = date.fromisoformat(f"2001-{v}")
        except ValueError:
            raise self.fail(
                _at(where, key), "cần ngày trong năm dạng MM-DD", "expected a MM-DD day of the year"
            ) from None
        return MonthDay(parsed.month, parsed.day)

    def note(self, d: Mapping[str, Any], where: str, prefix: str = "note") -> Note | None:
        vi, en = d.get(f"{prefix}_vi"), d.get(f"{prefix}_en")
        if vi is None and en is None:
            return None
        if not isinstance(vi, str) or not isinstance(en, str) or not vi.strip() or not en.strip():
            raise self.fail(
                _at(where, f"{prefix}_vi/{prefix}_en"),
                "cần cả hai ghi chú tiếng Việt và tiếng Anh",
                "expected both the Vietnamese and the English note",
            )
        return Note(vi, en)

    def provenance(self, d: Mapping[str, Any], where: str) -> Provenance:
        basis: Basis = self.choice(d, "basis", where, BASES)
        confidence: Confidence | None = None
        if basis == "legal":
            confidence = self.choice(d, "confidence", where, CONFIDENCES)
        elif d.get("confidence") is not None:
            raise self.fail(
                _at(where, "confidence"),
                "giá trị đề xuất không có độ tin cậy pháp lý",
                "a suggested value has no legal confidence",
            )
        provisional = self.boolean(d, "provisional", where, False)
        note = self.note(d, where)
        if confidence == "L" and not provisional:
            raise self.fail(
                _at(where, "provisional"),
                "giá trị độ tin cậy thấp (L) phải đánh dấu provisional: true",
                "a low-confidence (L) value must be marked provisional: true",
            )
        if provisional and note is None:
            raise self.fail(
                _at(where, "note_vi/note_en"),
                "giá trị tạm thời cần ghi chú lý do",
                "a provisional value needs a note saying why",
            )
        return Provenance(basis, confidence, provisional, note)

    def duration(self, d: Mapping[str, Any], where: str) -> Duration:
        self.keys(d, where, _PROV_KEYS | {"days", "unit"})
        return Duration(
            days=self.integer(d, "days", where, 0, 366),
            unit=self.choice(d, "unit", where, DAY_UNITS),
            provenance=self.provenance(d, where),
        )


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


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
    r = _Reader(source)
    r.keys(data, "", _TOP_KEYS)
    if data.get("schema") != SCHEMA_VERSION:
        raise r.fail(
            "schema",
            f"phiên bản cấu trúc {data.get('schema')!r} không được hỗ trợ (cần {SCHEMA_VERSION})",
            f"unsupported schema version {data.get('schema')!r} (expected {SCHEMA_VERSION})",
        )
    rid = r.text(data, "id", "")

    bases_raw = data.get("legal_bases")
    if not isinstance(bases_raw, Sequence) or isinstance(bases_raw, str) or not bases_raw:
        raise r.fail("legal_bases", "cần một danh sách khác rỗng", "expected a non-empty list")
    bases: list[LegalBasis] = []
    for n, lb in enumerate(bases_raw):
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

    years = r.obj(data, "review_years", "")
    r.keys(years, "review_years", frozenset({"first", "last", "note_vi", "note_en"}))
    first = r.integer(years, "first", "review_years", 1990, 2200)
    last: int | None = None
    if years.get("last") is not None:
        last = r.integer(years, "last", "review_years", first, 2200)

    window_raw = r.obj(data, "window", "")
    r.keys(window_raw, "window", _PROV_KEYS | {"start", "end"})
    window = Window(
        start=r.month_day(window_raw, "start", "window"),
        end=r.month_day(window_raw, "end", "window"),
        provenance=r.provenance(window_raw, "window"),
    )
    if (window.end.month, window.end.day) < (window.start.month, window.start.day):
        raise r.fail("window.end", "kết thúc trước khi bắt đầu", "ends before it starts")

    steps = _steps(r, r.obj(data, "steps", ""))

    vote_raw = r.obj(data, "vote", "")
    r.keys(vote_raw, "vote", _PROV_KEYS | {"threshold", "inclusive"})
    threshold = vote_raw.get("threshold")
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 < threshold <= 1
    ):
        raise r.fail(
            "vote.threshold", "cần một tỉ lệ trong (0, 1]", "expected a fraction in (0, 1]"
        )
    vote = Vote(
        threshold=Fraction(str(threshold)),
        inclusive=r.boolean(vote_raw, "inclusive", "vote", True),
        provenance=r.provenance(vote_raw, "vote"),
    )

    copies_raw = r.obj(data, "minutes_copies", "")
    r.keys(copies_raw, "minutes_copies", _PROV_KEYS | {"count"})
    copies = Count(
        r.integer(copies_raw, "count", "minutes_copies", 1, 20),
        r.provenance(copies_raw, "minutes_copies"),
    )

    monthly_raw = r.obj(data, "monthly_report", "")
    r.keys(monthly_raw, "monthly_report", _PROV_KEYS | {"day", "months"})
    months = monthly_raw.get("months")
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
    monthly = MonthlyReport(
        day=r.integer(monthly_raw, "day", "monthly_report", 1, 28),
        months=tuple(sorted(months)),
        provenance=r.provenance(monthly_raw, "monthly_report"),
    )

    yearly_raw = r.obj(data, "yearly_reports", "")
    r.keys(yearly_raw, "yearly_reports", _PROV_KEYS | {"preliminary", "official"})
    yearly = YearlyReports(
        preliminary=r.month_day(yearly_raw, "preliminary", "yearly_reports"),
        official=r.month_day(yearly_raw, "official", "yearly_reports"),
        provenance=r.provenance(yearly_raw, "yearly_reports"),
    )

    chain, chain_prov = _chain(r, r.obj(data, "chain", ""))
    forms = _forms(r, r.obj(data, "forms", ""))
    cited = _cited(r, r.obj(data, "cited_bases", ""))

    notes_raw = data.get("notes", [])
    if not isinstance(notes_raw, Sequence) or isinstance(notes_raw, str):
        raise r.fail("notes", "cần một danh sách", "expected a list")
    notes: list[Note] = []
    for k, nt in enumerate(notes_raw):
        where = f"notes[{k}]"
        if not isinstance(nt, Mapping):
            raise r.fail(where, "cần một đối tượng", "expected an object")
        r.keys(nt, where, frozenset({"vi", "en"}))
        notes.append(Note(r.text(nt, "vi", where), r.text(nt, "en", where)))

    return ReviewRules(
        id=rid,
        name_vi=r.text(data, "name_vi", ""),
        name_en=r.text(data, "name_en", ""),
        legal_bases=tuple(bases),
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
        notes=tuple(notes),
        national=r.boolean(data, "national", "", True),
        based_on=based_on,
        source=source,
    )


def _steps(r: _Reader, raw: Mapping[str, Any]) -> tuple[StepRule, ...]:
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
        r.keys(s, where, _PROV_KEYS | {"name_vi", "name_en", "from", "days", "unit"})
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


def _adhoc(r: _Reader, raw: Mapping[str, Any]) -> AdhocRule:
    r.keys(raw, "adhoc", frozenset({"cycle", "join", "decision"}))
    cycle_raw = r.obj(raw, "cycle", "adhoc")
    r.keys(cycle_raw, "adhoc.cycle", _PROV_KEYS | {"kind", "day"})
    kind: CycleKind = r.choice(cycle_raw, "kind", "adhoc.cycle", CYCLE_KINDS)
    cycle_day: int | None = None
    join_day: int | None = None
    join_prov: Provenance | None = None
    if kind == "monthly":
        cycle_day = r.integer(cycle_raw, "day", "adhoc.cycle", 1, 28)
        join_raw = r.obj(raw, "join", "adhoc")
        r.keys(join_raw, "adhoc.join", _PROV_KEYS | {"last_day"})
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


def _chain(r: _Reader, raw: Mapping[str, Any]) -> tuple[tuple[Level, ...], Provenance]:
    r.keys(raw, "chain", _PROV_KEYS | {"levels"})
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


def _forms(r: _Reader, raw: Mapping[str, Any]) -> dict[FormKey, Form]:
    r.keys(raw, "forms", frozenset(FORM_KEYS))
    out: dict[FormKey, Form] = {}
    for key in FORM_KEYS:
        where = f"forms.{key}"
        f = r.obj(raw, key, "forms")
        allowed = _PROV_KEYS | {"code", "title_vi", "title_en", "instrument"}
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


def _cited(r: _Reader, raw: Mapping[str, Any]) -> dict[CitedKey, CitedBases]:
    r.keys(raw, "cited_bases", frozenset(CITED_KEYS))
    out: dict[CitedKey, CitedBases] = {}
    for key in CITED_KEYS:
        where = f"cited_bases.{key}"
        c = r.obj(raw, key, "cited_bases")
        r.keys(c, where, _PROV_KEYS | {"lines"})
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
