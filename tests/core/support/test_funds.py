"""Funds (``giamngheo.core.support.funds``): sources, quarters, the allocation chain, fund
balances at approval and the report pivot."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from giamngheo.core.support.funds import (
    KINDS,
    SOURCES,
    ChainEntry,
    ChainLine,
    FundsError,
    Movement,
    Quarter,
    balances,
    chain_totals,
    check_chain,
    check_commitment,
    check_dated_chain,
    check_entries,
    quarter_of,
    quarters_between,
    rollup,
    source_label,
)
from giamngheo.core.support.money_report import MoneyEntry, chain_entries, money_tables
from giamngheo.core.tables import Table, tables_json, write_xlsx

M = 1_000_000


# --- sources and quarters ---------------------------------------------------------------------
def test_sources() -> None:
    assert list(SOURCES) == ["central", "local", "integrated", "credit", "contribution", "other"]
    assert source_label("central") == "Ngân sách trung ương"
    assert source_label("contribution", "en") == "People's contribution"
    with pytest.raises(FundsError) as info:
        source_label("province")
    assert info.value.code == "unknown_source"


def test_quarter_basics() -> None:
    q = Quarter(2020, 1)
    assert q.key == "2020-Q1"
    assert q.label() == "Quý I/2020"
    assert q.label("en") == "Q1 2020"
    assert Quarter(2020, 4).label() == "Quý IV/2020"
    assert (q.first_day, q.last_day) == (date(2020, 1, 1), date(2020, 3, 31))
    assert Quarter(2020, 4).last_day == date(2020, 12, 31)
    assert Quarter(2020, 2).last_day == date(2020, 6, 30)
    assert Quarter(2020, 4).next() == Quarter(2021, 1)
    assert Quarter(2019, 4) < Quarter(2020, 1) < Quarter(2020, 2)
    assert quarter_of(date(2020, 9, 30)) == Quarter(2020, 3)
    assert quarter_of(date(2020, 10, 1)) == Quarter(2020, 4)
    with pytest.raises(FundsError) as info:
        Quarter(2020, 5)
    assert info.value.code == "bad_quarter"


@pytest.mark.parametrize(
    "text",
    ["2020-Q3", "2020-q3", "Q3/2020", "Q3 2020", "Quý III/2020", "quý iii/2020", "Quy 3/2020",
     "Quý III năm 2020", " Q3-2020 "],
)  # fmt: skip
def test_quarter_parse(text: str) -> None:
    assert Quarter.parse(text) == Quarter(2020, 3)


@pytest.mark.parametrize("text", ["2020-Q5", "Quý V/2020", "Q3", "2020", "III/2020", ""])
def test_quarter_parse_refuses(text: str) -> None:
    with pytest.raises(FundsError) as info:
        Quarter.parse(text)
    assert info.value.code == "bad_quarter"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_quarter_of_contains_the_day(day: date) -> None:
    q = quarter_of(day)
    assert q.first_day <= day <= q.last_day
    assert Quarter.parse(q.key) == q == Quarter.parse(q.label()) == Quarter.parse(q.label("en"))


def test_quarters_between() -> None:
    assert [q.key for q in quarters_between(Quarter(2020, 3), Quarter(2021, 2))] == [
        "2020-Q3",
        "2020-Q4",
        "2021-Q1",
        "2021-Q2",
    ]
    assert quarters_between(Quarter(2021, 1), Quarter(2020, 1)) == []


# --- the chain --------------------------------------------------------------------------------
def test_check_chain_fine_line() -> None:
    line = ChainLine(("dak_ang", "p3"), "Đắk Ang — Dự án 3", 500 * M, 400 * M, 400 * M)
    assert check_chain([line]) == []


def test_check_chain_disbursed_over_allocated() -> None:
    line = ChainLine(("dak_ang",), "Xã Đắk Ang", 450 * M, 500 * M, 300 * M)
    [finding] = check_chain([line])
    assert finding.code == "disbursed_over_allocated"
    assert finding.key == ("dak_ang",)
    assert finding.severity == "error"
    assert finding.amounts == {"allocated": 450 * M, "disbursed": 500 * M, "excess": 50 * M}
    assert "Xã Đắk Ang" in finding.message_vi
    assert "500.000.000 đ" in finding.message_vi
    assert "450.000.000 đ" in finding.message_vi
    assert "50.000.000 đ" in finding.message_vi
    assert "500,000,000 VND" in finding.message_en
    assert "50,000,000 VND" in finding.message_en


def test_check_chain_settled_over_disbursed_and_both() -> None:
    lines = [
        ChainLine(("a",), "A", 100, 80, 90),
        ChainLine(("b",), "B", 100, 120, 130),
    ]
    findings = check_chain(lines)
    assert [(f.key, f.code) for f in findings] == [
        (("a",), "settled_over_disbursed"),
        (("b",), "disbursed_over_allocated"),
        (("b",), "settled_over_disbursed"),
    ]
    assert findings[0].amounts == {"disbursed": 80, "settled": 90, "excess": 10}
    assert "A" in findings[0].message_en


def test_check_chain_negative() -> None:
    findings = check_chain([ChainLine(("a",), "A", 100, -5, 200)])
    # A negative line is reported as such and not compared further.
    assert [(f.code, f.amounts) for f in findings] == [("negative_amount", {"disbursed": -5})]
    assert "-5 đ" in findings[0].message_vi


ENTRIES = [
    # The district allocates to the commune; the commune disburses per project.
    ChainEntry(("dak_ang",), "allocated", 600 * M),
    ChainEntry(("dak_ang", "p2"), "disbursed", 250 * M),
    ChainEntry(("dak_ang", "p3"), "disbursed", 300 * M),
    ChainEntry(("dak_ang", "p3"), "settled", 280 * M),
    ChainEntry(("dak_duc",), "allocated", 200 * M),
    ChainEntry(("dak_duc", "p3"), "disbursed", 150 * M),
    ChainEntry(("dak_duc", "p5"), "disbursed", 80 * M),
]


def test_rollup_to_the_commune() -> None:
    lines = rollup(ENTRIES, 1, {("dak_ang",): "Xã Đắk Ang"})
    assert lines == [
        ChainLine(("dak_ang",), "Xã Đắk Ang", 600 * M, 550 * M, 280 * M),
        ChainLine(("dak_duc",), "dak_duc", 200 * M, 230 * M, 0),
    ]
    [finding] = check_entries(ENTRIES)  # the deepest level every entry reaches: 1
    assert (finding.code, finding.key) == ("disbursed_over_allocated", ("dak_duc",))
    assert finding.amounts["excess"] == 30 * M


def test_rollup_refuses_to_split_down() -> None:
    with pytest.raises(FundsError) as info:
        rollup(ENTRIES, 2)
    assert info.value.code == "entry_above_level"
    assert "dak_ang" in info.value.message_vi


def test_rollup_to_the_top() -> None:
    [line] = rollup(ENTRIES, 0, {(): "Huyện Ngọc Hồi"})
    assert (line.label, line.allocated, line.disbursed, line.settled) == (
        "Huyện Ngọc Hồi",
        800 * M,
        780 * M,
        280 * M,
    )


def test_chain_totals() -> None:
    lines = [
        ChainLine(("central", "dak_ang"), "", 100, 90, 50),
        ChainLine(("central", "dak_duc"), "", 100, 100, 100),
        ChainLine(("local", "dak_ang"), "", 40, 50, 0),
    ]
    totals = chain_totals(lines, 1, {("central",): "NSTW"})
    assert totals == [
        ChainLine(("central",), "NSTW", 200, 190, 150),
        ChainLine(("local",), "local", 40, 50, 0),
    ]
    assert [f.key for f in check_chain(totals)] == [("local",)]


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9),
            st.integers(0, 10**9),
            st.integers(0, 10**9),
            st.sampled_from("abc"),
        ),
        max_size=20,
    )
)
def test_sums_of_fine_lines_are_fine(raw: list[tuple[int, int, int, str]]) -> None:
    lines = []
    for i, (a, b, c, commune) in enumerate(raw):
        allocated, disbursed, settled = sorted((a, b, c), reverse=True)
        lines.append(ChainLine((commune, str(i)), "", allocated, disbursed, settled))
    assert check_chain(lines) == []
    totals = chain_totals(lines, 1)
    assert check_chain(totals) == []
    assert sum(t.allocated for t in totals) == sum(line.allocated for line in lines)


def test_chain_entry_refuses() -> None:
    with pytest.raises(FundsError) as info:
        ChainEntry(("a",), "spent", 1)  # type: ignore[arg-type]
    assert info.value.code == "unknown_kind"
    with pytest.raises(TypeError):
        ChainEntry(("a",), "allocated", 1.0)  # type: ignore[arg-type]


# --- fund balance at approval -----------------------------------------------------------------
BUDGET = {"central": 500 * M, "local": 100 * M}
COMMITTED = {"central": 420 * M, "local": 100 * M, "other": 5 * M}


def test_balances() -> None:
    result = balances(BUDGET, COMMITTED)
    assert list(result) == ["central", "local", "other"]
    assert result["central"].remaining == 80 * M
    assert result["local"].remaining == 0
    assert (result["other"].budget, result["other"].remaining) == (0, -5 * M)


def test_check_commitment_within_budget() -> None:
    assert check_commitment({"central": 80 * M}, BUDGET, COMMITTED) == []
    assert check_commitment({"local": 0}, BUDGET, COMMITTED) == []


def test_check_commitment_insufficient() -> None:
    [finding] = check_commitment({"central": 90 * M}, BUDGET, COMMITTED)
    assert finding.code == "insufficient_funds"
    assert finding.key == ("central",)
    assert finding.amounts == {
        "budget": 500 * M,
        "committed": 420 * M,
        "remaining": 80 * M,
        "asked": 90 * M,
        "shortfall": 10 * M,
    }
    assert "Ngân sách trung ương" in finding.message_vi
    assert "80.000.000 đ" in finding.message_vi
    assert "90.000.000 đ" in finding.message_vi
    assert "Central budget" in finding.message_en
    assert "10,000,000 VND" in finding.message_en


def test_check_commitment_no_budget_and_order() -> None:
    findings = check_commitment({"credit": 20 * M, "local": 1, "central": -3}, BUDGET, COMMITTED)
    assert [(f.code, f.key) for f in findings] == [
        ("negative_amount", ("central",)),
        ("insufficient_funds", ("local",)),
        ("no_budget_for_source", ("credit",)),
    ]
    assert "Vốn tín dụng" in findings[2].message_vi
    assert "20.000.000 đ" in findings[2].message_vi


def test_check_commitment_unknown_source() -> None:
    with pytest.raises(FundsError) as info:
        check_commitment({"bank": 1}, BUDGET, COMMITTED)
    assert info.value.code == "unknown_source"


# --- the report pivot -------------------------------------------------------------------------
Q1, Q2, Q4 = Quarter(2020, 1), Quarter(2020, 2), Quarter(2020, 4)
COMMUNES = {"24004": "Xã Đắk Ang", "24007": "Xã Đắk Dục"}
NODES = {"p2": "Dự án 2: Đa dạng hóa sinh kế", "p3": "Dự án 3: Hỗ trợ phát triển sản xuất"}
MONEY = [
    MoneyEntry("central", "p3", "24004", Q1, "allocated", 300 * M),
    MoneyEntry("local", "p3", "24004", Q1, "allocated", 30 * M),
    MoneyEntry("central", "p2", "24004", Q2, "allocated", 100 * M),
    MoneyEntry("central", "p3", "24007", Q1, "allocated", 200 * M),
    MoneyEntry("central", "p3", "24004", Q2, "disbursed", 120 * M),
    MoneyEntry("central", "p3", "24004", Q4, "disbursed", 150 * M),
    MoneyEntry("contribution", "p3", "24004", Q4, "disbursed", 15 * M),
    MoneyEntry("central", "p3", "24007", Q4, "disbursed", 190 * M),
    MoneyEntry("central", "p3", "24004", Q4, "settled", 100 * M),
]


def _values(table: Table, section: str, row: str) -> dict[str, int | None]:
    [data] = tables_json([table])["tables"]
    [sec] = [s for s in data["sections"] if s["key"] == section]
    [r] = [r for r in sec["rows"] if r["key"] == row]
    values: dict[str, int | None] = r["values"]
    return values


def test_money_tables_shape() -> None:
    tables = money_tables(MONEY, node_labels=NODES, commune_labels=COMMUNES, lang="vi")
    assert [t.key for t in tables] == list(KINDS)
    assert [t.sheet for t in tables] == ["Phân bổ", "Giải ngân", "Quyết toán"]
    allocated = tables[0]
    # The whole period, then every quarter from the first to the last (Q3 empty but shown).
    assert [s.key for s in allocated.sections] == ["total", "2020-Q1", "2020-Q2", "2020-Q3",
                                                   "2020-Q4"]  # fmt: skip
    assert [s.title for s in allocated.sections[1:]] == [
        "Quý I/2020",
        "Quý II/2020",
        "Quý III/2020",
        "Quý IV/2020",
    ]
    section = allocated.sections[0]
    assert [c.key for c in section.columns] == ["total", *SOURCES]
    assert [(r.key, r.label, r.level) for r in section.rows] == [
        ("total", "Tổng cộng", 0),
        ("24004", "Xã Đắk Ang", 0),
        ("24004/p2", "Dự án 2: Đa dạng hóa sinh kế", 1),
        ("24004/p3", "Dự án 3: Hỗ trợ phát triển sản xuất", 1),
        ("24007", "Xã Đắk Dục", 0),
        ("24007/p3", "Dự án 3: Hỗ trợ phát triển sản xuất", 1),
    ]
    # The same rows in every table and section.
    for table in tables:
        for sec in table.sections:
            assert [r.key for r in sec.rows] == [r.key for r in section.rows]


def test_money_tables_totals_add_up() -> None:
    tables = money_tables(MONEY, node_labels=NODES, commune_labels=COMMUNES, lang="vi")
    allocated, disbursed, settled = tables
    assert _values(allocated, "total", "24004/p3") == {
        "total": 330 * M, "central": 300 * M, "local": 30 * M, "integrated": 0, "credit": 0,
        "contribution": 0, "other": 0,
    }  # fmt: skip
    assert _values(allocated, "total", "total")["total"] == 630 * M
    assert _values(allocated, "2020-Q2", "24004")["central"] == 100 * M
    assert _values(allocated, "2020-Q3", "total")["total"] == 0
    assert _values(disbursed, "2020-Q4", "24004") == {
        "total": 165 * M, "central": 150 * M, "local": 0, "integrated": 0, "credit": 0,
        "contribution": 15 * M, "other": 0,
    }  # fmt: skip
    assert _values(settled, "total", "24007")["total"] == 0
    for table in tables:
        whole = table.sections[0]
        quarters = table.sections[1:]
        for i, row in enumerate(whole.rows):
            # Each value: the sum of the quarters; the total column: the sum of the sources.
            for j in range(len(whole.columns)):
                assert row.values[j] == sum(q.rows[i].values[j] or 0 for q in quarters)
            assert row.values[0] == sum(v or 0 for v in row.values[1:])
        for sec in table.sections:
            rows = {r.key: r for r in sec.rows}
            communes = [r for r in sec.rows if r.level == 0 and r.key != "total"]
            for j in range(len(sec.columns)):
                assert rows["total"].values[j] == sum(r.values[j] or 0 for r in communes)
                for commune in communes:
                    nodes = [r for k, r in rows.items() if k.startswith(commune.key + "/")]
                    assert commune.values[j] == sum(r.values[j] or 0 for r in nodes)
    assert sum(e.amount for e in MONEY) == sum(
        _values(t, "total", "total")["total"] or 0 for t in tables
    )


def test_money_tables_xlsx() -> None:
    tables = money_tables(MONEY, node_labels=NODES, commune_labels=COMMUNES, lang="vi")
    out = io.BytesIO()
    write_xlsx(tables, out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == ["Phân bổ", "Giải ngân", "Quyết toán"]
    rows = [[c.value for c in row] for row in wb["Giải ngân"].iter_rows()]
    assert rows[0][0] == "Vốn giải ngân theo xã, dự án, nguồn vốn và quý"
    assert rows[1][0] == "Đơn vị tính: đồng"
    assert rows[3][0] == "Cả kỳ"
    assert rows[4][:3] == [None, "Tổng số", "Ngân sách trung ương"]
    assert rows[5][:3] == ["Tổng cộng", 475 * M, 460 * M]
    assert ["  Dự án 3: Hỗ trợ phát triển sản xuất", 285 * M, 270 * M] in [r[:3] for r in rows]
    body = [r for r in rows if r[0] is not None and r[1] is not None]  # not titles or headers
    assert len(body) == 5 * 6  # 5 sections (whole period, 4 quarters) × 6 rows
    assert all(isinstance(v, int) for r in body for v in r[1:])


def test_money_tables_english_and_empty() -> None:
    tables = money_tables(MONEY, node_labels=NODES, commune_labels=COMMUNES, lang="en")
    assert [t.sheet for t in tables] == ["Allocated", "Disbursed", "Settled"]
    assert tables[0].sections[1].title == "Q1 2020"
    assert tables[0].sections[0].columns[1].label == "Central budget"
    empty = money_tables([], node_labels=NODES, commune_labels=COMMUNES, lang="vi")
    assert [len(t.sections) for t in empty] == [1, 1, 1]
    assert [r.key for r in empty[0].sections[0].rows] == ["total"]


def test_money_tables_unlabelled_codes_last() -> None:
    extra = [*MONEY, MoneyEntry("other", "p9", "24001", Q1, "allocated", 1)]
    [allocated, *_] = money_tables(extra, node_labels=NODES, commune_labels=COMMUNES, lang="vi")
    assert [r.key for r in allocated.sections[0].rows][-2:] == ["24001", "24001/p9"]
    assert allocated.sections[0].rows[-1].label == "p9"


def test_money_entry_refuses() -> None:
    with pytest.raises(FundsError) as info:
        MoneyEntry("bank", "p3", "24004", Q1, "allocated", 1)
    assert info.value.code == "unknown_source"
    with pytest.raises(TypeError):
        MoneyEntry("central", "p3", "24004", Q1, "allocated", 1.5)  # type: ignore[arg-type]


def test_chain_of_money_entries() -> None:
    by_commune = check_entries(chain_entries(MONEY, ("commune",)), labels={})
    assert by_commune == []
    by_source = check_entries(chain_entries(MONEY, ("commune", "source")))
    # 15 M of the people's contribution disbursed in Đắk Ang without an allocation line.
    assert [(f.code, f.key, f.amounts["excess"]) for f in by_source] == [
        ("disbursed_over_allocated", ("24004", "contribution"), 15 * M)
    ]


# --- the chain over time ----------------------------------------------------------------------
def _moves(*items: tuple[str, date, str, int]) -> list[Movement]:
    return [Movement((key,), on, kind, amount) for key, on, kind, amount in items]  # type: ignore[arg-type]


def test_dated_chain_fine() -> None:
    moves = _moves(
        ("a", date(2020, 3, 1), "disbursed", 100 * M),
        ("a", date(2020, 3, 1), "settled", 100 * M),  # the same day counts as disbursed by then
        ("a", date(2020, 11, 1), "disbursed", 100 * M),
        ("a", date(2020, 12, 1), "settled", 50 * M),
    )
    assert check_dated_chain(moves) == []
    assert check_dated_chain([]) == []


def test_dated_chain_settled_before_disbursed() -> None:
    moves = _moves(
        ("b", date(2020, 11, 1), "disbursed", 100 * M),  # out of order on purpose
        ("a", date(2020, 3, 1), "disbursed", 100 * M),
        ("a", date(2020, 6, 1), "settled", 50 * M),
        ("a", date(2020, 10, 1), "settled", 100 * M),  # 150 settled, only 100 disbursed by then
        ("a", date(2020, 11, 1), "disbursed", 100 * M),
        ("b", date(2020, 5, 1), "settled", 30 * M),  # settled before anything was disbursed
    )
    found = check_dated_chain(moves, {("a",): "Đắk Ang"})
    assert [(f.code, f.key, f.severity) for f in found] == [
        ("settled_before_disbursed", ("b",), "error"),
        ("settled_before_disbursed", ("a",), "error"),
    ]
    b, a = found
    assert a.amounts == {"disbursed": 100 * M, "settled": 150 * M, "excess": 50 * M}
    assert "Đắk Ang" in a.message_vi and "01/10/2020" in a.message_vi
    assert "150.000.000 đ" in a.message_vi and "100.000.000 đ" in a.message_vi
    assert "01/10/2020" in a.message_en and "150,000,000 VND" in a.message_en
    assert b.amounts == {"disbursed": 0, "settled": 30 * M, "excess": 30 * M}
    assert "01/05/2020" in b.message_vi and b.message_vi.startswith("b:")  # no label: the key


def test_dated_chain_leaves_a_total_break_to_check_chain() -> None:
    # settled beyond what was ever disbursed: check_chain's settled_over_disbursed says it
    moves = _moves(
        ("a", date(2020, 3, 1), "disbursed", 10 * M),
        ("a", date(2020, 4, 1), "settled", 20 * M),
    )
    assert check_dated_chain(moves) == []


def test_movement_refuses() -> None:
    with pytest.raises(FundsError) as info:
        Movement(("a",), date(2020, 1, 1), "allocated", 1)  # type: ignore[arg-type]
    assert info.value.code == "unknown_kind"
    with pytest.raises(TypeError):
        Movement(("a",), date(2020, 1, 1), "settled", 1.5)  # type: ignore[arg-type]
