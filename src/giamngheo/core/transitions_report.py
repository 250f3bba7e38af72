"""The transitions page's tables, rendered from :class:`~giamngheo.core.transitions_figures.
TransitionFigures` (pure Python), and the same tables for export.

:func:`render_report` gives one :class:`ListReport` per list (poor, near-poor) in a language:
the detail table (every row, all households and ethnic-minority ones, households and
persons), the reconciliation of the seed's net reduction with the actual change, and the
tables by area and unit (of all households, or of the ethnic-minority ones with ``em_only``).
Every figure is a :class:`Cell` whose ``url`` the caller's ``link`` gives (the web pages: the
drill-down list of the figure's households; the command line: none).

:func:`export_tables` turns the reports into :mod:`giamngheo.core.tables` tables (the page's
xlsx export, the command line's text, csv and JSON). Stable keys:

* table: ``poor`` | ``near_poor``;
* section ``detail``: columns ``all_households``, ``all_persons``, ``em_households``,
  ``em_persons`` (ethnic-minority households); rows keyed as
  :meth:`~giamngheo.core.transitions.MovementTable.rows` (``start``, ``decreases``,
  ``to_other_list``, ``above_line``, ``other_decreases``, ``other_decreases:<moved_away |
  dissolved | merged | unrecorded>``, ``members_lost``, ``increases``, ``from_other_list``,
  ``re_entered``, ``newly``, ``other_increases``, ``other_increases:<moved_in | split_off |
  unrecorded>``, ``members_gained``, ``end``); a figure that does not exist (members rows
  counted in households) is ``None``;
* sections ``summary:households`` and ``summary:persons`` (the tables by area and unit):
  columns :data:`~giamngheo.core.transitions_figures.SUMMARY_KEYS` then ``net_by_note``
  (escaped − re-poor − newly poor) and ``net_change`` (start − end); rows ``total``,
  ``area:urban`` / ``area:rural``, each followed by its units ``unit:<GSO code>``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from giamngheo.core.numbers import Lang, format_decimal, format_int
from giamngheo.core.tables import Column, Row, Section, Table
from giamngheo.core.transitions import LIST_KINDS, ListKind, Measure, row_label
from giamngheo.core.transitions_figures import (
    MEASURES,
    SUMMARY_KEYS,
    GroupedFigures,
    TableFigures,
    TransitionFigures,
)

#: (list, figure key, measure, group) → the figure's link; the group is the drill-down's
#: parameters (``dtts``, ``khu_vuc``, ``xa``).
Link = Callable[[ListKind, str, Measure, Mapping[str, Any]], str]
AREA_LABELS: dict[str, tuple[str, str]] = {
    "urban": ("I. Khu vực thành thị", "I. Urban"),
    "rural": ("II. Khu vực nông thôn", "II. Rural"),
}


def no_link(kind: ListKind, key: str, measure: Measure, group: Mapping[str, Any]) -> str:
    return ""


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    value: int = 0


@dataclass(frozen=True)
class SummaryRow:
    kind: str  # "total", "section", "unit"
    label: str
    cells: list[Cell]
    identity_ok: bool
    net_by_note: Cell
    net_change: Cell
    rate_start: str
    rate_end: str
    rate_points: str
    key: str = ""  # "total", "area:urban", "unit:<GSO code>"


@dataclass(frozen=True)
class DetailRow:
    key: str
    level: int
    label: str
    label_other: str
    cells: list[Cell]  # all: households, persons; ethnic minority: households, persons


@dataclass(frozen=True)
class Term:
    label: str
    value: str
    url: str


@dataclass(frozen=True)
class Reconciliation:
    measure: Measure
    net_by_note: str
    escaped: Cell
    re_entered: Cell
    newly: Cell
    net_change: str
    start: Cell
    end: Cell
    difference: str
    terms: list[Term]
    explained_ok: bool
    rate_start: str
    rate_end: str
    rate_points: str


@dataclass
class ListReport:
    list_kind: ListKind
    title: str
    detail: list[DetailRow] = field(default_factory=list)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    summaries: list[tuple[str, list[str], list[SummaryRow]]] = field(default_factory=list)
    identity_ok: bool = True


def _pct(value: Fraction | None, lang: Lang) -> str:
    return "—" if value is None else f"{format_decimal(value, lang, 2)} %"


def _points(value: Fraction | None, lang: Lang) -> str:
    return "—" if value is None else format_decimal(value, lang, 2)


def _summary(  # noqa: PLR0917
    grouped: GroupedFigures,
    kind: ListKind,
    measure: Measure,
    names: Mapping[str, tuple[str, str]],
    em: bool,
    lang: Lang,
    link: Link,
) -> list[SummaryRow]:
    """Rows: the total, then per area its subtotal and the units under it (by GSO code)."""
    em_group: dict[str, Any] = {"dtts": 1} if em else {}
    households = measure == "households"

    def row(t: TableFigures, kind_: str, label: str, group: dict[str, Any], key: str) -> SummaryRow:
        cells = []
        for figure in SUMMARY_KEYS:
            n = t.count(figure, measure)
            cells.append(Cell(format_int(n, lang), link(kind, figure, measure, group), n))
        note, change = t.net_by_note[measure], t.net_change[measure]
        return SummaryRow(
            kind=kind_,
            label=label,
            cells=cells,
            identity_ok=t.identity_residual[measure] == 0,
            net_by_note=Cell(format_int(note, lang), value=note),
            net_change=Cell(format_int(change, lang), value=change),
            # The rate is of households: shown in the households table only.
            rate_start=_pct(t.rate_start, lang) if households else "",
            rate_end=_pct(t.rate_end, lang) if households else "",
            rate_points=_points(t.rate_change_points, lang) if households else "",
            key=key,
        )

    total = "Tổng số" if lang == "vi" else "Total"
    rows = [row(grouped.total, "total", total, em_group, "total")]
    for area, table in grouped.areas.items():
        label = AREA_LABELS[area][0 if lang == "vi" else 1]
        rows.append(row(table, "section", label, {**em_group, "khu_vuc": area}, f"area:{area}"))
        in_area = [k for k in grouped.units if k.area == area and k.unit_code is not None]
        for ukey in sorted(in_area, key=lambda k: names.get(k.unit_code or "", ("", ""))):
            if ukey.unit_code is not None:
                code, name = names.get(ukey.unit_code, ("", ""))
                group = {**em_group, "khu_vuc": area, "xa": ukey.unit_code}
                rows.append(
                    row(grouped.units[ukey], "unit", name, group, f"unit:{code or ukey.unit_code}")
                )
    return rows


def _detail(figures: TransitionFigures, kind: ListKind, lang: Lang, link: Link) -> list[DetailRow]:
    tables = {"all": figures.all[kind].total, "em": figures.em[kind].total}
    present = {m: {r.key for r in tables["all"].rows[m]} for m in MEASURES}
    out = []
    for r in tables["all"].rows["persons"]:
        cells = []
        for pop in ("all", "em"):
            for m in MEASURES:
                if r.key not in present[m]:
                    cells.append(Cell("—"))
                    continue
                n = tables[pop].count(r.key, m)
                group = {"dtts": 1} if pop == "em" else {}
                cells.append(Cell(format_int(n, lang), link(kind, r.key, m, group), n))
        vi, en = r.label_vi, r.label_en
        label, other = (vi, en) if lang == "vi" else (en, vi)
        out.append(DetailRow(r.key, r.level, label, other, cells))
    return out


def _reconciliation(
    table: TableFigures, kind: ListKind, m: Measure, lang: Lang, link: Link
) -> Reconciliation:
    rec = table.reconciliation[m]

    def cell(key: str) -> Cell:
        n = table.count(key, m)
        return Cell(format_int(n, lang), link(kind, key, m, {}), n)

    return Reconciliation(
        measure=m,
        net_by_note=format_int(rec.net_by_note, lang),
        escaped=cell("escaped"),
        re_entered=cell("re_entered"),
        newly=cell("newly"),
        net_change=format_int(rec.net_change, lang),
        start=cell("start"),
        end=cell("end"),
        difference=format_int(rec.difference, lang),
        terms=[
            Term(
                t.label_vi if lang == "vi" else t.label_en,
                ("+" if t.value > 0 else "") + format_int(t.value, lang),
                link(kind, t.key, m, {}) if not t.key.startswith("members_") else "",
            )
            for t in rec.terms
            if t.value != 0
        ],
        explained_ok=rec.explained == rec.difference,
        rate_start=_pct(table.rate_start, lang),
        rate_end=_pct(table.rate_end, lang),
        rate_points=_points(table.rate_change_points, lang),
    )


def render_report(
    figures: TransitionFigures, lang: Lang, em_only: bool = False, link: Link = no_link
) -> list[ListReport]:
    """The page's tables for both lists, in ``lang`` (the tables by area and unit of the
    ethnic-minority households with ``em_only``)."""
    reports = []
    for kind in LIST_KINDS:
        title = row_label(kind, "start")[0 if lang == "vi" else 1]
        report = ListReport(kind, title)
        report.detail = _detail(figures, kind, lang, link)
        totals = (figures.all[kind].total, figures.em[kind].total)
        report.identity_ok = all(t.identity_residual[m] == 0 for t in totals for m in MEASURES)
        report.reconciliations = [
            _reconciliation(figures.all[kind].total, kind, m, lang, link) for m in MEASURES
        ]
        grouped = figures.em[kind] if em_only else figures.all[kind]
        for m in MEASURES:
            heading = (
                ("Số hộ" if m == "households" else "Số nhân khẩu")
                if lang == "vi"
                else ("Households" if m == "households" else "Persons")
            )
            labels = [row_label(kind, k)[0 if lang == "vi" else 1] for k in SUMMARY_KEYS]
            rows = _summary(grouped, kind, m, figures.names, em_only, lang, link)
            report.summaries.append((heading, labels, rows))
            report.identity_ok &= all(r.identity_ok for r in rows)
        reports.append(report)
    return reports


# --- export -----------------------------------------------------------------------------------
SHEETS: dict[ListKind, str] = {"poor": "Ho ngheo", "near_poor": "Ho can ngheo"}
CAPTIONS: dict[ListKind, tuple[str, str]] = {
    "poor": ("Hộ nghèo", "Poor households"),
    "near_poor": ("Hộ cận nghèo", "Near-poor households"),
}
DETAIL_COLUMNS = (
    Column("all_households", "Tất cả hộ: hộ"),
    Column("all_persons", "Tất cả hộ: khẩu"),
    Column("em_households", "Hộ DTTS: hộ"),
    Column("em_persons", "Hộ DTTS: khẩu"),
)
NET_COLUMNS = (
    Column("net_by_note", "Thoát nghèo − tái − mới"),
    Column("net_change", "Đầu kỳ − cuối kỳ"),
)


def export_tables(
    reports: Sequence[ListReport], title: str, notes: Sequence[str] = (), lang: Lang = "vi"
) -> list[Table]:
    """The reports as tables (one per list; see the module docstring for the keys), each
    titled ``title`` (e.g. "Huyện Ngọc Hồi: 2019 → 2020") with ``notes`` under it and the
    list's name in ``lang`` as its caption. The column headings of the detail table and the
    last two of the tables by unit are in Vietnamese, as the page's export always had them."""
    tables = []
    for report in reports:
        detail = Section(
            "detail",
            "",
            DETAIL_COLUMNS,
            tuple(
                Row(
                    d.key,
                    d.label,
                    tuple(c.value if c.text != "—" else None for c in d.cells),
                    level=d.level,
                    strong=d.level == 0,
                )
                for d in report.detail
            ),
        )
        sections = [detail]
        for measure, (heading, labels, rows) in zip(MEASURES, report.summaries, strict=True):
            columns = (*(Column(k, x) for k, x in zip(SUMMARY_KEYS, labels, strict=True)),)
            sections.append(
                Section(
                    f"summary:{measure}",
                    heading,
                    (*columns, *NET_COLUMNS),
                    tuple(
                        Row(
                            s.key,
                            s.label,
                            (*(c.value for c in s.cells), s.net_by_note.value, s.net_change.value),
                        )
                        for s in rows
                    ),
                )
            )
        caption = CAPTIONS[report.list_kind][0 if lang == "vi" else 1]
        kind = report.list_kind
        tables.append(Table(kind, title, SHEETS[kind], tuple(sections), tuple(notes), caption))
    return tables
