"""Step 1 of an import: the uploaded file is stored (named by its SHA-256) and a PENDING
batch is created for it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from giamngheo.core.standards import standard_for
from giamngheo.geo.models import AdminUnit
from giamngheo.registry import progress
from giamngheo.registry.audit import audit
from giamngheo.registry.imports.batch import require_manager
from giamngheo.registry.models import ImportBatch, ImportStatus, ReviewKind

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser


@transaction.atomic
def import_upload(
    *,
    actor: AnyUser,
    scope: AdminUnit,
    year: int,
    kind: str = ReviewKind.PERIODIC,
    file_name: str,
    content: bytes,
) -> ImportBatch:
    """Store the file and create a PENDING batch — or return the existing batch of the same
    file (same SHA-256) for the same unit, year and kind, unless that one failed."""
    require_manager(actor, scope)
    if kind not in ReviewKind.values:
        raise ValidationError(f"Loại rà soát không rõ / unknown review kind: {kind!r}")
    std = standard_for(year, "adhoc" if kind == ReviewKind.ADHOC else "periodic")
    digest = hashlib.sha256(content).hexdigest()
    same = (
        ImportBatch.objects.filter(sha256=digest, scope=scope, year=year, kind=kind)
        .exclude(status=ImportStatus.FAILED)
        .order_by("-pk")
        .first()
    )
    if same is not None:
        return same
    suffix = Path(file_name).suffix.lower()
    folder = progress.import_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        path.write_bytes(content)
    batch = ImportBatch.objects.create(
        file_name=Path(file_name).name[:255],
        sha256=digest,
        stored_path=str(path),
        scope=scope,
        year=year,
        kind=kind,
        standard_id=std.id,
        created_by_id=actor.pk if actor.is_authenticated else None,
    )
    audit(actor, "import_upload", batch, changes={"sha256": digest, "year": year})
    return batch
