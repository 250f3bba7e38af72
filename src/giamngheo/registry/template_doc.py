"""What every column of the review-import template means: a pure data description, for the
template page (``registry/import_template.html``).

The columns follow ``template_headings(std)`` (the downloadable template) in its order; the
accepted headings come from ``HOUSEHOLD_HEADINGS`` / ``MEMBER_HEADINGS`` (all three in
``giamngheo.core.records.headings``) and, for the standard's columns (income, form score,
deprivation indicators), from the standard's own data. ``optional_columns()`` are the columns
the template leaves out but the import reads (the flat layout's head columns, the review date,
the commune's name, the area). ``ERROR_CODES`` / ``ID_ERROR_CODES`` (in
``template_errors``) list the codes of the per-row errors (the tests check that each is one
the import writes).
"""

from __future__ import annotations

from dataclasses import dataclass

from giamngheo.core.records.headings import (
    HOUSEHOLD_HEADINGS,
    HOUSEHOLD_SHEET_NAMES,
    MEMBER_HEADINGS,
    MEMBER_SHEET_NAMES,
    template_headings,
)
from giamngheo.core.records.vocab import CAUSES, MAX_AGE, POLICY_FLAGS
from giamngheo.core.standards import Standard
from giamngheo.core.standards.headings import heading_key
from giamngheo.core.standards.registry import headings_data


@dataclass(frozen=True)
class ColumnDoc:
    """One column: its heading in the template, what it holds and what the import accepts.

    ``required``: the import rejects the file or the row without it; ``condition_vi`` /
    ``condition_en`` qualify it (e.g. one of two columns, only for ad hoc reviews).
    ``described`` is False only for a heading this module does not know yet (a fallback, so
    the page still shows it; the tests require every template heading to be described)."""

    field: str
    heading: str
    name_en: str
    required: bool
    values_vi: str
    values_en: str
    aliases: tuple[str, ...] = ()
    condition_vi: str = ""
    condition_en: str = ""
    described: bool = True


# ---------------------------------------------------------------------------------------------
# Accepted values (each is checked against the import's parsers by the tests)
# ---------------------------------------------------------------------------------------------
#: Flag cells (``vocab.TRUE_WORDS`` / ``vocab.FALSE_WORDS``).
FLAG_TRUE_VI = ("1", "x", "có", "c", "đúng")
FLAG_TRUE_EN = ("yes", "true")
FLAG_FALSE_VI = ("0", "không", "k")
FLAG_FALSE_EN = ("no", "false")
#: Sex (``vocab.SEX_WORDS``).
SEX_VI = ("Nam", "Nữ")
SEX_EN = ("male", "female", "m", "f")
#: Relationship to the head (the Vietnamese keys of ``vocab.RELATIONSHIP_WORDS``).
RELATIONSHIP_VI = (
    "Chủ hộ",
    "Vợ",
    "Chồng",
    "Vợ/chồng",
    "Vợ chồng",
    "Con",
    "Con đẻ",
    "Con nuôi",
    "Con dâu",
    "Con rể",
    "Bố",
    "Mẹ",
    "Cha",
    "Bố/mẹ",
    "Cha/mẹ",
    "Cháu",
    "Anh",
    "Chị",
    "Em",
    "Anh/chị/em",
    "Khác",
)
RELATIONSHIP_EN = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
#: «Lý do vào sổ» (``vocab.ENTRY_REASON_WORDS``).
ENTRY_REASONS_VI = ("Chuyển đến", "Tách hộ")
ENTRY_REASONS_EN = ("moved in", "split off")

_FLAG_VI = "1 hoặc 0; cũng nhận x, có/không (c/k, đúng); ô trống = 0"
_FLAG_EN = "1 or 0; also x, yes/no, true/false, có/không; a blank cell is 0"
_DATE_VI = "ngày dd/mm/yyyy hoặc yyyy-mm-dd (hoặc ô kiểu ngày)"
_DATE_EN = "a date, dd/mm/yyyy or yyyy-mm-dd (or a date cell)"


