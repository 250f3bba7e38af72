"""One review campaign, several lists: every classification a household-year gets.

Since 2025 a province reviews, in one campaign (programme-and-reporting-2026.md §1.2, §6.3):
poor and near-poor households under the national standard; optionally the same households under
a higher **local** standard run beside it (e.g. Bắc Ninh); **medium-living-standard farm
households** (health-insurance subsidy, QĐ 24/2021); and **low-income workers**
(NĐ 30/2025/NĐ-CP), an individual-level flag. Each classification keeps its standard and its
explanation so that the campaign can store all of them and print why.

The NĐ 30/2025 thresholds, years and the member rule are data
(``data/target-groups.json``), loaded by :func:`load_target_groups`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from giamngheo.core.records.vocab import FALSE_WORDS, SEXES, TRUE_WORDS, cfold
from giamngheo.core.review._files import DATA_DIR, Reader, ReviewDataError, read_json
from giamngheo.core.standards.classify import CLASS_EN, CLASS_VI, classify_household, fmt_en, fmt_vi
from giamngheo.core.standards.model import (
    AREAS,
    CLASSIFICATIONS,
    Area,
    Classification,
    Note,
    Result,
    Standard,
)

__all__ = [
    "FARM",
    "TARGET_GROUPS_FILE",
    "WORK_STATUSES",
    "LowIncomeRule",
    "MemberRule",
    "ReviewDataError",
    "TargetGroups",
    "TargetInputError",
    "TargetResult",
    "classify_targets",
    "load_target_groups",
]

TARGET_GROUPS_FILE = DATA_DIR / "target-groups.json"
#: The record's flag: the household works in agriculture, forestry, fishery or salt-making.
FARM = "farm"
#: A member's work status, as on the member table of Mẫu số 01 (QĐ 24/2021).
WORK_STATUSES = ("employed", "not_employed", "studying")
JSON_SCHEMA = 1


class TargetInputError(ValueError):
    """A record or member the target groups cannot be decided for; names household and field."""

    def __init__(self, household_id: str, field: str, message_vi: str, message_en: str) -> None:
        self.household_id = household_id
        self.field = field
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(f"household {household_id}: {field}: {message_vi} / {message_en}")


@dataclass(frozen=True)
class MemberRule:
    """Which members of a qualifying household count as low-income workers (provisional)."""

    min_age: int
    max_age_by_year: Mapping[int, Mapping[str, int]]  # year → sex → oldest age that counts
    work_statuses: frozenset[str]
    confidence: str
    provisional: bool
    note: Note


@dataclass(frozen=True)
class LowIncomeRule:
    """One version of the low-income-worker group (NĐ 30/2025/NĐ-CP)."""

    id: str
    name_vi: str
    name_en: str
    instrument: str
    signed: str
    effective: str
    legal_confidence: str
    legal_note: Note | None
    years: tuple[int, int]
    years_provisional: bool
    years_note: Note | None
    income_max: Mapping[Area, int]  # inclusive, VND per person per month
    income_confidence: str
    excluded_classes: frozenset[Classification]
    on_application: bool
    members: MemberRule
    source: str

    def in_force(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class TargetGroups:
    """The versioned target-group data of a campaign."""

    low_income: tuple[LowIncomeRule, ...]
    source: str

    def low_income_rule(self, year: int) -> LowIncomeRule | None:
        """The version in force in ``year``, None when no version is."""
        return next((r for r in self.low_income if r.in_force(year)), None)


def load_target_groups(path: str | Path | None = None) -> TargetGroups:
    """The target-group data (default: the shipped ``data/target-groups.json``).

    Raises:
        ReviewDataError: naming the file and the key that is wrong.
    """
    if path is None:
        return _default_groups()
    return _load_groups(Path(path))


@cache
def _default_groups() -> TargetGroups:
    return _load_groups(TARGET_GROUPS_FILE)


def _note(r: Reader, d: Mapping[str, Any], prefix: str, where: str) -> Note | None:
    vi, en = r.pair(d, prefix, where)
    return Note(vi, en) if vi else None


def _load_groups(path: Path) -> TargetGroups:
    data, source = read_json(path)
    r = Reader(source)
    rules = tuple(
        _low_income_rule(r, item, f"low_income_worker[{n}]")
        for n, item in enumerate(r.items(data, "low_income_worker", ""))
    )
    ordered = sorted(rules, key=lambda x: x.years)
    for a, b in itertools.pairwise(ordered):
        if b.years[0] <= a.years[1]:
            raise r.fail(
                "low_income_worker",
                f"các phiên bản {a.id} và {b.id} trùng năm áp dụng",
                f"versions {a.id} and {b.id} overlap in years",
            )
    return TargetGroups(low_income=tuple(ordered), source=source)


def _low_income_rule(r: Reader, d: Any, where: str) -> LowIncomeRule:
    if not isinstance(d, Mapping):
        raise r.fail(where, "phải là một đối tượng", "expected an object")
    rid = r.text(d, "id", where)
    lb = r.obj(d, "legal_basis", where)
    lbw = f"{where}.legal_basis"
    years = r.years(d, "years_in_force", where)
    inc = r.obj(d, "income_max", where)
    income_max = {a: r.integer(inc, a, f"{where}.income_max") for a in AREAS}
    excluded = r.texts(d, "excluded_classes", where)
    for c in excluded:
        if c not in CLASSIFICATIONS:
            raise r.fail(
                f"{where}.excluded_classes",
                f"loại hộ không hợp lệ {c!r} (có: {', '.join(CLASSIFICATIONS)})",
                f"unknown class {c!r} (known: {', '.join(CLASSIFICATIONS)})",
            )
    return LowIncomeRule(
        id=rid,
        name_vi=r.text(d, "name_vi", where),
        name_en=r.text(d, "name_en", where),
        instrument=r.text(lb, "instrument", lbw),
        signed=r.text(lb, "signed", lbw, empty=True),
        effective=r.text(lb, "effective", lbw, empty=True),
        legal_confidence=r.confidence(lb, "confidence", lbw),
        legal_note=_note(r, lb, "note", lbw),
        years=years,
        years_provisional=r.flag(d, "years_provisional", where, False),
        years_note=_note(r, d, "years_note", where),
        income_max=cast(Mapping[Area, int], income_max),
        income_confidence=r.confidence(d, "income_confidence", where),
        excluded_classes=cast(frozenset[Classification], frozenset(excluded)),
        on_application=r.flag(d, "on_application", where, True),
        members=_member_rule(r, r.obj(d, "members", where), f"{where}.members", years),
        source=str(d.get("source", "")),
    )


def _member_rule(r: Reader, d: Mapping[str, Any], where: str, years: tuple[int, int]) -> MemberRule:
    by_year_raw = r.obj(d, "max_age_by_year", where)
    by_year: dict[int, dict[str, int]] = {}
    for y in range(years[0], years[1] + 1):
        yw = f"{where}.max_age_by_year"
        if str(y) not in by_year_raw:
            raise r.fail(
                f"{yw}.{y}",
                f"thiếu tuổi tối đa cho năm {y} (năm áp dụng {years[0]}–{years[1]})",
                f"no maximum age for {y} (years in force {years[0]}–{years[1]})",
            )
        ages = r.obj(by_year_raw, str(y), yw)
        by_year[y] = {s: r.integer(ages, s, f"{yw}.{y}") for s in SEXES}
    statuses = r.texts(d, "work_statuses", where)
    for s in statuses:
        if s not in WORK_STATUSES:
            raise r.fail(
                f"{where}.work_statuses",
                f"tình trạng việc làm không hợp lệ {s!r} (có: {', '.join(WORK_STATUSES)})",
                f"unknown work status {s!r} (known: {', '.join(WORK_STATUSES)})",
            )
    note = _note(r, d, "note", where)
    if note is None:
        raise r.fail(f"{where}.note_vi", "cần ghi chú", "a note is required")
    return MemberRule(
        min_age=r.integer(d, "min_age", where),
        max_age_by_year=by_year,
        work_statuses=frozenset(statuses),
        confidence=r.confidence(d, "confidence", where),
        provisional=r.flag(d, "provisional", where, True),
        note=note,
    )


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetResult:
    """Every classification of one household-year in a campaign.

    ``medium_farm``: None when it cannot be decided (no farm flag, no income, or the standard
    has no known medium band, as under ND351-2025). ``low_income_members``: 0-based indexes
    into the members given, of those who qualify as low-income workers (identification still
    needs their application). ``low_income_rule``: the NĐ 30/2025 version used, None when no
    version is in force in ``year``.
    """

    national: Result
    local: Result | None
    medium_farm: bool | None
    low_income_members: tuple[int, ...]
    notes_vi: tuple[str, ...]
    notes_en: tuple[str, ...]
    year: int
    low_income_rule: str | None

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-safe dict to store (lists, not tuples)."""
        return {
            "schema": JSON_SCHEMA,
            "year": self.year,
            "national": _result_json(self.national),
            "local": _result_json(self.local) if self.local is not None else None,
            "medium_farm": self.medium_farm,
            "low_income_members": list(self.low_income_members),
            "low_income_rule": self.low_income_rule,
            "notes_vi": list(self.notes_vi),
            "notes_en": list(self.notes_en),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetResult:
        """The result stored by :meth:`to_json`.

        Raises:
            ValueError: the data is not a stored target result.
        """
        if data.get("schema") != JSON_SCHEMA:
            raise ValueError(
                f"không phải kết quả nhóm đối tượng (schema {data.get('schema')!r}) / "
                f"not a stored target result (schema {data.get('schema')!r})"
            )
        try:
            local = data["local"]
            return cls(
                national=_result_from(data["national"]),
                local=_result_from(local) if local is not None else None,
                medium_farm=data["medium_farm"],
                low_income_members=tuple(int(i) for i in data["low_income_members"]),
                notes_vi=tuple(data["notes_vi"]),
                notes_en=tuple(data["notes_en"]),
                year=int(data["year"]),
                low_income_rule=data["low_income_rule"],
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(
                f"kết quả nhóm đối tượng thiếu hoặc sai khoá {exc} / "
                f"stored target result has a missing or bad key {exc}"
            ) from exc

    def explain(self) -> Note:
        """One paragraph in each language: every list the household-year is on, and why."""
        n = self.national
        vi = [n.explanation_vi]
        en = [n.explanation_en]
        if self.local is not None:
            lo = self.local
            vi.append(f"Theo chuẩn địa phương {lo.standard}: {CLASS_VI[lo.classification]}.")
            en.append(f"Under the local standard {lo.standard}: {CLASS_EN[lo.classification]}.")
        mf_vi = {True: "có", False: "không", None: "chưa xác định được"}[self.medium_farm]
        mf_en = {True: "yes", False: "no", None: "cannot be decided"}[self.medium_farm]
        vi.append(f"Hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình: {mf_vi}.")
        en.append(f"Medium-living-standard farm household: {mf_en}.")
        li_vi, li_en = self._low_income_text()
        vi.append(f"Người lao động có thu nhập thấp: {li_vi}.")
        en.append(f"Low-income workers: {li_en}.")
        if self.notes_vi:
            vi.append("Lưu ý: " + " ".join(self.notes_vi))
            en.append("Notes: " + " ".join(self.notes_en))
        return Note(" ".join(vi), " ".join(en))

    def _low_income_text(self) -> tuple[str, str]:
        if self.low_income_rule is None:
            return (
                f"không có quy định áp dụng năm {self.year}",
                f"no rule in force in {self.year}",
            )
        cls = self.national.classification
        if cls in ("poor", "near_poor"):
            return (f"không xét vì là {CLASS_VI[cls]}", f"not assessed: the household is {cls}")
        if not self.low_income_members:
            return (
                f"không có thành viên đủ điều kiện ({self.low_income_rule})",
                f"no member qualifies ({self.low_income_rule})",
            )
        nums = ", ".join(str(i + 1) for i in self.low_income_members)
        return (
            f"thành viên thứ {nums} ({self.low_income_rule}, xác định khi có đơn đề nghị)",
            f"members no. {nums} ({self.low_income_rule}, identified on application)",
        )


def _result_json(r: Result) -> dict[str, Any]:
    return {
        "household_id": r.household_id,
        "standard": r.standard,
        "classification": r.classification,
        "poor_basis": r.poor_basis,
        "deprivation_count": r.deprivation_count,
        "deprivation_score": r.deprivation_score,
        "deprived": list(r.deprived),
        "area": r.area,
        "decided_by": r.decided_by,
        "income": r.income,
        "income_score": r.income_score,
        "income_score_disagreement": r.income_score_disagreement,
        "explanation_vi": r.explanation_vi,
        "explanation_en": r.explanation_en,
        "disagreement_vi": r.disagreement_vi,
        "disagreement_en": r.disagreement_en,
        "notes_vi": list(r.notes_vi),
        "notes_en": list(r.notes_en),
    }


def _result_from(d: Mapping[str, Any]) -> Result:
    if d["classification"] not in CLASSIFICATIONS or d["area"] not in AREAS:
        raise TypeError(f"classification/area {d['classification']!r}/{d['area']!r}")
    return Result(
        **{
            **d,
            "deprived": tuple(d["deprived"]),
            "notes_vi": tuple(d["notes_vi"]),
            "notes_en": tuple(d["notes_en"]),
        }
    )


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------
def classify_targets(
    record: Mapping[str, object],
    members: Sequence[Mapping[str, object]],
    standard: Standard,
    *,
    local: Standard | None,
    groups: TargetGroups,
    year: int,
) -> TargetResult:
    """Classify one household-year for every target group of a campaign.

    Args:
        record: the household record of the standards engine (``household_id``, ``area``,
            ``income`` and/or ``income_score``, ``dep_<key>``) plus ``farm`` (works in
            agriculture, forestry, fishery or salt-making; bool, 0/1 or "có"/"không").
        members: one mapping per member, read only when low-income workers are assessed:
            ``birth_year`` (int), ``sex`` ("male"/"female"), ``work_status`` (one of
            ``WORK_STATUSES``, the Mẫu 01 member status).
        standard: the national standard (``standard_for(review_year, kind)``).
        local: a province's local standard run beside it, or None.
        groups: the target-group data (:func:`load_target_groups`).
        year: the year the lists apply to (for the periodic review at the end of Y, Y + 1):
            selects the NĐ 30/2025 version and the members' ages.

    Raises:
        InvalidHousehold: the record cannot be classified (from the standards engine).
        TargetInputError: a bad ``farm`` flag or member field.
        ValueError: ``standard`` is not national or ``local`` is.
    """
    if not standard.national:
        raise ValueError(
            f"{standard.id} là chuẩn địa phương, truyền vào tham số local / "
            f"{standard.id} is a local standard; pass it as local"
        )
    if local is not None and local.national:
        raise ValueError(
            f"{local.id} là chuẩn quốc gia, không phải chuẩn địa phương / "
            f"{local.id} is a national standard, not a local one"
        )
    national = classify_household(record, standard)
    local_result = classify_household(record, local) if local is not None else None
    notes = _Notes()
    if not standard.in_force(year):
        notes.add(
            f"Chuẩn {standard.id} không áp dụng cho năm {year}.",
            f"Standard {standard.id} is not in force in {year}.",
        )
    medium = _medium_farm(record, national, standard, notes)
    rule = groups.low_income_rule(year)
    low: tuple[int, ...] = ()
    if rule is None:
        notes.add(
            f"Không có quy định người lao động có thu nhập thấp cho năm {year}.",
            f"No low-income-worker rule is in force in {year}.",
        )
    else:
        low = _low_income(national, members, rule, year, notes)
    return TargetResult(
        national=national,
        local=local_result,
        medium_farm=medium,
        low_income_members=low,
        notes_vi=tuple(notes.vi),
        notes_en=tuple(notes.en),
        year=year,
        low_income_rule=rule.id if rule is not None else None,
    )


class _Notes:
    """The bilingual notes of one result, in order."""

    def __init__(self) -> None:
        self.vi: list[str] = []
        self.en: list[str] = []

    def add(self, vi: str, en: str) -> None:
        self.vi.append(vi)
        self.en.append(en)


def _farm_flag(record: Mapping[str, object], household_id: str) -> bool | None:
    raw = record.get(FARM)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = cfold(raw)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise TargetInputError(
        household_id,
        FARM,
        f"cờ hộ làm nông, lâm, ngư, diêm nghiệp phải là có/không (0/1), không phải {raw!r}",
        f"the farm flag must be yes/no (0/1), not {raw!r}",
    )


def _medium_farm(
    record: Mapping[str, object], national: Result, standard: Standard, notes: _Notes
) -> bool | None:
    """The medium band of the national standard, for farm households only; never 1.5 × line."""
    farm = _farm_flag(record, national.household_id)
    if farm is None:
        notes.add(
            "Chưa ghi hộ có làm nông, lâm, ngư, diêm nghiệp hay không.",
            "Whether the household farms (agriculture, forestry, fishery, salt) is not given.",
        )
        return None
    if not farm:
        return False
    lines = standard.lines[national.area]
    if lines.medium_upper is None:
        band = standard.medium_band_note
        notes.add(
            f"Chuẩn {standard.id} chưa có mức sống trung bình" + (f": {band.vi}" if band else ""),
            f"Standard {standard.id} has no known medium band" + (f": {band.en}" if band else ""),
        )
        return None
    if national.classification in ("poor", "near_poor"):
        return False
    if national.income is None:
        notes.add(
            "Cần thu nhập bình quân đầu người (12 tháng trước rà soát, không tính trợ cấp"
            " ngân sách) để xác định hộ có mức sống trung bình.",
            "An income per person (12 months before the review, without state allowances) is"
            " needed to identify a medium-living-standard household.",
        )
        return None
    return lines.near_poverty < national.income <= lines.medium_upper


def _member_error(
    household_id: str, n: int, value: object, key: str, *, vi: str, en: str
) -> TargetInputError:
    return TargetInputError(
        household_id,
        f"members[{n}].{key}",
        f"thành viên thứ {n + 1}: {vi}, không phải {value!r}",
        f"member no. {n + 1}: {en}, not {value!r}",
    )


def _qualifying_members(
    household_id: str, members: Sequence[Mapping[str, object]], rule: MemberRule, year: int
) -> tuple[int, ...]:
    """Indexes of the members who count; every member is checked (strict input)."""
    max_age = rule.max_age_by_year[year]
    found: list[int] = []
    for n, m in enumerate(members):
        birth, sex, status = m.get("birth_year"), m.get("sex"), m.get("work_status")
        if isinstance(birth, bool) or not isinstance(birth, int) or not 0 < birth <= year:
            raise _member_error(
                household_id,
                n,
                birth,
                "birth_year",
                vi="năm sinh không hợp lệ",
                en="invalid birth year",
            )
        if not isinstance(sex, str) or sex not in SEXES:
            raise _member_error(
                household_id,
                n,
                sex,
                "sex",
                vi="giới tính phải là male/female",
                en="sex must be male/female",
            )
        if status not in WORK_STATUSES:
            known = ", ".join(WORK_STATUSES)
            raise _member_error(
                household_id,
                n,
                status,
                "work_status",
                vi=f"tình trạng việc làm phải là {known}",
                en=f"work status must be {known}",
            )
        if status in rule.work_statuses and rule.min_age <= year - birth <= max_age[sex]:
            found.append(n)
    return tuple(found)


def _low_income(
    national: Result,
    members: Sequence[Mapping[str, object]],
    rule: LowIncomeRule,
    year: int,
    notes: _Notes,
) -> tuple[int, ...]:
    """Members of a household neither poor nor near-poor with income at most the cap."""
    if rule.years_provisional and rule.years_note is not None:
        notes.add(rule.years_note.vi, rule.years_note.en)
    if national.classification in rule.excluded_classes:
        return ()
    if national.income is None:
        notes.add(
            "Cần thu nhập bình quân đầu người để xét người lao động có thu nhập thấp.",
            "An income per person is needed to assess low-income workers.",
        )
        return ()
    cap = rule.income_max[national.area]
    if national.income > cap:
        return ()
    found = _qualifying_members(national.household_id, members, rule.members, year)
    mr = rule.members
    notes.add(
        f"Thu nhập {fmt_vi(national.income)} ≤ {fmt_vi(cap)} đồng/người/tháng ({rule.instrument})."
        + (f" {mr.note.vi}" if mr.provisional else ""),
        f"Income {fmt_en(national.income)} ≤ {fmt_en(cap)} VND per person per month"
        f" ({rule.instrument})." + (f" {mr.note.en}" if mr.provisional else ""),
    )
    return found
