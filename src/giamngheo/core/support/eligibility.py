"""Who may receive a project's support: named eligibility rules as data, checked on a date.

A rule (``data/eligibility-rules.json``) names the classes it serves (poor, near-poor, …),
whether households that escaped recently also qualify, and further conditions: ethnic minority,
deprived on given indicators, no previous support of some category (housing), independent for
some years. :func:`check` applies a rule to plain facts about one household on the date of the
support, against the household's *approved* classification history: the class at a date is
the one of the latest approved review on or before that date (the review's own day counts).

"Newly escaped" (hộ mới thoát nghèo): the household is medium or non-poor on the date, and the
review that recognised its escape, the first review after its last poor or near-poor one, is at
most N years before the date (N = ``escaped_within_years``, 3 by the domain notes §7.4). The
window runs from the escape's recognition, not from the last poor review, which is how
QĐ 28/2015/QĐ-TTg counts its three years. Whether leaving near-poverty counts is data
(``escaped_from``): the shipped rules count both poverty and near-poverty, following
QĐ 28/2015's definition (households that were poor or near-poor); the domain notes do not settle
it, so those rules are provisional.

Each failed condition is a :class:`Reason` with a stable code and a bilingual message naming the
household's class, the date and the review year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast, get_args

from giamngheo.core.numbers import Lang
from giamngheo.core.standards import CLASSIFICATIONS, get_standard, national_standards
from giamngheo.core.standards.model import LegalBasis, Note, UnknownStandard
from giamngheo.core.support.catalog import (
    CATEGORIES,
    DATA_DIR,
    Confidence,
    Reader,
    SupportDataError,
    at,
    check_schema,
    read_json,
)

RULES_FILE = "eligibility-rules.json"
ESCAPABLE: tuple[str, ...] = ("poor", "near_poor")
NOT_POOR: tuple[str, ...] = ("medium", "non_poor")

PriorityGroup = Literal["ethnic_minority", "merit", "social_assistance"]
PRIORITY_GROUPS: tuple[PriorityGroup, ...] = get_args(PriorityGroup)

#: Reason codes, stable for tests and pages.
INACTIVE = "inactive"
NO_APPROVED_REVIEW = "no_approved_review"
CLASS_NOT_ELIGIBLE = "class_not_eligible"
NOT_ETHNIC_MINORITY = "not_ethnic_minority"
NOT_DEPRIVED = "not_deprived"
PREVIOUS_SUPPORT = "previous_support"
INDEPENDENT_SINCE_UNKNOWN = "independent_since_unknown"
NOT_INDEPENDENT_LONG_ENOUGH = "not_independent_long_enough"

_CLASS_VI = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "medium": "hộ có mức sống trung bình",
    "non_poor": "hộ không nghèo",
}
_CLASS_EN = {
    "poor": "poor",
    "near_poor": "near-poor",
    "medium": "of medium living standard",
    "non_poor": "non-poor",
}
_RULE_KEYS = frozenset(
    {
        "id",
        "name_vi",
        "name_en",
        "classes",
        "escaped_within_years",
        "escaped_from",
        "ethnic_minority_only",
        "requires_review",
        "requires_deprived",
        "no_previous_support_categories",
        "independent_years",
        "priority",
        "allow_justification",
        "legal_basis",
        "confidence",
        "provisional",
        "note_vi",
        "note_en",
    }
)
_REQUIRED = frozenset(
    {"id", "name_vi", "name_en", "classes", "allow_justification", "legal_basis", "confidence"}
)


class EligibilityRulesError(SupportDataError):
    """The eligibility rules file is malformed; the message names the file and the JSON path."""


class UnknownRule(LookupError):
    """No eligibility rule with that id."""


@dataclass(frozen=True)
class ClassAt:
    """One approved review of a household: its class and deprivations from ``review_date`` on.

    ``year`` is the review's year (the end-2019 periodic review has year 2019 and is in force
    in 2020); ``deprived`` holds indicator keys of ``standard_id``.
    """

    year: int
    review_date: date
    classification: str  # "poor" | "near_poor" | "medium" | "non_poor"
    deprived: frozenset[str] = frozenset()
    standard_id: str = ""


@dataclass(frozen=True)
class HouseholdFacts:
    """What a rule needs to know about one household, as plain data.

    ``independent_since``: the day it became an independent household (entry or split), None
    when unknown. ``previous_support_categories``: catalog categories it has already received
    (e.g. "housing").
    """

    household_id: int
    active: bool = True
    ethnic_minority: bool = False
    merit_member: bool = False
    social_assistance_member: bool = False
    independent_since: date | None = None
    history: Sequence[ClassAt] = ()
    previous_support_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EligibilityRule:
    """A named rule: the classes it serves and the further conditions, with its legal basis.

    ``escaped_within_years`` (with ``escaped_from``): households that escaped those classes
    within that many years also qualify. ``requires_review``: a household with no approved
    review is refused (False only for works open to everybody). ``priority``: the order of the
    priority groups (for housing). ``allow_justification``: an officer may accept an ineligible
    household by recording why.
    """

    id: str
    name_vi: str
    name_en: str
    classes: frozenset[str]
    legal_basis: LegalBasis
    escaped_within_years: int | None = None
    escaped_from: frozenset[str] = frozenset()
    ethnic_minority_only: bool = False
    requires_review: bool = True
    requires_deprived: tuple[str, ...] = ()
    no_previous_support_categories: frozenset[str] = frozenset()
    independent_years: int | None = None
    priority: tuple[PriorityGroup, ...] = ()
    allow_justification: bool = False
    confidence: Confidence | None = None
    provisional: bool = False
    note: Note | None = None

    def label(self, lang: Lang = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class Reason:
    """Why a household is not eligible, in both languages."""

    code: str
    message_vi: str
    message_en: str

    def message(self, lang: Lang = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en


@dataclass(frozen=True)
class Eligibility:
    """The outcome of :func:`check`.

    ``basis``: the approved review in force on the date (None without one). ``group``: how the
    household qualifies or stands, for reports: "poor", "near_poor", "newly_escaped", "medium",
    "non_poor" or "unreviewed". ``priority``: a sort key, lower first (0 when the rule has no
    priority order). ``can_justify``: the rule allows a justification and the household is
    active (meaningful when not eligible).
    """

    rule_id: str
    household_id: int
    on: date
    eligible: bool
    reasons: tuple[Reason, ...]
    can_justify: bool
    basis: ClassAt | None
    group: str
    priority: int = 0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


# --------------------------------------------------------------------------- dates and history


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _in_force(history: Sequence[ClassAt], on: date) -> list[ClassAt]:
    """The reviews on or before ``on``, oldest first (ties on the day: by review year)."""
    return sorted(
        (e for e in history if e.review_date <= on), key=lambda e: (e.review_date, e.year)
    )


def class_at(history: Sequence[ClassAt], on: date) -> ClassAt | None:
    """The approved review in force on ``on``: the latest whose review_date ≤ ``on``."""
    entries = _in_force(history, on)
    return entries[-1] if entries else None


def escape_date(
    history: Sequence[ClassAt], on: date, escaped_from: frozenset[str] = frozenset(ESCAPABLE)
) -> date | None:
    """The day the household's escape was recognised, when it is medium or non-poor on ``on``.

    The escape is the first review after its last review in ``escaped_from``; None when the
    household is not medium/non-poor on ``on`` or was never in those classes.
    """
    entries = _in_force(history, on)
    if not entries or entries[-1].classification not in NOT_POOR:
        return None
    last = max((i for i, e in enumerate(entries) if e.classification in escaped_from), default=-1)
    if last < 0:
        return None
    return entries[last + 1].review_date


def newly_escaped(
    history: Sequence[ClassAt],
    on: date,
    years: int,
    escaped_from: frozenset[str] = frozenset(ESCAPABLE),
) -> bool:
    """True when the household escaped (see :func:`escape_date`) at most ``years`` before ``on``."""
    escaped = escape_date(history, on, escaped_from)
    return escaped is not None and escaped >= years_before(on, years)


# --------------------------------------------------------------------------- checking


def _class_words(classification: str) -> tuple[str, str]:
    return (
        _CLASS_VI.get(classification, classification),
        _CLASS_EN.get(classification, classification),
    )


def _served(rule: EligibilityRule) -> tuple[str, str]:
    """The households a rule serves, in words."""
    ordered = [c for c in CLASSIFICATIONS if c in rule.classes]
    vi = [_CLASS_VI[c] for c in ordered]
    en = [f"{_CLASS_EN[c]} households" for c in ordered]
    if rule.escaped_within_years is not None:
        n = rule.escaped_within_years
        vi.append(f"hộ mới thoát nghèo trong {n} năm")
        en.append(f"households that escaped within {n} years")
    return ", ".join(vi), ", ".join(en)


def _class_reason(rule: EligibilityRule, facts: HouseholdFacts, on: date, basis: ClassAt) -> Reason:
    cls_vi, cls_en = _class_words(basis.classification)
    served_vi, served_en = _served(rule)
    vi = f"Hộ {cls_vi.removeprefix('hộ ')} tại ngày {_dmy(on)} (rà soát {basis.year})"
    en = f"The household is {cls_en} on {_dmy(on)} (review {basis.year})"
    escaped = escape_date(facts.history, on, rule.escaped_from)
    if rule.escaped_within_years is not None and escaped is not None:
        vi += f", thoát nghèo ngày {_dmy(escaped)}, quá {rule.escaped_within_years} năm"
        en += f", escaped on {_dmy(escaped)}, over {rule.escaped_within_years} years ago"
    return Reason(
        CLASS_NOT_ELIGIBLE,
        f"{vi}; “{rule.name_vi}” chỉ dành cho: {served_vi}",
        f"{en}; “{rule.name_en}” is only for: {served_en}",
    )


def _indicator_name(standard_id: str, key: str) -> tuple[str, str]:
    try:
        ind = get_standard(standard_id).indicator(key)
    except (UnknownStandard, KeyError):
        return key, key
    return ind.name_vi.lower(), ind.name_en.lower()


def _condition_reasons(
    rule: EligibilityRule, facts: HouseholdFacts, on: date, basis: ClassAt | None
) -> list[Reason]:
    out: list[Reason] = []
    if rule.ethnic_minority_only and not facts.ethnic_minority:
        out.append(
            Reason(
                NOT_ETHNIC_MINORITY,
                f"Hộ không phải hộ dân tộc thiểu số; “{rule.name_vi}” chỉ dành cho hộ DTTS",
                f"Not an ethnic-minority household; “{rule.name_en}” is for ethnic minorities only",
            )
        )
    if basis is not None:
        for key in rule.requires_deprived:
            if key not in basis.deprived:
                name_vi, name_en = _indicator_name(basis.standard_id, key)
                out.append(
                    Reason(
                        NOT_DEPRIVED,
                        f"Hộ không thiếu hụt chỉ số {name_vi} tại ngày {_dmy(on)} "
                        f"(rà soát {basis.year})",
                        f"The household is not deprived on {name_en} on {_dmy(on)} "
                        f"(review {basis.year})",
                    )
                )
    already = sorted(rule.no_previous_support_categories & facts.previous_support_categories)
    if already:
        shown = ", ".join(already)
        out.append(
            Reason(
                PREVIOUS_SUPPORT,
                f"Hộ đã được hỗ trợ trước đây ({shown})",
                f"The household has received this support before ({shown})",
            )
        )
    if rule.independent_years is not None:
        n = rule.independent_years
        since = facts.independent_since
        if since is None:
            out.append(
                Reason(
                    INDEPENDENT_SINCE_UNKNOWN,
                    f"Chưa rõ ngày hộ tách, ra ở riêng (cần ít nhất {n} năm)",
                    f"The day the household became independent is unknown ({n} years needed)",
                )
            )
        elif since > years_before(on, n):
            out.append(
                Reason(
                    NOT_INDEPENDENT_LONG_ENOUGH,
                    f"Hộ ở riêng từ ngày {_dmy(since)}, chưa đủ {n} năm tại ngày {_dmy(on)}",
                    f"Independent since {_dmy(since)}: under {n} years on {_dmy(on)}",
                )
            )
    return out


def priority_key(rule: EligibilityRule, facts: HouseholdFacts) -> int:
    """A sort key by the rule's priority order, lower first.

    Membership of the groups is read as binary digits, the first group the most significant,
    so a household in the first group always comes before one outside it, and among those
    the later groups break ties (ethnic minority with a person of merit before ethnic
    minority alone). 0 for a household in every group, and for a rule with no priority order.
    """
    member = {
        "ethnic_minority": facts.ethnic_minority,
        "merit": facts.merit_member,
        "social_assistance": facts.social_assistance_member,
    }
    n = len(rule.priority)
    return sum(1 << (n - 1 - i) for i, g in enumerate(rule.priority) if not member[g])


def check(rule: EligibilityRule, facts: HouseholdFacts, on: date) -> Eligibility:
    """Whether the household may receive support under ``rule`` on ``on``, with the reasons."""
    reasons: list[Reason] = []
    if not facts.active:
        reasons.append(
            Reason(
                INACTIVE,
                "Hộ không còn hoạt động (đã giải thể, chuyển đi hoặc nhập hộ khác)",
                "The household is no longer active (dissolved, moved away or merged)",
            )
        )
    basis = class_at(facts.history, on)
    group = "unreviewed" if basis is None else basis.classification
    if basis is None:
        if rule.requires_review:
            reasons.append(
                Reason(
                    NO_APPROVED_REVIEW,
                    f"Hộ chưa có kết quả rà soát được phê duyệt tại ngày {_dmy(on)}",
                    f"The household has no approved review on {_dmy(on)}",
                )
            )
    elif basis.classification not in rule.classes:
        if rule.escaped_within_years is not None and newly_escaped(
            facts.history, on, rule.escaped_within_years, rule.escaped_from
        ):
            group = "newly_escaped"
        else:
            reasons.append(_class_reason(rule, facts, on, basis))
    reasons.extend(_condition_reasons(rule, facts, on, basis))
    return Eligibility(
        rule_id=rule.id,
        household_id=facts.household_id,
        on=on,
        eligible=not reasons,
        reasons=tuple(reasons),
        can_justify=rule.allow_justification and facts.active,
        basis=basis,
        group=group,
        priority=priority_key(rule, facts),
    )


# --------------------------------------------------------------------------- reading


def _known_indicators() -> frozenset[str]:
    return frozenset(k for s in national_standards() for k in s.indicator_keys)


def _rule(r: Reader, d: Mapping[str, Any], where: str) -> EligibilityRule:
    r.keys(d, where, _RULE_KEYS, _REQUIRED)
    within = r.integer(d, "escaped_within_years", where, 1, 20)
    escaped_from: tuple[str, ...] = ()
    if within is not None:
        escaped_from = r.choices(d, "escaped_from", where, ESCAPABLE)
        if not escaped_from:
            raise r.fail(
                at(where, "escaped_from"),
                "cần nêu hộ thoát khỏi lớp nào (poor, near_poor)",
                "say which classes the escape is from (poor, near_poor)",
            )
    elif "escaped_from" in d:
        raise r.fail(
            at(where, "escaped_from"),
            "chỉ dùng cùng escaped_within_years",
            "only allowed with escaped_within_years",
        )
    classes = r.choices(d, "classes", where, CLASSIFICATIONS)
    if not classes and within is None:
        raise r.fail(
            at(where, "classes"),
            "quy định không dành cho ai (cần classes hoặc escaped_within_years)",
            "the rule serves nobody (classes or escaped_within_years needed)",
        )
    requires_review = r.boolean(d, "requires_review", where, True)
    requires_deprived = r.choices(d, "requires_deprived", where, sorted(_known_indicators()))
    if requires_deprived and not requires_review:
        raise r.fail(
            at(where, "requires_deprived"),
            "cần kết quả rà soát để xét thiếu hụt (requires_review: true)",
            "deprivations need an approved review (requires_review: true)",
        )
    note = r.note(d, where)
    provisional = r.provisional(d, where, note)
    return EligibilityRule(
        id=r.text(d, "id", where),
        name_vi=r.text(d, "name_vi", where),
        name_en=r.text(d, "name_en", where),
        classes=frozenset(classes),
        legal_basis=r.legal_basis(d.get("legal_basis"), at(where, "legal_basis")),
        escaped_within_years=within,
        escaped_from=frozenset(escaped_from),
        ethnic_minority_only=r.boolean(d, "ethnic_minority_only", where, False),
        requires_review=requires_review,
        requires_deprived=requires_deprived,
        no_previous_support_categories=frozenset(
            r.choices(d, "no_previous_support_categories", where, CATEGORIES)
        ),
        independent_years=r.integer(d, "independent_years", where, 1, 50),
        priority=cast(tuple[PriorityGroup, ...], r.choices(d, "priority", where, PRIORITY_GROUPS)),
        allow_justification=r.boolean(d, "allow_justification", where, None),
        confidence=r.confidence(d, where, provisional),
        provisional=provisional,
        note=note,
    )


def rules_from_dict(
    data: Mapping[str, Any], *, source: str = RULES_FILE
) -> dict[str, EligibilityRule]:
    """The rules in ``data`` (the structure of ``eligibility-rules.json``), by id.

    Raises:
        EligibilityRulesError: an unknown key, class, indicator, category or priority group,
            a duplicate id, a low-confidence rule not marked provisional, or a missing or
            mistyped value.
    """
    r = Reader(source, EligibilityRulesError)
    check_schema(r, data)
    r.keys(data, "", frozenset({"schema", "note_vi", "note_en", "rules"}), frozenset({"rules"}))
    rules: dict[str, EligibilityRule] = {}
    for n, raw in enumerate(r.objects(data, "rules", "")):
        rule = _rule(r, raw, f"rules[{n}]")
        if rule.id in rules:
            raise r.fail(f"rules[{n}].id", f"trùng mã {rule.id!r}", f"duplicate id {rule.id!r}")
        rules[rule.id] = rule
    return rules


def read_rules(path: str | Path) -> dict[str, EligibilityRule]:
    """The rules in a JSON file (strict: see :func:`rules_from_dict`)."""
    p = Path(path)
    return rules_from_dict(read_json(p, EligibilityRulesError), source=p.name)


@cache
def _load() -> Mapping[str, EligibilityRule]:
    return read_rules(DATA_DIR / RULES_FILE)


def load_rules() -> dict[str, EligibilityRule]:
    """The application's rules (``data/eligibility-rules.json``, read once), by id."""
    return dict(_load())


def get_rule(rule_id: str) -> EligibilityRule:
    """The rule with this id.

    Raises:
        UnknownRule: no such rule.
    """
    rules = _load()
    if rule_id not in rules:
        known = ", ".join(rules)
        raise UnknownRule(
            f"Không có quy định đối tượng {rule_id!r} (có: {known}) / "
            f"no eligibility rule {rule_id!r} (known: {known})"
        )
    return rules[rule_id]
