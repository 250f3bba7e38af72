"""Housing support as data and two small rules: the bases (QĐ 33/2015, the 2021–2025
programme's project 5) with their eligibility rule, grant and loan limits and the grant's source
(``data/housing.json``, each with its legal basis and confidence), the check of a support's
amounts against its basis, and the order of a house's construction steps (planned → started →
finished → handed over, dates in order; cancelled from planned or started).

Money is whole đồng (``int``); a ``None`` limit is not established and not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from giamngheo.core.numbers import format_int
from giamngheo.core.standards.model import LegalBasis, Note
from giamngheo.core.support.catalog import (
    DATA_DIR,
    Confidence,
    Reader,
    SupportDataError,
    check_schema,
    read_json,
)

HOUSING_FILE = "housing.json"
GRANT_SOURCES = ("central", "local")

PLANNED, STARTED, FINISHED, HANDED_OVER, CANCELLED = (
    "planned",
    "started",
    "finished",
    "handed_over",
    "cancelled",
)
#: The construction steps in order.
STEPS: tuple[str, ...] = (PLANNED, STARTED, FINISHED, HANDED_OVER)
#: The steps a house may be cancelled from.
CANCELLABLE: tuple[str, ...] = (PLANNED, STARTED)

_BASIS_KEYS = frozenset(
    {
        "code",
        "rule",
        "name_vi",
        "name_en",
        "legal_basis",
        "grant_limit_vnd",
        "loan_limit_vnd",
        "grant_source",
        "confidence",
        "provisional",
        "note_vi",
        "note_en",
    }
)
_REQUIRED = frozenset({"code", "rule", "name_vi", "name_en", "legal_basis", "grant_source"})


class HousingDataError(SupportDataError):
    """``housing.json`` is malformed (names the file and the JSON path)."""


class UnknownHousingBasis(LookupError):
    """No housing basis with that code."""


@dataclass(frozen=True)
class HousingBasis:
    """One basis of housing support."""

    code: str
    rule: str  # an eligibility rule id
    name_vi: str
    name_en: str
    legal_basis: LegalBasis
    grant_limit_vnd: int | None
    loan_limit_vnd: int | None
    grant_source: str  # "central" | "local"
    confidence: Confidence | None = None
    provisional: bool = False
    note: Note | None = None

    def label(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Problem:
    """Why an amount or a step is refused: a stable code, both languages."""

    field: str
    code: str
    message_vi: str
    message_en: str


def _basis(r: Reader, d: Mapping[str, Any], where: str) -> HousingBasis:
    r.keys(d, where, _BASIS_KEYS, _REQUIRED)
    note = r.note(d, where)
    provisional = r.provisional(d, where, note)
    return HousingBasis(
        code=r.text(d, "code", where),
        rule=r.text(d, "rule", where),
        name_vi=r.text(d, "name_vi", where),
        name_en=r.text(d, "name_en", where),
        legal_basis=r.legal_basis(d.get("legal_basis"), f"{where}.legal_basis"),
        grant_limit_vnd=r.integer(d, "grant_limit_vnd", where, 0, 10**12),
        loan_limit_vnd=r.integer(d, "loan_limit_vnd", where, 0, 10**12),
        grant_source=r.choice(d, "grant_source", where, GRANT_SOURCES),
        confidence=r.confidence(d, where, provisional),
        provisional=provisional,
        note=note,
    )


def bases_from_dict(
    data: Mapping[str, Any], *, source: str = HOUSING_FILE
) -> dict[str, HousingBasis]:
    """The bases in ``data`` (the structure of ``housing.json``), by code (strict)."""
    r = Reader(source, HousingDataError)
    check_schema(r, data)
    r.keys(data, "", frozenset({"schema", "note_vi", "note_en", "source", "bases"}),
           frozenset({"bases"}))  # fmt: skip
    out: dict[str, HousingBasis] = {}
    for n, raw in enumerate(r.objects(data, "bases", "")):
        basis = _basis(r, raw, f"bases[{n}]")
        if basis.code in out:
            raise r.fail(
                f"bases[{n}].code", f"trùng mã {basis.code!r}", f"duplicate {basis.code!r}"
            )
        out[basis.code] = basis
    return out


@cache
def _load() -> Mapping[str, HousingBasis]:
    return bases_from_dict(read_json(DATA_DIR / HOUSING_FILE, HousingDataError))


def load_housing_bases() -> dict[str, HousingBasis]:
    """The shipped bases (``data/housing.json``, read once), by code."""
    return dict(_load())


def housing_basis(code: str) -> HousingBasis:
    """The basis with this code (``UnknownHousingBasis`` otherwise)."""
    bases = _load()
    if code not in bases:
        known = ", ".join(bases)
        raise UnknownHousingBasis(
            f"Không có căn cứ hỗ trợ nhà ở {code!r} (có: {known}) / "
            f"no housing basis {code!r} (known: {known})"
        )
    return bases[code]


def _vnd(n: int) -> tuple[str, str]:
    return f"{format_int(n)} đ", f"{n:,} VND"


def check_amounts(basis: HousingBasis, grant: int, loan: int) -> list[Problem]:
    """The problems of a support's grant and loan (whole đồng) under ``basis``."""
    out: list[Problem] = []
    for field, value, vi, en in (("grant_amount", grant, "hỗ trợ", "grant"),
                                 ("loan_amount", loan, "vay", "loan")):  # fmt: skip
        if value < 0:
            out.append(Problem(field, "negative", f"Số tiền {vi} không được âm",
                               f"the {en} amount cannot be negative"))  # fmt: skip
    if grant == 0 and loan == 0 and not out:
        out.append(Problem("grant_amount", "no_amount",
                           "Cần số tiền hỗ trợ hoặc số tiền vay",
                           "a grant or a loan amount is needed"))  # fmt: skip
    for field, value, limit, vi, en in (
        ("grant_amount", grant, basis.grant_limit_vnd, "hỗ trợ", "grant"),
        ("loan_amount", loan, basis.loan_limit_vnd, "vay", "loan"),
    ):
        if limit is not None and value > limit:
            (v_vi, v_en), (l_vi, l_en) = _vnd(value), _vnd(limit)
            out.append(Problem(
                field, f"{field.removesuffix('_amount')}_over_limit",
                f"Số tiền {vi} {v_vi} vượt mức tối đa {l_vi}/hộ theo"
                f" {basis.legal_basis.instrument}",
                f"the {en} of {v_en} is above the {l_en} per household of"
                f" {basis.legal_basis.instrument}",
            ))  # fmt: skip
    return out


