"""Money in đồng: writing, strict reading, amounts in words, and exact splitting.

Every amount of the programme is a whole number of đồng held as an ``int``; there is no
smaller unit in use, so a fraction of a đồng in a file or a form is a mistake, never a value
to round. This module holds the four things money needs everywhere:

* :func:`format_vnd` writes ``1.250.000 đ`` (``1,250,000 VND`` in English) with
  :func:`giamngheo.core.numbers.format_int`;
* :func:`parse_vnd` reads a spreadsheet cell or a form field without guessing. The dot is the
  Vietnamese thousands separator (``1.250.000``); spaces between groups of three are accepted
  too; the comma is accepted as a thousands separator only when it cannot be a decimal comma,
  that is when it appears at least twice (``1,250,000``). ``1,250`` (one thousand two hundred
  and fifty in English, one and a quarter in Vietnamese) is refused as ambiguous, and any
  decimal part (``1,5``, ``12.5``, ``1.250,00``) is refused. A unit after the number (``đ``,
  ``đồng``, ``VNĐ``, ``VND``, ``₫``) is dropped. Errors are :class:`MoneyError` with a stable
  ``code`` and a message in both languages quoting the value;
* :func:`amount_in_words` writes the amount the way it is written out on receipts, payment
  orders and settlement forms ("Bằng chữ: Một triệu hai trăm năm mươi nghìn đồng");
  :func:`amount_in_words_en` does the same in English;
* :func:`split_amount` cuts an amount into parts proportional to integer weights by the
  largest-remainder method, so that the parts add up to the amount exactly (instalments,
  a budget spread over communes).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from giamngheo.core.numbers import Lang, format_int

__all__ = [
    "MoneyError",
    "amount_in_words",
    "amount_in_words_en",
    "format_vnd",
    "parse_vnd",
    "split_amount",
]

#: The largest integer a spreadsheet's floating-point cell holds exactly (2**53).
FLOAT_EXACT_LIMIT = 2**53


class MoneyError(ValueError):
    """An amount that cannot be read or used; ``code`` is stable, the messages bilingual."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


def _require_int(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"an amount in đồng must be an int, not {type(amount).__name__}")
    return amount


def format_vnd(amount: int, lang: Lang = "vi", *, unit: bool = True) -> str:
    """``1250000`` → ``"1.250.000 đ"`` (``"1,250,000 VND"`` in English); ``unit=False``
    leaves the unit out. A bool or a float is refused (``TypeError``).

    >>> format_vnd(1250000), format_vnd(-5000, "en"), format_vnd(0, unit=False)
    ('1.250.000 đ', '-5,000 VND', '0')
    """
    text = format_int(_require_int(amount), lang)
    if not unit:
        return text
    return f"{text} đ" if lang == "vi" else f"{text} VND"


# --- reading ----------------------------------------------------------------------------------
_UNIT = re.compile(r"\s*(?:đồng|vnđ|vnd|đ|₫)\.?$")
_SPACES = "\u00a0\u202f\u2009 "
_SPACE_GROUPS = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3})+")
_DOT_GROUPS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_COMMA_GROUPS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){2,}")
_ONE_COMMA = re.compile(r"[0-9]{1,3},[0-9]{3}")
_DECIMAL = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})*[.,][0-9]+|[0-9]+[.,][0-9]+")


def _not_a_number(shown: str) -> MoneyError:
    return MoneyError(
        "not_a_number",
        f"«{shown}» không phải là một số tiền",
        f"'{shown}' is not an amount of money",
    )


def _decimal(shown: str) -> MoneyError:
    return MoneyError(
        "decimal",
        f"«{shown}»: số tiền phải là số đồng nguyên, không có phần thập phân",
        f"'{shown}': an amount must be a whole number of đồng, without decimals",
    )


