"""The spreadsheet import as a second way into a commune's list: the officer picks a committed
review import of the campaign's year (``selectors.intake_batches``) and its households come
in as final surveys (``services.import_into_campaign``), to go through the meeting, posting,
complaints and decision like any other. 403 for one who may not prepare the commune, 400 with
the page and the reason when the service refuses."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giamngheo.reviews import access, selectors, services
from giamngheo.reviews.forms import IntakeForm
from giamngheo.reviews.views.common import refusals, review_or_404
from giamngheo.reviews.views.commune import act


@require_POST
@refusals
def import_intake(request: HttpRequest, pk: int) -> HttpResponse:
    r = review_or_404(request, pk)
    access.require_prepare(request.user, r.commune)
    done: list[services.Intake] = []
    response = act(
        request,
        r,
        form=IntakeForm(request.POST, batches=selectors.intake_batches(r)),
        key="intake",
        write=lambda r, d: done.append(
            services.import_into_campaign(actor=request.user, review=r, batch=d["batch"])
        ),
        message=_("Đã nhận kết quả điều tra từ tệp đã nhập."),
        anchor="#buoc-survey",
    )
    if done and done[0].kept:
        messages.warning(
            request,
            _(
                "Giữ nguyên phiếu đã có (đã điều tra trên web hoặc không qua Phiếu A) của "
                "%(n)s hộ: %(codes)s"
            )
            % {"n": len(done[0].kept), "codes": ", ".join(done[0].kept[:50])},
        )
    return response


urlpatterns = [
    path("xa/<int:pk>/nhan-tu-tep/", import_intake, name="import_intake"),
]
