"""The support-type catalog: every kind of support a household or a commune can receive.

Each type (a breeding cow, a latrine, a health-insurance card, a VBSP loan, …) has a category,
a default unit of quantity, whether the capital may revolve (be recovered and handed on), and
what it addresses: the income gap and, per poverty standard, the deprivation indicators it can
lift. That last part is the input of the deprivation-versus-support comparison, and it differs
by standard because the standards' indicator lists differ (QD59-2015 has ``info_assets``,
ND07-2021 ``info_access``, ND351-2025 ``waste``). The catalog is data
(``data/support-types.json``); the reader checks every indicator against the standard's own file.

The strict reader the support data files share (:class:`Reader`, errors naming the file and the
JSON path in Vietnamese and English) lives here because the catalog is the bottom of the support
data: the programmes and the eligibility rules refer to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from giamngheo.core.numbers import Lang
from giamngheo.core.standards import NATIONAL_STANDARD_IDS, get_standard
from giamngheo.core.standards.model import LegalBasis, Note

SCHEMA_VERSION = 1
DATA_DIR = Path(__file__).parent / "data"
CATALOG_FILE = "support-types.json"

Category = Literal[
    "production",
    "livelihood",
    "model",
    "training",
    "labour_export",
    "infrastructure",
    "communication",
    "housing",
    "credit",
    "health_insurance",
    "tuition",
    "social_assistance",
    "nutrition",
    "water_sanitation",
    "electricity",
    "other",
]
CATEGORIES: tuple[Category, ...] = get_args(Category)

Confidence = Literal["H", "M", "L"]
CONFIDENCES: tuple[Confidence, ...] = get_args(Confidence)

#: What ``addresses`` returns, beside indicator keys, when a type narrows the income gap.
INCOME = "income"

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_TYPE_KEYS = frozenset(
    {
        "code",
        "name_vi",
        "name_en",
        "category",
        "unit_vi",
        "unit_en",
        "revolving_allowed",
        "addresses",
        "legal_basis",
        "provisional",
        "note_vi",
        "note_en",
    }
)
_ADDRESS_KEYS = frozenset({"income", "indicators", "note_vi", "note_en"})
_LEGAL_KEYS = frozenset({"instrument", "signed", "effective", "note_vi", "note_en"})


class SupportDataError(ValueError):
    """A support data file is malformed; the message names the file and the JSON path."""


class CatalogError(SupportDataError):
    """The support-type catalog file is malformed."""


class UnknownSupportType(LookupError):
    """No support type with that code in the catalog."""


# --------------------------------------------------------------------------- the strict reader


class Reader:
    """Reads the values of one data file; every error names the file and the JSON path."""

    def __init__(self, source: str, error: type[SupportDataError] = SupportDataError) -> None:
        self.source = source
        self.error = error

    def fail(self, where: str, vi: str, en: str) -> SupportDataError:
        return self.error(f"{self.source}: {where or '(gốc / root)'}: {vi} / {en}")

    def keys(
        self,
        d: Mapping[str, Any],
        where: str,
        allowed: frozenset[str],
        required: frozenset[str] = frozenset(),
    ) -> None:
        extra = sorted(set(d) - allowed)
        if extra:
            raise self.fail(
                at(where, extra[0]), "khoá không được hỗ trợ (gõ sai?)", "unknown key (a typo?)"
            )
        missing = sorted(required - set(d))
        if missing:
            raise self.fail(at(where, missing[0]), "thiếu khoá bắt buộc", "required key missing")

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "cần một đối tượng", "expected an object")
        return value

    def objects(self, d: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        v = d.get(key, [])
        if not isinstance(v, list):
            raise self.fail(at(where, key), "cần một danh sách", "expected a list")
        return [self.obj(item, f"{at(where, key)}[{n}]") for n, item in enumerate(v)]

    def text(self, d: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> str:
        v = d.get(key, "" if optional else None)
        if not isinstance(v, str) or (not v.strip() and not (optional and v == "")):
            raise self.fail(
                at(where, key), "cần một chuỗi khác rỗng", "expected a non-empty string"
            )
        return v

    def texts(self, d: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise self.fail(at(where, key), "cần danh sách chuỗi", "expected a list of strings")
        for n, x in enumerate(v):
            if x in v[:n]:
                raise self.fail(f"{at(where, key)}[{n}]", f"trùng {x!r}", f"duplicate {x!r}")
        return tuple(v)

    def choices(
        self, d: Mapping[str, Any], key: str, where: str, options: Sequence[str]
    ) -> tuple[str, ...]:
        values = self.texts(d, key, where)
        for n, x in enumerate(values):
            if x not in options:
                shown = ", ".join(options)
                raise self.fail(
                    f"{at(where, key)}[{n}]",
                    f"{x!r} không hợp lệ; cần một trong: {shown}",
                    f"{x!r} is not valid; expected one of: {shown}",
                )
        return values

    def choice(self, d: Mapping[str, Any], key: str, where: str, options: Sequence[str]) -> Any:
        v = d.get(key)
        if v not in options:
            shown = ", ".join(options)
            raise self.fail(at(where, key), f"cần một trong: {shown}", f"expected one of: {shown}")
        return v

    def boolean(self, d: Mapping[str, Any], key: str, where: str, default: bool | None) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(at(where, key), "cần true hoặc false", "expected true or false")
        return v

    def integer(
        self, d: Mapping[str, Any], key: str, where: str, lo: int = 0, hi: int = 10_000
    ) -> int | None:
        """An integer in [lo, hi]; None when the key is absent or null."""
        v = d.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.fail(
                at(where, key), f"cần số nguyên từ {lo} đến {hi}", f"expected an integer {lo}–{hi}"
            )
        return v

    def note(self, d: Mapping[str, Any], where: str, prefix: str = "note") -> Note | None:
        vi, en = d.get(f"{prefix}_vi"), d.get(f"{prefix}_en")
        if vi is None and en is None:
            return None
        if not isinstance(vi, str) or not isinstance(en, str) or not vi.strip() or not en.strip():
            raise self.fail(
                at(where, f"{prefix}_vi/{prefix}_en"),
                "cần cả hai ghi chú tiếng Việt và tiếng Anh",
                "expected both the Vietnamese and the English note",
            )
        return Note(vi, en)

    def provisional(self, d: Mapping[str, Any], where: str, note: Note | None) -> bool:
        """The ``provisional`` flag; a provisional value must say why in its note."""
        flag = self.boolean(d, "provisional", where, False)
        if flag and note is None:
            raise self.fail(
                at(where, "note_vi/note_en"),
                "giá trị tạm thời cần ghi chú lý do",
                "a provisional value needs a note saying why",
            )
        return flag

    def confidence(self, d: Mapping[str, Any], where: str, provisional: bool) -> Confidence | None:
        """The domain notes' confidence (H/M/L) or None; L must be marked provisional."""
        if d.get("confidence") is None:
            return None
        value: Confidence = self.choice(d, "confidence", where, CONFIDENCES)
        if value == "L" and not provisional:
            raise self.fail(
                at(where, "provisional"),
                "giá trị độ tin cậy thấp (L) phải đánh dấu provisional: true",
                "a low-confidence (L) value must be marked provisional: true",
            )
        return value

    def legal_basis(self, value: Any, where: str) -> LegalBasis:
        d = self.obj(value, where)
        self.keys(d, where, _LEGAL_KEYS, frozenset({"instrument"}))
        return LegalBasis(
            instrument=self.text(d, "instrument", where),
            signed=self.iso_date(d, "signed", where),
            effective=self.iso_date(d, "effective", where),
            note=self.note(d, where),
        )

    def iso_date(self, d: Mapping[str, Any], key: str, where: str) -> str:
        """A YYYY-MM-DD text, or "" when absent (unknown)."""
        v = d.get(key, "")
        if v == "":
            return ""
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            try:
                date.fromisoformat(v)
            except ValueError:
                pass
            else:
                return v
        raise self.fail(at(where, key), "cần ngày dạng YYYY-MM-DD", "expected a YYYY-MM-DD date")


def at(where: str, key: str) -> str:
    """The JSON path of ``key`` inside ``where``."""
    return f"{where}.{key}" if where else key


def read_json(path: Path, error: type[SupportDataError]) -> Mapping[str, Any]:
    """The top-level object of a JSON data file, or ``error`` naming the file and the line."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise error(
            f"{path.name}: dòng {exc.lineno}, cột {exc.colno}: JSON không hợp lệ ({exc.msg}) / "
            f"line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"
        ) from exc
    if not isinstance(data, Mapping):
        raise error(f"{path.name}: cần một đối tượng ở gốc / expected an object at the top")
    return data


def check_schema(r: Reader, data: Mapping[str, Any]) -> None:
    if data.get("schema") != SCHEMA_VERSION:
        raise r.fail(
            "schema",
            f"phiên bản lược đồ {data.get('schema')!r} không được hỗ trợ (cần {SCHEMA_VERSION})",
            f"unsupported schema version {data.get('schema')!r} (expected {SCHEMA_VERSION})",
        )


# --------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class SupportType:
    """One kind of support and what it addresses.

    ``indicators`` maps a national standard id to the deprivation indicators (keys of that
    standard) the support can lift; a standard it does not name gets none. ``income``: it
    narrows the income gap (production, credit, jobs, allowances).
    """

    code: str
    name_vi: str
    name_en: str
    category: Category
    unit_vi: str
    unit_en: str
    revolving_allowed: bool
    income: bool
    indicators: Mapping[str, frozenset[str]]
    addresses_note: Note | None = None
    legal_basis: LegalBasis | None = None
    provisional: bool = False
    note: Note | None = None

    def label(self, lang: Lang = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def unit(self, lang: Lang = "vi") -> str:
        return self.unit_vi if lang == "vi" else self.unit_en

    @property
    def is_credit(self) -> bool:
        return self.category == "credit"

    def addresses(self, standard_id: str) -> frozenset[str]:
        """Indicator keys of ``standard_id`` it addresses, plus ``"income"`` when it does.

        Raises:
            UnknownStandard: ``standard_id`` is not a national standard (for a province's
                local standard pass the id of the national standard it is based on).
        """
        get_standard(standard_id)
        found = self.indicators.get(standard_id, frozenset())
        return found | {INCOME} if self.income else found


@dataclass(frozen=True)
class Catalog:
    """The support types in the file's order, looked up by code."""

    types: tuple[SupportType, ...]
    note: Note | None = None
    source: str = ""
    _by_code: Mapping[str, SupportType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {t.code: t for t in self.types})

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.types)

    def get(self, code: str) -> SupportType:
        """The type with this code.

        Raises:
            UnknownSupportType: no such code (the message lists none: the catalog is long).
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownSupportType(
                f"Không có loại hỗ trợ {code!r} trong danh mục / "
                f"no support type {code!r} in the catalog"
            ) from None

    def addresses(self, code: str, standard_id: str) -> frozenset[str]:
        """What the type ``code`` addresses under ``standard_id`` (see SupportType.addresses)."""
        return self.get(code).addresses(standard_id)

    def addressing(self, standard_id: str) -> dict[str, frozenset[str]]:
        """Every type's addressed set under one standard, by code, in catalog order."""
        return {t.code: t.addresses(standard_id) for t in self.types}

    def types_for(self, indicator: str, standard_id: str) -> tuple[SupportType, ...]:
        """The types that address ``indicator`` (or ``"income"``) under ``standard_id``."""
        return tuple(t for t in self.types if indicator in t.addresses(standard_id))

    def of_category(self, category: Category) -> tuple[SupportType, ...]:
        return tuple(t for t in self.types if t.category == category)


def _addresses(
    r: Reader, value: Any, where: str
) -> tuple[bool, dict[str, frozenset[str]], Note | None]:
    d = r.obj(value, where)
    r.keys(d, where, _ADDRESS_KEYS, frozenset({"income"}))
    income = r.boolean(d, "income", where, None)
    per_standard = r.obj(d.get("indicators", {}), at(where, "indicators"))
    indicators: dict[str, frozenset[str]] = {}
    for standard_id in per_standard:
        iwhere = at(at(where, "indicators"), standard_id)
        if standard_id not in NATIONAL_STANDARD_IDS:
            known = ", ".join(NATIONAL_STANDARD_IDS)
            raise r.fail(
                iwhere,
                f"không có chuẩn nghèo {standard_id!r} (có: {known})",
                f"no standard {standard_id!r} (known: {known})",
            )
        allowed = get_standard(standard_id).indicator_keys
        chosen = r.choices(per_standard, standard_id, at(where, "indicators"), allowed)
        indicators[standard_id] = frozenset(chosen)
    return income, indicators, r.note(d, where)


def _support_type(r: Reader, d: Mapping[str, Any], where: str) -> SupportType:
    r.keys(
        d,
        where,
        _TYPE_KEYS,
        frozenset({"code", "name_vi", "name_en", "category", "unit_vi", "unit_en", "addresses"}),
    )
    code = r.text(d, "code", where)
    if not _CODE.fullmatch(code):
        raise r.fail(
            at(where, "code"),
            "mã cần chữ thường, số và dấu gạch dưới (vd. breeding_cattle)",
            "a code is lower-case letters, digits and underscores (e.g. breeding_cattle)",
        )
    income, indicators, addresses_note = _addresses(r, d.get("addresses"), at(where, "addresses"))
    note = r.note(d, where)
    legal = d.get("legal_basis")
    return SupportType(
        code=code,
        name_vi=r.text(d, "name_vi", where),
        name_en=r.text(d, "name_en", where),
        category=r.choice(d, "category", where, CATEGORIES),
        unit_vi=r.text(d, "unit_vi", where),
        unit_en=r.text(d, "unit_en", where),
        revolving_allowed=r.boolean(d, "revolving_allowed", where, None),
        income=income,
        indicators=indicators,
        addresses_note=addresses_note,
        legal_basis=None if legal is None else r.legal_basis(legal, at(where, "legal_basis")),
        provisional=r.provisional(d, where, note),
        note=note,
    )


