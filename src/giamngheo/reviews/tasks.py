"""Background work of the review process (django-tasks; run by ``giamngheo worker``): a batch of
certificates, one recognised household a page. A commune of hundreds of poor and near-poor
households takes about a minute to print (0,12 s a certificate as PDF, ``bench/documents.py``),
which no page should wait for: the page asks for a ``DocumentJob`` and shows its progress, the
worker fills it and stores the file under ``DATA_DIR/documents/``.

Arguments are ids (JSON). The rights were checked when the job was asked for (the decision
is in the requester's units; ``show_ids`` is the requester's right to see citizen IDs).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from giamngheo.core.documents import batch_file_name, render_batch_docx, render_batch_pdf
from giamngheo.reviews.documents import certificates_of
from giamngheo.reviews.models import Decision, DocumentJob, JobStatus
from giamngheo.reviews.services.common import log

__all__ = ["FORMATS", "certificates_job", "job_folder", "make_certificates"]

logger = logging.getLogger(__name__)
FORMATS = ("pdf", "docx")
#: Progress is written every this many certificates (one small UPDATE each time).
STEP = 10


def job_folder() -> Path:
    """Where the worker stores the finished batches (shared with the web app)."""
    return Path(getattr(settings, "DATA_DIR", Path.cwd() / "data")) / "documents"


def certificates_job(*, actor: Any, decision: Decision, fmt: str, show_ids: bool) -> DocumentJob:
    """Ask the worker for the decision's certificates in one file (audited)."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}")
    with transaction.atomic():
        job = DocumentJob.objects.create(
            decision=decision,
            fmt=fmt,
            show_ids=show_ids,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log(actor, "certificates_batch", decision, job=job.pk, format=fmt)
        # In the same transaction: the database task backend commits the job and its task
        # together, so the worker never sees one without the other.
        make_certificates.enqueue(job.pk)
    job.refresh_from_db()  # an inline backend (tests) has already run it
    return job


def _outcome(job: DocumentJob) -> dict[str, Any]:
    return {"job": job.pk, "status": job.status, "done": job.done, "total": job.total}


@task()
def make_certificates(job_id: int) -> dict[str, Any]:
    """Fill every certificate of the job's decision and store them as one file."""
    job = DocumentJob.objects.select_related("decision__review").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return _outcome(job)
    certs = certificates_of(job.decision, show_ids=job.show_ids)
    total = len(certs) + 1  # the last step: drawing the PDF, or putting the Word file together
    DocumentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, total=total, done=0)

    def progress(done: int) -> None:
        if done % STEP == 0:
            DocumentJob.objects.filter(pk=job.pk).update(done=done)

    try:
        if not certs:
            raise ValueError(
                "Quyết định không công nhận hộ nghèo, hộ cận nghèo nào / "
                "the decision recognises no poor or near-poor household"
            )
        render = render_batch_pdf if job.fmt == "pdf" else render_batch_docx
        data = render(certs, progress=progress)
        folder = job_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{job.pk}.{job.fmt}"
        path.write_bytes(data)
    except Exception as exc:  # any failure is recorded on the job, for the page
        logger.exception("certificates job %s failed", job.pk)
        DocumentJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
    else:
        DocumentJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            done=total,
            file_name=batch_file_name(certs, job.fmt),
            stored_path=str(path),
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return _outcome(job)
