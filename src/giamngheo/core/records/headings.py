"""The template's headings and sheets, and which column of a sheet holds which field.

Headings match after folding case, diacritics, spaces and punctuation
(``giamngheo.core.standards.headings.heading_key``). The first heading of each field is the
template's own; the others are accepted too. The standard's columns (income, the form score,
the deprivation indicators, the area) are the standards engine's: :func:`engine_columns`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.vocab import CAUSES, POLICY_FLAGS
from giamngheo.core.standards import Standard, resolve_columns
from giamngheo.core.standards.headings import heading_key

#: The role of a sheet: households, or their members.
HOUSEHOLD = "household"
MEMBER = "member"

CODE_HEADINGS = ("Mã hộ", "Mã hộ gia đình", "Mã số hộ", "household_id", "code")
HOUSEHOLD_HEADINGS: dict[str, tuple[str, ...]] = {
    "code": CODE_HEADINGS,
    "commune_code": ("Mã xã", "commune_code"),
    "commune": ("Xã", "Tên xã", "Xã, phường, thị trấn", "commune", "commune_name"),
    "village": ("Thôn", "Thôn, tổ dân phố", "Thôn, làng", "Thôn/tổ dân phố", "village"),
    "head_name": ("Họ tên chủ hộ", "Họ và tên chủ hộ", "Chủ hộ", "head_name"),
    "address": ("Địa chỉ", "address"),
    "ethnic_minority": ("Hộ dân tộc thiểu số", "Hộ DTTS", "ethnic_minority"),
    "indigenous_minority": (
        "Hộ dân tộc thiểu số tại chỗ",
        "Hộ DTTS tại chỗ",
        "indigenous_minority",
    ),
    "no_labour_capacity": (
        "Hộ không có khả năng lao động",
        "Không có khả năng lao động",
        "no_labour_capacity",
    ),
    "merit_member": ("Có thành viên là người có công", "Người có công", "merit_member"),
    "social_assistance_member": (
        "Có thành viên hưởng bảo trợ xã hội",
        "Hưởng bảo trợ xã hội",
        "social_assistance_member",
    ),
    "female_head": ("Chủ hộ là nữ", "Chủ hộ nữ", "female_head"),
    "review_date": ("Ngày rà soát", "review_date"),
    "persons": ("Số nhân khẩu", "Số thành viên", "household_size", "persons"),
    "head_sex": ("Giới tính chủ hộ", "head_sex"),
    "head_birth": ("Năm sinh chủ hộ", "Ngày sinh chủ hộ", "head_birth"),
    "head_national_id": ("Số định danh chủ hộ", "CCCD chủ hộ", "head_national_id"),
    "head_ethnicity": ("Dân tộc chủ hộ", "head_ethnicity"),
    "entry_reason": ("Lý do vào sổ", "Hộ chuyển đến hoặc tách hộ", "entry_reason"),
    "entry_date": ("Ngày vào sổ", "Ngày chuyển đến hoặc tách hộ", "entry_date"),
    "came_from": ("Tách từ hộ", "Mã hộ gốc", "came_from"),
    **{f"cause_{k}": (vi, f"cause_{k}") for k, (vi, _en) in CAUSES.items()},
}
MEMBER_HEADINGS: dict[str, tuple[str, ...]] = {
    "code": CODE_HEADINGS,
    "full_name": ("Họ tên", "Họ và tên", "full_name"),
    "sex": ("Giới tính", "sex"),
    "birth": ("Ngày sinh", "Năm sinh", "Ngày/năm sinh", "birth"),
    "relationship": ("Quan hệ với chủ hộ", "Quan hệ", "relationship"),
    "ethnicity": ("Dân tộc", "ethnicity"),
    "national_id": ("Số định danh cá nhân", "Số định danh", "Số CCCD", "national_id"),
    "health_insurance": ("Có bảo hiểm y tế", "BHYT", "health_insurance"),
    "in_school": ("Đang đi học", "in_school"),
    "disability": ("Khuyết tật", "Người khuyết tật", "disability"),
}
HOUSEHOLD_SHEET_NAMES = ("Hộ", "Hộ gia đình", "Danh sách hộ", "households")
MEMBER_SHEET_NAMES = ("Thành viên", "Nhân khẩu", "Thành viên hộ", "members")
#: The columns a sheet cannot do without (else the file is refused).
REQUIRED_HOUSEHOLD_FIELDS = ("code", "head_name")
REQUIRED_MEMBER_FIELDS = ("code", "full_name", "sex", "birth", "relationship")


def letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → "A")."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def sheet_role(name: str) -> str:
    """``MEMBER``, ``HOUSEHOLD`` or "" (unknown) from a sheet's title."""
    key = heading_key(name)
    if key in {heading_key(n) for n in MEMBER_SHEET_NAMES}:
        return MEMBER
    if key in {heading_key(n) for n in HOUSEHOLD_SHEET_NAMES}:
        return HOUSEHOLD
    return ""


