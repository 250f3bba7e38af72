"""What the steps of an import share: the chunk size, the access check, loading the batch,
and pausing the cyclic garbage collector for a big job."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from giamngheo.accounts.access import can_manage_unit
from giamngheo.geo.models import AdminUnit
from giamngheo.registry.models import ImportBatch

if TYPE_CHECKING:
    from giamngheo.registry.audit import AnyUser

#: Rows checked, staged or committed per short transaction.
CHUNK = 2000


def require_manager(actor: AnyUser, unit: AdminUnit) -> None:
    """``PermissionDenied`` unless the actor may import data for ``unit``."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(
            f"Không có quyền nhập dữ liệu cho {unit} / no permission to import data for {unit}"
        )


def load_batch(batch: ImportBatch | int) -> ImportBatch:
    """The batch as stored now, with its scope."""
    return ImportBatch.objects.select_related("scope").get(
        pk=batch if isinstance(batch, int) else batch.pk
    )


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: with ~10^5 live objects of an import, its full
    collections re-scan them all again and again (a quarter of the run). Reference counting
    still frees everything acyclic; one collection runs at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()
