"""The National Target Programme's structure per period, read-only, for everyone logged in.

* ``support:programmes`` (``chuong-trinh/``): the three periods (``core.support.programme``'s
  data files), the one in force in the current year first, then the newest first;
* ``support:programme`` (``chuong-trinh/<id>/``): one period's tree (programme → component →
  project → sub-project → activity) as one table: code, level, name, legal basis, owning
  ministry, the support types it can fund (labels of the catalog), and every provisional mark
  with its note, visibly marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from giamngheo.core.numbers import Lang
from giamngheo.core.standards.model import LegalBasis, Note
from giamngheo.core.support.catalog import load_catalog
from giamngheo.core.support.programme import Node, Programme, load_programmes
from giamngheo.support.selectors.facts import today
from giamngheo.support.views.common import english

LEVELS = {
    "programme": gettext_lazy("Chương trình"),
    "component": gettext_lazy("Hợp phần"),
    "project": gettext_lazy("Dự án"),
    "subproject": gettext_lazy("Tiểu dự án"),
    "activity": gettext_lazy("Hoạt động"),
}


@dataclass(frozen=True)
class Basis:
    instrument: str
    signed: str  # dd/mm/yyyy or ""
    note: str


@dataclass(frozen=True)
class Row:
    """One node of the tree as the page shows it."""

    code: str
    depth: int
    level: str
    name: str
    basis: Basis | None
    owner: str
    funds: list[str]  # the labels of the types the node lists itself
    inherited: list[str]  # nothing of its own: what its descendants fund
    provisional: bool
    confidence: str
    note: str


def lang() -> Lang:
    return "en" if english() else "vi"


def _note(note: Note | None) -> str:
    if note is None:
        return ""
    return note.en if lang() == "en" else note.vi


def _date(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if len(iso) == 10 else ""


def _basis(basis: LegalBasis | None) -> Basis | None:
    if basis is None:
        return None
    return Basis(basis.instrument, _date(basis.signed), _note(basis.note))


def _row(prog: Programme, node: Node) -> Row:
    catalog, language = load_catalog(), lang()

    def labels(codes: frozenset[str]) -> list[str]:
        order = catalog.codes
        known = sorted((c for c in codes if c in catalog), key=order.index)
        return [catalog.get(c).label(language) for c in known]

    return Row(
        code=node.code,
        depth=node.depth,
        level=str(LEVELS[node.level]),
        name=node.label(language),
        basis=_basis(node.legal_basis),
        owner=prog.owner(node.code).label(language),
        funds=labels(node.support_types),
        inherited=[] if node.support_types else labels(prog.funds(node.code)),
        provisional=node.provisional,
        confidence=node.confidence or "",
        note=_note(node.note),
    )


def ordered(programmes: list[Programme], year: int) -> list[Programme]:
    """The programme in force in ``year`` first, then the others, newest first."""
    return sorted(programmes, key=lambda p: (not p.contains(year), -p.period[0]))


@require_GET
def programme_list_view(request: HttpRequest) -> HttpResponse:
    year = today().year
    programmes = ordered(list(load_programmes().values()), year)
    language = lang()
    items = [
        {
            "programme": p,
            "name": p.label(language),
            "basis": _basis(p.legal_basis),
            "owners": [o.label(language) for o in p.owners],
            "current": p.contains(year),
            "note": _note(p.note),
            "nodes": sum(1 for _ in p.walk()),
        }
        for p in programmes
    ]
    return render(request, "support/programme_list.html", {"items": items, "year": year})


@require_GET
def programme_view(request: HttpRequest, programme_id: str) -> HttpResponse:
    prog = load_programmes().get(programme_id)
    if prog is None:
        raise Http404(_("Không có chương trình này."))
    language = lang()
    context = {
        "programme": prog,
        "name": prog.label(language),
        "basis": _basis(prog.legal_basis),
        "owners": [o.label(language) for o in prog.owners],
        "note": _note(prog.note),
        "current": prog.contains(today().year),
        "rows": [_row(prog, n) for n in prog.walk()],
    }
    return render(request, "support/programme_detail.html", context)


urlpatterns = [
    path("chuong-trinh/", programme_list_view, name="programmes"),
    path("chuong-trinh/<str:programme_id>/", programme_view, name="programme"),
]
