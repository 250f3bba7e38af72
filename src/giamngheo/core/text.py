"""Vietnamese text folding for search and name matching.

Officers type names in many ways: upper or lower case, composed (NFC) or decomposed (NFD)
diacritics, "Đăk" versus "Đắk", with or without the unit kind ("Xã", "Thị trấn"), stray spaces.
``fold`` removes every one of those differences; ``unit_name_key`` also drops the unit kind.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Unit-kind prefixes, already folded, longest first so "thi tran" wins over "thi".
_KIND_PREFIXES = (
    "thanh pho truc thuoc trung uong",
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
    "tp.",
    "tp",
    "tt.",
    "tt",
)


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), collapse white space.

    >>> fold("  Xã  ĐẮK   Ang ")
    'xa dak ang'
    >>> fold("Đăk") == fold("Đắk") == fold("dak")
    True
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().casefold()


def unit_name_key(name: str) -> str:
    """Key for matching an administrative unit's name: ``fold`` without the unit kind.

    >>> unit_name_key("Thị trấn Plei Kần") == unit_name_key("plei kan")
    True
    >>> unit_name_key("Xã Đăk Kan") == unit_name_key("ĐẮK KAN")
    True
    """
    key = fold(name)
    for prefix in _KIND_PREFIXES:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            key = key[len(prefix) + 1 :]
            break
    return key.replace("-", " ").replace("  ", " ").strip()