_STEP_VI = {
    PLANNED: "dự kiến",
    STARTED: "khởi công",
    FINISHED: "hoàn thành",
    HANDED_OVER: "bàn giao",
    CANCELLED: "hủy",
}
_STEP_EN = {
    PLANNED: "planned",
    STARTED: "started",
    FINISHED: "finished",
    HANDED_OVER: "handed over",
    CANCELLED: "cancelled",
}


def next_steps(current: str) -> tuple[str, ...]:
    """The statuses a house may move to from ``current``."""
    out: list[str] = []
    if current in STEPS[:-1]:
        out.append(STEPS[STEPS.index(current) + 1])
    if current in CANCELLABLE:
        out.append(CANCELLED)
    return tuple(out)


def check_step(current: str, new: str, on: date, previous: date | None) -> Problem | None:
    """Whether a house may go from ``current`` to ``new`` on ``on``; ``previous`` is the date
    of the last step done (or of the support), which ``on`` may not precede."""
    if new not in next_steps(current):
        return Problem(
            "status", "bad_step",
            f"Không thể chuyển từ «{_STEP_VI.get(current, current)}» sang"
            f" «{_STEP_VI.get(new, new)}» (theo thứ tự: khởi công → hoàn thành → bàn giao)",
            f"cannot go from '{_STEP_EN.get(current, current)}' to '{_STEP_EN.get(new, new)}'"
            " (in order: started → finished → handed over)",
        )  # fmt: skip
    if previous is not None and on < previous:
        return Problem(
            "on", "date_order",
            f"Ngày {_STEP_VI[new]} {on:%d/%m/%Y} trước ngày của bước trước ({previous:%d/%m/%Y})",
            f"the {_STEP_EN[new]} date {on:%d/%m/%Y} is before the previous step's"
            f" ({previous:%d/%m/%Y})",
        )  # fmt: skip
    return None
