"""The review rules' data types: one legal period's process rules and the values they hold.

Every value carries where it comes from (:class:`Provenance`). The rule sets are read from their
JSON or TOML files by :mod:`giamngheo.core.review.rules_loader` and looked up by year, date or id
in :mod:`giamngheo.core.review.rules`, which re-exports these names (import them from there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal, get_args

from giamngheo.core.review.calendar import DayUnit, WorkCalendar
from giamngheo.core.standards.model import LegalBasis, Note

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
