"""Strict reading of a review rules file: each value checked, each error bilingual.

A rules file is edited by hand (a province's own rule set), so every mistake names the file
and the key path, in Vietnamese and in English (:class:`InvalidRules`). Used by
:mod:`giamngheo.core.review.rules_loader`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from giamngheo.core.review.calendar import DAY_UNITS
from giamngheo.core.review.rules_model import (
    BASES,
    CONFIDENCES,
    Basis,
    Confidence,
    Duration,
    InvalidRules,
    MonthDay,
    Provenance,
)
from giamngheo.core.standards.model import Note

#: The keys of a value's provenance, allowed beside the value's own keys.
PROV_KEYS = frozenset({"basis", "confidence", "provisional", "note_vi", "note_en"})


class Reader:
    """Reads the values of one rules file; ``fail`` makes the error naming the file."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, vi: str, en: str) -> InvalidRules:
        return InvalidRules(f"{self.source}: {where}: {vi} / {en}")

    def keys(self, d: Mapping[str, Any], where: str, allowed: frozenset[str]) -> None:
        extra = sorted(set(d) - allowed)
        if extra:
            raise self.fail(
                f"{where}.{extra[0]}" if where else extra[0],
                "khoá không được hỗ trợ (gõ sai?)",
                "unknown key (a typo?)",
            )

    def obj(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        v = d.get(key)
        if not isinstance(v, Mapping):
            raise self.fail(_at(where, key), "cần một đối tượng", "expected an object")
        return v

    def text(self, d: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
        v = d.get(key, "" if empty else None)
        if not isinstance(v, str) or (not empty and not v.strip()):
            raise self.fail(
                _at(where, key), "cần một chuỗi khác rỗng", "expected a non-empty string"
            )
        return v

    def integer(
        self, d: Mapping[str, Any], key: str, where: str, lo: int = 0, hi: int = 10_000
    ) -> int:
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.fail(
                _at(where, key), f"cần số nguyên từ {lo} đến {hi}", f"expected an integer {lo}–{hi}"
            )
        return v

    def boolean(self, d: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(_at(where, key), "cần true hoặc false", "expected true or false")
        return v

    def choice(self, d: Mapping[str, Any], key: str, where: str, options: tuple[str, ...]) -> Any:
        v = d.get(key)
        if v not in options:
            shown = ", ".join(options)
            raise self.fail(_at(where, key), f"cần một trong: {shown}", f"expected one of: {shown}")
        return v

    def iso_date(self, d: Mapping[str, Any], key: str, where: str) -> date:
        v = d.get(key)
        try:
            if not isinstance(v, str) or len(v) != 10:
                raise ValueError(v)
            return date.fromisoformat(v)
        except ValueError:
            raise self.fail(
                _at(where, key), "cần ngày dạng YYYY-MM-DD", "expected a YYYY-MM-DD date"
            ) from None

    def month_day(self, d: Mapping[str, Any], key: str, where: str) -> MonthDay:
        v = d.get(key)
        try:
            if not isinstance(v, str) or len(v) != 5 or v[2] != "-" or v == "02-29":
                raise ValueError(v)
            parsed = date.fromisoformat(f"2001-{v}")
        except ValueError:
            raise self.fail(
                _at(where, key), "cần ngày trong năm dạng MM-DD", "expected a MM-DD day of the year"
            ) from None
        return MonthDay(parsed.month, parsed.day)

    def note(self, d: Mapping[str, Any], where: str, prefix: str = "note") -> Note | None:
        vi, en = d.get(f"{prefix}_vi"), d.get(f"{prefix}_en")
        if vi is None and en is None:
            return None
        if not isinstance(vi, str) or not isinstance(en, str) or not vi.strip() or not en.strip():
            raise self.fail(
                _at(where, f"{prefix}_vi/{prefix}_en"),
                "cần cả hai ghi chú tiếng Việt và tiếng Anh",
                "expected both the Vietnamese and the English note",
            )
        return Note(vi, en)

    def provenance(self, d: Mapping[str, Any], where: str) -> Provenance:
        basis: Basis = self.choice(d, "basis", where, BASES)
        confidence: Confidence | None = None
        if basis == "legal":
            confidence = self.choice(d, "confidence", where, CONFIDENCES)
        elif d.get("confidence") is not None:
            raise self.fail(
                _at(where, "confidence"),
                "giá trị đề xuất không có độ tin cậy pháp lý",
                "a suggested value has no legal confidence",
            )
        provisional = self.boolean(d, "provisional", where, False)
        note = self.note(d, where)
        if confidence == "L" and not provisional:
            raise self.fail(
                _at(where, "provisional"),
                "giá trị độ tin cậy thấp (L) phải đánh dấu provisional: true",
                "a low-confidence (L) value must be marked provisional: true",
            )
        if provisional and note is None:
            raise self.fail(
                _at(where, "note_vi/note_en"),
                "giá trị tạm thời cần ghi chú lý do",
                "a provisional value needs a note saying why",
            )
        return Provenance(basis, confidence, provisional, note)

    def duration(self, d: Mapping[str, Any], where: str) -> Duration:
        self.keys(d, where, PROV_KEYS | {"days", "unit"})
        return Duration(
            days=self.integer(d, "days", where, 0, 366),
            unit=self.choice(d, "unit", where, DAY_UNITS),
            provenance=self.provenance(d, where),
        )


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
