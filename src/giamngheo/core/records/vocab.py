"""The plain vocabularies of a household record: the stored values of its coded fields, the
words a file may write for them (folded: see :func:`cfold`), the policy flags and the causes
of poverty.

The registry's Django choices (``giamngheo.registry.models``) take their values from here, so
the rules and the database cannot drift apart (a test checks it).
"""

from __future__ import annotations

from functools import lru_cache

from giamngheo.core.text import fold

# ---------------------------------------------------------------------------------------------
# Stored values
# ---------------------------------------------------------------------------------------------
MALE = "male"
FEMALE = "female"
SEXES = (MALE, FEMALE)

HEAD = "head"
SPOUSE = "spouse"
CHILD = "child"
PARENT = "parent"
GRANDCHILD = "grandchild"
SIBLING = "sibling"
OTHER = "other"
RELATIONSHIPS = (HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, SIBLING, OTHER)

#: How a household came into the registry ("" = from the start, or not recorded).
ORIGINAL = ""
MOVED_IN = "moved_in"
SPLIT_OFF = "split_off"
ENTRY_REASONS = (ORIGINAL, MOVED_IN, SPLIT_OFF)

PERIODIC = "periodic"
ADHOC = "adhoc"
REVIEW_KINDS = (PERIODIC, ADHOC)

ACTIVE = "active"
MOVED_AWAY = "moved_away"
DISSOLVED = "dissolved"
SPLIT = "split"
MERGED = "merged"
HOUSEHOLD_STATUSES = (ACTIVE, MOVED_AWAY, DISSOLVED, SPLIT, MERGED)

DRAFT = "draft"
APPROVED = "approved"
REVIEW_STATES = (DRAFT, APPROVED)

#: Policy-group flags of a household, in template order: field → (Vietnamese, English).
POLICY_FLAGS: dict[str, tuple[str, str]] = {
    "indigenous_minority": ("Hộ dân tộc thiểu số tại chỗ", "local indigenous ethnic minority"),
    "no_labour_capacity": ("Hộ không có khả năng lao động", "no working capacity"),
    "merit_member": ("Có thành viên là người có công", "a member is a person of merit"),
    "social_assistance_member": (
        "Có thành viên hưởng bảo trợ xã hội",
        "a member receives social assistance",
    ),
    "female_head": ("Chủ hộ là nữ", "female head"),
}
#: The household's yes/no fields: the ethnic-minority flag, then the policy flags.
FLAG_FIELDS = ("ethnic_minority", *POLICY_FLAGS)

#: Causes of poverty (nguyên nhân nghèo), the standard list: field → (Vietnamese, English).
CAUSES: dict[str, tuple[str, str]] = {
    "land": ("Thiếu đất sản xuất", "lack of land"),
    "capital": ("Thiếu vốn sản xuất", "lack of capital"),
    "labour": ("Thiếu lao động", "lack of labour"),
    "tools": ("Thiếu công cụ, phương tiện sản xuất", "lack of tools"),
    "know_how": ("Thiếu kiến thức sản xuất", "lack of know-how"),
    "skills": ("Thiếu kỹ năng lao động", "lack of skills"),
    "illness": ("Ốm đau, tai nạn", "illness or accident"),
    "other": ("Nguyên nhân khác", "other"),
}

#: The oldest age a member may have in the review year.
MAX_AGE = 120


# ---------------------------------------------------------------------------------------------
# Words accepted in a file (keys folded by ``cfold``)
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def cfold(text: str) -> str:
    """``fold`` for the few distinct values of a column (sex, ethnicity, relationship …)."""
    return fold(text)


TRUE_WORDS = {"1", "x", "co", "c", "yes", "true", "dung"}
FALSE_WORDS = {"0", "khong", "k", "no", "false", ""}
SEX_WORDS = {"nam": MALE, "male": MALE, "m": MALE, "nu": FEMALE, "female": FEMALE, "f": FEMALE}
RELATIONSHIP_WORDS = {
    "chu ho": HEAD,
    "head": HEAD,
    "vo": SPOUSE,
    "chong": SPOUSE,
    "vo/chong": SPOUSE,
    "vo chong": SPOUSE,
    "spouse": SPOUSE,
    "con": CHILD,
    "con de": CHILD,
    "con nuoi": CHILD,
    "con dau": CHILD,
    "con re": CHILD,
    "child": CHILD,
    "bo": PARENT,
    "me": PARENT,
    "cha": PARENT,
    "bo/me": PARENT,
    "cha/me": PARENT,
    "parent": PARENT,
    "chau": GRANDCHILD,
    "grandchild": GRANDCHILD,
    "anh": SIBLING,
    "chi": SIBLING,
    "em": SIBLING,
    "anh/chi/em": SIBLING,
    "sibling": SIBLING,
    "khac": OTHER,
    "other": OTHER,
}
#: «Lý do vào sổ» (folded) → the entry reason.
ENTRY_REASON_WORDS = {
    "chuyen den": MOVED_IN,
    "moved in": MOVED_IN,
    "moved_in": MOVED_IN,
    "tach ho": SPLIT_OFF,
    "split off": SPLIT_OFF,
    "split_off": SPLIT_OFF,
}
_MAJORITY = {"kinh", "viet", "viet (kinh)"}


def is_minority(ethnicity: str) -> bool:
    """An ethnicity other than Kinh (blank: unknown, not a minority)."""
    key = cfold(ethnicity)
    return bool(key) and key not in _MAJORITY
