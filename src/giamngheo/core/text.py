"""Vietnamese text folding for search and name matching.

Officers type names in many ways: upper or lower case, composed (NFC) or decomposed (NFD)
diacritics, "Đăk" versus "Đắk", with or without the unit kind ("Xã", "Thị trấn"), stray spaces.
``fold`` removes every one of those differences; ``unit_name_key`` also drops the unit kind.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Letters that NFD does not decompose: Vietnamese đ, and the look-alike Icelandic eth that
# converted files sometimes carry instead of it.
_NON_DECOMPOSING = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
# Unit kinds as written with diacritics, longest first so "thị trấn" wins over "thị xã".
_KINDS = (
    "thành phố trực thuộc trung ương",
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
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
    decomposed = unicodedata.normalize("NFD", text.translate(_NON_DECOMPOSING))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries any Vietnamese diacritic (or đ)."""
    return fold(text) != _SPACES.sub(" ", text).strip().casefold()


def unit_name_key(name: str) -> str:
    """Key for matching an administrative unit's name: ``fold`` without the unit kind.

    The kind is dropped only when it is really the kind: a name written with diacritics must
    carry the kind's own diacritics ("Tịnh Hòa" is not "Tỉnh Hòa", "Quan Hóa" is not
    "Quận Hóa"); a name written entirely without diacritics ("xa dak ang") is compared folded.

    >>> unit_name_key("Thị trấn Plei Kần") == unit_name_key("plei kan")
    True
    >>> unit_name_key("Xã Đăk Kan") == unit_name_key("ĐẮK KAN")
    True
    >>> unit_name_key("Tịnh Hòa")
    'tinh hoa'
    """
    exact = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip().casefold()
    plain = not has_diacritics(name)
    folded = fold(name)
    for kind in _KINDS:
        written = fold(kind) if plain else kind
        source = folded if plain else exact
        if source.startswith(written + " ") and len(source) > len(written) + 1:
            folded = fold(source[len(written) + 1 :])
            break
    return " ".join(folded.replace("-", " ").split())
