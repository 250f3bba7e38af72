"""Builders for the record-rule tests (a plain module: the test folder is not a package,
pytest puts it on ``sys.path``): a scope of three communes, the 2019 periodic review
(QĐ 59/2015), good records. No database: the rules take plain data."""

from __future__ import annotations

import datetime as dt

from giamngheo.core.records import Commune, Context
from giamngheo.core.standards import get_standard
from giamngheo.core.text import unit_name_key

STD = get_standard("QD59-2015")
INDICATORS = [ind.column for ind in STD.indicators]
SCOPE = "Huyện Ngọc Hồi (611)"
DAK_ANG = Commune(
    id=1,
    code="23380",
    name="Xã Đắk Ang",
    name_key=unit_name_key("Xã Đắk Ang"),
    area="rural",
    villages={unit_name_key("Thôn 1"): 11, unit_name_key("Thôn 2"): 12},
)
DAK_DUC = Commune(2, "23383", "Xã Đắk Dục", unit_name_key("Xã Đắk Dục"), "rural", {})
PLEI_KAN = Commune(3, "23377", "Thị trấn Plei Kần", unit_name_key("Thị trấn Plei Kần"), "urban", {})


def make_context(
    *, kind: str = "periodic", year: int = 2019, commune_scope: bool = False
) -> Context:
    communes = (DAK_ANG,) if commune_scope else (DAK_ANG, DAK_DUC, PLEI_KAN)
    return Context(
        year=year,
        kind=kind,
        standard=STD if year == 2019 else get_standard("ND07-2021"),
        review_date_default=dt.date(year, 12, 31),
        communes=communes,
        scope_label="Xã Đắk Ang (23380)" if commune_scope else SCOPE,
        scope_is_commune=commune_scope,
        scope_code="23380" if commune_scope else "611",
    )


def household(code: str = "H1", **changes: object) -> dict[str, object]:
    """A good household record of Đắk Ang (poor by income, 2 persons), with ``changes``."""
    record: dict[str, object] = {
        "code": code,
        "commune_code": "23380",
        "village": "Thôn 1",
        "head_name": "A Blong",
        "address": "Thôn 1, Đắk Ang",
        "ethnic_minority": 1,
        "indigenous_minority": 0,
        "female_head": 0,
        "persons": 2,
        "income": 600_000,
        **dict.fromkeys(INDICATORS, 0),
        "dep_water": 1,
        "cause_capital": 1,
    }
    record.update(changes)
    return record


def member(code: str = "H1", **changes: object) -> dict[str, object]:
    """The head of household H1 (male, born 1980, Xơ Đăng), with ``changes``."""
    record: dict[str, object] = {
        "code": code,
        "full_name": "A Blong",
        "sex": "Nam",
        "birth": 1980,
        "relationship": "Chủ hộ",
        "ethnicity": "Xơ Đăng",
        "national_id": "062080000001",
        "health_insurance": 1,
    }
    record.update(changes)
    return record


def child(code: str = "H1", **changes: object) -> dict[str, object]:
    """A daughter of H1, born 12/03/2010, with ``changes``."""
    base: dict[str, object] = {
        "full_name": "Y Nhi",
        "sex": "Nữ",
        "birth": "12/03/2010",
        "relationship": "Con",
        "national_id": "062310000002",
    }
    return member(code, **{**base, **changes})
