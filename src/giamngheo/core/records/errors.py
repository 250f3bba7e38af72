"""The problems a record or a file can have, in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem of one field of a record.

    ``field`` is the record's field (``"code"``, ``"head_national_id"``, ``"sex"`` …) or, when
    ``engine`` is true, the standards engine's canonical column (``"income"``, ``"dep_water"``,
    ``"area"``), which a file maps to its own heading. ``member`` is the index of the member
    the problem is about, in :func:`~giamngheo.core.records.record.validate_household`'s list
    of members (None: the household itself)."""

    field: str
    code: str
    message_vi: str
    message_en: str
    engine: bool = False
    member: int | None = None


class ImportFileError(ValueError):
    """The file cannot be read as a template (bilingual, naming the file and sheet)."""

    def __init__(self, file: str, vi: str, en: str, sheet: str = "") -> None:
        self.file, self.sheet, self.message_vi, self.message_en = file, sheet, vi, en
        where = f"{file} [{sheet}]" if sheet else file
        super().__init__(f"{where}: {vi} / {en}")

    def as_dict(self) -> dict[str, str]:
        return {
            "field": "",
            "column": "",
            "letter": "",
            "code": "file",
            "sheet": self.sheet,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
