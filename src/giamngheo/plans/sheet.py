"""The plan page's content, ready for the template: the table in the official layout with
each finding attached to its cell, the objectives in words with their status, and the
geometry of the server-rendered chart. No HTML here and no access decision: the caller
passes the rows the user may see and says whether the user sees the whole plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil

from giamngheo.core.numbers import Lang, format_decimal, format_int
from giamngheo.core.plan import calc, checks
from giamngheo.core.plan.model import COLUMNS, Finding, Objectives, PlanTable, PrintedTotal
from giamngheo.core.plan.model import PlanRow as CoreRow
from giamngheo.core.plan.model import Section as CoreSection
from giamngheo.plans.models import Plan, PlanRow

NUMBER_COLUMNS = COLUMNS[2:]  # 1 … 7
RATE_COLUMNS = ("4", "7")


@dataclass(frozen=True)
class SheetFinding:
    severity: str
    code: str
    row: str
    column: str
    expected: str
    actual: str
    message: str  # in the page's language
    message_other: str  # in the other language


@dataclass(frozen=True)
class SheetCell:
    column: str
    text: str
    findings: tuple[SheetFinding, ...] = ()
    numeric: bool = True

    @property
    def severity(self) -> str:
        if any(f.severity == "error" for f in self.findings):
            return "error"
        return "warning" if self.findings else ""

    @property
    def css(self) -> str:
        classes = ["num"] if self.numeric else []
        if self.severity:
            classes.append(f"finding-{self.severity}")
        return " ".join(classes)

    @property
    def title(self) -> str:
        return "\n".join(f"{f.code}: {f.message}" for f in self.findings)


@dataclass(frozen=True)
class SheetLine:
    kind: str  # "section" (I, II with subtotals), "row", "total" (III)
    number: str
    name: SheetCell
    cells: tuple[SheetCell, ...]  # columns 1 … 7
    row_pk: int | None = None


@dataclass(frozen=True)
class ObjectiveLine:
    text: str  # the objective in words
    status: str  # "met", "not_met", "" (unknown or not shown)
    detail: str


@dataclass(frozen=True)
class ChartBar:
    """One commune's two bars. Geometry is text (SVG user units) so that the template never
    localises it ("1.000" would break the drawing)."""

    name: str
    baseline: str  # the rate as read by a person ("27,42")
    projected: str
    label_x: str
    label_y: str
    baseline_y: str
    baseline_width: str
    baseline_text_x: str
    baseline_text_y: str
    projected_y: str
    projected_width: str
    projected_text_x: str
    projected_text_y: str


@dataclass(frozen=True)
class ChartTick:
    x: str
    label: str


@dataclass(frozen=True)
class Chart:
    bars: tuple[ChartBar, ...]
    width: str
    height: str
    bar_x: str
    legend_text_x: str
    legend2_x: str
    legend2_text_x: str
    axis_top: str
    axis_bottom: str
    tick_label_y: str
    ticks: tuple[ChartTick, ...]


@dataclass(frozen=True)
class PlanSheet:
    lines: tuple[SheetLine, ...]
    findings: tuple[SheetFinding, ...]
    objectives: tuple[ObjectiveLine, ...]
    chart: Chart
    full: bool
    errors: int
    warnings: int


def _fmt(value: int | Decimal | Fraction | None, lang: Lang) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return format_int(value, lang)
    if isinstance(value, Fraction):
        return format_decimal(value, lang, places=calc.PRINT_PLACES)
    return format_decimal(value, lang)


def _rate_or(printed: Decimal | None, exact: Fraction | None) -> Decimal | None:
    return printed if printed is not None else calc.printed(exact)


def _sheet_finding(f: Finding, lang: Lang) -> SheetFinding:
    main, other = (f.message_vi, f.message_en) if lang == "vi" else (f.message_en, f.message_vi)
    return SheetFinding(
        f.severity, f.code, f.row, f.column, f.expected or "", f.actual or "", main, other
    )


def _cells(
    label: str,
    values: Sequence[int | Decimal | None],
    found: dict[tuple[str, str], list[SheetFinding]],
    lang: Lang,
) -> tuple[SheetCell, ...]:
    return tuple(
        SheetCell(column, _fmt(value, lang), tuple(found.get((label, column), ())))
        for column, value in zip(NUMBER_COLUMNS, values, strict=True)
    )


def _row_values(row: CoreRow) -> tuple[int | Decimal | None, ...]:
    remaining = None if row.reduction is None else calc.remaining(row.poor, row.reduction)
    projected = None if remaining is None else calc.rate(remaining, row.households)
    return (
        row.households,
        row.ethnic_minority,
        row.poor,
        _rate_or(row.printed_rate, calc.rate(row.poor, row.households)),
        row.reduction,
        row.printed_remaining if row.printed_remaining is not None else remaining,
        _rate_or(row.printed_projected_rate, projected),
    )


def _total_values(t: calc.Totals, p: PrintedTotal | None) -> tuple[int | Decimal | None, ...]:
    def pick(printed: int | None, computed: int | None) -> int | None:
        return printed if printed is not None else computed

    p = p or PrintedTotal(name="", section=t.section)
    return (
        pick(p.households, t.households),
        pick(p.ethnic_minority, t.ethnic_minority),
        pick(p.poor, t.poor),
        _rate_or(p.rate, t.rate),
        pick(p.reduction, t.reduction),
        pick(p.remaining, t.remaining),
        _rate_or(p.projected_rate, t.projected_rate),
    )


def _objective_lines(
    plan: Plan, table: PlanTable, objectives: Objectives, *, full: bool, lang: Lang
) -> list[ObjectiveLine]:
    out: list[ObjectiveLine] = []
    unit_name = plan.issuing_unit.name
    if lang == "vi":  # "toàn huyện Ngọc Hồi": the kind is lower case inside a sentence
        unit_name = unit_name[:1].lower() + unit_name[1:]
    m = objectives.min_reduction_points
    if m is not None:
        points_text = format_decimal(m.normalize(), lang)
        if lang == "vi":
            word = "trên" if objectives.strict else "ít nhất"
            text = f"Tỷ lệ hộ nghèo toàn {unit_name} giảm {word} {points_text} điểm %/năm"
        else:
            word = "more than" if objectives.strict else "at least"
            text = (
                f"The poverty rate of {unit_name} falls by {word} {points_text} "
                "percentage points a year"
            )
        status, detail = "", ""
        t = calc.totals(table.rows)
        if full and t.reduction is not None and t.households > 0:
            points = t.reduction_points
            assert points is not None
            met = points > m if objectives.strict else points >= m
            status = "met" if met else "not_met"
            shown = format_decimal(points, lang, places=4)
            detail = (
                f"giảm {format_int(t.reduction, lang)} hộ = {shown} điểm %"
                if lang == "vi"
                else f"{format_int(t.reduction, lang)} households = {shown} points"
            )
        out.append(ObjectiveLine(text, status, detail))
    for objective in objectives.communes:
        matches = checks.find_rows(table.rows, objective.name)
        if not matches and not full:
            continue  # another commune's objective: not shown to a commune officer
        lo = format_decimal(objective.min_points.normalize(), lang)
        rng = lo
        if objective.max_points is not None:
            rng = f"{lo}–{format_decimal(objective.max_points.normalize(), lang)}"
        elif lang == "vi":
            rng = f"ít nhất {lo}"
        else:
            rng = f"at least {lo}"
        text = (
            f"{objective.name}: giảm {rng} điểm %"
            if lang == "vi"
            else f"{objective.name}: falls by {rng} percentage points"
        )
        status, detail = "", ""
        if len(matches) == 1 and matches[0].reduction is not None and matches[0].households:
            row = matches[0]
            assert row.reduction is not None
            low, high = checks.commune_range(row.households, objective)
            met = row.reduction >= low and (high is None or row.reduction <= high)
            status = "met" if met else "not_met"
            points = calc.reduction_points(row.households, row.reduction)
            assert points is not None
            needed = checks.format_range(low, high, lang)
            shown = format_decimal(points, lang, places=4)
            detail = (
                f"giảm {format_int(row.reduction, lang)} hộ = {shown} điểm %; cần {needed} hộ"
                if lang == "vi"
                else f"{format_int(row.reduction, lang)} households = {shown} points; "
                f"{needed} needed"
            )
        out.append(ObjectiveLine(text, status, detail))
    return out


CHART_LABEL_WIDTH = 170
CHART_BAR_WIDTH = 420
CHART_ROW_HEIGHT = 40
CHART_TOP = 30
CHART_BAR_HEIGHT = 14


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _chart(rows: Sequence[CoreRow], lang: Lang) -> Chart:
    """Horizontal bars per commune: rate at baseline (column 4) and projected (column 7),
    both computed exactly from the stored numbers and labelled with two decimals."""
    data: list[tuple[str, Fraction | None, Fraction | None]] = []
    for row in rows:
        base = calc.rate(row.poor, row.households)
        projected = (
            None
            if row.reduction is None
            else calc.projected_rate(row.households, row.poor, row.reduction)
        )
        data.append((row.name, base, projected))
    top = max((v for _, b, p in data for v in (b, p) if v is not None), default=Fraction(1))
    scale = max(5, ceil(top / 5) * 5)  # a round scale: the next multiple of 5 points
    x0 = CHART_LABEL_WIDTH
    bars = []
    for i, (name, base, projected) in enumerate(data):
        y = CHART_TOP + i * CHART_ROW_HEIGHT
        bw = float((base or 0) / scale) * CHART_BAR_WIDTH
        pw = float((projected or 0) / scale) * CHART_BAR_WIDTH
        bars.append(
            ChartBar(
                name=name,
                baseline=_fmt(base, lang),
                projected=_fmt(projected, lang),
                label_x=_n(x0 - 8),
                label_y=_n(y + 20),
                baseline_y=_n(y + 2),
                baseline_width=_n(bw),
                baseline_text_x=_n(x0 + bw + 4),
                baseline_text_y=_n(y + 13),
                projected_y=_n(y + 2 + CHART_BAR_HEIGHT + 2),
                projected_width=_n(pw),
                projected_text_x=_n(x0 + pw + 4),
                projected_text_y=_n(y + 29),
            )
        )
    bottom = CHART_TOP + len(bars) * CHART_ROW_HEIGHT
    ticks = tuple(
        ChartTick(_n(x0 + CHART_BAR_WIDTH * k / 5), format_int(scale * k // 5, lang))
        for k in range(6)
    )
    return Chart(
        bars=tuple(bars),
        width=_n(x0 + CHART_BAR_WIDTH + 60),
        height=_n(bottom + 20),
        bar_x=_n(x0),
        legend_text_x=_n(x0 + 16),
        legend2_x=_n(x0 + 210),
        legend2_text_x=_n(x0 + 226),
        axis_top=_n(CHART_TOP - 4),
        axis_bottom=_n(bottom),
        tick_label_y=_n(bottom + 14),
        ticks=ticks,
    )


def build_sheet(
    *,
    plan: Plan,
    table: PlanTable,
    objectives: Objectives,
    findings: Sequence[Finding],
    visible_rows: Sequence[PlanRow],
    full: bool,
    lang: Lang = "vi",
) -> PlanSheet:
    """The page content. ``table`` and ``findings`` are of the whole plan; when ``full`` is
    False only ``visible_rows`` appear — no other row, no total line, no finding about
    either, and no district-wide objective status."""
    visible_names = {r.name_as_printed for r in visible_rows}
    pk_by_name = {r.name_as_printed: r.pk for r in visible_rows}
    rows = [r for r in table.rows if full or r.name in visible_names]
    row_names = {r.name for r in rows}
    shown = [_sheet_finding(f, lang) for f in findings if full or f.row in row_names]
    found: dict[tuple[str, str], list[SheetFinding]] = defaultdict(list)
    for f in shown:
        found[(f.row, f.column)].append(f)

    labels = calc.SECTION_LABELS_VI if lang == "vi" else calc.SECTION_LABELS_EN
    printed = {t.section: t for t in table.totals}
    lines: list[SheetLine] = []

    def total_line(kind: str, section: CoreSection | None) -> SheetLine:
        p = printed.get(section)
        label = (
            p.name
            if p is not None
            else (checks.GRAND_TOTAL_LABEL if section is None and lang == "vi" else labels[section])
        )
        number = p.number if p is not None and p.number else calc.SECTION_NUMBERS[section]
        t = calc.totals(table.rows, section)
        values: tuple[int | Decimal | None, ...] = (None,) * 7
        if full and (t.rows or p is not None):
            values = _total_values(t, p)
        name = SheetCell("B", label, tuple(found.get((label, "B"), ())), numeric=False)
        return SheetLine(kind, number, name, _cells(label, values, found, lang))

    for section in (CoreSection.URBAN, CoreSection.RURAL):
        if not full and not any(r.section is section for r in rows):
            continue
        lines.append(total_line("section", section))
        for row in rows:
            if row.section is not section:
                continue
            name = SheetCell("B", row.name, tuple(found.get((row.name, "B"), ())), numeric=False)
            lines.append(
                SheetLine(
                    "row",
                    row.number,
                    name,
                    _cells(row.name, _row_values(row), found, lang),
                    pk_by_name.get(row.name),
                )
            )
    if full:
        lines.append(total_line("total", None))

    return PlanSheet(
        lines=tuple(lines),
        findings=tuple(shown),
        objectives=tuple(
            _objective_lines(
                plan,
                PlanTable(rows=tuple(rows), totals=table.totals),
                objectives,
                full=full,
                lang=lang,
            )
        ),
        chart=_chart(rows, lang),
        full=full,
        errors=sum(1 for f in shown if f.severity == "error"),
        warnings=sum(1 for f in shown if f.severity == "warning"),
    )