class Columns:
    """Heading → field for one sheet, and the column of each field.

    ``index``: field → column (the first column with one of its headings); ``rest``: the
    columns of no field (for the standards engine)."""

    def __init__(self, headings: Sequence[str], wanted: Mapping[str, tuple[str, ...]]) -> None:
        keys = {heading_key(h): f for f, hs in wanted.items() for h in hs}
        self.index: dict[str, int] = {}
        self.headings = list(headings)
        self.rest: list[int] = []
        for i, h in enumerate(headings):
            f = keys.get(heading_key(h)) if h else None
            if f is not None and f not in self.index:
                self.index[f] = i
            elif h:
                self.rest.append(i)

    def has(self, f: str) -> bool:
        return f in self.index

    def get(self, cells: Sequence[object], f: str) -> object:
        i = self.index.get(f)
        return None if i is None else cells[i]

    def where(self, f: str) -> tuple[str, str]:
        """(heading, column letter) of field ``f``; ("", "") when the sheet has no such column."""
        i = self.index.get(f)
        return ("", "") if i is None else (self.headings[i], letter(i))


class RecordReader:
    """Turns a row's cells into a record (field → cell) for the given columns."""

    def __init__(self, columns: Mapping[str, int]) -> None:
        self.fields = tuple(columns)
        positions = tuple(columns.values())
        if len(positions) == 1:
            self._pick: Any = lambda cells, _i=positions[0]: (cells[_i],)
        elif positions:
            self._pick = itemgetter(*positions)
        else:
            self._pick = lambda cells: ()

    def __call__(self, cells: Sequence[object]) -> dict[str, object]:
        return dict(zip(self.fields, self._pick(cells), strict=True))


def engine_columns(cols: Columns, std: Standard, file_name: str, sheet: str) -> dict[str, int]:
    """The standards engine's canonical column → its column index, from the headings of no
    household field (``cols.rest``); two headings of one engine column refuse the file."""
    headings = cols.headings
    rest = [headings[i] for i in cols.rest]
    try:
        cmap = resolve_columns(rest, std)
    except ValueError as exc:
        raise ImportFileError(file_name, str(exc), str(exc), sheet) from exc
    pos = {h: i for i, h in enumerate(headings)}
    out = {canon: pos[h] for canon, h in cmap.fields.items()}
    out.update({canon: pos[h] for h, canon in cmap.foreign.items()})
    return out


def require_headings(file_name: str, sheet: str, cols: Columns, fields: Sequence[str]) -> None:
    """Refuse the file when the sheet lacks a column of ``fields`` (named by its heading)."""
    wanted = HOUSEHOLD_HEADINGS if "head_name" in fields else MEMBER_HEADINGS
    missing = [wanted[f][0] for f in fields if not cols.has(f)]
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        raise ImportFileError(file_name, f"thiếu cột {names}", f"missing column(s) {names}", sheet)


def template_headings(std: Standard) -> tuple[list[str], list[str]]:
    """Headings of the households sheet and of the members sheet for ``std``."""
    hh = [
        "Mã hộ",
        "Mã xã",
        "Thôn",
        "Họ tên chủ hộ",
        "Địa chỉ",
        "Hộ dân tộc thiểu số",
        *(vi for vi, _en in POLICY_FLAGS.values()),
        "Số nhân khẩu",
        "Thu nhập bình quân đầu người/tháng",
    ]
    if std.score_rule is not None:
        hh.append(std.score_rule.headings_vi[0])
    hh += [ind.name_vi for ind in std.indicators]
    hh += [vi for vi, _en in CAUSES.values()]
    # Only for a household new to the registry: moved in, or split off (from «Tách từ hộ»).
    hh += ["Lý do vào sổ", "Ngày vào sổ", "Tách từ hộ"]
    members = [
        "Mã hộ",
        "Họ tên",
        "Giới tính",
        "Ngày sinh",
        "Quan hệ với chủ hộ",
        "Dân tộc",
        "Số định danh cá nhân",
        "Có bảo hiểm y tế",
        "Đang đi học",
        "Khuyết tật",
    ]
    return hh, members
