"""What the support pages and ``giamngheo support …`` both export, computed once for either:

* :class:`Gaps`: support year Y's deprivations against support in a scope (the poor and
  near-poor of the review at the end of Y − 1, what they received in Y, the needs no support
  addresses), its summary per commune or village, its named rows; :func:`gaps_xlsx` the gaps
  page's workbook (``?format=xlsx``) as bytes; :func:`gaps_summary_table` the summary as a
  ``core.tables.Table`` (the command's text);
* :func:`pipeline`: registered versus escaped per commune (``core.support.pipeline.
  registered_vs_escaped``), the pipeline page's summary; :func:`pipeline_table` its table;
* :func:`money_tables`: the money report's tables (``core.support.money_report.money_tables``).

No HTTP here: the functions take the user whose scope they read (the page's user, or the
command's national actor), and a unit to stay within for the command. Labels are in the active
language (``gettext``: the pages' language, or the command's ``translation.override``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from giamngheo.core.standards.model import UnknownStandard
from giamngheo.core.support.catalog import load_catalog
from giamngheo.core.support.gaps import (
    INCOME,
    GapSummaryRow,
    HouseholdGap,
    HouseholdNeed,
    Received,
    StandardLookup,
    gap_summary,
    gaps,
)
from giamngheo.core.support.money_report import money_tables as build_money_tables
from giamngheo.core.support.pipeline import PipelineRow, registered_vs_escaped
from giamngheo.core.tables import Column, Row, Section, Table
from giamngheo.geo.models import AdminUnit, Level
from giamngheo.support.selectors import money as money_sel
from giamngheo.support.selectors import needs as sel

if TYPE_CHECKING:
    from giamngheo.accounts.access import AnyUser
    from giamngheo.core.numbers import Lang

CLASSES = {
    "poor": ("Hộ nghèo", "Poor"),
    "near_poor": ("Hộ cận nghèo", "Near-poor"),
    "medium": ("Mức sống trung bình", "Medium living standard"),
    "non_poor": ("Không nghèo", "Not poor"),
}
COUNTS = ("deprived", "addressed", "unaddressed")


class Labels:
    """Names of indicators (from the standards), support types (the catalog), classes."""

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self.lookup = StandardLookup()
        self.catalog = load_catalog()
        self._types: dict[tuple[str, str], list[str]] = {}

    def pick(self, vi: str, en: str) -> str:
        return en if self.lang == "en" else vi

    def indicator(self, key: str, standard_ids: Iterable[str]) -> str:
        if key == INCOME:
            return _("Thu nhập")
        for std_id in standard_ids:
            try:
                ind = self.lookup(std_id).indicator(key)
            except (KeyError, UnknownStandard):
                continue
            return self.pick(ind.name_vi, ind.name_en)
        return key

    def support(self, code: str) -> str:
        return self.catalog.get(code).label(self.lang) if code in self.catalog else code

    def types_for(self, key: str, standard_id: str) -> list[str]:
        found = self._types.get((key, standard_id))
        if found is None:
            try:
                types = self.catalog.types_for(key, standard_id)
            except UnknownStandard:
                types = ()
            found = self._types[(key, standard_id)] = [t.label(self.lang) for t in types]
        return found

    def order(self, keys: Iterable[str], standard_id: str) -> list[str]:
        """Income first, then the standard's order."""
        try:
            known = self.lookup(standard_id).indicator_keys
        except UnknownStandard:
            known = ()
        rank = {k: i for i, k in enumerate(known)}
        return sorted(keys, key=lambda k: (k != INCOME, rank.get(k, len(rank)), k))

    def class_label(self, value: str) -> str:
        vi, en = CLASSES.get(value, (value, value))
        return self.pick(vi, en)


def commune_ids(commune: AdminUnit | None, within: AdminUnit | None) -> list[int] | None:
    """The communes asked for: the one commune, the communes of ``within`` (a province or a
    district, any validity), or None (all the user sees)."""
    if commune is not None:
        return [commune.pk]
    if within is None:
        return None
    units = AdminUnit.objects.descendants_of(within).filter(level=Level.COMMUNE)
    return sorted(units.values_list("pk", flat=True))


