"""The National Target Programme's structure per period, as versioned data in one generic tree.

Each period's programme (QĐ 1722/QĐ-TTg for 2016–2020, QĐ 90/QĐ-TTg for 2021–2025, the merged
QĐ 417/QĐ-BNNMT programme for 2026–2035) is a file ``data/programme-<id>.json`` holding a tree
programme → component → project → sub-project → activity. A period may skip levels (2016–2020
and 2021–2025 have no component level). Each node lists the support types it can fund (codes of
the catalog, :mod:`giamngheo.core.support.catalog`) and its owning ministry (inherited from the
parent; a top node without one belongs to the programme's first owner, the lead ministry).

Codes are stable dotted paths (``DA1``, ``DA1.TDA3``, ``TP1.HOUSING``): support records refer to
them, so a published correction keeps the code and changes the name. Structures the domain notes
hold with low confidence, and the 2026 placeholders, are marked ``provisional`` with a note.

What a node funds (:meth:`Programme.can_fund`): the types it lists itself; a node that lists none
(a project whose sub-projects carry the lists) funds what its descendants fund, so a report at
project level sees the sub-projects' support. Types are never inherited downwards: the
infrastructure sub-project of Programme 30a does not fund breeding cows because 30a does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, get_args

from giamngheo.core.numbers import Lang
from giamngheo.core.standards.model import LegalBasis, Note
from giamngheo.core.support.catalog import (
    DATA_DIR,
    Catalog,
    Confidence,
    Reader,
    SupportDataError,
    at,
    check_schema,
    load_catalog,
    read_json,
)

Level = Literal["programme", "component", "project", "subproject", "activity"]
LEVELS: tuple[Level, ...] = get_args(Level)
FILE_GLOB = "programme-*.json"

_SEGMENT = re.compile(r"[A-Z][A-Z0-9_]*")
_OWNER = re.compile(r"[A-Z][A-Z0-9_]*")
_TOP_KEYS = frozenset(
    {
        "schema",
        "id",
        "name_vi",
        "name_en",
        "period",
        "legal_basis",
        "provisional",
        "note_vi",
        "note_en",
        "owners",
        "nodes",
    }
)
_NODE_KEYS = frozenset(
    {
        "code",
        "level",
        "name_vi",
        "name_en",
        "legal_basis",
        "owner",
        "support_types",
        "provisional",
        "confidence",
        "note_vi",
        "note_en",
        "children",
    }
)


class ProgrammeError(SupportDataError):
    """A programme file is malformed; the message names the file and the JSON path."""


class UnknownProgramme(LookupError):
    """No programme with that id, or none whose period contains the year."""


class UnknownNode(LookupError):
    """No node with that code in the programme."""


@dataclass(frozen=True)
class Owner:
    """A ministry owning (part of) a programme."""

    code: str  # e.g. "MOLISA", "MAE"
    name_vi: str
    name_en: str

    def label(self, lang: Lang = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class Node:
    """One component, project, sub-project or activity.

    ``owner`` is resolved (inherited when the file gives none). ``support_types`` is the node's
    own list. ``parent`` is the parent's code, None for a top node; ``depth`` is 1 for a top
    node (the programme itself is depth 0). ``legal_basis`` is the node's own, if any.
    """

    code: str
    level: Level
    name_vi: str
    name_en: str
    owner: str
    support_types: frozenset[str] = frozenset()
    legal_basis: LegalBasis | None = None
    provisional: bool = False
    confidence: Confidence | None = None
    note: Note | None = None
    children: tuple[Node, ...] = ()
    parent: str | None = None
    depth: int = 1

    def label(self, lang: Lang = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    @property
    def is_leaf(self) -> bool:
        return not self.children


def _walk(nodes: tuple[Node, ...]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


@dataclass(frozen=True)
class Programme:
    """One period's programme: its legal basis, owners and tree of nodes."""

    id: str
    name_vi: str
    name_en: str
    period: tuple[int, int]  # first and last year, inclusive
    legal_basis: LegalBasis
    owners: tuple[Owner, ...]
    nodes: tuple[Node, ...]  # the top nodes
    provisional: bool = False
    note: Note | None = None
    source: str = ""
    _index: Mapping[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {n.code: n for n in _walk(self.nodes)})

    def label(self, lang: Lang = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def contains(self, year: int) -> bool:
        return self.period[0] <= year <= self.period[1]

    def walk(self) -> Iterator[Node]:
        """Every node, pre-order (a node before its children, children in file order)."""
        return _walk(self.nodes)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def node(self, code: str) -> Node:
        """The node with this code.

        Raises:
            UnknownNode: the programme has no such node.
        """
        try:
            return self._index[code]
        except KeyError:
            raise UnknownNode(
                f"Chương trình {self.id} không có hạng mục {code!r} / "
                f"programme {self.id} has no node {code!r}"
            ) from None

    def path(self, code: str) -> tuple[Node, ...]:
        """The nodes from the top node down to ``code`` (inclusive)."""
        node = self.node(code)
        out = [node]
        while node.parent is not None:
            node = self._index[node.parent]
            out.append(node)
        return tuple(reversed(out))

    def owner(self, code: str) -> Owner:
        """The ministry owning node ``code``."""
        wanted = self.node(code).owner
        return next(o for o in self.owners if o.code == wanted)

    def funds(self, code: str) -> frozenset[str]:
        """The support types node ``code`` funds: its own list, or its descendants' union."""
        node = self.node(code)
        if node.support_types or not node.children:
            return node.support_types
        return frozenset().union(*(self.funds(c.code) for c in node.children))

    def can_fund(self, code: str, support_type: str) -> bool:
        """True when node ``code`` funds ``support_type`` (see :meth:`funds`)."""
        return support_type in self.funds(code)

    def nodes_funding(self, support_type: str) -> tuple[Node, ...]:
        """The nodes that list ``support_type`` themselves, pre-order."""
        return tuple(n for n in self.walk() if support_type in n.support_types)

    def is_provisional(self, code: str) -> bool:
        """True when the programme or any node on the path to ``code`` is provisional."""
        return self.provisional or any(n.provisional for n in self.path(code))

    def legal_basis_of(self, code: str) -> LegalBasis:
        """The nearest legal basis on the path to ``code``, else the programme's."""
        for node in reversed(self.path(code)):
            if node.legal_basis is not None:
                return node.legal_basis
        return self.legal_basis


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Parent:
    code: str | None
    level: int  # index into LEVELS
    owner: str
    depth: int


class _ProgrammeReader:
    def __init__(self, source: str, catalog: Catalog, owners: frozenset[str]) -> None:
        self.r = Reader(source, ProgrammeError)
        self.catalog = catalog
        self.owners = owners
        self.seen: dict[str, str] = {}  # code -> where first seen

    def nodes(self, d: Mapping[str, Any], where: str, parent: _Parent) -> tuple[Node, ...]:
        key = "nodes" if parent.code is None else "children"
        raws = self.r.objects(d, key, where)
        return tuple(self.node(raw, f"{at(where, key)}[{n}]", parent) for n, raw in enumerate(raws))

    def node(self, d: Mapping[str, Any], where: str, parent: _Parent) -> Node:
        r = self.r
        r.keys(d, where, _NODE_KEYS, frozenset({"code", "level", "name_vi", "name_en"}))
        code = self.code(d, where, parent)
        level: Level = r.choice(d, "level", where, LEVELS[1:])
        if LEVELS.index(level) <= parent.level:
            above = LEVELS[parent.level]
            raise r.fail(
                at(where, "level"),
                f"cấp {level!r} không thể nằm dưới cấp {above!r}",
                f"level {level!r} cannot sit below level {above!r}",
            )
        owner = d.get("owner", parent.owner)
        if owner not in self.owners:
            raise r.fail(
                at(where, "owner"),
                f"cơ quan chủ quản {owner!r} chưa khai báo trong owners",
                f"owner {owner!r} is not declared in owners",
            )
        note = r.note(d, where)
        provisional = r.provisional(d, where, note)
        legal = d.get("legal_basis")
        here = _Parent(code, LEVELS.index(level), owner, parent.depth + 1)
        return Node(
            code=code,
            level=level,
            name_vi=r.text(d, "name_vi", where),
            name_en=r.text(d, "name_en", where),
            owner=owner,
            support_types=self.support_types(d, where),
            legal_basis=None if legal is None else r.legal_basis(legal, at(where, "legal_basis")),
            provisional=provisional,
            confidence=r.confidence(d, where, provisional),
            note=note,
            children=self.nodes(d, where, here),
            parent=parent.code,
            depth=here.depth,
        )

    def code(self, d: Mapping[str, Any], where: str, parent: _Parent) -> str:
        r = self.r
        code = r.text(d, "code", where)
        prefix = "" if parent.code is None else parent.code + "."
        if not code.startswith(prefix) or not _SEGMENT.fullmatch(code[len(prefix) :]):
            expected = f"{prefix}<X>" if prefix else "<X>"
            raise r.fail(
                at(where, "code"),
                f"mã {code!r} cần có dạng {expected}, X gồm chữ hoa, số, gạch dưới",
                f"code {code!r} must read {expected}, X of capitals, digits, underscores",
            )
        if code in self.seen:
            raise r.fail(
                at(where, "code"),
                f"mã {code!r} trùng với {self.seen[code]}",
                f"code {code!r} duplicates {self.seen[code]}",
            )
        self.seen[code] = where
        return code

    def support_types(self, d: Mapping[str, Any], where: str) -> frozenset[str]:
        codes = self.r.texts(d, "support_types", where)
        for n, code in enumerate(codes):
            if code not in self.catalog:
                raise self.r.fail(
                    f"{at(where, 'support_types')}[{n}]",
                    f"loại hỗ trợ {code!r} không có trong danh mục",
                    f"support type {code!r} is not in the catalog",
                )
        return frozenset(codes)


def _owners(r: Reader, data: Mapping[str, Any]) -> tuple[Owner, ...]:
    owners: list[Owner] = []
    for n, d in enumerate(r.objects(data, "owners", "")):
        where = f"owners[{n}]"
        r.keys(d, where, frozenset({"code", "name_vi", "name_en"}), frozenset({"code"}))
        code = r.text(d, "code", where)
        if not _OWNER.fullmatch(code) or any(o.code == code for o in owners):
            raise r.fail(
                at(where, "code"),
                f"mã cơ quan {code!r} không hợp lệ hoặc bị trùng",
                f"owner code {code!r} is invalid or a duplicate",
            )
        owners.append(Owner(code, r.text(d, "name_vi", where), r.text(d, "name_en", where)))
    if not owners:
        raise r.fail("owners", "cần ít nhất một cơ quan chủ quản", "at least one owner is needed")
    return tuple(owners)


def _period(r: Reader, data: Mapping[str, Any]) -> tuple[int, int]:
    p = data.get("period")
    if (
        not isinstance(p, list)
        or len(p) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) and 1990 <= y <= 2100 for y in p)
        or p[0] > p[1]
    ):
        raise r.fail("period", "cần [năm đầu, năm cuối]", "expected [first year, last year]")
    return (p[0], p[1])