def _aliases(table: dict[str, tuple[str, ...]], field: str, heading: str) -> tuple[str, ...]:
    key = heading_key(heading)
    return tuple(h for h in table[field] if heading_key(h) != key)


def _hh(
    field: str,
    name_en: str,
    values_vi: str,
    values_en: str,
    *,
    required: bool = False,
    condition_vi: str = "",
    condition_en: str = "",
    heading: str = "",
) -> ColumnDoc:
    head = heading or HOUSEHOLD_HEADINGS[field][0]
    return ColumnDoc(
        field=field,
        heading=head,
        name_en=name_en,
        required=required,
        values_vi=values_vi,
        values_en=values_en,
        aliases=_aliases(HOUSEHOLD_HEADINGS, field, head),
        condition_vi=condition_vi,
        condition_en=condition_en,
    )


def _member(
    field: str, name_en: str, values_vi: str, values_en: str, *, required: bool = False
) -> ColumnDoc:
    head = MEMBER_HEADINGS[field][0]
    return ColumnDoc(
        field=field,
        heading=head,
        name_en=name_en,
        required=required,
        values_vi=values_vi,
        values_en=values_en,
        aliases=_aliases(MEMBER_HEADINGS, field, head),
    )


def _flag_hh(field: str, name_en: str, rule_vi: str = "", rule_en: str = "") -> ColumnDoc:
    return _hh(
        field,
        name_en,
        f"{_FLAG_VI}; {rule_vi}" if rule_vi else _FLAG_VI,
        f"{_FLAG_EN}; {rule_en}" if rule_en else _FLAG_EN,
    )


_POLICY_RULES: dict[str, tuple[str, str]] = {
    "indigenous_minority": (
        "chỉ khi cũng là hộ dân tộc thiểu số",
        "only for an ethnic-minority household",
    ),
    "female_head": (
        "phải khớp giới tính của chủ hộ",
        "must agree with the head's sex",
    ),
}

