"""Background jobs of the support app (django-tasks; run by ``giamngheo worker``).

The loan file's staging and commit run here: the pages only enqueue. ``stage_loans`` keeps the
batch's row counters moving as it goes, so the batch page shows progress; ``commit_loans``
writes in one transaction, and a refusal (the file was written already, rows with errors) is
kept on the batch (``summary["refused"]``) for the page to show. A write the database refuses
(a value its column cannot hold) is rolled back whole and kept as the batch's file error
(``write_failed``, the database's first line): the batch is staged again, not valid, and may be
checked again. Arguments are ids (JSON); the actor is loaded again in the worker and the
service checks its right again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django_tasks import task

from giamngheo.support.models import BatchStatus, LoanBatch
from giamngheo.support.services.loans import STAGED, loans_commit, loans_stage


def _actor(actor_id: int | None) -> Any:
    if actor_id is None:
        return AnonymousUser()
    return get_user_model().objects.get(pk=actor_id)


def _outcome(batch: LoanBatch) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "status": batch.status,
        "rows_total": batch.rows_total,
        "rows_valid": batch.rows_valid,
        "rows_invalid": batch.rows_invalid,
        "phase": (batch.summary or {}).get("phase", ""),
    }


@task()
def stage_loans(batch_id: int) -> dict[str, Any]:
    """Read and check every row of the loan file (progress on the batch's counters)."""
    return _outcome(loans_stage(LoanBatch.objects.get(pk=batch_id)))


@task()
def commit_loans(batch_id: int, actor_id: int | None) -> dict[str, Any]:
    """Write the loan file's rows in one transaction; a refusal is kept on the batch."""
    batch = LoanBatch.objects.get(pk=batch_id)
    if batch.status == BatchStatus.COMMITTED:  # a second click: nothing to do, nothing to say
        return _outcome(batch)
    try:
        return _outcome(loans_commit(_actor(actor_id), batch))
    except (ValidationError, PermissionDenied) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        batch.refresh_from_db()
        summary = {k: v for k, v in (batch.summary or {}).items() if k != "queued"}
        LoanBatch.objects.filter(pk=batch.pk).update(summary={**summary, "refused": message})
        batch.refresh_from_db()
        return _outcome(batch)
    except DatabaseError as exc:  # the write is rolled back: nothing of the file is written
        return _outcome(_write_failed(batch, exc))


def _write_failed(batch: LoanBatch, exc: DatabaseError) -> LoanBatch:
    """The batch staged again but not valid, with the database's reason as its file error."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    error = {
        "field": "",
        "code": "write_failed",
        "vi": f"Cơ sở dữ liệu không nhận dữ liệu của tệp, không ghi dòng nào: {first}",
        "en": f"the database refused the file's data, no row was written: {first}",
    }
    batch.refresh_from_db()
    summary = {k: v for k, v in (batch.summary or {}).items() if k not in ("queued", "refused")}
    LoanBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.INVALID, file_errors=[error], summary={**summary, "phase": STAGED}
    )
    batch.refresh_from_db()
    return batch