def _digits(text: str, shown: str) -> int:
    """The unsigned amount written in ``text`` (unit and sign already removed)."""
    if _SPACE_GROUPS.fullmatch(text):
        text = "".join(ch for ch in text if ch not in _SPACES)
    if text.isdigit() and text.isascii():
        return int(text)
    if _DOT_GROUPS.fullmatch(text):
        return int(text.replace(".", ""))
    if _COMMA_GROUPS.fullmatch(text):
        return int(text.replace(",", ""))
    if _ONE_COMMA.fullmatch(text):
        raise MoneyError(
            "ambiguous",
            f"«{shown}» đọc được hai cách (nghìn theo kiểu Anh hay số thập phân?); "
            "hãy viết dấu chấm phân cách hàng nghìn",
            f"'{shown}' can be read two ways (English thousands or a decimal comma?); "
            "write the thousands with dots",
        )
    if _DECIMAL.fullmatch(text):
        raise _decimal(shown)
    raise _not_a_number(shown)


def _from_number(value: int | float | Decimal) -> int:
    shown = str(value)
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise _not_a_number(shown)
    if value != int(value):
        raise _decimal(shown)
    if isinstance(value, float) and abs(value) > FLOAT_EXACT_LIMIT:
        raise MoneyError(
            "too_large",
            f"«{shown}»: số quá lớn để ô số của bảng tính giữ chính xác; hãy nhập dạng văn bản",
            f"'{shown}': too large for a spreadsheet's number cell to hold exactly; "
            "enter it as text",
        )
    return int(value)