#: The household fields the template's fixed headings stand for, documented.
HOUSEHOLD_DOCS: dict[str, ColumnDoc] = {
    "code": _hh(
        "code",
        "Household code",
        "tối đa 32 ký tự, không trùng trong tệp; mã của hộ trong sổ của xã (mã mới: hộ mới)",
        "up to 32 characters, unique in the file; the household's code in the commune's"
        " registry (a new code adds a household)",
        required=True,
    ),
    "commune_code": _hh(
        "commune_code",
        "Commune code",
        "mã xã (5 chữ số) của một xã thuộc đơn vị nhập",
        "the (5-digit) code of a commune of the unit being imported",
        required=True,
        condition_vi="cần «Mã xã» hoặc «Xã» (một trong hai); để trống được khi nhập cho một xã",
        condition_en="'Mã xã' or 'Xã' (either); may be left blank when importing for one commune",
    ),
    "village": _hh(
        "village",
        "Village",
        "tên một thôn, tổ dân phố của xã đó",
        "the name of a village of that commune",
    ),
    "head_name": _hh(
        "head_name",
        "Head of household's full name",
        "họ và tên; ở cách hai trang phải trùng tên thành viên có quan hệ «Chủ hộ»",
        "full name; in the two-sheet layout it must match the member whose relationship is"
        " 'Chủ hộ' (head)",
        required=True,
    ),
    "address": _hh("address", "Address", "văn bản, tối đa 300 ký tự", "text, up to 300 characters"),
    "ethnic_minority": _flag_hh(
        "ethnic_minority",
        "Ethnic-minority household",
        "phải là 1 khi chủ hộ hoặc vợ/chồng là người dân tộc thiểu số",
        "must be 1 when the head or the spouse belongs to an ethnic minority",
    ),
    **{
        f: _flag_hh(f, en[0].upper() + en[1:], *_POLICY_RULES.get(f, ("", "")))
        for f, (_vi, en) in POLICY_FLAGS.items()
    },
    "persons": _hh(
        "persons",
        "Number of persons",
        "số nguyên 1–99; ô trống: số dòng của hộ ở trang «Thành viên»; ở cách hai trang phải"
        " bằng số dòng đó",
        "a whole number 1–99; blank: the household's rows in the members sheet; in the"
        " two-sheet layout it must equal that number",
    ),
    **{
        f"cause_{k}": _hh(
            f"cause_{k}",
            f"Cause of poverty: {en}",
            f"{_FLAG_VI}; 1 = là nguyên nhân nghèo của hộ",
            f"{_FLAG_EN}; 1 = a cause of the household's poverty",
        )
        for k, (_vi, en) in CAUSES.items()
    },
    "entry_reason": _hh(
        "entry_reason",
        "How the household entered the registry",
        f"«{ENTRY_REASONS_VI[0]}» hoặc «{ENTRY_REASONS_VI[1]}»; chỉ ghi cho hộ mới vào sổ, với"
        " «Ngày vào sổ»; để trống cả ba cột với hộ đã có",
        f"'{ENTRY_REASONS_VI[0]}' (moved in) or '{ENTRY_REASONS_VI[1]}' (split off), also"
        f" '{ENTRY_REASONS_EN[0]}' / '{ENTRY_REASONS_EN[1]}'; only for a household new to the"
        " registry, with 'Ngày vào sổ'; leave the three columns blank otherwise",
    ),
    "entry_date": _hh(
        "entry_date",
        "Date of entry",
        f"{_DATE_VI}, không sau ngày rà soát; cần khi có «Lý do vào sổ»",
        f"{_DATE_EN}, not after the review date; needed with 'Lý do vào sổ'",
    ),
    "came_from": _hh(
        "came_from",
        "Split off from household",
        "mã một hộ đã có trong sổ của cùng xã (không phải chính hộ này); chỉ ghi khi «Tách hộ»",
        "the code of a registered household of the same commune (not this one); only for"
        " 'Tách hộ' (split off)",
    ),
}

_RELATIONSHIPS = ", ".join(RELATIONSHIP_VI)

#: The members sheet, documented (the template's order is ``template_headings``).
MEMBER_DOCS: dict[str, ColumnDoc] = {
    "code": _member(
        "code",
        "Household code",
        "mã một hộ ở trang «Hộ»",
        "the code of a household of the households sheet",
        required=True,
    ),
    "full_name": _member(
        "full_name",
        "Full name",
        "họ và tên, tối đa 200 ký tự",
        "full name, up to 200 characters",
        required=True,
    ),
    "sex": _member(
        "sex",
        "Sex",
        " hoặc ".join(SEX_VI),
        f"{SEX_VI[0]} (male) or {SEX_VI[1]} (female); also {', '.join(SEX_EN)}",
        required=True,
    ),
    "birth": _member(
        "birth",
        "Date or year of birth",
        f"năm (1980) hoặc ngày đủ (dd/mm/yyyy, yyyy-mm-dd hoặc ô kiểu ngày); tuổi từ 0 đến"
        f" {MAX_AGE} vào năm rà soát",
        f"a year (1980) or a full date (dd/mm/yyyy, yyyy-mm-dd or a date cell); an age of 0 to"
        f" {MAX_AGE} in the review year",
        required=True,
    ),
    "relationship": _member(
        "relationship",
        "Relationship to the head",
        f"{_RELATIONSHIPS}; mỗi hộ đúng một «Chủ hộ»",
        f"{_RELATIONSHIPS}; also {', '.join(RELATIONSHIP_EN)}; exactly one 'Chủ hộ' (head)"
        " per household",
        required=True,
    ),
    "ethnicity": _member(
        "ethnicity",
        "Ethnicity",
        "tên dân tộc (Kinh, Xơ Đăng, …)",
        "the ethnic group's name (Kinh, Xơ Đăng, …)",
    ),
    "national_id": _member(
        "national_id",
        "Citizen ID number",
        "12 chữ số (định dạng ô là văn bản để giữ số 0 đầu), khớp giới tính và năm sinh, không"
        " trùng; được để nguyên số bị che (062*******34) như trong mẫu điền sẵn: số đã lưu"
        " được giữ",
        "12 digits (format the column as text to keep the leading 0), agreeing with the sex"
        " and the year of birth, not repeated; a masked number (062*******34) left as in the"
        " pre-filled template keeps the registered number",
    ),
    "health_insurance": _member("health_insurance", "Has health insurance", _FLAG_VI, _FLAG_EN),
    "in_school": _member("in_school", "Attends school", _FLAG_VI, _FLAG_EN),
    "disability": _member("disability", "Has a disability", _FLAG_VI, _FLAG_EN),
}


