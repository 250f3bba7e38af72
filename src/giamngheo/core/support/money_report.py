"""The money report: allocated, disbursed and settled amounts pivoted into report tables
(:mod:`giamngheo.core.tables`): one table per kind, each with a section for the whole period
and one per quarter; rows are communes and, indented, their programme nodes; columns the total
and every source. All amounts are whole đồng. :func:`chain_entries` turns the same entries
into the allocation chain's entries (:mod:`giamngheo.core.support.funds`) at any level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from giamngheo.core.numbers import Lang
from giamngheo.core.support.funds import (
    KINDS,
    SOURCES,
    ChainEntry,
    Kind,
    Quarter,
    quarters_between,
    require_int,
    require_kind,
    source_label,
)
from giamngheo.core.tables import Column, Row, Section, Table


@dataclass(frozen=True)
class MoneyEntry:
    """An amount of one kind from one source for one programme node (project, sub-project,
    model) in one commune, in one quarter."""

    source: str
    node: str
    commune: str
    quarter: Quarter
    kind: Kind
    amount: int

    def __post_init__(self) -> None:
        source_label(self.source)
        require_kind(self.kind)
        require_int(self.amount, f"{self.commune}/{self.node}")


ChainField = Literal["source", "commune", "node"]


def chain_entries(entries: Iterable[MoneyEntry], fields: Sequence[ChainField]) -> list[ChainEntry]:
    """Money entries as chain entries keyed by ``fields`` (e.g. ``("commune", "node")`` or
    ``("source", "commune")``), quarters summed, to check the chain at that level."""
    return [ChainEntry(tuple(getattr(e, f) for f in fields), e.kind, e.amount) for e in entries]


_TABLE_WORDS: dict[Kind, tuple[str, str, str, str]] = {
    "allocated": ("Phân bổ", "Vốn phân bổ", "Allocated", "Funds allocated"),
    "disbursed": ("Giải ngân", "Vốn giải ngân", "Disbursed", "Funds disbursed"),
    "settled": ("Quyết toán", "Vốn quyết toán", "Settled", "Funds settled"),
}


def _ordered(present: Iterable[str], labels: Mapping[str, str]) -> list[str]:
    """``present`` in the order of ``labels``, then the codes without a label, sorted."""
    codes = set(present)
    return [c for c in labels if c in codes] + sorted(codes - set(labels))


Cells = dict[tuple[str, str], dict[str, int]]  # (commune, node) → source → amount


def _section(
    key: str,
    title: str,
    cells: Cells,
    *,
    layout: Sequence[tuple[str, Sequence[str]]],
    labels: tuple[Mapping[str, str], Mapping[str, str]],
    lang: Lang,
) -> Section:
    commune_labels, node_labels = labels
    columns = (
        Column("total", "Tổng số" if lang == "vi" else "Total"),
        *(Column(code, source_label(code, lang)) for code in SOURCES),
    )

    def values(per_source: Mapping[str, int]) -> tuple[int, ...]:
        amounts = [per_source.get(code, 0) for code in SOURCES]
        return (sum(amounts), *amounts)

    grand: dict[str, int] = dict.fromkeys(SOURCES, 0)
    body: list[Row] = []
    for commune, nodes in layout:
        commune_sum: dict[str, int] = dict.fromkeys(SOURCES, 0)
        node_rows = []
        for node in nodes:
            per_source = cells.get((commune, node), {})
            for code, amount in per_source.items():
                commune_sum[code] += amount
                grand[code] += amount
            label = node_labels.get(node, node)
            node_rows.append(Row(f"{commune}/{node}", label, values(per_source), level=1))
        label = commune_labels.get(commune, commune)
        body += [Row(commune, label, values(commune_sum), strong=True), *node_rows]
    total = Row("total", "Tổng cộng" if lang == "vi" else "Total", values(grand), strong=True)
    return Section(key, title, columns, (total, *body))


def money_tables(
    entries: Iterable[MoneyEntry],
    *,
    node_labels: Mapping[str, str],
    commune_labels: Mapping[str, str],
    lang: Lang = "vi",
) -> list[Table]:
    """Three tables (allocated, disbursed, settled), each a sheet: a section for the whole
    period (key ``total``) and one per quarter from the first to the last that has an entry
    (key ``2020-Q1``); the same rows in every section and table (total, then each commune and
    its nodes, keyed ``commune`` and ``commune/node``, in the order of the label mappings);
    columns ``total`` and the source codes."""
    items = list(entries)
    cells: dict[tuple[Kind, str | None], Cells] = {}
    nodes_of: dict[str, set[str]] = {}
    for e in items:
        nodes_of.setdefault(e.commune, set()).add(e.node)
        for period in (None, e.quarter.key):
            per_source = cells.setdefault((e.kind, period), {}).setdefault((e.commune, e.node), {})
            per_source[e.source] = per_source.get(e.source, 0) + e.amount
    layout = [(c, _ordered(nodes_of[c], node_labels)) for c in _ordered(nodes_of, commune_labels)]
    periods = [e.quarter for e in items]
    quarters = quarters_between(min(periods), max(periods)) if periods else []
    labels = (commune_labels, node_labels)
    tables = []
    for kind in KINDS:
        sheet_vi, title_vi, sheet_en, title_en = _TABLE_WORDS[kind]
        whole = "Cả kỳ" if lang == "vi" else "Whole period"
        sections = [
            _section(
                "total", whole, cells.get((kind, None), {}), layout=layout, labels=labels, lang=lang
            )
        ]
        for quarter in quarters:
            part = cells.get((kind, quarter.key), {})
            sections.append(
                _section(
                    quarter.key, quarter.label(lang), part, layout=layout, labels=labels, lang=lang
                )
            )
        vi = lang == "vi"
        tables.append(
            Table(
                key=kind,
                title=(
                    f"{title_vi} theo xã, dự án, nguồn vốn và quý"
                    if vi
                    else f"{title_en} by commune, project, source and quarter"
                ),
                sheet=sheet_vi if vi else sheet_en,
                sections=tuple(sections),
                notes=("Đơn vị tính: đồng" if vi else "Amounts in VND",),
                caption=sheet_vi if vi else sheet_en,
            )
        )
    return tables