def _needs(
    user: AnyUser, year: int, commune: AdminUnit | None, within: AdminUnit | None
) -> tuple[list[HouseholdNeed], list[int]]:
    """The needs of the review at the end of ``year − 1`` and the communes shown: the one
    commune, else those having a poor or near-poor household."""
    need_list = sel.needs(user, year=year - 1, commune_ids=commune_ids(commune, within))
    found = sorted({n.commune_id for n in need_list})
    return need_list, [commune.pk] if commune is not None else found


def by_household(got: Iterable[Received], ids: set[int]) -> dict[int, list[Received]]:
    out: dict[int, list[Received]] = {}
    for r in got:
        if r.household_id in ids:
            out.setdefault(r.household_id, []).append(r)
    return out


# --- deprivations against support --------------------------------------------------------------
class Gaps:
    """Support year ``year`` in the user's scope (one commune, the communes of ``within``, or
    all it sees): the core's results and the parts the page and the export show. One commune
    (given, or the only one found) is summed per village, else per commune (per village too
    with ``by_village``)."""

    def __init__(
        self,
        user: AnyUser,
        year: int,
        commune: AdminUnit | None = None,
        within: AdminUnit | None = None,
        lang: Lang = "vi",
        *,
        by_village: bool = False,
    ) -> None:
        self.year, self.labels = year, Labels(lang)
        need_list, self.communes = _needs(user, year, commune, within)
        self.got = sel.received(year=year, commune_ids=self.communes)
        self.stds = sorted({n.standard_id for n in need_list})
        self.gaps = gaps(need_list, self.got, sel.addressing(self.stds), year=year)
        self.one = commune
        if commune is None and len(self.communes) == 1:
            self.one = AdminUnit.objects.get(pk=self.communes[0])
        by: Literal["commune", "village"] = (
            "village" if self.one is not None or by_village else "commune"
        )
        self.by = by
        self.summary_rows = gap_summary(self.gaps, by)
        self.keys = [c.key for c in self.summary_rows[0].indicators] if self.summary_rows else []
        villages = (r.village_id for r in self.summary_rows if r.village_id is not None)
        self.names = sel.unit_names([*self.communes, *villages])

    def unit_name(self, row: GapSummaryRow) -> str:
        if self.by == "commune":
            return self.names.get(row.commune_id, "")
        return self.names.get(row.village_id or 0) or _("(không rõ thôn)")

    def totals(self) -> tuple[int, int, list[list[int]]]:
        """Households, those with an unaddressed need, and per indicator the counts."""
        rows = self.summary_rows
        return (
            sum(r.households for r in rows),
            sum(r.households_unaddressed for r in rows),
            [
                [sum(getattr(r.indicators[i], f) for r in rows) for f in COUNTS]
                for i in range(len(self.keys))
            ],
        )

    def household_row(self, g: HouseholdGap, got: list[Received]) -> dict[str, Any]:
        need, std, labels = g.need, g.need.standard_id, self.labels
        by_type: dict[str, int] = {}
        for r in got:
            by_type[r.support_type] = by_type.get(r.support_type, 0) + r.value
        items = [
            {
                "key": key,
                "label": labels.indicator(key, [std]),
                "addressed": key in g.addressed,
                "by": [labels.support(t) for t in g.supports_addressing(key)],
                "could": [] if key in g.addressed else labels.types_for(key, std),
            }
            for key in labels.order(g.needs, std)
        ]
        return {
            "need": need,
            "village": self.names.get(need.village_id or 0, ""),
            "class_label": labels.class_label(need.classification),
            "income_gap": g.income_gap,
            "received": [(labels.support(t), v) for t, v in sorted(by_type.items())],
            "items": items,
            "unaddressed": [i for i in items if not i["addressed"]],
        }

    def filtered(
        self, village_id: int | None, *, unaddressed_only: bool = False, key: str | None = None
    ) -> list[HouseholdGap]:
        """The named list of the one commune (all of them without one), of a village, with
        an unaddressed need only, with (an unaddressed) need ``key`` only."""
        one = self.one.pk if self.one is not None else None
        rows = [
            g
            for g in self.gaps
            if (one is None or g.need.commune_id == one)
            and (village_id is None or g.need.village_id == village_id)
            and (not unaddressed_only or g.unaddressed)
            and (key is None or key in (g.unaddressed if unaddressed_only else g.needs))
        ]
        rows.sort(key=lambda g: (g.need.commune_id, g.need.village_id or 1 << 62, g.need.code))
        return rows