def _income_doc(std: Standard, heading: str) -> ColumnDoc:
    rule = std.score_rule
    key = heading_key(heading)
    return ColumnDoc(
        "income",
        heading,
        "Monthly income per person",
        True,
        "đồng/người/tháng, số liền không dấu phân cách (1500000, không ghi 1.500.000)",
        "VND per person per month, digits only (1500000, not 1.500.000)",
        tuple(h for h in headings_data()["fields"]["income"] if heading_key(h) != key),
        condition_vi=f"cần thu nhập hoặc điểm {rule.score_name} (một trong hai)" if rule else "",
        condition_en=f"the income or the score {rule.score_name} (either)" if rule else "",
    )


def _score_doc(std: Standard, heading: str) -> ColumnDoc:
    rule = std.score_rule
    assert rule is not None
    key = heading_key(heading)
    return ColumnDoc(
        "income_score",
        heading,
        f"Form score {rule.score_name}",
        True,
        f"điểm {rule.score_name} của phiếu rà soát ({rule.basis}); số liền",
        f"the review form's score {rule.score_name} ({rule.basis}); digits only",
        (
            *(h for h in rule.headings_vi if heading_key(h) != key),
            *headings_data()["fields"]["income_score"],
        ),
        condition_vi=f"cần thu nhập hoặc điểm {rule.score_name} (một trong hai)",
        condition_en=f"the income or the score {rule.score_name} (either)",
    )


def _indicator_docs(std: Standard) -> dict[str, ColumnDoc]:
    out: dict[str, ColumnDoc] = {}
    for ind in std.indicators:
        provisional_vi = " (ngưỡng tạm thời)" if ind.provisional else ""
        provisional_en = " (provisional threshold)" if ind.provisional else ""
        out[heading_key(ind.name_vi)] = ColumnDoc(
            ind.column,
            ind.name_vi,
            f"Deprivation: {ind.name_en}",
            True,
            f"1 = thiếu hụt, 0 = không thiếu hụt{provisional_vi}; không để trống",
            f"1 = deprived, 0 = not deprived{provisional_en}; not blank",
            (ind.column, *ind.aliases_vi),
            condition_vi=f"chỉ số của chuẩn {std.id}",
            condition_en=f"an indicator of standard {std.id}",
        )
    return out


def _by_heading(docs: dict[str, ColumnDoc]) -> dict[str, ColumnDoc]:
    return {heading_key(d.heading): d for d in docs.values()}


def _undescribed(heading: str) -> ColumnDoc:
    return ColumnDoc("", heading, heading, False, "", "", described=False)