def parse_vnd(value: object, *, allow_negative: bool = False) -> int:
    """The amount in a cell or a form field, read strictly (see the module docstring).

    Accepts an ``int``, an integral ``float`` or ``Decimal`` (``1250000.0`` from a
    spreadsheet) and text. Raises :class:`MoneyError` with the codes ``empty``,
    ``not_a_number``, ``decimal``, ``ambiguous``, ``too_large`` and ``negative``.

    >>> parse_vnd("1.250.000 đ"), parse_vnd(1250000.0), parse_vnd("1,250,000")
    (1250000, 1250000, 1250000)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MoneyError("empty", "chưa nhập số tiền", "no amount given")
    if isinstance(value, bool):
        raise _not_a_number(str(value))
    if isinstance(value, int | float | Decimal):
        amount = _from_number(value)
        shown = str(value)
    elif isinstance(value, str):
        shown = value.strip()
        text = unicodedata.normalize("NFC", shown).casefold()
        text = _UNIT.sub("", text).strip()
        negative = text[:1] in {"-", "−"}
        if negative:
            text = text[1:].lstrip()
        if not text:
            raise _not_a_number(shown)
        amount = _digits(text, shown)
        amount = -amount if negative else amount
    else:
        raise _not_a_number(str(value))
    if amount < 0 and not allow_negative:
        raise MoneyError(
            "negative",
            f"«{shown}»: số tiền không được âm",
            f"'{shown}': an amount cannot be negative",
        )
    return amount


# --- in words: Vietnamese ---------------------------------------------------------------------
_DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9


def _units_vi(tens: int, unit: int) -> str:
    """The word for the last digit after a tens word."""
    if unit == 5:
        return "lăm"
    if tens >= 2 and unit == 1:
        return "mốt"
    if tens >= 2 and unit == 4:
        return "tư"
    return _DIGITS_VI[unit]


def _group_vi(n: int, full: bool) -> list[str]:
    """Words of a group of three digits (``0 < n < 1000``). ``full``: a group after a
    higher one, read with its hundreds even when zero (``không trăm linh năm``)."""
    hundreds, rest = divmod(n, 100)
    tens, unit = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS_VI[hundreds], "trăm"]
    if tens == 0:
        if unit:
            words += ["linh", _DIGITS_VI[unit]] if words else [_DIGITS_VI[unit]]
    elif tens == 1:
        words.append("mười")
        if unit:
            words.append(_units_vi(1, unit))
    else:
        words += [_DIGITS_VI[tens], "mươi"]
        if unit:
            words.append(_units_vi(tens, unit))
    return words


def _below_billion_vi(n: int, full: bool) -> list[str]:
    """Words of ``0 < n < 10**9``: groups of millions, thousands and units; a group of
    zeros is left out, and every group after the first is read in full."""
    words: list[str] = []
    for scale, name in ((10**6, "triệu"), (10**3, "nghìn"), (1, "")):
        group = n // scale % 1000
        if group:
            words += _group_vi(group, full or bool(words))
            if name:
                words.append(name)
    return words


def _words_vi(n: int, full: bool = False) -> list[str]:
    """Words of ``n > 0``; above a billion, the billions are read recursively (``một nghìn
    tỷ``, ``một triệu tỷ``, ``một tỷ tỷ``)."""
    high, low = divmod(n, _BILLION)
    words: list[str] = []
    if high:
        words += [*_words_vi(high, full), "tỷ"]
    if low:
        words += _below_billion_vi(low, full or bool(words))
    return words


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def amount_in_words(amount: int) -> str:
    """The amount in Vietnamese words, as written on financial documents.

    Conventions (those of the accounting software officers use): ``nghìn`` (not ``ngàn``),
    ``tỷ``, ``linh`` for a zero tens digit (``một trăm linh năm``), ``mốt`` for a one and
    ``tư`` for a four after ``mươi`` (``hai mươi mốt``, ``hai mươi tư``) but ``mười một``,
    ``mười bốn``; ``lăm`` for a five after a tens word (``mười lăm``, ``hai mươi lăm``). A
    group of three zeros is left out; a group after a higher one is read with its hundreds
    even when they are zero (``Một tỷ không trăm linh năm nghìn đồng``). Above a billion the
    count of billions is read the same way (``Một nghìn tỷ``, ``Một triệu tỷ``). The first
    letter is a capital; the text ends in ``đồng``; a negative amount starts with ``Âm``.

    >>> amount_in_words(1250000)
    'Một triệu hai trăm năm mươi nghìn đồng'
    >>> amount_in_words(1000005000)
    'Một tỷ không trăm linh năm nghìn đồng'
    """
    _require_int(amount)
    if amount == 0:
        return "Không đồng"
    words = _words_vi(abs(amount))
    if amount < 0:
        words.insert(0, "âm")
    return _capitalise(" ".join([*words, "đồng"]))


# --- in words: English ------------------------------------------------------------------------
_ONES_EN = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES_EN = ("", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion")


def _group_en(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_ONES_EN[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words.append(_TENS_EN[tens] + (f"-{_ONES_EN[unit]}" if unit else ""))
    elif rest:
        words.append(_ONES_EN[rest])
    return words


def amount_in_words_en(amount: int) -> str:
    """The amount in English words (short scale, no "and"), ending in ``dong``; up to
    10**21 − 1. ``1250000`` → ``"One million two hundred fifty thousand dong"``.

    >>> amount_in_words_en(21), amount_in_words_en(-1000)
    ('Twenty-one dong', 'Minus one thousand dong')
    """
    _require_int(amount)
    n = abs(amount)
    if n >= 1000 ** len(_SCALES_EN):
        raise MoneyError(
            "too_large",
            f"{format_int(amount)}: quá lớn để viết bằng chữ tiếng Anh",
            f"{format_int(amount, 'en')}: too large to write in English words",
        )
    if n == 0:
        return "Zero dong"
    words: list[str] = []
    for power in range(len(_SCALES_EN) - 1, -1, -1):
        group = n // 1000**power % 1000
        if group:
            words += _group_en(group)
            if _SCALES_EN[power]:
                words.append(_SCALES_EN[power])
    if amount < 0:
        words.insert(0, "minus")
    return _capitalise(" ".join([*words, "dong"]))


# --- splitting --------------------------------------------------------------------------------
def split_amount(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, the parts adding up to ``total`` exactly.

    Largest-remainder method: each part first gets the whole part of its exact share; the đồng
    left over go one each to the parts with the largest remainders, a tie to the earlier
    index. With equal weights every part is the exact share rounded down or up.

    >>> split_amount(15_000_000, [1, 1, 1]), split_amount(100, [1, 1, 1]), split_amount(10, [1, 3])
    ([5000000, 5000000, 5000000], [34, 33, 33], [3, 7])
    """
    _require_int(total)
    if total < 0:
        raise MoneyError(
            "negative", "không chia được một số tiền âm", "a negative amount cannot be split"
        )
    for w in weights:
        _require_int(w)
    weight_sum = sum(weights)
    if not weights or any(w < 0 for w in weights) or weight_sum == 0:
        raise MoneyError(
            "bad_weights",
            "tỷ lệ chia phải là các số nguyên không âm, có ít nhất một số dương",
            "the weights must be non-negative integers, at least one of them positive",
        )
    shares = [divmod(total * w, weight_sum) for w in weights]
    parts = [q for q, _ in shares]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts
