"""Reading and writing numbers the Vietnamese way — without ever guessing.

Vietnamese writes ``4.807`` for four thousand eight hundred and seven households and ``1,75``
for one point seven five per cent: the decimal mark is the comma and the thousands separator
the dot, the opposite of English. A plan table may arrive in either convention (an officer's
Excel set to English, a CSV produced by another program), so a text cell cannot be read in
isolation. The rule, applied per file:

1. **Evidence.** A cell whose text admits only one reading fixes the file's decimal mark
   (``decimal_mark_evidence``):

   * a separator followed by a digit group that is not exactly three digits long
     (``27,42``, ``20,7``, ``1.75``) is a decimal mark — a thousands separator is always
     followed by three digits;
   * a separator used twice (``1.234.567``) is a thousands separator;
   * when both separators appear (``1.234,5``) the last one is the decimal mark;
   * in a *count* column (households are whole numbers) a single separator followed by
     three digits (``15.954``, ``4,807``) is a thousands separator, since the other reading
     (15,954 households) is not a count.

2. **Consistency.** All evidence in a file must agree. A file with ``27,42`` (decimal comma)
   and ``4,807`` (thousands comma) is rejected at the conflicting cell: either reading of it
   would be a guess.

3. **Reading.** Each text cell is then read under the file's convention. A rate cell whose
   only separator is followed by exactly three digits (``1,234``) in a file without evidence
   is ambiguous and rejected. Excel numeric cells (``int``/``float``) need no convention.

Spaces (also no-break and thin spaces) between digit groups of three are thousands
separators in both conventions. A lone dash (``-``, ``–``) is the printed "none": zero in a
count column, "not printed" in a rate column. A trailing ``%`` is ignored.

Rates keep their printed precision: ``"20,7"`` reads as ``Decimal("20.7")`` and ``"20,70"``
as ``Decimal("20.70")``.

Writing: ``format_int(4807) == "4.807"``, ``format_pct(Decimal("1.75")) == "1,75"``;
``lang="en"`` gives ``4,807`` and ``1.75``. Rounding is always ROUND_HALF_UP (0,005 → 0,01),
the rounding taught in Vietnamese schools and used in official statistics.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Literal

Lang = Literal["vi", "en"]
DecimalMark = Literal[",", "."]


class ColumnKind(StrEnum):
    COUNT = "count"  # whole numbers of households
    RATE = "rate"  # percentages, Decimal with printed precision


class NumberFormatError(ValueError):
    """A cell that cannot be read as a number without guessing. Bilingual."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


_SPACE_CHARS = "\u00a0\u202f\u2009 "
_DASHES = {"-", "–", "—"}
_DIGITS = re.compile(r"\d+")
_GROUPED_SPACES = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?$")


def _clean(text: str) -> str:
    """Strip, drop a trailing %, and remove space thousands separators (only between groups
    of three digits; any other inner space is left so that the parse fails)."""
    s = text.strip()
    if s.endswith("%"):
        s = s[:-1].rstrip()
    sign = ""
    if s[:1] in {"-", "−"} and len(s) > 1:
        sign, s = "-", s[1:].lstrip()
    if _GROUPED_SPACES.match(s):
        for ch in _SPACE_CHARS:
            s = s.replace(ch, "")
    return sign + s


def is_dash(text: str) -> bool:
    """``True`` for the printed "none" (a lone dash)."""
    return text.strip() in _DASHES


def decimal_mark_evidence(text: str, kind: ColumnKind) -> DecimalMark | None:
    """The decimal mark that ``text`` proves, or ``None`` when it proves nothing.

    >>> decimal_mark_evidence("27,42", ColumnKind.RATE)
    ','
    >>> decimal_mark_evidence("15.954", ColumnKind.COUNT)
    ','
    >>> decimal_mark_evidence("4,807", ColumnKind.COUNT)
    '.'
    >>> decimal_mark_evidence("1,234", ColumnKind.RATE) is None
    True
    """
    s = _clean(text).lstrip("-")
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        return "," if s.rfind(",") > s.rfind(".") else "."
    if commas + dots == 0:
        return None
    sep: DecimalMark = "," if commas else "."
    other: DecimalMark = "." if sep == "," else ","
    if commas + dots > 1:
        return other  # repeated: thousands separator
    tail = s.split(sep)[1]
    if not tail.isdigit():
        return None  # not a number at all; the parse reports it
    if len(tail) != 3:
        return sep
    if kind is ColumnKind.COUNT:
        return other
    return None


