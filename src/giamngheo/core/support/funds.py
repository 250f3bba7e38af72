"""Funds of the programme: sources, quarters, the allocation chain, balances and the pivot.

Money reaches a household through a chain: an amount is **allocated** (phân bổ, giao vốn) to
a commune or a project, part of it is **disbursed** (giải ngân), and what was spent is
**settled** (quyết toán). Each step can never exceed the one before it, at every level it is
recorded at: :func:`check_chain` checks lines that carry all three amounts, and
:func:`rollup` first brings entries recorded at different levels to one level (see its
docstring); :func:`check_dated_chain` checks the chain day by day (nothing settled before it
was disbursed). Every problem is a :class:`Finding` with a stable ``code``, both languages
and the amounts.

The funding sources (:data:`SOURCES`) are the programme's usual budget lines, not a legal
uncertainty, so they live here as data in code. A :class:`Quarter` is the reporting period.

At approval a commitment is checked against what each source has left
(:func:`check_commitment`): the budget of the source minus what is already committed, the
entitlement pattern of OpenSPP (an entitlement is approved only if the programme's posted
funds less the approved entitlements cover it).

The money report's tables are :mod:`giamngheo.core.support.money_report`'s. All amounts are
whole đồng.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from giamngheo.core.numbers import Lang
from giamngheo.core.support.money import MoneyError, format_vnd
from giamngheo.core.text import fold

Kind = Literal["allocated", "disbursed", "settled"]
KINDS: tuple[Kind, ...] = ("allocated", "disbursed", "settled")
Severity = Literal["error", "warning"]

#: The funding sources, in the order reports list them: code → (Vietnamese, English).
SOURCES: dict[str, tuple[str, str]] = {
    "central": ("Ngân sách trung ương", "Central budget"),
    "local": ("Ngân sách địa phương", "Local budget"),
    "integrated": ("Vốn lồng ghép từ chương trình khác", "Integrated from other programmes"),
    "credit": ("Vốn tín dụng", "Credit"),
    "contribution": ("Người dân đóng góp", "People's contribution"),
    "other": ("Nguồn khác (doanh nghiệp, cộng đồng)", "Other (enterprises, community)"),
}

_KIND_WORDS: dict[Kind, tuple[str, str]] = {
    "allocated": ("phân bổ", "allocated"),
    "disbursed": ("giải ngân", "disbursed"),
    "settled": ("quyết toán", "settled"),
}


class FundsError(MoneyError):
    """A value the funds cannot work with (unknown source or kind, unreadable quarter)."""


def source_label(code: str, lang: Lang = "vi") -> str:
    """The name of a funding source (``FundsError`` ``unknown_source`` for another code)."""
    if code not in SOURCES:
        raise FundsError(
            "unknown_source",
            f"«{code}» không phải là một nguồn vốn",
            f"'{code}' is not a funding source",
        )
    vi, en = SOURCES[code]
    return vi if lang == "vi" else en


def require_kind(kind: str) -> None:
    if kind not in KINDS:
        raise FundsError(
            "unknown_kind",
            f"«{kind}» không phải là phân bổ, giải ngân hay quyết toán",
            f"'{kind}' is not allocated, disbursed or settled",
        )


def require_int(amount: object, what: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"{what}: an amount in đồng must be an int, not {type(amount).__name__}")


# --- quarters ---------------------------------------------------------------------------------
_ROMAN = ("I", "II", "III", "IV")
_QUARTER_NUMBER = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR_FIRST = re.compile(r"(\d{4})\s*-?\s*q\s*([1-4])")
_QUARTER_FIRST = re.compile(r"(?:quy|q)\s*([1-4]|iv|i{1,3})\s*[/\-\s]\s*(?:nam\s*)?(\d{4})")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter (``q`` 1–4) of a year; its key is ``"2020-Q1"``."""

    year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise FundsError(
                "bad_quarter", f"quý {self.q} không tồn tại", f"there is no quarter {self.q}"
            )

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.q}"

    def label(self, lang: Lang = "vi") -> str:
        """``"Quý I/2020"`` (``"Q1 2020"`` in English)."""
        return f"Quý {_ROMAN[self.q - 1]}/{self.year}" if lang == "vi" else f"Q{self.q} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``"2020-Q1"``, ``"Q1/2020"``, ``"Q1 2020"``, ``"Quý I/2020"``, ``"quy 1 nam 2020"``."""
        folded = fold(text)
        match = _YEAR_FIRST.fullmatch(folded)
        if match:
            return cls(int(match[1]), int(match[2]))
        match = _QUARTER_FIRST.fullmatch(folded)
        if match:
            return cls(int(match[2]), _QUARTER_NUMBER[match[1]])
        raise FundsError(
            "bad_quarter",
            f"«{text}» không phải là một quý (ví dụ: Quý I/2020, 2020-Q1)",
            f"'{text}' is not a quarter (e.g. Q1 2020, 2020-Q1)",
        )


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last``, both included (empty when ``last`` is
    earlier)."""
    out: list[Quarter] = []
    current = first
    while current <= last:
        out.append(current)
        current = current.next()
    return out


# --- findings and the chain -------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One problem with money: ``code`` stable, ``key`` the line or source it is about,
    ``amounts`` the figures behind the message (whole đồng, keyed by what they are)."""

    code: str
    key: tuple[str, ...]
    severity: Severity
    message_vi: str
    message_en: str
    amounts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainLine:
    """The three amounts of one line of the chain (a commune, a project, a source …)."""

    key: tuple[str, ...]
    label: str
    allocated: int
    disbursed: int
    settled: int


