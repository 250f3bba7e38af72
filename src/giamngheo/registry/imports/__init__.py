"""Staged import of a year's review (issue 4 §2). The template is documented in
``import_template.md`` in the registry app.

1. ``import_upload`` (``upload``) stores the file (named by its SHA-256) and creates an
   ``ImportBatch``; the same file for the same unit, year and review kind returns the existing
   batch instead (re-importing the same file changes nothing).
2. ``import_validate`` (``staging``) streams the file once, in chunks: every row is checked by
   the record rules of ``giamngheo.core.records`` (with the registry facts of ``facts``) and
   kept (``ImportRow.raw``) with its errors per field, or with the normalised values the
   commit will write (``ImportRow.clean``). Each chunk is its own short transaction and
   advances the batch's ``done``/``total`` counters, so the web app can show progress while a
   worker thread or process runs it.
3. ``import_commit`` (``commit``) writes the valid rows in ONE transaction (bulk, chunked) as
   idempotent upserts on (commune, household code), members on (household, ID number or name
   and year of birth) and reviews on (household, year, kind[, date]). Any failure leaves
   nothing written.

``import_errors_xlsx`` gives the rows back with an error column and red cells;
``import_template_xlsx`` writes the template pre-filled with a commune's households and
their previous year's review (``downloads``).
"""

from __future__ import annotations

from giamngheo.core.records.errors import ImportFileError
from giamngheo.core.records.headings import (
    CODE_HEADINGS,
    HOUSEHOLD_HEADINGS,
    HOUSEHOLD_SHEET_NAMES,
    MEMBER_HEADINGS,
    MEMBER_SHEET_NAMES,
    template_headings,
)
from giamngheo.core.records.reader import (
    SPREADSHEET_SUFFIXES,
    UPLOAD_SUFFIXES,
    SheetRef,
    SheetSource,
    read_sheets,
    unsupported_format_message,
    xlsx_error_cells,
    xlsx_sheet_rows,
)
from giamngheo.core.records.vocab import MAX_AGE, is_minority
from giamngheo.registry.imports.batch import CHUNK
from giamngheo.registry.imports.commit import ImportConflict, import_commit
from giamngheo.registry.imports.downloads import (
    ERROR_HEADING,
    import_errors_xlsx,
    import_template_xlsx,
)
from giamngheo.registry.imports.facts import households_by_key
from giamngheo.registry.imports.staging import RowError, import_validate
from giamngheo.registry.imports.upload import import_upload

__all__ = [
    "CHUNK",
    "CODE_HEADINGS",
    "ERROR_HEADING",
    "HOUSEHOLD_HEADINGS",
    "HOUSEHOLD_SHEET_NAMES",
    "MAX_AGE",
    "MEMBER_HEADINGS",
    "MEMBER_SHEET_NAMES",
    "SPREADSHEET_SUFFIXES",
    "UPLOAD_SUFFIXES",
    "ImportConflict",
    "ImportFileError",
    "RowError",
    "SheetRef",
    "SheetSource",
    "households_by_key",
    "import_commit",
    "import_errors_xlsx",
    "import_template_xlsx",
    "import_upload",
    "import_validate",
    "is_minority",
    "read_sheets",
    "template_headings",
    "unsupported_format_message",
    "xlsx_error_cells",
    "xlsx_sheet_rows",
]