def _split_number(text: str, decimal_mark: DecimalMark | None, kind: ColumnKind) -> str:
    """Normalise ``text`` to a plain ``[-]digits[.digits]`` string or raise."""
    original = text
    s = _clean(text)
    bad = NumberFormatError(
        f"«{original.strip()}» không phải là số",
        f"'{original.strip()}' is not a number",
    )
    sign = ""
    if s.startswith("-"):
        sign, s = "-", s[1:]
    if not s or not all(ch.isdigit() or ch in ",." for ch in s) or not s[0].isdigit():
        raise bad
    if decimal_mark is None:
        evidence = decimal_mark_evidence(s, kind)
        if evidence is None and ("," in s or "." in s):
            raise NumberFormatError(
                f"«{original.strip()}» đọc được hai cách (dấu thập phân là «,» hay «.»?) "
                "và tệp không có ô nào khác cho biết quy ước",
                f"'{original.strip()}' can be read two ways (is the decimal mark ',' or '.'?) "
                "and no other cell of the file settles the convention",
            )
        decimal_mark = evidence or ","
    thousands = "." if decimal_mark == "," else ","
    if decimal_mark in s:
        whole, _, frac = s.rpartition(decimal_mark)
        if decimal_mark in whole or thousands in frac or not frac:
            raise bad
    else:
        whole, frac = s, ""
    if thousands in whole:
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+", whole):
            raise bad
        whole = whole.replace(thousands, "")
    if not whole.isdigit():
        raise bad
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def parse_count(value: str | int | float, decimal_mark: DecimalMark | None = ",") -> int:
    """A whole number of households. ``decimal_mark`` is the file's convention (``None``:
    not established — then only self-evident text is accepted).

    >>> parse_count("4.807"), parse_count("4,807", "."), parse_count(4807.0), parse_count("-")
    (4807, 4807, 4807, 0)
    """
    if isinstance(value, bool):
        raise NumberFormatError("giá trị logic không phải là số", "a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise NumberFormatError(
                f"số hộ phải là số nguyên, không phải {value}",
                f"a number of households must be whole, not {value}",
            )
        return int(value)
    if is_dash(value):
        return 0
    plain = _split_number(value, decimal_mark, ColumnKind.COUNT)
    if "." in plain:
        raise NumberFormatError(
            f"số hộ phải là số nguyên, không phải «{value.strip()}»",
            f"a number of households must be whole, not '{value.strip()}'",
        )
    return int(plain)


def parse_rate(
    value: str | int | float, decimal_mark: DecimalMark | None = ",", places: int | None = None
) -> Decimal | None:
    """A percentage as printed, keeping its precision; ``None`` for a dash.

    ``places`` is the precision shown for a numeric (Excel) cell, from its number format;
    without it a float keeps its shortest repr (``1.75`` → ``Decimal("1.75")``).

    >>> parse_rate("20,7"), parse_rate("20,70"), parse_rate("1.75", "."), parse_rate(1.6, places=2)
    (Decimal('20.7'), Decimal('20.70'), Decimal('1.75'), Decimal('1.60'))
    """
    if isinstance(value, bool):
        raise NumberFormatError("giá trị logic không phải là số", "a boolean is not a number")
    if isinstance(value, int | float):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if places is not None:
            d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return d
    if is_dash(value):
        return None
    try:
        return Decimal(_split_number(value, decimal_mark, ColumnKind.RATE))
    except InvalidOperation as exc:  # pragma: no cover - _split_number guarantees the shape
        raise NumberFormatError(
            f"«{value}» không phải là số", f"'{value}' is not a number"
        ) from exc


def parse_points(text: str) -> Decimal:
    """A number typed by a user for percentage points (``"1,2"`` or ``"1.2"``, ``"7"``).

    Points are small numbers, so a single separator is always the decimal mark here.
    """
    s = text.strip().replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not re.fullmatch(r"\d+(?:[.,]\d+)?", s):
        raise NumberFormatError(f"«{text}» không phải là số điểm %", f"'{text}' is not a number")
    return Decimal(s.replace(",", "."))


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """Exact ROUND_HALF_UP of a fraction to ``places`` decimals (negative values mirror).

    >>> round_half_up(Fraction(1, 200), 2), round_half_up(Fraction(2400, 1491), 2)
    (Decimal('0.01'), Decimal('1.61'))
    """
    f = Fraction(value)
    scale = 10**places
    scaled = abs(f) * scale
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r >= scaled.denominator:
        q += 1
    result = Decimal(q).scaleb(-places)
    result = -result if f < 0 else result
    return result.quantize(Decimal(1).scaleb(-places))


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def format_int(value: int, lang: Lang = "vi") -> str:
    """``4807`` → ``"4.807"`` (``"4,807"`` in English)."""
    sep = "." if lang == "vi" else ","
    sign = "-" if value < 0 else ""
    return sign + _group(str(abs(value)), sep)


def format_decimal(value: Decimal | Fraction, lang: Lang = "vi", places: int | None = None) -> str:
    """A decimal number with the language's marks. ``places`` None keeps a Decimal's own
    precision (``Decimal("20.7")`` → ``"20,7"``); otherwise ROUND_HALF_UP to ``places``."""
    if places is not None or isinstance(value, Fraction):
        value = round_half_up(value, 2 if places is None else places)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    text = format(abs(value), "f")
    whole, _, frac = text.partition(".")
    mark, sep = (",", ".") if lang == "vi" else (".", ",")
    out = _group(whole, sep) + (mark + frac if frac else "")
    return ("-" if sign and any(digits) else "") + out


def format_pct(value: Decimal | Fraction, lang: Lang = "vi", places: int = 2) -> str:
    """A percentage with two decimals by default: ``Decimal("1.75")`` → ``"1,75"``."""
    return format_decimal(value, lang, places)


def decimal_places(value: Decimal) -> int:
    """Number of printed decimals of a Decimal (``Decimal("20.7")`` → 1)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)