def gaps_xlsx(data: Gaps, rows: Sequence[HouseholdGap]) -> bytes:
    """The gaps workbook: the summary sheet and the named ``rows``."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Tổng hợp"))
    ws.append([_("Thiếu hụt và hỗ trợ năm %(year)s") % {"year": data.year}])
    head = [_("Đơn vị"), _("Số hộ"), _("Hộ còn nhu cầu chưa được hỗ trợ")]
    for k in data.keys:
        name = data.labels.indicator(k, data.stds)
        head += [
            f"{name}: {_('thiếu hụt')}",
            f"{name}: {_('đã hỗ trợ')}",
            f"{name}: {_('chưa hỗ trợ')}",
        ]
    ws.append(head)
    for r in data.summary_rows:
        line: list[object] = [data.unit_name(r), r.households, r.households_unaddressed]
        ws.append(line + [getattr(c, f) for c in r.indicators for f in COUNTS])
    ws = wb.create_sheet(_("Danh sách hộ"))
    ws.append(
        [_("STT"), _("Xã"), _("Thôn"), _("Mã hộ"), _("Chủ hộ"), _("Phân loại"), _("Thiếu hụt"),
         _("Thu nhập còn thiếu (đồng/người/tháng)"), _("Hỗ trợ đã nhận (đồng)"),
         _("Nhu cầu chưa được hỗ trợ"), _("Loại hỗ trợ có thể giải quyết")]
    )  # fmt: skip
    got = by_household(data.got, {g.need.household_id for g in rows})
    for n, g in enumerate(rows, 1):
        row = data.household_row(g, got.get(g.need.household_id, []))
        ws.append(
            [n, data.names.get(g.need.commune_id, ""), row["village"], g.need.code,
             g.need.head_name, row["class_label"], "; ".join(i["label"] for i in row["items"]),
             g.income_gap, "; ".join(f"{t}: {v}" for t, v in row["received"]),
             "; ".join(i["label"] for i in row["unaddressed"]),
             " | ".join(f"{i['label']}: {', '.join(i['could'])}" for i in row["unaddressed"])]
        )  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def gaps_summary_table(data: Gaps) -> Table:
    """The summary per commune or village (the total first when there are several), columns
    ``households``, ``households_unaddressed`` and ``<indicator>:<deprived|addressed|
    unaddressed>``."""
    columns = [
        Column("households", _("Số hộ")),
        Column("households_unaddressed", _("Hộ còn nhu cầu chưa được hỗ trợ")),
    ]
    words = (_("thiếu hụt"), _("đã hỗ trợ"), _("chưa hỗ trợ"))
    for k in data.keys:
        name = data.labels.indicator(k, data.stds)
        columns += [Column(f"{k}:{f}", f"{name}: {w}") for f, w in zip(COUNTS, words, strict=True)]
    rows: list[Row] = []
    if len(data.summary_rows) > 1:
        households, unaddressed, per_indicator = data.totals()
        values = (households, unaddressed, *(n for counts in per_indicator for n in counts))
        rows.append(Row("total", _("Tổng cộng"), values, strong=True))
    for r in data.summary_rows:
        key = f"commune:{r.commune_id}" if data.by == "commune" else f"village:{r.village_id}"
        counts = (getattr(c, f) for c in r.indicators for f in COUNTS)
        rows.append(Row(key, data.unit_name(r), (r.households, r.households_unaddressed, *counts)))
    title = _("Thiếu hụt và hỗ trợ năm %(year)s") % {"year": data.year}
    section = Section("summary", "", tuple(columns), tuple(rows))
    return Table("gaps", title, _("Tổng hợp"), (section,))


# --- registered versus escaped -----------------------------------------------------------------
@dataclass(frozen=True)
class Pipeline:
    """The escape pipeline's numbers of support year ``year``: the base year's needs, the
    communes shown, the plan's targets, the communes whose review of the year is approved and
    per commune registered versus escaped (``rows``: the core's, the total last)."""

    year: int
    need_list: list[HouseholdNeed]
    communes: list[int]
    targets: dict[int, int]
    reviewed: set[int]
    rows: list[PipelineRow]
    names: dict[int, str]


def pipeline(
    user: AnyUser, year: int, commune: AdminUnit | None = None, within: AdminUnit | None = None
) -> Pipeline:
    """Registered versus escaped per commune (raises ``GapError`` as the core does)."""
    need_list, communes = _needs(user, year, commune, within)
    targets = sel.plan_targets(year=year, commune_ids=communes)
    regs = sel.registrations(year=year, commune_ids=communes)
    reviewed = sel.communes_reviewed(communes, year)
    poor_ids = {
        n.household_id for n in need_list if n.classification == "poor" and n.commune_id in reviewed
    }
    nexts = sel.next_reviews(year, poor_ids) if reviewed else []
    rows = registered_vs_escaped(regs, need_list, nexts, targets, year=year)
    names = sel.unit_names(communes)
    return Pipeline(year, need_list, communes, targets, reviewed, rows, names)


_PLANNED = ("target", "poor", "registered", "gap_to_target")
_OUTCOME = (
    "registered_escaped", "registered_still_poor", "registered_unknown", "escaped_unregistered",
)  # fmt: skip


def pipeline_table(data: Pipeline) -> Table:
    """Rows ``total`` and ``commune:<GSO code>``; columns ``target`` (the plan's column 5),
    ``poor``, ``registered``, ``gap_to_target`` and the outcome at the review of the year
    (``registered_escaped``, ``registered_still_poor``, ``registered_unknown``,
    ``escaped_unregistered``: null until that review is approved, for the total until every
    commune's is)."""
    labels = (
        _("Chỉ tiêu giảm (cột 5)"), _("Hộ nghèo đầu năm"), _("Đã đăng ký"),
        _("Còn thiếu so với chỉ tiêu"), _("Đăng ký và đã thoát nghèo"),
        _("Đăng ký nhưng vẫn nghèo"), _("Đăng ký, chưa có kết quả"),
        _("Thoát nghèo không đăng ký"),
    )  # fmt: skip
    keys = (*_PLANNED, *_OUTCOME)
    columns = tuple(Column(k, label) for k, label in zip(keys, labels, strict=True))
    codes = dict(AdminUnit.objects.filter(pk__in=data.communes).values_list("pk", "code"))
    every = bool(data.communes) and data.reviewed >= set(data.communes)

    def row(r: PipelineRow, key: str, label: str, known: bool) -> Row:
        planned = tuple(getattr(r, f) for f in _PLANNED)
        outcome = tuple(getattr(r, f) if known else None for f in _OUTCOME)
        return Row(key, label, (*planned, *outcome), strong=key == "total")

    total = data.rows[-1]
    rows = [row(total, "total", _("Tổng cộng"), every)]
    for r in data.rows[:-1]:
        if r.commune_id is not None:
            key = f"commune:{codes.get(r.commune_id) or r.commune_id}"
            label = data.names.get(r.commune_id, "")
            rows.append(row(r, key, label, r.commune_id in data.reviewed))
    note = _(
        'Hộ nghèo theo kết quả rà soát cuối năm %(base)s đã phê duyệt; chỉ tiêu là cột 5 "số hộ '
        'giảm tối thiểu" của kế hoạch năm %(year)s. Sau kỳ rà soát năm %(year)s: số hộ đã đăng '
        "ký so với số hộ thực sự thoát nghèo."
    ) % {"base": data.year - 1, "year": data.year}
    return Table(
        key="pipeline",
        title=_("Đăng ký thoát nghèo năm %(year)s") % {"year": data.year},
        sheet=_("Đăng ký thoát nghèo"),
        sections=(Section("communes", "", columns, tuple(rows)),),
        notes=(note, _("Kết quả để trống: chưa có kết quả rà soát năm %(year)s đã phê duyệt.")
               % {"year": data.year}),
    )  # fmt: skip


# --- money ---------------------------------------------------------------------------------------
def money_tables(
    user: AnyUser, year: int, lang: Lang = "vi", within: AdminUnit | None = None
) -> list[Table]:
    """The money report of budget ``year`` as the user sees it (allocated, disbursed, settled:
    source × programme node × commune × quarter); with ``within``, only the money of that unit
    (the lines of its communes and the money it keeps itself: what its officers see)."""
    report = money_sel.money_report(user, year, lang)
    entries = report.entries
    if within is not None:
        units = AdminUnit.objects.descendants_of(within).only("code")
        inside = {money_sel.place_key(u) for u in units}  # the report's key of a place
        entries = [e for e in entries if e.commune in inside]
    return build_money_tables(
        entries, node_labels=report.node_labels, commune_labels=report.commune_labels, lang=lang
    )
