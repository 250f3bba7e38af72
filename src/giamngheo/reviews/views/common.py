"""What the campaign and commune pages share: the bilingual refusal (403 with the reason,
nothing changed), the lookups that answer 404 outside the user's units, running a service and
turning its refusal into the page's message, and sending a generated document as .pdf or .docx.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from giamngheo.accounts.access import unit_scope_q
from giamngheo.core.documents import (
    batch_file_name,
    file_name,
    render_batch_docx,
    render_batch_pdf,
    render_docx,
    render_pdf,
)
from giamngheo.core.review.schedule import STATE_LABELS
from giamngheo.registry.audit import audit
from giamngheo.reviews import rules as review_rules
from giamngheo.reviews import selectors
from giamngheo.reviews.models import Campaign, CommuneReview, Complaint, Decision

View = Callable[..., HttpResponse]


def english() -> bool:
    return (get_language() or "vi").startswith("en")


def pick(vi: str, en: str) -> str:
    return en if english() else vi


def refused(request: HttpRequest, message: str, back: str = "") -> HttpResponse:
    """The 403 page with the bilingual reason (nothing was changed), and a way ``back``."""
    message = message or "Không có quyền / not allowed"
    return render(request, "reviews/refused.html", {"message": message, "back": back}, status=403)


def refusals(view: View) -> View:
    """A ``PermissionDenied`` answers 403 with its bilingual message."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return refused(request, str(exc))

    return wrapped


def campaign_or_404(request: HttpRequest, pk: int) -> Campaign:
    c = selectors.campaigns_visible(request.user).filter(pk=pk).first()
    if c is None:
        raise Http404(_("Không có đợt rà soát này."))
    return c


def review_or_404(request: HttpRequest, pk: int) -> CommuneReview:
    r = (
        CommuneReview.objects.filter(unit_scope_q(request.user, field="commune"), pk=pk)
        .select_related("campaign__unit", "commune__parent")
        .first()
    )
    if r is None:
        raise Http404(_("Không có xã này trong đợt rà soát."))
    return r


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def complaint_or_404(request: HttpRequest, pk: int) -> Complaint:
    c = (
        Complaint.objects.filter(unit_scope_q(request.user, field="review__commune"), pk=pk)
        .select_related("review__campaign__unit", "review__commune", "entry__household")
        .first()
    )
    if c is None:
        raise Http404(_("Không có khiếu nại này."))
    return c


def decision_or_404(request: HttpRequest, pk: int) -> Decision:
    d = (
        Decision.objects.filter(unit_scope_q(request.user, field="review__commune"), pk=pk)
        .select_related("review__campaign", "review__commune__parent")
        .first()
    )
    if d is None:
        raise Http404(_("Không có quyết định này."))
    return d


def record_document(request: HttpRequest, about: Model, name: str) -> None:
    """Who took which signed document, and when: one entry of the audit trail."""
    audit(request.user, "review_document", about, changes={"file": name})


def send_document(
    request: HttpRequest, docs: list[Any], *, about: Model, batch: bool = False
) -> HttpResponse:
    """The documents as the file asked for (``?format=pdf|docx``), recorded in the trail."""
    fmt = request.GET.get("format", "pdf")
    if fmt not in TYPES:
        return HttpResponseBadRequest("format=pdf|docx")
    if batch:
        data = render_batch_pdf(docs) if fmt == "pdf" else render_batch_docx(docs)
        name = batch_file_name(docs, fmt)
    else:
        data = render_pdf(docs[0]) if fmt == "pdf" else render_docx(docs[0])
        name = file_name(docs[0], fmt)
    record_document(request, about, name)
    response = HttpResponse(data, content_type=TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def error_text(exc: ValidationError) -> str:
    return "; ".join(str(m) for m in exc.messages)


def attempt(write: Callable[[], object]) -> str:
    """Run a service; the refusal's message ("" when it wrote)."""
    try:
        write()
    except ValidationError as exc:
        return error_text(exc)
    return ""


def form_errors(form: forms.Form) -> str:
    return "; ".join(
        f"{form.fields[k].label}: {' '.join(map(str, v))}"
        if k in form.fields
        else " ".join(map(str, v))
        for k, v in form.errors.items()
    )


def step_names(rules: review_rules.ReviewRules) -> dict[str, str]:
    return {s.key: pick(s.name_vi, s.name_en) for s in rules.steps}


def state_label(state: str) -> str:
    if state == "open":
        return _("Chưa đặt hạn")
    vi, en = STATE_LABELS[state]  # type: ignore[index]
    return pick(vi, en)