def _vnd(amount: int, lang: Lang) -> str:
    return format_vnd(amount, lang)


def _negative(line: ChainLine) -> list[Finding]:
    out = []
    for kind in KINDS:
        amount: int = getattr(line, kind)
        if amount < 0:
            vi, en = _KIND_WORDS[kind]
            out.append(
                Finding(
                    "negative_amount",
                    line.key,
                    "error",
                    f"{line.label}: số tiền {vi} âm ({_vnd(amount, 'vi')})",
                    f"{line.label}: negative {en} amount ({_vnd(amount, 'en')})",
                    {kind: amount},
                )
            )
    return out


def check_chain(lines: Iterable[ChainLine]) -> list[Finding]:
    """The findings of each line: ``negative_amount``; ``disbursed_over_allocated``;
    ``settled_over_disbursed`` (all errors). A line with a negative amount is not compared."""
    out: list[Finding] = []
    for line in lines:
        negative = _negative(line)
        if negative:
            out += negative
            continue
        a, d, s = line.allocated, line.disbursed, line.settled
        if d > a:
            out.append(
                Finding(
                    "disbursed_over_allocated",
                    line.key,
                    "error",
                    f"{line.label}: đã giải ngân {_vnd(d, 'vi')} nhưng chỉ được phân bổ "
                    f"{_vnd(a, 'vi')} (vượt {_vnd(d - a, 'vi')})",
                    f"{line.label}: disbursed {_vnd(d, 'en')} but only {_vnd(a, 'en')} "
                    f"allocated ({_vnd(d - a, 'en')} over)",
                    {"allocated": a, "disbursed": d, "excess": d - a},
                )
            )
        if s > d:
            out.append(
                Finding(
                    "settled_over_disbursed",
                    line.key,
                    "error",
                    f"{line.label}: quyết toán {_vnd(s, 'vi')} vượt số đã giải ngân "
                    f"{_vnd(d, 'vi')} (vượt {_vnd(s - d, 'vi')})",
                    f"{line.label}: settled {_vnd(s, 'en')} is more than the disbursed "
                    f"{_vnd(d, 'en')} ({_vnd(s - d, 'en')} over)",
                    {"disbursed": d, "settled": s, "excess": s - d},
                )
            )
    return out


@dataclass(frozen=True)
class ChainEntry:
    """One amount of one kind, recorded at its own level: ``key`` is as long as the level
    it was recorded at (``("dak_ang",)`` for a commune's allocation, ``("dak_ang", "p3",
    "bo")`` for a project's disbursement)."""

    key: tuple[str, ...]
    kind: Kind
    amount: int

    def __post_init__(self) -> None:
        require_kind(self.kind)
        require_int(self.amount, "/".join(self.key))


