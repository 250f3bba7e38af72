"""Template filters of the support pages: money the Vietnamese way (``1.250.000 đ``) and
in words, and labels of the core's codes."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from giamngheo.core.support.loans import load_loan_programmes
from giamngheo.core.support.money import amount_in_words, format_vnd

register = template.Library()


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


@register.filter
def vnd(amount: object) -> str:
    """``1250000|vnd`` → ``1.250.000 đ`` (English: ``1,250,000 VND``); "—" for None."""
    if amount is None or amount == "":
        return "—"
    return format_vnd(int(amount), "en" if _lang() == "en" else "vi")  # type: ignore[call-overload]


@register.filter
def vnd_plain(amount: object) -> str:
    """The number alone (``1.250.000``), for table cells under a "đồng" heading."""
    if amount is None or amount == "":
        return "—"
    return format_vnd(int(amount), "en" if _lang() == "en" else "vi", unit=False)  # type: ignore[call-overload]


@register.filter
def in_words(amount: object) -> str:
    """``1250000|in_words`` → ``Một triệu hai trăm năm mươi nghìn đồng``."""
    return amount_in_words(int(amount))  # type: ignore[call-overload]


@register.filter
def loan_programme(code: str) -> str:
    """A loan programme's name (``poor`` → ``Cho vay hộ nghèo``), the code when unknown."""
    programme = load_loan_programmes().get(code)
    if programme is None:
        return code
    return programme.name_en if _lang() == "en" else programme.name_vi
