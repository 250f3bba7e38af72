"""Loading administrative units and matching names typed by people to them.

* ``load_ngoc_hoi_demo()`` — the Ngọc Hồi units before and after the July 2025 reform, with
  successions; no file, no network.
* ``import_vietnam_provinces(path=None)`` — the whole country from the installed
  ``vietnam-provinces`` package (two levels, valid from 01/07/2025) or from a file in that
  package's JSON format, including older releases' three-level structure (valid until 30/06/2025).
* ``match_unit(name, among, on)`` — the unit a name in a user's table refers to.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from giamngheo.core.text import fold, unit_name_key
from giamngheo.geo.models import (
    KIND_LEVEL,
    AdminUnit,
    Area,
    Kind,
    Level,
    Succession,
    pad_code,
    valid_on_q,
)

#: Last day of the three-level structure and first day of the two-level one.
REFORM_LAST_OLD_DAY = dt.date(2025, 6, 30)
REFORM_DATE = dt.date(2025, 7, 1)

# ---------------------------------------------------------------------------------------------
# Upserts
# ---------------------------------------------------------------------------------------------


def _upsert_coded(
    *,
    code: str,
    name: str,
    kind: str,
    parent: AdminUnit | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    area: str = "",
) -> AdminUnit:
    unit = AdminUnit(code=code, name=name, kind=kind, parent=parent, area=area)
    unit.valid_from, unit.valid_to = valid_from, valid_to
    unit.fill_derived()
    obj, _ = AdminUnit.objects.update_or_create(
        code=unit.code,
        level=unit.level,
        valid_from=valid_from,
        defaults={
            "name": unit.name,
            "kind": unit.kind,
            "parent": parent,
            "valid_to": valid_to,
            "area": unit.area,
        },
    )
    return obj


def _upsert_village(*, parent: AdminUnit, name: str, kind: str) -> AdminUnit:
    obj, _ = AdminUnit.objects.update_or_create(
        code="",
        parent=parent,
        name=name,
        defaults={
            "kind": kind,
            "level": Level.VILLAGE,
            "area": parent.area,
            "valid_from": parent.valid_from,
            "valid_to": parent.valid_to,
        },
    )
    return obj


def _link(
    predecessor: AdminUnit, successor: AdminUnit, effective: dt.date, basis: str
) -> Succession:
    obj, _ = Succession.objects.update_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"effective_date": effective, "legal_basis": basis},
    )
    return obj


# ---------------------------------------------------------------------------------------------
# The Ngọc Hồi demo
# ---------------------------------------------------------------------------------------------

#: Ngọc Hồi's commune-level units before 01/07/2025 (codes from the GSO list, domain notes §9.5).
NGOC_HOI_COMMUNES: tuple[tuple[str, str, str], ...] = (
    ("23377", "Thị trấn Plei Kần", Kind.TOWNSHIP),
    ("23380", "Xã Đắk Ang", Kind.COMMUNE),
    ("23383", "Xã Đắk Dục", Kind.COMMUNE),
    ("23386", "Xã Đắk Nông", Kind.COMMUNE),
    ("23389", "Xã Đắk Xú", Kind.COMMUNE),
    ("23392", "Xã Đắk Kan", Kind.COMMUNE),
    ("23395", "Xã Bờ Y", Kind.COMMUNE),
    ("23398", "Xã Sa Loong", Kind.COMMUNE),
)

#: Their successors from 01/07/2025 in Tỉnh Quảng Ngãi: (code, name, predecessor codes).
NGOC_HOI_SUCCESSORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("23377", "Xã Bờ Y", ("23377", "23389", "23395")),
    ("23392", "Xã Sa Loong", ("23392", "23398")),
    ("23383", "Xã Dục Nông", ("23380", "23383", "23386")),
)

PROVINCE_MERGER_BASIS = (
    "Nghị quyết 202/2025/QH15 ngày 12/6/2025 về sắp xếp đơn vị hành chính cấp tỉnh"
)
COMMUNE_MERGER_BASIS = (
    "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính cấp xã "
    "của tỉnh Quảng Ngãi năm 2025 (hiệu lực 01/7/2025)"
)

#: Villages per pre-2025 commune in the demo. The names are ILLUSTRATIVE (not the official
#: list of Ngọc Hồi's villages): they exist so that village-level features have data.
DEMO_VILLAGES_PER_COMMUNE = 4


@dataclass
class DemoUnits:
    province_old: AdminUnit
    district: AdminUnit
    communes_old: dict[str, AdminUnit]
    province_new: AdminUnit
    communes_new: dict[str, AdminUnit]
    villages: list[AdminUnit]


@transaction.atomic
def load_ngoc_hoi_demo() -> DemoUnits:
    """Create or update the Ngọc Hồi units (idempotent; no file, no network).

    Before the reform: Tỉnh Kon Tum 62 → Huyện Ngọc Hồi 611 → 8 commune-level units (valid
    until 30/06/2025), each with a few illustrative villages. From 01/07/2025: Tỉnh Quảng Ngãi
    51 → Xã Bờ Y 23377, Xã Sa Loong 23392, Xã Dục Nông 23383, with successions."""
    kon_tum = _upsert_coded(
        code="62",
        name="Tỉnh Kon Tum",
        kind=Kind.PROVINCE,
        parent=None,
        valid_from=None,
        valid_to=REFORM_LAST_OLD_DAY,
    )
    ngoc_hoi = _upsert_coded(
        code="611",
        name="Huyện Ngọc Hồi",
        kind=Kind.DISTRICT,
        parent=kon_tum,
        valid_from=None,
        valid_to=REFORM_LAST_OLD_DAY,
    )
    old: dict[str, AdminUnit] = {}
    villages: list[AdminUnit] = []
    for code, name, kind in NGOC_HOI_COMMUNES:
        commune = _upsert_coded(
            code=code,
            name=name,
            kind=kind,
            parent=ngoc_hoi,
            valid_from=None,
            valid_to=REFORM_LAST_OLD_DAY,
        )
        old[code] = commune
        urban = commune.area == Area.URBAN
        village_kind = Kind.TO_DAN_PHO if urban else Kind.THON
        label = "Tổ dân phố" if urban else "Thôn"
        for i in range(1, DEMO_VILLAGES_PER_COMMUNE + 1):
            villages.append(_upsert_village(parent=commune, name=f"{label} {i}", kind=village_kind))

    quang_ngai = _upsert_coded(
        code="51",
        name="Tỉnh Quảng Ngãi",
        kind=Kind.PROVINCE,
        parent=None,
        valid_from=REFORM_DATE,
        valid_to=None,
    )
    _link(kon_tum, quang_ngai, REFORM_DATE, PROVINCE_MERGER_BASIS)
    new: dict[str, AdminUnit] = {}
    for code, name, predecessors in NGOC_HOI_SUCCESSORS:
        commune = _upsert_coded(
            code=code,
            name=name,
            kind=Kind.COMMUNE,
            parent=quang_ngai,
            valid_from=REFORM_DATE,
            valid_to=None,
        )
        new[code] = commune
        for pred in predecessors:
            _link(old[pred], commune, REFORM_DATE, COMMUNE_MERGER_BASIS)
    return DemoUnits(kon_tum, ngoc_hoi, old, quang_ngai, new, villages)


# ---------------------------------------------------------------------------------------------
# Import from the vietnam-provinces package / its JSON format
# ---------------------------------------------------------------------------------------------


class UnitImportError(ValueError):
    """A units file that cannot be read. The message is bilingual (Vietnamese / English) and
    names the file and the JSON path of the problem."""

    def __init__(self, file: str, json_path: str, vi: str, en: str) -> None:
        self.file, self.json_path, self.message_vi, self.message_en = file, json_path, vi, en
        where = f"{file}: {json_path}" if json_path else file
        super().__init__(f"{where}: {vi} / {en}")


#: ``division_type`` (folded) → kind.
_DIVISION_KINDS: dict[str, str] = {
    "tinh": Kind.PROVINCE,
    "thanh pho trung uong": Kind.CENTRAL_CITY,
    "thanh pho truc thuoc trung uong": Kind.CENTRAL_CITY,
    "huyen": Kind.DISTRICT,
    "huyen dao": Kind.DISTRICT,
    "quan": Kind.URBAN_DISTRICT,
    "thi xa": Kind.DISTRICT_TOWN,
    "thanh pho": Kind.PROVINCIAL_CITY,
    "thanh pho thuoc tinh": Kind.PROVINCIAL_CITY,
    "thanh pho thuoc thanh pho trung uong": Kind.PROVINCIAL_CITY,
    "xa": Kind.COMMUNE,
    "phuong": Kind.WARD,
    "thi tran": Kind.TOWNSHIP,
    "dac khu": Kind.SPECIAL_ZONE,
}

_LEVEL_LABELS = {
    Level.PROVINCE: ("tỉnh", "province"),
    Level.DISTRICT: ("huyện", "district"),
    Level.COMMUNE: ("xã", "commune"),
}


@dataclass
class ImportResult:
    source: str
    structure: str  # "2-level" or "3-level"
    valid_from: dt.date | None
    valid_to: dt.date | None
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def total(self, level: str) -> int:
        return (
            self.created.get(level, 0) + self.updated.get(level, 0) + self.unchanged.get(level, 0)
        )

    def summary(self) -> str:
        parts = []
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            if self.total(level):
                vi, en = _LEVEL_LABELS[level]
                parts.append(
                    f"{vi}/{en}: {self.total(level)} "
                    f"(+{self.created.get(level, 0)} mới/new, "
                    f"{self.updated.get(level, 0)} cập nhật/updated)"
                )
        return f"{self.source} [{self.structure}]: " + "; ".join(parts)


@dataclass
class _Row:
    code: str
    name: str
    kind: str
    level: str
    parent_key: tuple[str, str] | None
    json_path: str


def package_data_path() -> Path:
    """``nested-divisions.json`` of the installed ``vietnam-provinces`` package."""
    import vietnam_provinces

    return Path(vietnam_provinces.__file__).parent / "data" / "nested-divisions.json"


def _official_name(name: str, kind: str) -> str:
    """The package names provinces without "Tỉnh" ("Quảng Ngãi"); add it, as in documents."""
    if kind == Kind.PROVINCE and not fold(name).startswith("tinh "):
        return f"Tỉnh {name}"
    return name


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, json_path: str, vi: str, en: str) -> UnitImportError:
        return UnitImportError(self.file, json_path, vi, en)

    def obj(self, value: object, json_path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(json_path, "cần một đối tượng JSON", "expected a JSON object")
        return value

    def items(self, value: object, json_path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(json_path, "cần một danh sách JSON", "expected a JSON list")
        return value

    def unit(
        self, raw: object, json_path: str, level: str, parent_key: tuple[str, str] | None
    ) -> _Row:
        item = self.obj(raw, json_path)
        for key in ("name", "code", "division_type"):
            if key not in item:
                raise self.fail(
                    f"{json_path}.{key}", f"thiếu trường '{key}'", f"missing field '{key}'"
                )
        name, code, division = item["name"], item["code"], item["division_type"]
        if not isinstance(name, str) or not name.strip():
            raise self.fail(
                f"{json_path}.name", "tên trống hoặc sai kiểu", "empty or non-text name"
            )
        if isinstance(code, bool) or not (
            (isinstance(code, int) and code >= 0)
            or (isinstance(code, str) and code.strip().isdigit())
        ):
            raise self.fail(
                f"{json_path}.code",
                f"mã không hợp lệ: {code!r}",
                f"invalid code: {code!r}",
            )
        kind = _DIVISION_KINDS.get(fold(division)) if isinstance(division, str) else None
        if kind is None:
            raise self.fail(
                f"{json_path}.division_type",
                f"loại đơn vị không rõ: {division!r}",
                f"unknown division type: {division!r}",
            )
        if KIND_LEVEL[kind] != level:
            vi_level, en_level = _LEVEL_LABELS[level]  # type: ignore[index]
            raise self.fail(
                f"{json_path}.division_type",
                f"loại '{division}' không thuộc cấp {vi_level}",
                f"division type '{division}' is not a {en_level}-level type",
            )
        padded = pad_code(code, level)
        return _Row(
            padded, _official_name(" ".join(name.split()), kind), kind, level, parent_key, json_path
        )

    def parse(self, data: object) -> tuple[str, list[_Row]]:
        provinces = self.items(data, "$")
        if not provinces:
            raise self.fail("$", "danh sách tỉnh trống", "the list of provinces is empty")
        structure: str | None = None
        rows: list[_Row] = []
        for i, raw in enumerate(provinces):
            ppath = f"$[{i}]"
            item = self.obj(raw, ppath)
            this = "3-level" if "districts" in item else "2-level" if "wards" in item else None
            if this is None:
                raise self.fail(
                    ppath,
                    "tỉnh không có 'districts' hay 'wards'",
                    "province has neither 'districts' nor 'wards'",
                )
            if structure is None:
                structure = this
            elif this != structure:
                raise self.fail(
                    ppath,
                    "cấu trúc lẫn lộn: tỉnh này khác các tỉnh trước (có/không có huyện)",
                    "mixed structure: this province differs from earlier ones (districts or not)",
                )
            province = self.unit(item, ppath, Level.PROVINCE, None)
            rows.append(province)
            pkey = (province.code, Level.PROVINCE)
            if this == "3-level":
                for j, rawd in enumerate(self.items(item["districts"], f"{ppath}.districts")):
                    dpath = f"{ppath}.districts[{j}]"
                    district = self.unit(rawd, dpath, Level.DISTRICT, pkey)
                    rows.append(district)
                    ditem = self.obj(rawd, dpath)
                    wards = self.items(ditem.get("wards", []), f"{dpath}.wards")
                    for k, raww in enumerate(wards):
                        rows.append(
                            self.unit(
                                raww,
                                f"{dpath}.wards[{k}]",
                                Level.COMMUNE,
                                (district.code, Level.DISTRICT),
                            )
                        )
            else:
                for k, raww in enumerate(self.items(item["wards"], f"{ppath}.wards")):
                    rows.append(self.unit(raww, f"{ppath}.wards[{k}]", Level.COMMUNE, pkey))
        assert structure is not None
        seen: dict[tuple[str, str], str] = {}
        for row in rows:
            key = (row.code, row.level)
            if key in seen:
                raise self.fail(
                    row.json_path,
                    f"mã {row.code} trùng với {seen[key]}",
                    f"code {row.code} duplicates {seen[key]}",
                )
            seen[key] = row.json_path
        return structure, rows


def read_units_file(path: Path | str) -> tuple[str, list[_Row]]:
    file = str(path)
    reader = _Reader(file)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise reader.fail(
            "", f"không đọc được tệp ({exc})", f"cannot read the file ({exc})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise reader.fail("", "tệp không phải UTF-8", "the file is not UTF-8") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise reader.fail(
            "$",
            f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from exc
    return reader.parse(data)


@transaction.atomic
def import_vietnam_provinces(
    path: Path | str | None = None,
    *,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> ImportResult:
    """Import the whole country's units, idempotently, in one transaction.

    Without ``path``: the installed package's data (two levels, province → commune). With
    ``path``: a file in the package's ``nested-divisions.json`` format; the older three-level
    structure (province → districts → wards) is detected. Periods by default: two-level data
    from 01/07/2025, open-ended; three-level data open start, until 30/06/2025 (override with
    ``valid_from`` / ``valid_to``). Existing units with the same (code, level, valid_from) are
    updated in place (name, kind, parent, end date); nothing is deleted.

    Raises ``UnitImportError`` (bilingual, naming the file and JSON path) on a malformed file;
    nothing is stored then."""
    source = Path(path) if path is not None else package_data_path()
    structure, rows = read_units_file(source)
    vfrom: dt.date | None
    vto: dt.date | None
    if structure == "2-level":
        vfrom = valid_from if valid_from is not None else REFORM_DATE
        vto = valid_to
    else:
        vfrom = valid_from
        vto = valid_to if valid_to is not None else REFORM_LAST_OLD_DAY
    result = ImportResult(str(source), structure, vfrom, vto)

    period = (
        AdminUnit.objects.filter(valid_from=vfrom)
        if vfrom
        else AdminUnit.objects.filter(valid_from__isnull=True)
    )
    existing: dict[tuple[str, str], AdminUnit] = {
        (u.code, u.level): u
        for u in period.filter(level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE])
    }
    fields = ["name", "kind", "area", "parent", "valid_to", "name_key"]
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        to_create: list[AdminUnit] = []
        to_update: list[AdminUnit] = []
        for row in rows:
            if row.level != level:
                continue
            parent_id = existing[row.parent_key].pk if row.parent_key else None
            fresh = AdminUnit(
                code=row.code,
                name=row.name,
                kind=row.kind,
                level=row.level,
                parent_id=parent_id,
                valid_from=vfrom,
                valid_to=vto,
            )
            fresh.fill_derived()
            old = existing.get((row.code, row.level))
            if old is None:
                to_create.append(fresh)
                continue
            if any(
                getattr(old, f) != getattr(fresh, f)
                for f in ("name", "kind", "area", "parent_id", "valid_to", "name_key")
            ):
                old.name, old.kind, old.area = fresh.name, fresh.kind, fresh.area
                old.parent_id, old.valid_to, old.name_key = parent_id, vto, fresh.name_key
                to_update.append(old)
            else:
                result.unchanged[level] = result.unchanged.get(level, 0) + 1
        if to_create:
            AdminUnit.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            AdminUnit.objects.bulk_update(to_update, fields, batch_size=1000)
        result.created[level] = len(to_create)
        result.updated[level] = len(to_update)
        if to_create and level != Level.COMMUNE:
            # Parents of the next level need their primary keys.
            for u in period.filter(level=level).only("pk", "code", "level"):
                existing[(u.code, u.level)] = u
    return result


# ---------------------------------------------------------------------------------------------
# Matching names
# ---------------------------------------------------------------------------------------------


class UnitNameError(LookupError):
    """A name that matches no unit, or several. Bilingual message listing the candidates."""

    def __init__(self, name: str, reason: str, candidates: Sequence[AdminUnit]) -> None:
        self.name, self.reason, self.candidates = name, reason, list(candidates)
        listed = "; ".join(describe_unit(u) for u in self.candidates) or "—"
        if reason == "ambiguous":
            self.message_vi = f"Tên đơn vị “{name}” không rõ: khớp nhiều đơn vị: {listed}"
            self.message_en = f"Unit name “{name}” is ambiguous; it matches: {listed}"
        else:
            self.message_vi = f"Không tìm thấy đơn vị “{name}”. Có thể là: {listed}"
            self.message_en = f"No unit named “{name}”. Candidates: {listed}"
        super().__init__(f"{self.message_vi} / {self.message_en}")


def describe_unit(unit: AdminUnit) -> str:
    """ "Xã Đắk Ang (23380, đến/until 30/06/2025)"."""
    bits = [unit.code] if unit.code else []
    if unit.valid_from:
        bits.append(f"từ/from {unit.valid_from:%d/%m/%Y}")
    if unit.valid_to:
        bits.append(f"đến/until {unit.valid_to:%d/%m/%Y}")
    return f"{unit.name} ({', '.join(bits)})" if bits else unit.name


_MAX_CANDIDATES = 8


def match_unit(name: str, among: QuerySet[AdminUnit], on: dt.date | None = None) -> AdminUnit:
    """The unit of ``among`` (valid on ``on`` if given) that ``name`` designates.

    Insensitive to case, composed/decomposed diacritics, "Đăk"/"Đắk", the kind prefix
    ("Xã", "Thị trấn", "Phường", …) and extra spaces. When several units share the key, a
    prefix in ``name`` that matches exactly one of them ("Thị trấn Đắk Hà" vs "Xã Đắk Hà")
    decides. Raises ``UnitNameError`` (reason "unknown" or "ambiguous", with candidates)."""
    pool = among.filter(valid_on_q(on)) if on is not None else among
    key = unit_name_key(name)
    # The kind prefix is stripped from what was typed; but a name can itself begin with a
    # kind word ("Xã Tịnh Hòa" typed as "Tịnh Hòa" reads as "Tỉnh" + "Hòa"), so the whole
    # folded name is tried as well, and wins when it matches.
    whole = " ".join(fold(name).replace("-", " ").split())
    keys = {k for k in (key, whole) if k}
    hits = list(pool.filter(name_key__in=keys)) if keys else []
    if len(hits) > 1:
        for narrowed in (
            [u for u in hits if u.name_key == whole],
            [u for u in hits if fold(u.name) == fold(name)],
        ):
            if len(narrowed) == 1:
                return narrowed[0]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise UnitNameError(name, "ambiguous", hits)
    raise UnitNameError(name, "unknown", _near(key, pool))


def _near(key: str, pool: QuerySet[AdminUnit]) -> list[AdminUnit]:
    if not key:
        return list(pool[:_MAX_CANDIDATES])
    keys = sorted(set(pool.values_list("name_key", flat=True)))
    close = difflib.get_close_matches(key, keys, n=_MAX_CANDIDATES, cutoff=0.6)
    close += [k for k in keys if (key in k or k in key) and k not in close]
    if not close and len(keys) <= _MAX_CANDIDATES:
        close = keys
    found = list(pool.filter(name_key__in=close[:_MAX_CANDIDATES]))
    order = {k: i for i, k in enumerate(close)}
    return sorted(found, key=lambda u: (order.get(u.name_key, 99), u.code))[:_MAX_CANDIDATES]


def match_units(
    names: Iterable[str], among: QuerySet[AdminUnit], on: dt.date | None = None
) -> dict[str, AdminUnit | UnitNameError]:
    """``match_unit`` for many names: each name → its unit or the error."""
    out: dict[str, AdminUnit | UnitNameError] = {}
    for n in names:
        try:
            out[n] = match_unit(n, among, on)
        except UnitNameError as exc:
            out[n] = exc
    return out
