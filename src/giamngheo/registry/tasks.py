"""Background tasks of the registry (django-tasks; run by ``giamngheo worker``).

The web app only enqueues: ``validate_import`` and ``commit_import`` wrap the staged import's
``import_validate`` / ``import_commit``, which keep the batch's status and progress counters
(``done`` / ``total``) up to date as they go, so the batch page can show progress. Arguments are
ids (JSON); the actor is loaded again in the worker and the services check their rights again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django_tasks import TaskResult, task

from giamngheo.computed.tasks import stored_result as _stored_result
from giamngheo.registry.imports import import_commit, import_validate
from giamngheo.registry.models import ImportBatch, ImportStatus

#: Statuses in which a batch is being worked on: validation is not started again then.
BUSY = frozenset({ImportStatus.VALIDATING, ImportStatus.COMMITTING, ImportStatus.COMMITTED})


def _actor(actor_id: int | None) -> Any:
    if actor_id is None:
        return AnonymousUser()
    return get_user_model().objects.get(pk=actor_id)


def _outcome(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "status": batch.status,
        "done": batch.done,
        "total": batch.total,
        "households_valid": batch.households_valid,
        "households_invalid": batch.households_invalid,
        "members_valid": batch.members_valid,
        "members_invalid": batch.members_invalid,
        "summary": batch.summary,
    }


@task()
def validate_import(batch_id: int, actor_id: int | None) -> dict[str, Any]:
    """Read and check every row of the batch (progress on the batch)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status in BUSY:
        return _outcome(batch)
    return _outcome(import_validate(batch=batch, actor=_actor(actor_id)))


@task()
def commit_import(batch_id: int, actor_id: int | None) -> dict[str, Any]:
    """Write the batch's valid rows in one transaction."""
    return _outcome(import_commit(batch=batch_id, actor=_actor(actor_id)))


def task_result(result_id: str, batch_id: int) -> TaskResult[Any] | None:
    """The result of an import task of this module about ``batch_id``."""
    result = _stored_result(result_id)
    if result is None:
        return None
    if result.task.module_path not in {validate_import.module_path, commit_import.module_path}:
        return None
    if not result.args or result.args[0] != batch_id:
        return None
    return result