def template_columns(std: Standard) -> tuple[list[ColumnDoc], list[ColumnDoc]]:
    """The households sheet's and the members sheet's columns of the template for ``std``,
    in the order of ``template_headings(std)``, one ``ColumnDoc`` per heading."""
    hh_headings, member_headings = template_headings(std)
    known = _by_heading(HOUSEHOLD_DOCS)
    known.update(_indicator_docs(std))
    income_keys = {heading_key(h) for h in headings_data()["fields"]["income"]}
    score_keys = (
        {heading_key(h) for h in std.score_rule.headings_vi}
        if std.score_rule is not None
        else set()
    )
    households: list[ColumnDoc] = []
    for h in hh_headings:
        key = heading_key(h)
        if key in known:
            doc = known[key]
        elif key in income_keys:
            doc = _income_doc(std, h)
        elif key in score_keys:
            doc = _score_doc(std, h)
        else:
            doc = _undescribed(h)
        households.append(doc)
    members_known = _by_heading(MEMBER_DOCS)
    members = [members_known.get(heading_key(h)) or _undescribed(h) for h in member_headings]
    return households, members


_HEAD_VI = "chỉ ở cách một trang (phẳng); như cột «{0}» của trang «Thành viên»"
_HEAD_EN = "flat layout only; as the members sheet's '{0}' column"


def optional_columns() -> list[ColumnDoc]:
    """Columns the template leaves out that the import reads: the commune's name (instead of
    its code), the area, the review date, and the head's own columns of the flat layout."""
    areas = headings_data()["areas"]
    area_words = ", ".join(n for names in areas.values() for n in names if not n.isascii())
    return [
        _hh(
            "commune",
            "Commune name",
            "tên một xã thuộc đơn vị nhập (không trùng tên với xã khác)",
            "the name of a commune of the unit being imported (one that no other commune has)",
            required=True,
            condition_vi="thay cho «Mã xã»; không cần khi nhập cho một xã",
            condition_en="instead of 'Mã xã'; not needed when importing for one commune",
        ),
        ColumnDoc(
            "area",
            "Khu vực",
            "Area",
            False,
            f"{area_words}; ô trống: khu vực của xã; nếu ghi phải khớp khu vực của xã",
            "Thành thị (urban) or Nông thôn (rural), also urban/rural; blank: the commune's"
            " area; if given it must match the commune's area",
            tuple(h for h in headings_data()["fields"]["area"] if heading_key(h) != "khuvuc"),
        ),
        _hh(
            "review_date",
            "Review date",
            f"{_DATE_VI}, trong năm rà soát; trống khi rà soát định kỳ: ngày 31/12",
            f"{_DATE_EN} in the review year; blank in a periodic review: 31 December",
            condition_vi="bắt buộc khi rà soát thường xuyên",
            condition_en="required for an ad hoc review",
        ),
        _hh(
            "head_sex",
            "Head's sex",
            _HEAD_VI.format("Giới tính") + "; cần khi ghi năm sinh hoặc số định danh chủ hộ",
            _HEAD_EN.format("Giới tính") + "; needed with the head's birth or ID number",
        ),
        _hh(
            "head_birth",
            "Head's date or year of birth",
            _HEAD_VI.format("Ngày sinh") + "; cần khi ghi giới tính hoặc số định danh chủ hộ",
            _HEAD_EN.format("Ngày sinh") + "; needed with the head's sex or ID number",
        ),
        _hh(
            "head_national_id",
            "Head's citizen ID number",
            _HEAD_VI.format("Số định danh cá nhân") + ", nhưng không nhận số bị che",
            _HEAD_EN.format("Số định danh cá nhân") + ", but a masked number is not accepted",
        ),
        _hh(
            "head_ethnicity",
            "Head's ethnicity",
            _HEAD_VI.format("Dân tộc") + "; dân tộc thiểu số thì hộ phải đánh dấu hộ DTTS",
            _HEAD_EN.format("Dân tộc") + "; a minority means an ethnic-minority household",
        ),
    ]


#: Accepted sheet names of the two-sheet layout (first: the template's).
SHEET_NAMES = {"household": HOUSEHOLD_SHEET_NAMES, "member": MEMBER_SHEET_NAMES}
