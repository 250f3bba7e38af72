"""The list of administrative units a user can see (``geo:list``, ``/don-vi/``): a tree with
codes, kinds, areas, validity periods and successions, and a search box that ignores diacritics.

It lives in the web layer because it combines ``geo`` with the access rules of ``accounts``
(``geo`` may not import ``accounts``). The template is ``geo/unit_list.html`` in the geo app."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from giamngheo.accounts.access import user_unit, visible_units
from giamngheo.core.text import fold, unit_name_key
from giamngheo.geo.models import AdminUnit, Succession

#: Above this many rows the tree shows one level at a time (with links to go down).
MAX_TREE_ROWS = 600
MAX_SEARCH_ROWS = 200


@dataclass
class Row:
    unit: AdminUnit
    depth: int
    child_count: int = 0
    successors: list[Succession] = field(default_factory=list)
    predecessors: list[Succession] = field(default_factory=list)
    ancestors: list[AdminUnit] = field(default_factory=list)


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _attach_successions(rows: list[Row]) -> None:
    by_pk = {r.unit.pk: r for r in rows}
    if not by_pk:
        return
    links = Succession.objects.filter(
        Q(predecessor_id__in=by_pk) | Q(successor_id__in=by_pk)
    ).select_related("predecessor", "successor")
    for link in links:
        if link.predecessor_id in by_pk:
            by_pk[link.predecessor_id].successors.append(link)
        if link.successor_id in by_pk:
            by_pk[link.successor_id].predecessors.append(link)


def _sort_key(u: AdminUnit) -> tuple[str, str, dt.date, str]:
    return (u.level, u.code or "~", u.valid_from or dt.date.min, u.name_key)


def _full_tree(units: list[AdminUnit]) -> list[Row]:
    pks = {u.pk for u in units}
    children: dict[int | None, list[AdminUnit]] = defaultdict(list)
    for u in units:
        # A unit whose parent is outside the list is a root of the tree shown.
        children[u.parent_id if u.parent_id in pks else None].append(u)
    for kids in children.values():
        kids.sort(key=_sort_key)
    rows: list[Row] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in children.get(parent, []):
            rows.append(Row(u, depth, child_count=len(children.get(u.pk, []))))
            walk(u.pk, depth + 1)

    walk(None, 0)
    return rows


def unit_list(request: HttpRequest) -> HttpResponse:
    visible = visible_units(request.user)
    query = request.GET.get("q", "").strip()
    on_text = request.GET.get("ngay", "").strip()
    on = _parse_date(on_text) if on_text else None
    if on is not None:
        visible = visible.valid_on(on)
    root: AdminUnit | None = None
    root_pk = request.GET.get("goc", "")
    if root_pk.isdigit():
        root = visible.filter(pk=int(root_pk)).first()

    rows: list[Row] = []
    truncated = False
    if query:
        key, folded = unit_name_key(query), fold(query)
        found = visible.filter(
            Q(name_key__contains=key) | Q(code__startswith=folded)
        ).select_related("parent__parent__parent")
        total = found.count()
        units = sorted(found[: MAX_SEARCH_ROWS + 1], key=_sort_key)
        truncated = len(units) > MAX_SEARCH_ROWS
        rows = [Row(u, 0, ancestors=u.ancestors()) for u in units[:MAX_SEARCH_ROWS]]
    else:
        scope = visible.descendants_of(root) if root is not None else visible
        total = scope.count()
        if total <= MAX_TREE_ROWS:
            rows = _full_tree(list(scope))
        else:
            # Too long for one page: the top of the tree only, with links to go down.
            truncated = True
            children_q = Q(children__in=visible.values("pk"))
            counted = visible.annotate(n_children=Count("children", filter=children_q))
            if root is not None:
                top = [counted.get(pk=root.pk)]
                below = sorted(counted.filter(parent=root), key=_sort_key)
            else:
                # Roots: visible units whose parent is not visible.
                top = sorted(counted.exclude(parent__in=visible.values("pk")), key=_sort_key)
                below = []
            for u in top:
                rows.append(Row(u, 0, child_count=u.n_children))  # type: ignore[attr-defined]
            rows += [Row(u, 1, child_count=u.n_children) for u in below]  # type: ignore[attr-defined]
    _attach_successions(rows)
    context = {
        "rows": rows,
        "query": query,
        "on": on,
        "on_text": on.isoformat() if on else "",
        "bad_date": bool(on_text) and on is None,
        "root": root,
        "root_ancestors": list(reversed(root.ancestors())) if root is not None else [],
        "total": total,
        "truncated": truncated,
        "max_rows": MAX_SEARCH_ROWS if query else MAX_TREE_ROWS,
        "my_unit": user_unit(request.user),
    }
    return render(request, "geo/unit_list.html", context)
