"""Money services and selectors: allocation decisions and their lines, disbursements and
settlements (rights matrix, refusals that change nothing, audit rows), the chain refused at
write and found in what is stored, and the money per commune the plan page shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from giamngheo.accounts.access import visible_units
from giamngheo.accounts.models import Role, UserProfile
from giamngheo.core.support.funds import Quarter
from giamngheo.geo.models import Level
from giamngheo.registry.models import AuditEvent
from giamngheo.support import access
from giamngheo.support.models import (
    Allocation,
    AllocationDecision,
    Disbursement,
    Membership,
    Organisation,
    OrgKind,
    Project,
    Settlement,
)
from giamngheo.support.selectors import money as sel
from giamngheo.support.services import money as svc

World = Any  # the `world` fixture of conftest.py

pytestmark = pytest.mark.django_db

MONEY = (AllocationDecision, Allocation, Disbursement, Settlement)
PROGRAMME = "QD1722-2016"


def _decision(world: World, number: str = "123/QĐ-UBND", **kw: Any) -> AllocationDecision:
    values: dict[str, Any] = {
        "unit": world.district,
        "number": number,
        "date": dt.date(2020, 2, 10),
        "issuer": "UBND huyện Ngọc Hồi",
        "title": "Phân bổ kế hoạch vốn sự nghiệp năm 2020",
        "year": 2020,
        "programme_id": PROGRAMME,
    }
    values.update(kw)
    return svc.decision_create(world.users["district"], **values)


def _line(world: World, decision: AllocationDecision, commune: Any, **kw: Any) -> Allocation:
    values: dict[str, Any] = {
        "commune": commune,
        "project": None,
        "node_code": "DA2.TDA2",
        "source": "central",
        "amount": 500_000_000,
    }
    values.update(kw)
    return svc.allocation_add(world.users["district"], decision, **values)


@pytest.fixture
def lines(world: World) -> tuple[AllocationDecision, Allocation, Allocation]:
    decision = _decision(world)
    da = _line(world, decision, world.dak_ang)
    dd = _line(world, decision, world.dak_duc, amount=300_000_000, source="local")
    return decision, da, dd


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=f"support_{action}").order_by("pk"))


# --- decisions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("district", True),
        ("finance", True),
        ("da", False),
        ("dd", False),
        ("agri", False),
        ("leader", False),
        ("outsider", False),
    ],
)
def test_decision_create_rights(
    world: World, who: str, allowed: bool, unchanged: Callable[..., Any]
) -> None:
    kwargs: dict[str, Any] = {
        "unit": world.district,
        "number": "5/QĐ-UBND",
        "date": dt.date(2020, 1, 15),
        "issuer": "UBND huyện",
        "title": "Giao kế hoạch vốn",
        "year": 2020,
        "programme_id": PROGRAMME,
    }
    if allowed:
        decision = svc.decision_create(world.users[who], **kwargs)
        assert decision.pk and decision.created_by == world.users[who]
        (event,) = _events("decision_create")
        assert event.object_id == str(decision.pk)
        assert event.actor_id == world.users[who].pk
        assert event.changes["number"] == "5/QĐ-UBND"
        assert event.changes["programme_id"] == PROGRAMME
    else:
        with unchanged(*MONEY), pytest.raises(PermissionDenied):
            svc.decision_create(world.users[who], **kwargs)


def test_decision_rules_refuse_and_change_nothing(
    world: World, unchanged: Callable[..., Any]
) -> None:
    _decision(world)
    cases = [
        ({"number": "123/QĐ-UBND"}, "duplicate_decision"),
        ({"number": "  "}, "no_number"),
        ({"number": "9", "programme_id": "QD-NONE"}, "unknown_programme"),
        ({"number": "9", "year": 2022}, "year_outside_programme"),
    ]
    for change, code in cases:
        with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
            _decision(world, **change)
        assert exc.value.code == code
        assert " / " in exc.value.messages[0]
    # the same number on another date, or in another unit, is another decision
    _decision(world, date=dt.date(2020, 3, 1))
    other = svc.decision_create(
        world.users["da"],
        unit=world.dak_ang,
        number="123/QĐ-UBND",
        date=dt.date(2020, 2, 10),
        issuer="UBND xã Đắk Ang",
        title="Phân bổ",
        year=2020,
        programme_id=PROGRAMME,
    )
    assert other.unit == world.dak_ang


def test_decision_update_logs_the_difference(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    decision, _da, _dd = lines
    heading = {
        "unit": world.district,
        "number": decision.number,
        "date": decision.date,
        "issuer": decision.issuer,
        "title": "Phân bổ vốn Chương trình 135 năm 2020",
        "year": 2020,
        "programme_id": PROGRAMME,
    }
    with unchanged(*MONEY), pytest.raises(PermissionDenied):
        svc.decision_update(world.users["leader"], decision, **heading)
    svc.decision_update(world.users["finance"], decision, **heading)
    decision.refresh_from_db()
    assert decision.title == "Phân bổ vốn Chương trình 135 năm 2020"
    (event,) = _events("decision_update")
    assert event.changes == {"title": ["Phân bổ kế hoạch vốn sự nghiệp năm 2020", decision.title]}
    # moving it to a commune would leave the other commune's line outside: refused
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(world.users["district"], decision, **{**heading, "unit": world.dak_ang})
    assert exc.value.code == "commune_outside_unit"
    # another programme without the lines' node: refused
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(
            world.users["district"],
            decision,
            **{**heading, "programme_id": "QD90-2022", "year": 2022},
        )
    assert exc.value.code == "node_not_in_programme"


# --- lines ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("district", True),
        ("finance", True),
        ("da", False),
        ("agri", False),
        ("leader", False),
    ],
)
def test_allocation_add_rights(
    world: World, who: str, allowed: bool, unchanged: Callable[..., Any]
) -> None:
    decision = _decision(world)
    kwargs: dict[str, Any] = {
        "commune": world.dak_ang,
        "project": None,
        "node_code": "DA2.TDA2",
        "source": "central",
        "amount": 100_000_000,
    }
    if allowed:
        line = svc.allocation_add(world.users[who], decision, **kwargs)
        (event,) = _events("allocation_add")
        assert event.changes["amount"] == 100_000_000
        assert event.changes["commune"] == world.dak_ang.pk
        assert event.object_id == str(line.pk)
    else:
        with unchanged(*MONEY), pytest.raises(PermissionDenied):
            svc.allocation_add(world.users[who], decision, **kwargs)


def _project(world: World, node: str = "DA2.TDA2") -> Project:
    project = Project.objects.create(
        unit=world.district,
        name="Hỗ trợ bò sinh sản Đắk Ang",
        kind="model",
        programme_id=PROGRAMME,
        node_code=node,
        lead=world.orgs["agriculture"],
        year=2020,
        eligibility_rule="poor",
    )
    project.communes.add(world.dak_ang)
    return project


def test_allocation_rules(world: World, unchanged: Callable[..., Any]) -> None:
    decision = _decision(world)
    project = _project(world)
    village = world.villages[world.dak_ang.code][0]
    cases = [
        ({"node_code": "DA9"}, "unknown_node"),
        ({"source": "lottery"}, "unknown_source"),
        ({"amount": 0}, "amount_not_positive"),
        ({"commune": village}, "commune_outside_unit"),
        ({"project": project, "node_code": "DA3"}, "project_node_mismatch"),
        ({"project": project, "commune": world.dak_duc}, "project_commune"),
    ]
    for change, code in cases:
        with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
            values = {"commune": world.dak_ang, **change}
            _line(world, decision, values.pop("commune"), **values)
        assert exc.value.code == code, change
    # a commune decision cannot give money to another commune
    own = svc.decision_create(
        world.users["da"],
        unit=world.dak_ang,
        number="7/QĐ-UBND",
        date=dt.date(2020, 3, 2),
        issuer="UBND xã Đắk Ang",
        title="Phân bổ",
        year=2020,
        programme_id=PROGRAMME,
    )
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.allocation_add(
            world.users["da"],
            own,
            commune=world.dak_duc,
            project=None,
            node_code="DA3",
            source="local",
            amount=10_000_000,
        )
    assert exc.value.code == "commune_outside_unit"
    # the project's own node, in its commune, and a line kept at the district are fine
    assert _line(world, decision, world.dak_ang, project=project).project == project
    assert _line(world, decision, None).commune is None


def test_lowering_or_removing_below_disbursed(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    _, da, _ = lines
    svc.disbursement_record(world.users["da"], da, on=dt.date(2020, 4, 2), amount=200_000_000)
    keep = {"commune": world.dak_ang, "project": None, "node_code": "DA2.TDA2", "source": "central"}
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.allocation_update(world.users["district"], da, **keep, amount=199_999_999)
    assert exc.value.code == "below_disbursed"
    assert "200.000.000 đ" in exc.value.messages[0]
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.allocation_remove(world.users["district"], da)
    assert exc.value.code == "below_disbursed"
    with unchanged(*MONEY), pytest.raises(PermissionDenied):
        svc.allocation_update(world.users["da"], da, **keep, amount=250_000_000)
    svc.allocation_update(world.users["finance"], da, **keep, amount=200_000_000)
    da.refresh_from_db()
    assert da.amount == 200_000_000
    (event,) = _events("allocation_update")
    assert event.changes == {"amount": [500_000_000, 200_000_000]}


KEEP = {"commune": None, "project": None, "node_code": "DA2.TDA2", "source": "central"}


def test_a_line_with_money_keeps_its_place(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    _, da, dd = lines
    project = _project(world)
    svc.disbursement_record(world.users["da"], da, on=dt.date(2020, 4, 2), amount=200_000_000)
    svc.settlement_record(world.users["da"], da, on=dt.date(2020, 5, 2), amount=80_000_000)
    same = {**KEEP, "commune": world.dak_ang, "amount": 500_000_000}
    for change, field in (
        ({"commune": world.dak_duc}, "xã"),
        ({"project": project}, "dự án"),
        ({"node_code": "DA3"}, "hạng mục"),
        ({"source": "local"}, "nguồn vốn"),
    ):
        with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
            svc.allocation_update(world.users["district"], da, **{**same, **change})
        assert exc.value.code == "line_in_use", change
        message = exc.value.messages[0]
        assert "200.000.000 đ" in message and "80.000.000 đ" in message, message
        assert f"không đổi được {field}" in message and "200,000,000 VND" in message
    # a line with only a settlement (stored data) keeps its place too
    Settlement.objects.create(allocation=dd, on=dt.date(2020, 6, 1), amount=1_000)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.allocation_update(
            world.users["district"], dd, **{**KEEP, "commune": world.dak_ang, "amount": 300_000_000}
        )
    assert exc.value.code == "line_in_use"
    assert "đã quyết toán 1.000 đ" in exc.value.messages[0]
    # its amount still changes; a line without money still moves
    svc.allocation_update(world.users["district"], da, **{**same, "amount": 450_000_000})
    free = _line(world, da.decision, world.dak_duc, amount=10_000_000)
    svc.allocation_update(
        world.users["district"], free, **{**KEEP, "commune": world.dak_ang, "amount": 10_000_000}
    )
    free.refresh_from_db()
    assert free.commune == world.dak_ang
    assert _events("allocation_update")[-1].changes == {
        "commune": [world.dak_duc.pk, world.dak_ang.pk]
    }


def _heading(decision: AllocationDecision, **change: Any) -> dict[str, Any]:
    values = {f: getattr(decision, f) for f in svc.DECISION_FIELDS}
    return {**values, **change}


def test_a_decision_is_not_dated_after_its_money(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    decision, da, dd = lines
    user = world.users["district"]
    svc.disbursement_record(user, da, on=dt.date(2020, 4, 2), amount=100_000_000)
    svc.disbursement_record(user, dd, on=dt.date(2020, 3, 20), amount=10_000_000)
    svc.settlement_record(user, da, on=dt.date(2020, 6, 1), amount=10_000_000)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(user, decision, **_heading(decision, date=dt.date(2020, 3, 21)))
    assert exc.value.code == "after_movements"
    message = exc.value.messages[0]
    assert "20/03/2020" in message and "21/03/2020" in message and world.dak_duc.name in message
    assert "10.000.000 đ" in message and "disbursed" in message
    # a settlement recorded before any disbursement (stored data) counts too
    Settlement.objects.create(allocation=dd, on=dt.date(2020, 3, 1), amount=1_000)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(user, decision, **_heading(decision, date=dt.date(2020, 3, 2)))
    assert exc.value.code == "after_movements"
    assert "quyết toán" in exc.value.messages[0] and "01/03/2020" in exc.value.messages[0]
    # the day of the earliest movement itself, and earlier, are fine
    svc.decision_update(user, decision, **_heading(decision, date=dt.date(2020, 3, 1)))
    svc.decision_update(user, decision, **_heading(decision, date=dt.date(2020, 1, 5)))
    decision.refresh_from_db()
    assert decision.date == dt.date(2020, 1, 5)


def test_a_decision_with_money_keeps_its_programme_and_unit(
    world: World, unchanged: Callable[..., Any]
) -> None:
    district = world.users["district"]
    decision = _decision(world)
    line = _line(world, decision, world.dak_ang, node_code="DA3")  # DA3 is in both programmes
    other = {"programme_id": "QD90-2022", "year": 2022}
    svc.disbursement_record(district, line, on=dt.date(2020, 4, 2), amount=5_000_000)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(district, decision, **_heading(decision, **other))
    assert exc.value.code == "line_in_use"
    assert "5.000.000 đ" in exc.value.messages[0] and "chương trình" in exc.value.messages[0]
    # a line kept at the issuing unit, with money, cannot move to another unit
    kept = _line(world, decision, None, amount=1_000_000)
    svc.disbursement_record(district, kept, on=dt.date(2020, 4, 3), amount=1_000)
    root = User.objects.create_superuser("root", password="x")
    province = world.district.parent
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(root, decision, **_heading(decision, unit=province))
    assert exc.value.code == "line_in_use"
    assert world.district.name in exc.value.messages[0]
    # a line's project must be of the new programme, money or not
    bare = _decision(world, "8/QĐ-UBND")
    project = _project(world, node="DA3")
    _line(world, bare, world.dak_ang, node_code="DA3", project=project)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.decision_update(district, bare, **_heading(bare, **other))
    assert exc.value.code == "project_node_mismatch"
    # without money or projects, both follow
    free = _decision(world, "9/QĐ-UBND")
    _line(world, free, world.dak_ang, node_code="DA3")
    _line(world, free, None, node_code="DA3")
    svc.decision_update(district, free, **_heading(free, **other))
    svc.decision_update(root, free, **_heading(free, unit=province, **other))
    free.refresh_from_db()
    assert (free.programme_id, free.unit) == ("QD90-2022", province)


def test_remove_a_line_without_money(world: World, lines: Any) -> None:
    _, _, dd = lines
    pk = dd.pk
    svc.allocation_remove(world.users["finance"], dd)
    assert not Allocation.objects.filter(pk=pk).exists()
    (event,) = _events("allocation_remove")
    assert event.object_id == str(pk)
    assert event.changes["amount"] == 300_000_000


# --- disbursements and settlements -------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("district", True),
        ("finance", True),
        ("da", True),
        ("dd", False),
        ("agri", False),
        ("leader", False),
        ("outsider", False),
    ],
)
def test_spending_rights(
    world: World, lines: Any, who: str, allowed: bool, unchanged: Callable[..., Any]
) -> None:
    _, da, _ = lines
    user = world.users[who]
    if allowed:
        d = svc.disbursement_record(
            user, da, on=dt.date(2020, 5, 20), amount=120_000_000, reference="UNC 15"
        )
        assert (d.year, d.quarter, d.created_by) == (2020, 2, user)
        s = svc.settlement_record(user, da, on=dt.date(2020, 12, 20), amount=100_000_000)
        assert (s.year, s.quarter) == (2020, 4)
        (de,) = _events("disbursement_record")
        (se,) = _events("settlement_record")
        assert de.actor_id == se.actor_id == user.pk
        assert de.changes["amount"] == 120_000_000 and de.changes["reference"] == "UNC 15"
        assert se.changes["allocation"] == da.pk
    else:
        with unchanged(*MONEY), pytest.raises(PermissionDenied):
            svc.disbursement_record(user, da, on=dt.date(2020, 5, 20), amount=1_000)
        Disbursement.objects.create(allocation=da, on=dt.date(2020, 5, 20), amount=5_000)
        with unchanged(*MONEY), pytest.raises(PermissionDenied):
            svc.settlement_record(user, da, on=dt.date(2020, 6, 20), amount=1_000)


def test_the_chain_is_refused_at_write(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    _, da, _ = lines
    user = world.users["da"]
    svc.disbursement_record(user, da, on=dt.date(2020, 3, 5), amount=450_000_000)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.disbursement_record(user, da, on=dt.date(2020, 4, 5), amount=50_000_001)
    assert exc.value.code == "chain_break"
    message = exc.value.messages[0]
    assert "500.000.000 đ" in message and "450.000.000 đ" in message
    assert "50.000.000 đ" in message and "50.000.001 đ" in message
    assert "50,000,000 VND" in message  # the English half
    svc.disbursement_record(user, da, on=dt.date(2020, 4, 5), amount=50_000_000)  # exactly all
    svc.settlement_record(user, da, on=dt.date(2020, 12, 1), amount=300_000_000)
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.settlement_record(user, da, on=dt.date(2020, 12, 2), amount=200_000_001)
    assert exc.value.code == "chain_break"
    assert "200.000.000 đ" in exc.value.messages[0]
    for amount, on, code in (
        (0, dt.date(2020, 5, 1), "amount_not_positive"),
        (1_000, dt.date(2020, 1, 1), "before_decision"),
    ):
        with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
            svc.settlement_record(user, da, on=on, amount=amount)
        assert exc.value.code == code


def test_a_settlement_is_not_dated_before_the_money(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    _, da, _ = lines
    user = world.users["da"]
    svc.disbursement_record(user, da, on=dt.date(2020, 6, 1), amount=100_000_000)
    # settled in May what was disbursed in June
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.settlement_record(user, da, on=dt.date(2020, 5, 1), amount=50_000_000)
    assert exc.value.code == "chain_break"
    message = exc.value.messages[0]
    assert "01/05/2020" in message and "50.000.000 đ" in message and "0 đ" in message
    assert "by 01/05/2020" in message  # the English half
    svc.settlement_record(user, da, on=dt.date(2020, 6, 1), amount=20_000_000)  # the same day
    svc.disbursement_record(user, da, on=dt.date(2020, 11, 1), amount=100_000_000)
    svc.settlement_record(user, da, on=dt.date(2020, 10, 1), amount=80_000_000)
    # 50 more in July: by 01/10/2020, 150 would be settled of the 100 disbursed by then,
    # though the year's totals (200 disbursed) would hold
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.settlement_record(user, da, on=dt.date(2020, 7, 1), amount=50_000_000)
    assert exc.value.code == "chain_break"
    message = exc.value.messages[0]
    assert "01/10/2020" in message and "150.000.000 đ" in message
    assert "100.000.000 đ" in message and "01/07/2020" in message
    svc.settlement_record(user, da, on=dt.date(2020, 11, 1), amount=50_000_000)
    assert Settlement.objects.filter(allocation=da).count() == 3


def test_an_old_dated_break_does_not_block_later_settlements(
    world: World, lines: Any, unchanged: Callable[..., Any]
) -> None:
    _, da, _ = lines
    user = world.users["da"]
    svc.disbursement_record(user, da, on=dt.date(2020, 6, 1), amount=100_000_000)
    # written around the services: 10 settled in May, before the June disbursement
    Settlement.objects.create(allocation=da, on=dt.date(2020, 5, 1), amount=10_000_000)
    svc.settlement_record(user, da, on=dt.date(2020, 12, 1), amount=20_000_000)  # fine by then
    with unchanged(*MONEY), pytest.raises(ValidationError) as exc:
        svc.settlement_record(user, da, on=dt.date(2020, 5, 15), amount=1_000_000)
    assert exc.value.code == "chain_break"
    assert "15/05/2020" in exc.value.messages[0] and "11.000.000 đ" in exc.value.messages[0]


def test_dated_findings_of_stored_data(world: World, lines: Any) -> None:
    decision, da, dd = lines
    user = world.users["district"]
    svc.disbursement_record(user, da, on=dt.date(2020, 6, 1), amount=100_000_000)
    svc.disbursement_record(user, dd, on=dt.date(2020, 6, 1), amount=100_000_000)
    # written around the services: settled in April what was disbursed in June
    Settlement.objects.create(allocation=da, on=dt.date(2020, 4, 1), amount=60_000_000)
    Settlement.objects.create(allocation=dd, on=dt.date(2020, 6, 1), amount=60_000_000)  # fine
    found = sel.chain_findings(sel.year_lines(user, 2020))
    assert [(f.key, f.code) for f in found["line"]] == [
        (("line", str(da.pk)), "settled_before_disbursed")
    ]
    (finding,) = found["line"]
    assert finding.amounts == {"disbursed": 0, "settled": 60_000_000, "excess": 60_000_000}
    assert "01/04/2020" in finding.message_vi and world.dak_ang.name in finding.message_vi
    assert decision.number in finding.message_vi
    assert (
        "by 01/04/2020"
        in sel.chain_findings(sel.year_lines(user, 2020), "en")["line"][0].message_en
    )
    assert found["commune_source"] == found["node_source"] == []


# --- reads -------------------------------------------------------------------------------------
def test_commune_money_sums(world: World, lines: Any) -> None:
    decision, da, dd = lines
    user = world.users["district"]
    extra = _line(world, decision, world.dak_ang, source="local", amount=40_000_000)
    _line(world, decision, None, amount=70_000_000)  # kept at the district: no commune's
    older = _decision(world, "1/QĐ-UBND", year=2019, date=dt.date(2019, 1, 5))
    _line(world, older, world.dak_ang, amount=999_000_000)  # another budget year
    svc.disbursement_record(user, da, on=dt.date(2020, 3, 1), amount=100_000_000)
    svc.disbursement_record(user, da, on=dt.date(2020, 7, 1), amount=60_000_000)
    svc.disbursement_record(user, extra, on=dt.date(2020, 7, 1), amount=40_000_000)
    svc.settlement_record(user, da, on=dt.date(2020, 12, 1), amount=90_000_000)
    svc.disbursement_record(user, dd, on=dt.date(2020, 8, 1), amount=10_000_000)
    result = sel.commune_money(year=2020, commune_ids=[world.dak_ang.pk, world.dak_duc.pk])
    assert result[world.dak_ang.pk] == sel.CommuneMoney(540_000_000, 200_000_000, 90_000_000)
    assert result[world.dak_ang.pk].remaining == 340_000_000
    assert result[world.dak_duc.pk] == sel.CommuneMoney(300_000_000, 10_000_000, 0)
    only = sel.commune_money(year=2020, commune_ids=[world.dak_duc.pk])
    assert list(only) == [world.dak_duc.pk]
    assert sel.commune_money(year=2021, commune_ids=[world.dak_ang.pk]) == {
        world.dak_ang.pk: sel.CommuneMoney()
    }
    assert sel.commune_money(year=2020, commune_ids=[]) == {}


def test_a_commune_sees_its_own_lines_only(world: World, lines: Any) -> None:
    decision, da, dd = lines
    assert sel.decision_for(world.users["dd"], decision.pk) == decision
    assert [r.line for r in sel.decision_lines(world.users["dd"], decision)] == [dd]
    assert not sel.sees_whole(world.users["dd"], decision)
    assert [r.line for r in sel.decision_lines(world.users["leader"], decision)] == [da]
    assert {r.line for r in sel.decision_lines(world.users["agri"], decision)} == {da, dd}
    assert sel.sees_whole(world.users["agri"], decision)
    assert sel.decision_for(world.users["outsider"], decision.pk) is None
    # a commune without lines in the decision does not see it
    alone = _decision(world, "2/QĐ-UBND")
    _line(world, alone, world.dak_duc)
    assert sel.decision_for(world.users["da"], alone.pk) is None
    assert sel.budget_years(world.users["da"]) == [2020]


def test_rights_in_bulk_agree_with_access(world: World, lines: Any) -> None:
    """``issuing_units``, ``spendable`` and ``whole_decisions`` (one query each, whatever the
    number of units and lines) say what ``access`` says unit by unit and line by line."""
    decision, _da, _dd = lines
    _line(world, decision, None, amount=1_000_000)  # kept at the district
    own = svc.decision_create(
        world.users["da"],
        unit=world.dak_ang,
        number="7/QĐ-UBND",
        date=dt.date(2020, 3, 2),
        issuer="UBND xã Đắk Ang",
        title="Phân bổ",
        year=2020,
        programme_id=PROGRAMME,
    )
    _line(world, own, world.dak_ang, amount=2_000_000)
    users = dict(world.users)
    users["root"] = User.objects.create_superuser("root", password="x")
    users["province"] = User.objects.create_user("tinh", password="x")
    UserProfile.objects.create(
        user=users["province"], unit=world.district.parent, role=Role.PROVINCE_OFFICER
    )
    users["da_finance"] = User.objects.create_user("xa_taichinh", password="x")
    UserProfile.objects.create(user=users["da_finance"], unit=world.dak_ang, role=Role.LEADER)
    Membership.objects.create(organisation=world.orgs["finance"], user=users["da_finance"])
    # a finance office serving Đắk Ang only, and a member of it
    served = Organisation.objects.create(
        unit=world.district, kind=OrgKind.FINANCE, name="Tổ tài chính Đắk Ang"
    )
    served.serves.add(world.dak_ang)
    users["served"] = User.objects.create_user("tochuc", password="x")
    UserProfile.objects.create(user=users["served"], unit=world.district, role=Role.DEPARTMENT)
    Membership.objects.create(organisation=served, user=users["served"])
    rows = sel.year_lines(users["root"], 2020)
    assert len(rows) == 4
    decisions = [decision, own]
    for who, user in users.items():
        units = visible_units(user).exclude(level=Level.VILLAGE)
        if who == "root":
            units = units.filter(level__in=(Level.PROVINCE, Level.DISTRICT))
        expected = {
            u for u in units if access.can_manage_decision(user, AllocationDecision(unit=u))
        }
        assert set(sel.issuing_units(user)) == expected, who
        spend = {r.line.pk for r in rows if access.can_spend(user, r.line)}
        assert {r.line.pk for r in sel.spendable(user, rows)} == spend, who
        whole = {d.pk for d in decisions if sel.sees_whole(user, d)}
        assert sel.whole_decisions(user, decisions) == whole, who
    # what the matrix holds, spelled out for a few
    district_units = sel.issuing_units(users["district"])
    assert district_units[0] == world.district  # then its communes, by name
    assert world.dak_ang in district_units and len(district_units) == 9
    assert sel.issuing_units(users["finance"]) == district_units
    assert sel.issuing_units(users["da"]) == [world.dak_ang]
    assert sel.issuing_units(users["leader"]) == []
    assert sel.issuing_units(users["da_finance"]) == []  # a leader's membership gives nothing
    assert sel.issuing_units(users["served"]) == [world.dak_ang]
    assert {r.line.commune for r in sel.spendable(users["served"], rows)} == {world.dak_ang}
    assert {r.line.pk for r in sel.spendable(users["da"], rows)} == {
        r.line.pk for r in rows if r.line.commune == world.dak_ang
    }
    assert len(sel.spendable(users["finance"], rows)) == 4
    assert sel.spendable(users["agri"], rows) == []


def test_findings_of_data_that_break_the_chain(world: World, lines: Any) -> None:
    decision, da, dd = lines
    user = world.users["district"]
    svc.disbursement_record(user, da, on=dt.date(2020, 3, 1), amount=400_000_000)
    svc.settlement_record(user, da, on=dt.date(2020, 6, 1), amount=100_000_000)
    second = _line(world, decision, world.dak_ang, amount=200_000_000)
    # written around the services, as the admin or an import would
    Allocation.objects.filter(pk=da.pk).update(amount=350_000_000)
    Settlement.objects.create(allocation=dd, on=dt.date(2020, 6, 1), amount=7_000_000)
    rows = sel.year_lines(user, 2020)
    found = sel.chain_findings(rows)
    by_line = {(f.key, f.code): f for f in found["line"]}
    assert set(by_line) == {
        (("line", str(da.pk)), "disbursed_over_allocated"),
        (("line", str(dd.pk)), "settled_over_disbursed"),
    }
    over = by_line[(("line", str(da.pk)), "disbursed_over_allocated")]
    assert over.amounts == {
        "allocated": 350_000_000,
        "disbursed": 400_000_000,
        "excess": 50_000_000,
    }
    assert "50.000.000 đ" in over.message_vi and "Đắk Ang" in over.message_vi
    # Đắk Ang's central budget together (350 + 200 allocated) covers the 400 disbursed
    assert [(f.key, f.code) for f in found["commune_source"]] == [
        (("commune", str(world.dak_duc.pk), "local"), "settled_over_disbursed")
    ]
    assert [(f.key, f.code) for f in found["node_source"]] == [
        (("node", PROGRAMME, "DA2.TDA2", "local"), "settled_over_disbursed")
    ]
    assert second.pk not in {int(f.key[1]) for f in found["line"]}
    # the totals per source read what is stored
    totals = {t.key: t for t in sel.source_totals(rows)}
    assert (totals["central"].allocated, totals["central"].disbursed) == (550_000_000, 400_000_000)
    assert totals["local"].settled == 7_000_000
    assert list(totals) == ["central", "local"]


def test_money_entries_for_the_report(world: World, lines: Any) -> None:
    _, da, _ = lines
    user = world.users["district"]
    early = _decision(world, "99/QĐ-UBND", date=dt.date(2019, 12, 20))
    _line(world, early, world.dak_duc, node_code="DA3", amount=11_000_000)
    svc.disbursement_record(user, da, on=dt.date(2020, 5, 1), amount=10_000_000)
    svc.disbursement_record(user, da, on=dt.date(2020, 6, 1), amount=20_000_000)
    svc.disbursement_record(user, da, on=dt.date(2021, 1, 10), amount=5_000_000)
    report = sel.money_report(user, 2020)
    got = sorted(
        (e.kind, e.commune, e.node, e.source, e.quarter.key, e.amount) for e in report.entries
    )
    assert got == sorted(
        [
            ("allocated", world.dak_ang.code, "DA2.TDA2", "central", "2020-Q1", 500_000_000),
            ("allocated", world.dak_duc.code, "DA2.TDA2", "local", "2020-Q1", 300_000_000),
            ("allocated", world.dak_duc.code, "DA3", "central", "2020-Q1", 11_000_000),
            ("disbursed", world.dak_ang.code, "DA2.TDA2", "central", "2020-Q2", 30_000_000),
            ("disbursed", world.dak_ang.code, "DA2.TDA2", "central", "2021-Q1", 5_000_000),
        ]
    )
    assert list(report.commune_labels.values()) == [world.dak_ang.name, world.dak_duc.name]
    assert list(report.node_labels) == ["DA2.TDA2", "DA3"]  # the programme's order
    mine = sel.money_report(world.users["da"], 2020)
    assert {e.commune for e in mine.entries} == {world.dak_ang.code}
    assert list(mine.commune_labels) == [world.dak_ang.code]
    assert Quarter(2020, 2) in {e.quarter for e in mine.entries}
