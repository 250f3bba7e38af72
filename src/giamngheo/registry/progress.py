"""Progress of work that runs inside one long database transaction (an import's commit).

A commit writes every valid row of a batch in one transaction, so that it is all or nothing;
an update of the batch's ``done`` counter made inside that transaction is invisible to the web
app until the end, and a second connection cannot write it either (SQLite has one writer, and
it is busy). The worker therefore reports progress in a small JSON file beside the stored
upload (``DATA_DIR/imports/progress/<batch id>.json``), replaced atomically after each chunk;
the batch page reads it while the batch is COMMITTING. The worker and the web app already share
that folder: the worker reads the uploaded file from it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

__all__ = ["clear", "folder", "import_dir", "read", "report"]

log = logging.getLogger(__name__)


def import_dir() -> Path:
    """Where uploaded review files are stored (by SHA-256), shared by the web app and the
    worker."""
    return Path(getattr(settings, "DATA_DIR", Path.cwd() / "data")) / "imports"


def folder() -> Path:
    return import_dir() / "progress"


def _path(batch_id: int) -> Path:
    return folder() / f"{int(batch_id)}.json"


def report(batch_id: int, done: int, total: int) -> None:
    """Record that ``done`` of ``total`` rows are written (atomic: a reader sees the old or
    the new figures, never half a file). Progress is only shown, never needed: a folder that
    cannot be written (full disk, permissions) is logged and the work goes on."""
    target = _path(batch_id)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{batch_id}.", suffix=".tmp")
        tmp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"done": done, "total": total}, fh)
        os.replace(tmp, target)
    except OSError as exc:
        log.warning("progress of batch %s not recorded: %s", batch_id, exc)
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def read(batch_id: int) -> tuple[int, int] | None:
    """(done, total) last reported for the batch, or None when nothing is reported."""
    try:
        data = json.loads(_path(batch_id).read_text(encoding="utf-8"))
        done, total = int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (done, total) if 0 <= done <= total else None


def clear(batch_id: int) -> None:
    try:
        _path(batch_id).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("progress of batch %s not cleared: %s", batch_id, exc)