def catalog_from_dict(data: Mapping[str, Any], *, source: str = CATALOG_FILE) -> Catalog:
    """Build the catalog from its data (the structure of ``support-types.json``).

    Raises:
        CatalogError: an unknown key, a missing or mistyped value, an unknown category, a
            duplicate code, a standard that does not exist or an indicator the standard lacks.
    """
    r = Reader(source, CatalogError)
    check_schema(r, data)
    r.keys(data, "", frozenset({"schema", "note_vi", "note_en", "types"}), frozenset({"types"}))
    types: list[SupportType] = []
    seen: set[str] = set()
    for n, raw in enumerate(r.objects(data, "types", "")):
        t = _support_type(r, raw, f"types[{n}]")
        if t.code in seen:
            raise r.fail(
                f"types[{n}].code", f"mã {t.code!r} bị trùng", f"duplicate code {t.code!r}"
            )
        seen.add(t.code)
        types.append(t)
    if not types:
        raise r.fail("types", "danh mục rỗng", "the catalog is empty")
    return Catalog(types=tuple(types), note=r.note(data, ""), source=source)


def read_catalog(path: str | Path) -> Catalog:
    """The catalog in a JSON file (strict: see :func:`catalog_from_dict`)."""
    p = Path(path)
    return catalog_from_dict(read_json(p, CatalogError), source=p.name)


@cache
def load_catalog() -> Catalog:
    """The application's catalog, ``data/support-types.json`` (read once)."""
    return read_catalog(DATA_DIR / CATALOG_FILE)