def rollup(
    entries: Iterable[ChainEntry],
    level: int,
    labels: Mapping[tuple[str, ...], str] | None = None,
) -> list[ChainLine]:
    """The entries summed per key prefix of length ``level``, as chain lines.

    Allocation is often recorded higher up than disbursement (the district allocates to the
    commune; the commune disburses per project), so entries come with keys of different
    lengths. Summing them to one level makes the three amounts comparable: rolled up to the
    commune, the commune's allocation meets the disbursements of all its projects. An entry
    recorded above ``level`` cannot be split down to it (that would be a guess) and raises
    ``FundsError`` ``entry_above_level``; :func:`check_entries` therefore checks at the
    deepest level every entry reaches. Checking higher levels adds nothing, since sums of
    lines that pass pass too. Lines come in the order their keys first appear; a line's label
    is ``labels[key]`` or the key's parts joined by ``/``.
    """
    sums: dict[tuple[str, ...], dict[Kind, int]] = {}
    for entry in entries:
        if len(entry.key) < level:
            where = "/".join(entry.key) or "(toàn bộ)"
            raise FundsError(
                "entry_above_level",
                f"«{where}» được ghi ở cấp {len(entry.key)}, không chia xuống cấp {level} được",
                f"'{where}' is recorded at level {len(entry.key)} and cannot be split down "
                f"to level {level}",
            )
        totals = sums.setdefault(entry.key[:level], dict.fromkeys(KINDS, 0))
        totals[entry.kind] += entry.amount
    labels = labels or {}
    return [
        ChainLine(key, labels.get(key, "/".join(key)), t["allocated"], t["disbursed"], t["settled"])
        for key, t in sums.items()
    ]


def chain_totals(
    lines: Iterable[ChainLine],
    level: int,
    labels: Mapping[tuple[str, ...], str] | None = None,
) -> list[ChainLine]:
    """Lines summed per key prefix of length ``level`` (a commune's projects to the commune,
    a source's communes to the source when the key starts with it)."""
    entries = [ChainEntry(line.key, kind, getattr(line, kind)) for line in lines for kind in KINDS]
    return rollup(entries, level, labels)


def check_entries(
    entries: Sequence[ChainEntry],
    level: int | None = None,
    labels: Mapping[tuple[str, ...], str] | None = None,
) -> list[Finding]:
    """:func:`check_chain` of the entries rolled up to ``level`` (by default the deepest
    level every entry reaches)."""
    if level is None:
        level = min((len(e.key) for e in entries), default=0)
    return check_chain(rollup(entries, level, labels))


# --- the chain over time ---------------------------------------------------------------------
@dataclass(frozen=True)
class Movement:
    """Money moved on one line of the chain on one day: disbursed or settled."""

    key: tuple[str, ...]
    on: date
    kind: Literal["disbursed", "settled"]
    amount: int

    def __post_init__(self) -> None:
        if self.kind not in ("disbursed", "settled"):
            what = f"«{self.kind}» không phải là giải ngân hay quyết toán"
            raise FundsError("unknown_kind", what, f"'{self.kind}' is not disbursed or settled")
        require_int(self.amount, "/".join(self.key))


def _first_dated_break(moves: list[Movement]) -> tuple[date, int, int] | None:
    """The first day whose settlements up to it (inclusive) exceed its disbursements up to
    it: (day, disbursed, settled), or None."""
    ordered = sorted(moves, key=lambda m: m.on)
    totals = {"disbursed": 0, "settled": 0}
    for i, m in enumerate(ordered):
        totals[m.kind] += m.amount
        day_over = i + 1 == len(ordered) or ordered[i + 1].on != m.on
        if day_over and totals["settled"] > totals["disbursed"]:
            return m.on, totals["disbursed"], totals["settled"]
    return None


