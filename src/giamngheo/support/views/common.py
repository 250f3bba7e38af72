"""What the support pages share: the language, the bilingual 403 (nothing changed), running a
service and turning its refusal into the page's message, and sending an .xlsx."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

View = Callable[..., HttpResponse]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def english() -> bool:
    return (get_language() or "vi").startswith("en")


def lang() -> str:
    return "en" if english() else "vi"


def pick(vi: str, en: str) -> str:
    return en if english() else vi


def refused(request: HttpRequest, message: str, back: str = "") -> HttpResponse:
    """The 403 page with the bilingual reason (nothing was changed), and a way ``back``."""
    message = message or "Không có quyền / not allowed"
    return render(request, "support/refused.html", {"message": message, "back": back}, status=403)


def refusals(view: View) -> View:
    """A ``PermissionDenied`` answers 403 with its bilingual message."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return refused(request, str(exc))

    return wrapped


def error_text(exc: ValidationError) -> str:
    return "; ".join(str(m) for m in exc.messages)


def attempt(write: Callable[[], object]) -> str:
    """Run a service; "" when it wrote, else its bilingual refusal (a ``ValidationError``:
    the page shows it beside the form, status 400 by the caller)."""
    try:
        write()
    except ValidationError as exc:
        return error_text(exc)
    return ""


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
