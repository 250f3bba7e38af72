"""Certificate batches made by the background worker (``reviews.tasks``): asking for one (POST,
from the decision on the commune page), its page with the progress (refreshing itself while
the worker runs) and the finished file, for the one who asked (404 for anyone else: the file
carries citizen IDs as its requester may see them). A decision of a commune the user cannot
see answers 404.

Small batches (``DIRECT_MAX`` certificates, a few seconds) are still sent straight from the
commune page (``views.commune.certificates_doc``)."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from giamngheo.accounts.access import can_view_national_id, unit_scope_q
from giamngheo.reviews.models import DocumentJob, JobStatus
from giamngheo.reviews.tasks import FORMATS, certificates_job
from giamngheo.reviews.views.common import TYPES, decision_or_404, record_document, refusals

#: A job still queued after this long: no worker seems to be running (said on the page).
STALE_SECONDS = 30
#: Up to this many certificates the commune page sends the file at once (about 4 s as PDF).
DIRECT_MAX = 30


def _job_or_404(request: HttpRequest, pk: int) -> DocumentJob:
    """Only the one who asked for the file sees it: it was made with their right to see
    citizen IDs, which another user of the commune may not have."""
    job = (
        DocumentJob.objects.filter(
            unit_scope_q(request.user, field="decision__review__commune"),
            pk=pk,
            created_by_id=request.user.pk,
        )
        .select_related("decision__review__commune", "decision__review__campaign")
        .first()
    )
    if job is None:
        raise Http404(_("Không có yêu cầu này."))
    return job


@require_POST
@refusals
def certificates_job_start(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_or_404(request, pk)
    fmt = request.POST.get("format", "pdf")
    if fmt not in FORMATS:
        return HttpResponseBadRequest("format=pdf|docx")
    job = certificates_job(
        actor=request.user,
        decision=decision,
        fmt=fmt,
        show_ids=can_view_national_id(request.user),
    )
    return redirect(reverse("reviews:job", args=[job.pk]))


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return render(
        request,
        "reviews/job_detail.html",
        {
            "job": job,
            "review": job.decision.review,
            "running": running,
            "percent": round(100 * job.done / job.total) if job.total else 0,
            "stale": job.status == JobStatus.QUEUED
            and (timezone.now() - job.created_at).total_seconds() > STALE_SECONDS,
        },
    )


@require_GET
def job_file(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_or_404(request, pk)
    stored = Path(job.stored_path) if job.stored_path else None
    if job.status != JobStatus.DONE or stored is None or not stored.exists():
        raise Http404(_("Tệp chưa sẵn sàng."))
    record_document(request, job.decision, job.file_name)
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=TYPES[job.fmt],
    )


urlpatterns = [
    path("quyet-dinh/<int:pk>/gcn-tao/", certificates_job_start, name="certificates_job"),
    path("tep/<int:pk>/", job_detail, name="job"),
    path("tep/<int:pk>/tai/", job_file, name="job_file"),
]
