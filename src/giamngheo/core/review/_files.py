"""Reading the review package's JSON data files with strict, bilingual errors.

The target-group thresholds and the Phiếu A questions are versioned data, not constants: an
officer who corrects a file must be told exactly which file and which key is wrong, in both
languages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
SCHEMA_VERSION = 1


class ReviewDataError(ValueError):
    """A review data file is malformed; the message names the file and the key."""

    def __init__(self, source: str, key: str, message_vi: str, message_en: str) -> None:
        self.source = source
        self.key = key
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(
            f"{source}: {key}: {message_vi} / {message_en}" if key else f"{source}: {message_en}"
        )


def read_json(path: str | Path) -> tuple[dict[str, Any], str]:
    """The top-level object of a JSON file and its name for error messages."""
    p = Path(path)
    source = p.name if p.parent == DATA_DIR else str(p)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReviewDataError(
            source, "", f"không đọc được JSON: {exc}", f"not valid JSON: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ReviewDataError(
            source, "(top)", "phải là một đối tượng JSON", "expected a JSON object"
        )
    reader = Reader(source)
    if data.get("schema") != SCHEMA_VERSION:
        raise reader.fail(
            "schema",
            f"phiên bản cấu trúc phải là {SCHEMA_VERSION}, không phải {data.get('schema')!r}",
            f"schema must be {SCHEMA_VERSION}, not {data.get('schema')!r}",
        )
    return data, source


class Reader:
    """Typed access to one file's values; every failure names the file and the dotted key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, vi: str, en: str) -> ReviewDataError:
        return ReviewDataError(self.source, key, vi, en)

    def obj(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        v = d.get(key)
        if not isinstance(v, Mapping):
            raise self.fail(_join(where, key), "phải là một đối tượng", "expected an object")
        return v

    def items(self, d: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
        v = d.get(key)
        if not isinstance(v, list) or not v:
            raise self.fail(
                _join(where, key), "phải là một danh sách không rỗng", "expected a non-empty list"
            )
        return v

    def text(self, d: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
        v = d.get(key)
        if not isinstance(v, str) or (not empty and not v.strip()):
            raise self.fail(
                _join(where, key), "phải là một chuỗi không rỗng", "expected a non-empty string"
            )
        return v

    def integer(self, d: Mapping[str, Any], key: str, where: str) -> int:
        v = d.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise self.fail(
                _join(where, key), "phải là số nguyên không âm", "expected a non-negative integer"
            )
        return v

    def flag(self, d: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(_join(where, key), "phải là true hoặc false", "expected true or false")
        return v

    def confidence(self, d: Mapping[str, Any], key: str, where: str) -> str:
        v = d.get(key, "M")
        if v not in ("H", "M", "L"):
            raise self.fail(_join(where, key), "phải là H, M hoặc L", "expected H, M or L")
        return str(v)

    def texts(self, d: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        v = d.get(key)
        if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
            raise self.fail(
                _join(where, key),
                "phải là danh sách chuỗi không rỗng",
                "expected a non-empty list of strings",
            )
        return tuple(v)

    def years(self, d: Mapping[str, Any], key: str, where: str) -> tuple[int, int]:
        v = d.get(key)
        if (
            not isinstance(v, list)
            or len(v) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in v)
            or v[0] > v[1]
        ):
            raise self.fail(
                _join(where, key),
                "phải là [năm đầu, năm cuối]",
                "expected [first year, last year]",
            )
        return v[0], v[1]

    def pair(self, d: Mapping[str, Any], prefix: str, where: str) -> tuple[str, str]:
        """The ``<prefix>_vi`` / ``<prefix>_en`` texts (both, or both empty)."""
        vi, en = d.get(f"{prefix}_vi", ""), d.get(f"{prefix}_en", "")
        if not isinstance(vi, str) or not isinstance(en, str) or bool(vi) != bool(en):
            raise self.fail(
                _join(where, f"{prefix}_vi/{prefix}_en"),
                "cần cả hai chuỗi tiếng Việt và tiếng Anh",
                "expected both the Vietnamese and the English text",
            )
        return vi, en


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