def check_dated_chain(
    movements: Iterable[Movement], labels: Mapping[tuple[str, ...], str] | None = None
) -> list[Finding]:
    """``settled_before_disbursed`` (error), at most one per line, in the order lines appear:
    the first day by which (inclusive) the line's settlements exceed its disbursements. A
    line settled beyond its disbursements in total is left to :func:`check_chain`
    (``settled_over_disbursed``): one break, one finding. Labels as in :func:`rollup`."""
    by_key: dict[tuple[str, ...], list[Movement]] = {}
    for m in movements:
        by_key.setdefault(m.key, []).append(m)
    out: list[Finding] = []
    for key, moves in by_key.items():
        total = sum(m.amount if m.kind == "disbursed" else -m.amount for m in moves)
        found = _first_dated_break(moves) if total >= 0 else None
        if found is None:
            continue
        day, d, s = found
        label = (labels or {}).get(key, "/".join(key))
        out.append(
            Finding(
                "settled_before_disbursed",
                key,
                "error",
                f"{label}: đến ngày {day:%d/%m/%Y} đã quyết toán {_vnd(s, 'vi')} nhưng mới "
                f"giải ngân {_vnd(d, 'vi')} (vượt {_vnd(s - d, 'vi')})",
                f"{label}: by {day:%d/%m/%Y}, {_vnd(s, 'en')} was settled but only "
                f"{_vnd(d, 'en')} disbursed ({_vnd(s - d, 'en')} over)",
                {"disbursed": d, "settled": s, "excess": s - d},
            )
        )
    return out


# --- fund balance at approval -----------------------------------------------------------------
@dataclass(frozen=True)
class FundBalance:
    """A source's budget, what is committed against it and what remains (negative when
    over-committed)."""

    source: str
    budget: int
    committed: int
    remaining: int


def _source_order(codes: Iterable[str]) -> list[str]:
    known = set(codes)
    for code in known:
        source_label(code)  # unknown sources are refused
    return [code for code in SOURCES if code in known]


def balances(
    budget_by_source: Mapping[str, int], committed_by_source: Mapping[str, int]
) -> dict[str, FundBalance]:
    """The balance of every source that has a budget or a commitment, in :data:`SOURCES`
    order."""
    out: dict[str, FundBalance] = {}
    for code in _source_order([*budget_by_source, *committed_by_source]):
        budget = budget_by_source.get(code, 0)
        committed = committed_by_source.get(code, 0)
        out[code] = FundBalance(code, budget, committed, budget - committed)
    return out


def check_commitment(
    value_by_source: Mapping[str, int],
    budget_by_source: Mapping[str, int],
    committed_by_source: Mapping[str, int],
) -> list[Finding]:
    """Whether each source can carry the amount asked of it: ``no_budget_for_source`` when
    the source has no budget at all, ``insufficient_funds`` when the remaining is less than
    the amount asked, ``negative_amount`` for a negative amount asked (all errors)."""
    current = balances(budget_by_source, committed_by_source)
    out: list[Finding] = []
    for code in _source_order(value_by_source):
        asked = value_by_source[code]
        vi, en = SOURCES[code]
        if asked < 0:
            out.append(
                Finding(
                    "negative_amount",
                    (code,),
                    "error",
                    f"Nguồn «{vi}»: số tiền đề nghị âm ({_vnd(asked, 'vi')})",
                    f"Source '{en}': negative amount asked ({_vnd(asked, 'en')})",
                    {"asked": asked},
                )
            )
            continue
        balance = current.get(code)
        if asked == 0:
            continue
        if balance is None or balance.budget <= 0:
            out.append(
                Finding(
                    "no_budget_for_source",
                    (code,),
                    "error",
                    f"Nguồn «{vi}» chưa được giao vốn; không cam kết được {_vnd(asked, 'vi')}",
                    f"Source '{en}' has no budget; {_vnd(asked, 'en')} cannot be committed",
                    {"asked": asked, "budget": 0 if balance is None else balance.budget},
                )
            )
        elif asked > balance.remaining:
            short = asked - balance.remaining
            out.append(
                Finding(
                    "insufficient_funds",
                    (code,),
                    "error",
                    f"Nguồn «{vi}» chỉ còn {_vnd(balance.remaining, 'vi')}, không đủ cho "
                    f"{_vnd(asked, 'vi')} (thiếu {_vnd(short, 'vi')})",
                    f"Source '{en}' has only {_vnd(balance.remaining, 'en')} left, not enough "
                    f"for {_vnd(asked, 'en')} ({_vnd(short, 'en')} short)",
                    {
                        "budget": balance.budget,
                        "committed": balance.committed,
                        "remaining": balance.remaining,
                        "asked": asked,
                        "shortfall": short,
                    },
                )
            )
    return out
