"""The programme trees per period: selection by year, the tree's walk and paths, funding, owners,
provisional structure, and the strict reader's refusals."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from giamngheo.core.support.catalog import DATA_DIR, load_catalog
from giamngheo.core.support.programme import (
    LEVELS,
    ProgrammeError,
    UnknownNode,
    UnknownProgramme,
    load_programmes,
    programme_by_id,
    programme_for_year,
    programme_from_dict,
    read_programme,
    read_programmes,
)

P16 = programme_by_id("QD1722-2016")
P21 = programme_by_id("QD90-2022")
P26 = programme_by_id("QD417-2026")


def raw(programme_id: str) -> dict[str, Any]:
    text = (DATA_DIR / f"programme-{programme_id}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_the_three_periods_are_loaded_oldest_first() -> None:
    assert list(load_programmes()) == ["QD1722-2016", "QD90-2022", "QD417-2026"]
    assert load_programmes() is not load_programmes()  # callers get their own dict
    assert load_programmes()["QD90-2022"] is P21
    assert P16.period == (2016, 2020)
    assert P21.period == (2021, 2025)
    assert P26.period == (2026, 2035)
    assert P16.legal_basis.instrument == "QĐ 1722/QĐ-TTg"
    assert P16.legal_basis.signed == "2016-09-02"
    assert P21.legal_basis.signed == "2022-01-18"
    assert P26.legal_basis.instrument == "QĐ 417/QĐ-BNNMT"
    assert P26.legal_basis.signed == "2026-01-31"


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2016, "QD1722-2016"),
        (2020, "QD1722-2016"),
        (2021, "QD90-2022"),
        (2025, "QD90-2022"),
        (2026, "QD417-2026"),
        (2030, "QD417-2026"),
        (2035, "QD417-2026"),
    ],
)
def test_programme_for_year(year: int, expected: str) -> None:
    assert programme_for_year(year).id == expected


@pytest.mark.parametrize("year", [2015, 2036])
def test_no_programme_outside_the_periods(year: int) -> None:
    with pytest.raises(UnknownProgramme, match=f"no national target programme covers {year}"):
        programme_for_year(year)


def test_unknown_programme_id() -> None:
    with pytest.raises(UnknownProgramme, match="known: QD1722-2016"):
        programme_by_id("QD90-2021")


def test_2016_structure_has_no_component_level_and_is_marked_low_confidence() -> None:
    assert [n.code for n in P16.nodes] == ["DA1", "DA2", "DA3", "DA4", "DA5"]
    assert [c.code for c in P16.node("DA1").children] == [
        "DA1.TDA1",
        "DA1.TDA2",
        "DA1.TDA3",
        "DA1.TDA4",
    ]
    assert [c.code for c in P16.node("DA2").children] == ["DA2.TDA1", "DA2.TDA2", "DA2.TDA3"]
    assert [c.code for c in P16.node("DA5").children] == ["DA5.TDA1", "DA5.TDA2"]
    assert {n.level for n in P16.walk()} == {"project", "subproject"}
    assert not P16.provisional
    for n in P16.walk():
        assert n.provisional and n.confidence == "L" and n.note is not None
        assert n.owner == "MOLISA"


def test_2021_structure_projects_one_to_seven() -> None:
    assert [n.code for n in P21.nodes] == [f"DA{i}" for i in range(1, 8)]
    assert [c.code for c in P21.node("DA4").children] == ["DA4.TDA1", "DA4.TDA2", "DA4.TDA3"]
    nutrition = P21.node("DA3.TDA2")
    assert nutrition.confidence == "H"
    assert nutrition.support_types == {"child_nutrition"}
    assert P21.node("DA3.TDA1").confidence == "M"
    assert not P21.is_provisional("DA3.TDA2")


def test_2026_is_provisional_with_two_components_and_two_owners() -> None:
    assert P26.provisional
    assert [o.code for o in P26.owners] == ["MAE", "MEMR"]
    assert [(n.code, n.level) for n in P26.nodes] == [("TP1", "component"), ("TP2", "component")]
    assert P26.owner("TP1").label("en") == "Ministry of Agriculture and Environment"
    assert P26.owner("TP2").label("vi") == "Bộ Dân tộc và Tôn giáo"
    for n in P26.walk():
        assert P26.is_provisional(n.code)
        if n.level == "project":
            assert n.provisional and n.note is not None
            assert "placeholder" in n.note.en
    # placeholders named by the support they fund
    projects = {n.code for n in P26.node("TP1").children}
    assert {"TP1.LIVELIHOOD", "TP1.HOUSING", "TP1.JOBS", "TP1.COMMS", "TP1.CAPACITY"} <= projects


def test_owner_is_inherited_from_the_parent() -> None:
    for child in P26.node("TP2").children:
        assert child.owner == "MEMR"
        assert P26.owner(child.code).code == "MEMR"
    for child in P26.node("TP1").children:
        assert child.owner == "MAE"


def test_walk_is_pre_order_and_codes_are_dotted_paths() -> None:
    for prog in load_programmes().values():
        seen: list[str] = []
        for n in prog.walk():
            if n.parent is not None:
                assert n.parent in seen  # the parent came first
                assert n.code.startswith(n.parent + ".")
                assert LEVELS.index(n.level) > LEVELS.index(prog.node(n.parent).level)
            seen.append(n.code)
            path = prog.path(n.code)
            assert path[-1] is n
            assert len(path) == n.depth
            assert [p.code for p in path[:-1]] == [
                ".".join(n.code.split(".")[: i + 1]) for i in range(n.depth - 1)
            ]
        assert len(seen) == len(set(seen))
    assert [n.code for n in P21.walk()][:4] == ["DA1", "DA1.TDA1", "DA1.TDA2", "DA2"]


def test_path_and_node_lookup() -> None:
    assert [n.code for n in P16.path("DA1.TDA3")] == ["DA1", "DA1.TDA3"]
    assert P16.node("DA1.TDA3").parent == "DA1"
    assert P16.node("DA1").parent is None
    assert P16.node("DA1").depth == 1 and P16.node("DA1.TDA3").depth == 2
    with pytest.raises(UnknownNode, match="has no node 'DA9'"):
        P16.node("DA9")
    assert "DA9" not in P16 and "DA1" in P16


def test_can_fund_own_list_and_parent_union() -> None:
    assert P21.can_fund("DA3.TDA2", "child_nutrition")
    assert not P21.can_fund("DA3.TDA2", "breeding_cattle")
    # a parent without its own list funds what its sub-projects fund
    assert P21.node("DA3").support_types == frozenset()
    assert P21.can_fund("DA3", "child_nutrition")
    assert P21.can_fund("DA3", "breeding_cattle")
    # types are not inherited downwards
    assert P16.can_fund("DA1", "breeding_cattle")
    assert not P16.can_fund("DA1.TDA1", "breeding_cattle")
    assert P16.can_fund("DA1.TDA1", "infrastructure_works")
    assert P21.can_fund("DA5", "housing_new")
    assert not P21.can_fund("DA5", "no_such_type")
    assert [n.code for n in P21.nodes_funding("housing_new")] == ["DA5"]


def test_legal_basis_of_a_node_falls_back_to_the_programme() -> None:
    assert P21.legal_basis_of("DA5").instrument.startswith("TT 01/2022/TT-BXD")
    assert P21.legal_basis_of("DA6").instrument == "QĐ 90/QĐ-TTg"


def test_every_support_type_named_by_a_node_exists_in_the_catalog() -> None:
    catalog = load_catalog()
    named = {t for prog in load_programmes().values() for n in prog.walk() for t in n.support_types}
    assert named
    assert named <= set(catalog.codes)
    # and every leaf funds something
    for prog in load_programmes().values():
        for n in prog.walk():
            if n.is_leaf:
                assert n.support_types, (prog.id, n.code)


def test_labels() -> None:
    assert P21.node("DA5").label("vi").startswith("Dự án 5: Hỗ trợ nhà ở")
    assert P21.node("DA5").label("en").startswith("Project 5: housing")
    assert P26.label("en").startswith("National Target Programme for new rural development")


# --------------------------------------------------------------------------- strict reader


def minimal() -> dict[str, Any]:
    return {
        "schema": 1,
        "id": "T-2030",
        "name_vi": "Thử",
        "name_en": "Test",
        "period": [2030, 2031],
        "legal_basis": {"instrument": "QĐ 1/QĐ-TTg"},
        "owners": [
            {"code": "A", "name_vi": "Bộ A", "name_en": "Ministry A"},
            {"code": "B", "name_vi": "Bộ B", "name_en": "Ministry B"},
        ],
        "nodes": [
            {
                "code": "TP1",
                "level": "component",
                "name_vi": "Hợp phần 1",
                "name_en": "Component 1",
                "support_types": [],
                "children": [
                    {
                        "code": "TP1.DA1",
                        "level": "project",
                        "name_vi": "Dự án 1",
                        "name_en": "Project 1",
                        "owner": "B",
                        "support_types": ["latrine"],
                        "children": [
                            {
                                "code": "TP1.DA1.HD1",
                                "level": "activity",
                                "name_vi": "Hoạt động 1",
                                "name_en": "Activity 1",
                                "support_types": ["clean_water"],
                            }
                        ],
                    }
                ],
            }
        ],
    }


def test_a_minimal_programme_reads() -> None:
    prog = programme_from_dict(minimal(), source="t.json")
    assert [n.code for n in prog.walk()] == ["TP1", "TP1.DA1", "TP1.DA1.HD1"]
    assert prog.node("TP1").owner == "A"  # a top node belongs to the first owner
    assert prog.node("TP1.DA1.HD1").owner == "B"  # inherited from its parent
    assert prog.node("TP1.DA1.HD1").depth == 3
    assert prog.funds("TP1") == {"latrine"}  # the project lists its own; the union stops there


CHILD = ("nodes", 0, "children", 0)
GRANDCHILD = (*CHILD, "children", 0)


def _mutate(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = minimal()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        (("budget",), 1, "budget", "unknown key"),
        ((*CHILD, "budget"), 1, "nodes[0].children[0].budget", "unknown key"),
        ((*CHILD, "code"), "TP2.DA1", "nodes[0].children[0].code", "must read TP1.<X>"),
        ((*CHILD, "code"), "TP1.DA1.X", "nodes[0].children[0].code", "must read TP1.<X>"),
        ((*CHILD, "code"), "TP1.da1", "nodes[0].children[0].code", "capitals"),
        ((*GRANDCHILD, "level"), "task", "children[0].children[0].level", "expected one of"),
        ((*CHILD, "level"), "component", "children[0].level", "cannot sit below level"),
        ((*GRANDCHILD, "level"), "project", "children[0].level", "cannot sit below"),
        (("nodes", 0, "level"), "programme", "nodes[0].level", "expected one of"),
        ((*CHILD, "support_types"), ["cow"], "support_types[0]", "'cow' is not in the catalog"),
        ((*CHILD, "owner"), "C", "nodes[0].children[0].owner", "'C' is not declared"),
        ((*CHILD, "provisional"), True, "children[0].note_vi/note_en", "needs a note"),
        ((*CHILD, "confidence"), "L", "nodes[0].children[0].provisional", "low-confidence"),
        (("owners", 1, "code"), "A", "owners[1].code", "duplicate"),
        (("owners",), [], "owners", "at least one owner"),
        (("period",), [2031, 2030], "period", "expected [first year, last year]"),
        (("schema",), 2, "schema", "unsupported schema version"),
        (("nodes",), [], "nodes", "no node"),
        (("legal_basis",), {"instrument": ""}, "legal_basis.instrument", "non-empty"),
    ],
)
def test_the_reader_refuses(
    tmp_path: Path, path: tuple[Any, ...], value: Any, where: str, says: str
) -> None:
    f = tmp_path / "programme-T-2030.json"
    f.write_text(json.dumps(_mutate(path, value), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProgrammeError) as err:
        read_programme(f)
    message = str(err.value)
    assert message.startswith("programme-T-2030.json: ")
    assert where in message
    assert says in message
    assert " / " in message


def test_the_reader_refuses_duplicate_codes(tmp_path: Path) -> None:
    data = minimal()
    twin = copy.deepcopy(data["nodes"][0])
    twin["children"] = []
    data["nodes"].append(twin)
    f = tmp_path / "programme-T-2030.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProgrammeError, match=r"nodes\[1\]\.code: .*duplicates nodes\[0\]"):
        read_programme(f)


def test_the_directory_reader_checks_names_and_overlaps(tmp_path: Path) -> None:
    (tmp_path / "programme-wrong.json").write_text(json.dumps(minimal()), encoding="utf-8")
    with pytest.raises(ProgrammeError, match=r"must be named programme-T-2030\.json"):
        read_programmes(tmp_path)
    (tmp_path / "programme-wrong.json").unlink()
    (tmp_path / "programme-T-2030.json").write_text(json.dumps(minimal()), encoding="utf-8")
    other = minimal()
    other["id"] = "U-2031"
    other["period"] = [2031, 2032]
    (tmp_path / "programme-U-2031.json").write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(ProgrammeError, match="overlaps T-2030"):
        read_programmes(tmp_path)
    other["period"] = [2032, 2033]
    (tmp_path / "programme-U-2031.json").write_text(json.dumps(other), encoding="utf-8")
    assert list(read_programmes(tmp_path)) == ["T-2030", "U-2031"]


def test_the_shipped_files_reread_strictly() -> None:
    for pid in load_programmes():
        assert read_programme(DATA_DIR / f"programme-{pid}.json") == load_programmes()[pid]
        assert programme_from_dict(raw(pid)).id == pid