def programme_from_dict(
    data: Mapping[str, Any], *, source: str = "", catalog: Catalog | None = None
) -> Programme:
    """Build a programme from its data (the structure of a ``programme-*.json`` file).

    Raises:
        ProgrammeError: an unknown key, a duplicate code, a child code not prefixed by its
            parent's, an unknown level or one out of order, a support type not in the catalog,
            an undeclared owner, or a missing or mistyped value.
    """
    r = Reader(source or str(data.get("id", "?")), ProgrammeError)
    check_schema(r, data)
    r.keys(
        data,
        "",
        _TOP_KEYS,
        frozenset({"id", "name_vi", "name_en", "period", "legal_basis", "owners", "nodes"}),
    )
    owners = _owners(r, data)
    note = r.note(data, "")
    reader = _ProgrammeReader(
        r.source, catalog or load_catalog(), frozenset(o.code for o in owners)
    )
    nodes = reader.nodes(data, "", _Parent(None, 0, owners[0].code, 0))
    if not nodes:
        raise r.fail("nodes", "chương trình không có hạng mục nào", "the programme has no node")
    return Programme(
        id=r.text(data, "id", ""),
        name_vi=r.text(data, "name_vi", ""),
        name_en=r.text(data, "name_en", ""),
        period=_period(r, data),
        legal_basis=r.legal_basis(data.get("legal_basis"), "legal_basis"),
        owners=owners,
        nodes=nodes,
        provisional=r.provisional(data, "", note),
        note=note,
        source=r.source,
    )


