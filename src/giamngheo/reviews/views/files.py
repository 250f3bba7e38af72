"""The files of a commune's review: its list as .xlsx and its signed documents (minutes,
posting lists, recognition decision, certificates) as .pdf or .docx (``?format=``), filled
from the rows on request (``reviews.documents``) and each download recorded in the audit
trail. 404 for a commune the user cannot see; a decision with more certificates than
``jobs.DIRECT_MAX`` sends the user to the background batch (``views.jobs``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from giamngheo.accounts.access import can_view_national_id, unit_scope_q
from giamngheo.reviews import documents, selectors
from giamngheo.reviews.exports import list_xlsx
from giamngheo.reviews.models import Meeting
from giamngheo.reviews.views import jobs
from giamngheo.reviews.views.common import XLSX, decision_or_404, review_or_404, send_document


@require_GET
def commune_list_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    r = review_or_404(request, pk)
    response = HttpResponse(list_xlsx(r), content_type=XLSX)
    name = f"danh-sach-ra-soat-{r.campaign.year}-{r.commune.code or r.commune.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def minutes_doc(request: HttpRequest, pk: int) -> HttpResponse:
    m = (
        Meeting.objects.filter(unit_scope_q(request.user, field="review__commune"), pk=pk)
        .select_related("review__campaign", "review__commune__parent", "village")
        .first()
    )
    if m is None:
        raise Http404(_("Không có biên bản này."))
    return send_document(request, [documents.minutes_of(m)], about=m)


@require_GET
def posting_doc(request: HttpRequest, pk: int, village: int | None = None) -> HttpResponse:
    r = review_or_404(request, pk)
    if r.posting_start is None:
        raise Http404(_("Danh sách chưa niêm yết."))
    unit = None
    if village is not None:
        unit = selectors.listed_villages(r).filter(pk=village).first()
        if unit is None:
            raise Http404(_("Không có thôn này trong danh sách."))
    return send_document(request, [documents.posting_lists_of(r, unit)], about=r)


@require_GET
def decision_doc(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_or_404(request, pk)
    return send_document(request, [documents.decision_of(decision)], about=decision)


@require_GET
def certificates_doc(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_or_404(request, pk)
    certs = documents.certificates_of(decision, show_ids=can_view_national_id(request.user))
    if not certs:
        raise Http404(_("Quyết định không công nhận hộ nghèo, hộ cận nghèo nào."))
    if len(certs) > jobs.DIRECT_MAX:  # a minute of work: the background worker makes it
        messages.info(request, _("Nhiều giấy chứng nhận: hãy tạo trong nền."))
        return redirect(reverse("reviews:commune", args=[decision.review_id]) + "#buoc-decision")
    return send_document(request, list(certs), about=decision, batch=True)


urlpatterns = [
    path("xa/<int:pk>/danh-sach.xlsx", commune_list_xlsx, name="commune_list_xlsx"),
    path("xa/<int:pk>/niem-yet/danh-sach/", posting_doc, name="posting_doc"),
    path("xa/<int:pk>/niem-yet/thon/<int:village>/", posting_doc, name="posting_village_doc"),
    path("hop-dan/<int:pk>/bien-ban/", minutes_doc, name="minutes_doc"),
    path("quyet-dinh/<int:pk>/van-ban/", decision_doc, name="decision_doc"),
    path("quyet-dinh/<int:pk>/giay-chung-nhan/", certificates_doc, name="certificates_doc"),
]
