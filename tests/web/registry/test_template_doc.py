"""The template page documents every column of the review-import template (for each
standard in use), every accepted heading and every error code the import writes."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from giamngheo.core import identity, standards
from giamngheo.core.records import errors, household, member
from giamngheo.core.records.headings import HOUSEHOLD_HEADINGS, MEMBER_HEADINGS, template_headings
from giamngheo.core.records.vocab import (
    ENTRY_REASON_WORDS,
    FALSE_WORDS,
    MAX_AGE,
    RELATIONSHIP_WORDS,
    SEX_WORDS,
    TRUE_WORDS,
    cfold,
)
from giamngheo.core.standards import get_standard
from giamngheo.registry.imports import staging
from giamngheo.registry.models import Relationship
from giamngheo.registry.template_doc import (
    ENTRY_REASONS_EN,
    ENTRY_REASONS_VI,
    FLAG_FALSE_EN,
    FLAG_FALSE_VI,
    FLAG_TRUE_EN,
    FLAG_TRUE_VI,
    RELATIONSHIP_EN,
    RELATIONSHIP_VI,
    SEX_EN,
    SEX_VI,
    ColumnDoc,
    optional_columns,
    template_columns,
)
from giamngheo.registry.template_errors import ERROR_CODES, ID_ERROR_CODES

DATA = Path(inspect.getfile(standards)).parent / "data"
STANDARD_IDS = sorted(p.stem for p in DATA.glob("*.json") if p.stem != "headings")
PAGE = "registry:import_template"


def test_the_standards_in_use_are_the_known_three() -> None:
    assert STANDARD_IDS == ["ND07-2021", "ND351-2025", "QD59-2015"]


@pytest.mark.parametrize("standard_id", STANDARD_IDS)
def test_every_template_heading_has_a_column_doc_in_template_order(standard_id: str) -> None:
    std = get_standard(standard_id)
    hh_headings, member_headings = template_headings(std)
    households, members = template_columns(std)
    assert [c.heading for c in households] == hh_headings
    assert [c.heading for c in members] == member_headings
    for c in [*households, *members]:
        assert c.described, c.heading
        assert c.field and c.name_en and c.values_vi and c.values_en, c
        assert c.heading not in c.aliases
    indicators = {c.field: c for c in households if c.field.startswith("dep_")}
    assert list(indicators) == [ind.column for ind in std.indicators]
    for ind in std.indicators:
        doc = indicators[ind.column]
        assert doc.heading == ind.name_vi and ind.name_en in doc.name_en
        assert doc.required and "1 = deprived" in doc.values_en and "thiếu hụt" in doc.values_vi
        assert doc.aliases == (ind.column, *ind.aliases_vi)
    score = [c for c in households if c.field == "income_score"]
    assert len(score) == (std.score_rule is not None)


def _all_docs() -> list[ColumnDoc]:
    docs = list(optional_columns())
    for sid in STANDARD_IDS:
        households, members = template_columns(get_standard(sid))
        docs += households + members
    return docs


def test_every_heading_field_is_documented_with_its_accepted_headings() -> None:
    std = get_standard("ND07-2021")
    households, members = template_columns(std)
    others = optional_columns()
    hh_docs = {c.field: c for c in [*households, *others] if c.field in HOUSEHOLD_HEADINGS}
    member_docs = {c.field: c for c in members}
    assert set(hh_docs) == set(HOUSEHOLD_HEADINGS)
    assert set(member_docs) == set(MEMBER_HEADINGS)
    for table, docs in ((HOUSEHOLD_HEADINGS, hh_docs), (MEMBER_HEADINGS, member_docs)):
        for f, doc in docs.items():
            assert doc.heading == table[f][0]  # the canonical heading
            assert (doc.heading, *doc.aliases) == table[f]  # the others, in their order
    flat = {"head_sex", "head_birth", "head_national_id", "head_ethnicity", "review_date"}
    assert flat <= {c.field for c in others}
    assert not flat & {c.field for c in households}


def test_required_columns() -> None:
    households, members = template_columns(get_standard("QD59-2015"))
    others = optional_columns()
    plain = {c.field for c in [*households, *others] if c.required and not c.condition_vi}
    assert plain == {"code", "head_name"}
    either = {c.field: c for c in [*households, *others] if c.field in ("commune_code", "commune")}
    assert all(c.required and "một xã" in c.condition_vi for c in either.values())
    assert {c.field for c in members if c.required} == {
        "code",
        "full_name",
        "sex",
        "birth",
        "relationship",
    }
    review_date = next(c for c in others if c.field == "review_date")
    assert not review_date.required and "thường xuyên" in review_date.condition_vi
    # The standard's columns are required by the classification: income (or the form score)
    # and every indicator.
    assert all(c.required for c in households if c.field.startswith(("dep_", "income")))


def test_documented_values_are_the_ones_the_import_reads() -> None:
    assert {cfold(v) for v in (*FLAG_TRUE_VI, *FLAG_TRUE_EN)} == TRUE_WORDS
    assert {cfold(v) for v in (*FLAG_FALSE_VI, *FLAG_FALSE_EN)} == FALSE_WORDS - {""}
    assert {cfold(v) for v in (*SEX_VI, *SEX_EN)} == set(SEX_WORDS)
    vietnamese_keys = {k for k in RELATIONSHIP_WORDS if k not in Relationship.values}
    assert {cfold(v) for v in RELATIONSHIP_VI} == vietnamese_keys
    assert set(RELATIONSHIP_EN) == set(RELATIONSHIP_WORDS) - vietnamese_keys
    words = ENTRY_REASON_WORDS
    assert {cfold(v) for v in (*ENTRY_REASONS_VI, *ENTRY_REASONS_EN)} <= set(words)
    assert {words[cfold(v)] for v in ENTRY_REASONS_VI} == set(words.values())
    docs = {c.field: c for c in _all_docs()}
    assert all(v in docs["relationship"].values_vi for v in RELATIONSHIP_VI)
    assert "Nam" in docs["sex"].values_vi and "Nữ" in docs["sex"].values_vi
    assert f"0 đến {MAX_AGE}" in docs["birth"].values_vi
    assert "12 chữ số" in docs["national_id"].values_vi
    assert "Chuyển đến" in docs["entry_reason"].values_vi
    assert "Tách hộ" in docs["came_from"].values_vi


#: The modules that write the import's errors: the record rules (``FieldError``), the file
#: errors (``ImportFileError``: "file") and the staging's own (``RowError``).
WRITERS = (household, member, errors, staging)


def _import_source() -> str:
    return "\n".join(inspect.getsource(m) for m in WRITERS)


def _codes_written_by_the_import() -> set[str]:
    """The literal codes of every ``FieldError(field, CODE, …)`` and
    ``RowError(field, column, letter, CODE, …)`` call of the import."""
    codes: set[str] = set()
    for node in ast.walk(ast.parse(_import_source())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        position = None
        if isinstance(func, ast.Name) and func.id == "FieldError":
            position = 1
        elif isinstance(func, ast.Name) and func.id == "RowError":
            # RowError("code", *cols.where(...), CODE, ...) puts the code second when starred.
            starred = any(isinstance(a, ast.Starred) for a in node.args)
            position = 2 if starred else 3
        if position is None or len(node.args) <= position:
            continue
        arg = node.args[position]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            codes.add(arg.value)
    return codes


def test_every_listed_error_code_exists_in_the_import() -> None:
    source = _import_source()
    listed = [e.code for e in ERROR_CODES]
    assert len(listed) == len(set(listed))
    for code in listed:
        assert f'"{code}"' in source, code
    written = _codes_written_by_the_import()
    assert "duplicate_code" in written and "household_invalid" in written
    assert {"engine", "area_mismatch", "cell_error", "member_rows_invalid"} <= written
    assert written <= set(listed), written - set(listed)  # and every code written is listed
    # The citizen-ID problems: id_<code of core.identity>.
    assert 'f"id_{p.code}"' in source
    identity_source = inspect.getsource(identity)
    for e in ID_ERROR_CODES:
        assert e.code.startswith("id_")
        assert f'"{e.code.removeprefix("id_")}"' in identity_source, e.code
    for e in (*ERROR_CODES, *ID_ERROR_CODES):
        assert e.meaning_vi and e.meaning_en


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_the_template_page_documents_the_columns(dak_ang_officer: User) -> None:
    c = login(dak_ang_officer)
    r = c.get(reverse(PAGE))
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("Mã hộ", "Lý do vào sổ", "Quan hệ với chủ hộ", "duplicate_code", "Xác nhận ghi"):
        assert text in html, text
    assert "Tên khác được nhận" in html and "Mã hộ gia đình" in html  # an alias
    assert "Ngày rà soát" in html and "Giới tính chủ hộ" in html  # the flat/optional group
    assert "<script" not in r.content.decode().split('id="template-doc"')[1]
    # The standard of the year shown: the initial year, or the year chosen in the form.
    initial = r.context["doc_year"]
    assert r.context["standard"].id == template_std_id(initial)
    r2019 = c.get(reverse(PAGE), {"year": 2019})  # no commune: the form is shown again
    assert r2019.status_code == 200 and r2019.context["standard"].id == "QD59-2015"
    html2019 = r2019.content.decode()
    assert "Điểm B1" in html2019 and "Tiếp cận các dịch vụ y tế" in html2019


def template_std_id(year: int) -> str:
    from giamngheo.core.standards import standard_for

    return standard_for(year, "periodic").id


@pytest.mark.django_db
def test_the_template_page_in_english(dak_ang_officer: User) -> None:
    c = login(dak_ang_officer)
    c.cookies["django_language"] = "en"
    html = c.get(reverse(PAGE), {"year": 2019}).content.decode()
    assert "Other accepted headings" in html and "Required" in html
    assert "Household code" in html  # the English name of «Mã hộ»
    assert "1 = deprived, 0 = not deprived" in html  # an English value
    assert "Deprivation: Access to health services" in html  # from the standard's data
    assert "the household code repeats an earlier row of the file" in html
    assert "Mã hộ" in html  # the headings stay as they are in the file
    assert "tối đa 32 ký tự" not in html  # not the Vietnamese value
    with translation.override("en"):
        assert translation.gettext("hộ đã ghi") == "households written"
