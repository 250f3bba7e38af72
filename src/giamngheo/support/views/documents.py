"""The signed documents of support and money, downloaded as .pdf or .docx.

* ``support:project_handover`` (``du-an/<pk>/bien-ban-giao-nhan/``): the project's handover
  lists (danh sách hộ nhận hỗ trợ kiêm biên bản giao nhận), one per commune and day of
  delivery, the households the user may see. ``?format=pdf`` (default) or ``docx``;
  ``?ngay=dd/mm/yyyy`` one day, ``?xa=<commune id>`` one commune of the project,
  ``?tinh_trang=approved`` the approved supports not yet delivered (a list to sign at the
  coming delivery) instead of the delivered ones.

A project the user may not see, a commune the project does not cover, or nothing to list
answers 404; an unreadable parameter 400. Each download is one audit row
(``support_document``: the file's name and what it holds).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from giamngheo.core.documents import (
    batch_file_name,
    file_name,
    render_batch_docx,
    render_batch_pdf,
    render_docx,
    render_pdf,
)
from giamngheo.core.documents.model import Handover
from giamngheo.support.documents import handovers_of
from giamngheo.support.models import Project, SupportState
from giamngheo.support.selectors import projects as sel
from giamngheo.support.services.common import log
from giamngheo.support.views.common import refusals
from giamngheo.support.views.projects_forms import parse_day, to_int

TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def send_documents(request: HttpRequest, docs: list[Handover], about: Project) -> HttpResponse:
    """The documents as the file asked for (``?format=pdf|docx``; several in one file, each
    from a new page), recorded in the audit trail."""
    fmt = request.GET.get("format", "pdf")
    if fmt not in TYPES:
        return HttpResponseBadRequest("format=pdf|docx")
    if len(docs) == 1:
        data = render_pdf(docs[0]) if fmt == "pdf" else render_docx(docs[0])
        name = file_name(docs[0], fmt)
    else:
        data = render_batch_pdf(docs) if fmt == "pdf" else render_batch_docx(docs)
        name = batch_file_name(docs, fmt)
    log(
        request.user,
        "document",
        about,
        file=name,
        lists=[f"{d.commune} {d.delivered_on.isoformat()}" for d in docs],
        households=sum(d.households for d in docs),
        total=sum(d.total for d in docs),
    )
    response = HttpResponse(data, content_type=TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@refusals
def project_handover(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = sel.project_get(request.user, pk)
    except Project.DoesNotExist:
        raise Http404(_("Không có dự án này.")) from None
    q = request.GET
    day = parse_day(q["ngay"]) if q.get("ngay") else None
    if q.get("ngay") and day is None:
        return HttpResponseBadRequest(_("Ngày không hợp lệ (dd/mm/yyyy)."))
    commune = None
    if q.get("xa"):
        commune_id = to_int(q["xa"])
        if commune_id is None:
            return HttpResponseBadRequest(_("Mã xã không hợp lệ."))
        commune = project.communes.filter(pk=commune_id).first()
        if commune is None:
            raise Http404(_("Dự án không thực hiện ở xã này."))
    state = q.get("tinh_trang", "")
    if state not in ("", SupportState.DELIVERED, SupportState.APPROVED):
        return HttpResponseBadRequest("tinh_trang=delivered|approved")
    docs = handovers_of(
        request.user, project, day=day, commune=commune, approved=state == SupportState.APPROVED
    )
    if not docs:
        raise Http404(_("Không có hỗ trợ nào để lập danh sách giao nhận."))
    return send_documents(request, docs, project)


urlpatterns = [
    path("du-an/<int:pk>/bien-ban-giao-nhan/", project_handover, name="project_handover"),
]