def read_programme(path: str | Path, *, catalog: Catalog | None = None) -> Programme:
    """The programme in a JSON file (strict: see :func:`programme_from_dict`)."""
    p = Path(path)
    return programme_from_dict(read_json(p, ProgrammeError), source=p.name, catalog=catalog)


def read_programmes(directory: Path, *, catalog: Catalog | None = None) -> dict[str, Programme]:
    """Every ``programme-*.json`` in ``directory`` by id, oldest period first.

    Raises:
        ProgrammeError: a file is malformed, its name is not ``programme-<id>.json``, or two
            programmes' periods overlap (a year must select one programme).
    """
    found: list[Programme] = []
    for path in sorted(directory.glob(FILE_GLOB)):
        prog = read_programme(path, catalog=catalog)
        if path.name != f"programme-{prog.id}.json":
            raise ProgrammeError(
                f"{path.name}: id: tên tệp phải là programme-{prog.id}.json / "
                f"the file must be named programme-{prog.id}.json"
            )
        found.append(prog)
    found.sort(key=lambda p: p.period)
    for before, after in pairwise(found):
        if after.period[0] <= before.period[1]:
            raise ProgrammeError(
                f"{after.source}: period: giai đoạn trùng với {before.id} / "
                f"the period overlaps {before.id}'s"
            )
    return {p.id: p for p in found}


@cache
def _load() -> Mapping[str, Programme]:
    return read_programmes(DATA_DIR)


def load_programmes() -> dict[str, Programme]:
    """The application's programmes (``data/programme-*.json``, read once), by id, oldest first.

    Each call returns a new dict over the same cached programmes.
    """
    return dict(_load())


def programme_by_id(programme_id: str) -> Programme:
    """The programme with this id (e.g. ``QD90-2022``).

    Raises:
        UnknownProgramme: no such programme.
    """
    programmes = _load()
    if programme_id not in programmes:
        known = ", ".join(programmes)
        raise UnknownProgramme(
            f"Không có chương trình {programme_id!r} (có: {known}) / "
            f"no programme {programme_id!r} (known: {known})"
        )
    return programmes[programme_id]


def programme_for_year(year: int) -> Programme:
    """The programme whose period contains ``year``.

    Raises:
        UnknownProgramme: no programme covers that year.
    """
    for prog in _load().values():
        if prog.contains(year):
            return prog
    spans = ", ".join(f"{p.period[0]}–{p.period[1]}" for p in _load().values())
    raise UnknownProgramme(
        f"Không có chương trình mục tiêu quốc gia cho năm {year} (có: {spans}) / "
        f"no national target programme covers {year} (known: {spans})"
    )
