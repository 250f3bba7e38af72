"""Staged import: good files in both layouts, a file with every kind of error, re-import,
an interrupted commit, the annotated error file and the pre-filled template."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from registry_files import (
    DAK_ANG,
    FLAT_HEADINGS,
    GOOD_HOUSEHOLDS,
    GOOD_MEMBERS,
    HH_HEADINGS,
    MEMBER_HEADINGS,
    YEAR,
    csv_bytes,
    hh_row,
    member_row,
    ods_bytes,
    two_sheet_file,
)

from giamngheo.core.records import reader
from giamngheo.geo.models import AdminUnit
from giamngheo.geo.services import DemoUnits
from giamngheo.registry import imports
from giamngheo.registry.imports import commit
from giamngheo.registry.models import (
    Household,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Member,
    ReviewRecord,
    ReviewState,
)
from giamngheo.registry.services import (
    import_commit,
    import_errors_xlsx,
    import_template_xlsx,
    import_upload,
    import_validate,
    review_approve,
)

pytestmark = pytest.mark.django_db


def _run(
    actor: User, scope: AdminUnit, content: bytes, name: str = "ra_soat_2019.xlsx"
) -> ImportBatch:
    batch = import_upload(actor=actor, scope=scope, year=YEAR, file_name=name, content=content)
    return import_validate(batch=batch, actor=actor)


def _errors(batch: ImportBatch) -> set[tuple[str, int, str, str]]:
    """(sheet, row, column letter, code) of every error."""
    return {
        (r.sheet, r.row_number, e["letter"], e["code"])
        for r in ImportRow.objects.filter(batch=batch, valid=False)
        for e in r.errors
    }


def test_good_two_sheet_file(district_officer: User, dak_ang: AdminUnit) -> None:
    batch = _run(district_officer, dak_ang, two_sheet_file())
    assert batch.status == ImportStatus.VALIDATED, batch.file_errors
    assert _errors(batch) == set()
    assert (batch.households_valid, batch.members_valid, batch.layout) == (2, 3, "two")
    assert batch.done == batch.total == 5
    assert Household.objects.count() == 0  # nothing before the officer confirms

    batch = import_commit(batch=batch, actor=district_officer)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.summary["created"] == {"household": 2, "member": 3, "review": 2}

    h1 = Household.objects.get(commune=dak_ang, code="DA001")
    assert (h1.head_name, h1.head_name_key, h1.area, h1.village.name) == (  # type: ignore[union-attr]
        "A Blong",
        "a blong",
        "rural",
        "Thôn 1",
    )
    assert h1.ethnic_minority and not h1.female_head
    r1 = ReviewRecord.objects.get(household=h1)
    assert (r1.year, r1.kind, r1.standard_id, r1.state) == (YEAR, "periodic", "QD59-2015", "draft")
    assert (r1.classification, r1.poor_basis, r1.deprivation_count) == ("poor", "income", 4)
    assert r1.causes == ["capital"] and r1.persons == 2
    assert r1.inputs["income"] == 600_000 and r1.inputs["dep_water"] == 1
    assert "700.000" in r1.explanation_vi
    r2 = ReviewRecord.objects.get(household__code="DA002")
    assert r2.classification == "medium"
    child = Member.objects.get(full_name="Y Nhi")
    assert (child.birth_year, child.sex, child.relationship, child.national_id) == (
        2010,
        "female",
        "child",
        "062310000002",
    )


def test_good_flat_csv(district_officer: User, dak_ang: AdminUnit) -> None:
    rows = [
        [*hh_row("DA010", "A Thuận", persons=4), "Nam", 1970, "062070000010", "Xơ Đăng"],
        [*hh_row("DA011", "Y Lan", female=1, ethnic=0, persons=3), "Nữ", 1990, "", "Kinh"],
    ]
    batch = _run(district_officer, dak_ang, csv_bytes(FLAT_HEADINGS, rows), "ds.csv")
    assert batch.layout == "flat" and _errors(batch) == set(), _errors(batch)
    import_commit(batch=batch, actor=district_officer)
    assert Household.objects.count() == 2
    head = Member.objects.get(household__code="DA010")
    assert (head.relationship, head.birth_year, head.national_id) == ("head", 1970, "062070000010")
    assert ReviewRecord.objects.get(household__code="DA011").persons == 3


def test_every_kind_of_error(district_officer: User, dak_ang: AdminUnit, units: DemoUnits) -> None:
    # A member of another commune's household, to conflict with.
    other = Household.objects.create(
        commune=units.communes_old["23383"], code="DD1", head_name="Người khác"
    )
    Member.objects.create(
        household=other,
        full_name="Người khác",
        sex="male",
        birth_year=1980,
        relationship="head",
        national_id="062080000099",
    )
    households = [
        hh_row("DA001", "A Blong"),  # row 2: good
        hh_row("DA001", "Trùng Mã"),  # row 3: duplicate code
        hh_row("DA003", "Xã Lạ", commune="99999"),  # row 4: unknown commune
        hh_row("DA004", "Thôn Lạ", village="Thôn 99"),  # row 5: unknown village
        hh_row("DA005", "Nữ Sai", female=1, persons=1),  # row 6: female flag vs male head
        hh_row("DA006", "Thu Nhập", income="1.500.000", deps=(1, 0, 0, 0, 2, 0, 0, 0, 0, 0)),
        hh_row("DA007", "Cờ Sai", indigenous=1, ethnic=0, persons=1),  # row 8
        hh_row("", "Không Mã"),  # row 9: no code
        hh_row("DA009", "Hai Chủ Hộ", persons=2),  # row 10: two heads
        hh_row("DA010", "Cờ Lạ", female="có lẽ", capital="z"),  # row 11: unreadable flags
    ]
    members = [
        member_row("DA001", "A Blong", "Nam", 1980, "Chủ hộ", "062080000001"),  # 2
        member_row("DA001", "Y Nhi", "Nữ", 2030, "Con"),  # 3: impossible age
        member_row("DA005", "Nữ Sai", "Nam", 1980, "Chủ hộ", "062080000001"),  # 4: dup id
        member_row("DA007", "Cờ Sai", "Nam", 1980, "Chủ hộ", "06208000001"),  # 5: 11 digits
        member_row("DA009", "Hai Chủ Hộ", "Nam", 1980, "Chủ hộ", "062180000005"),  # 6: sex ≠ id
        member_row("DA009", "Chủ Hộ Hai", "Nữ", 1981, "Chủ hộ", "062080000099"),  # 7: other hh
        member_row("XX999", "Không Hộ", "Nữ", 1981, "Chị"),  # 8: unknown household
        member_row("DA001", "Ai Đó", "?", "ngày xưa", "Hàng xóm"),  # 9: sex, birth, rel
        member_row("DA001", "A Lâm", "Nam", 2005, "Con", insured="?"),  # 10: unreadable flag
    ]
    batch = _run(district_officer, dak_ang, two_sheet_file(households, members))
    assert batch.status == ImportStatus.VALIDATED
    errors = _errors(batch)
    hh, mem = "Hộ", "Thành viên"
    expected = {
        (hh, 3, "A", "duplicate_code"),
        (hh, 4, "B", "unknown_commune"),
        (hh, 5, "C", "unknown_village"),
        (hh, 6, "H", "flag_conflict"),  # female head flag vs the head's sex
        (hh, 7, "J", "engine"),  # "1.500.000"
        (hh, 7, "O", "engine"),  # flag 2
        (hh, 8, "G", "flag_conflict"),  # indigenous but not ethnic minority
        (hh, 9, "A", "missing_code"),
        (hh, 10, "D", "head_count"),
        (hh, 11, "H", "bad_flag"),  # policy flag "có lẽ"
        (hh, 11, "U", "bad_flag"),  # cause of poverty "z"
        (hh, 2, "A", "member_rows_invalid"),
        (mem, 3, "D", "impossible_age"),
        (mem, 4, "G", "duplicate_national_id"),
        (mem, 5, "G", "id_lost_leading_zero"),
        (mem, 6, "G", "id_sex_mismatch"),
        (mem, 7, "G", "national_id_other_household"),
        (mem, 8, "A", "unknown_household"),
        (mem, 9, "C", "bad_sex"),
        (mem, 9, "D", "bad_birth"),
        (mem, 9, "E", "bad_relationship"),
        (mem, 10, "H", "bad_flag"),  # health insurance "?"
    }
    assert expected <= errors, sorted(expected - errors)
    # Each message is bilingual and names the column.
    row = ImportRow.objects.get(batch=batch, sheet=hh, row_number=4)
    e = row.errors[0]
    assert e["column"] == "Mã xã" and "99999" in e["message_vi"] and "99999" in e["message_en"]
    # Every household row has a problem (its own or its members'): the commit writes none.
    assert not ImportRow.objects.filter(batch=batch, kind="household", valid=True).exists()
    import_commit(batch=batch, actor=district_officer)
    assert list(Household.objects.values_list("code", flat=True)) == ["DD1"]


def test_sex_of_id_is_checked_and_annotated_file(
    district_officer: User, dak_ang_officer: User, dak_ang: AdminUnit
) -> None:
    members = [
        *GOOD_MEMBERS[:2],
        member_row("DA002", "Y Hoa", "Nữ", 1975, "Chủ hộ", "062075000003"),
    ]
    batch = _run(district_officer, dak_ang, two_sheet_file(members=members))
    assert ("Thành viên", 4, "G", "id_sex_mismatch") in _errors(batch), _errors(batch)
    from openpyxl import load_workbook

    for actor, shown in ((district_officer, "062075000003"), (dak_ang_officer, "062*******03")):
        wb = load_workbook(io.BytesIO(import_errors_xlsx(batch=batch, actor=actor)))
        ws = wb["Thành viên"]
        assert ws["I1"].value == "Lỗi / Errors"
        assert ws["G4"].value == shown
        assert ws["G4"].fill.fgColor.rgb.endswith("FFC7CE")
        assert "Dòng/row 4" in str(ws["I4"].value)
        assert ws["I2"].value is None


def test_reimport_same_file_changes_nothing(
    district_officer: User, dak_ang: AdminUnit, snapshot: Callable[[], tuple[Any, ...]]
) -> None:
    content = two_sheet_file()
    first = _run(district_officer, dak_ang, content)
    import_commit(batch=first, actor=district_officer)
    before = snapshot()
    # The same bytes: the same batch comes back, committed; nothing is written.
    again = import_upload(
        actor=district_officer, scope=dak_ang, year=YEAR, file_name="x.xlsx", content=content
    )
    assert again.pk == first.pk
    import_validate(batch=again, actor=district_officer)
    import_commit(batch=again, actor=district_officer)
    assert snapshot() == before
    # The same rows in another file (other bytes, flat layout): the upserts change nothing.
    batch = _run(district_officer, dak_ang, csv_bytes(HH_HEADINGS, GOOD_HOUSEHOLDS), "b.csv")
    assert _errors(batch) == set()
    batch = import_commit(batch=batch, actor=district_officer)
    assert batch.summary["unchanged"] == {"household": 2, "member": 0, "review": 2}
    households, members, reviews, audits = snapshot()
    assert (households, members, reviews) == before[:3]
    assert audits == before[3] + 2  # the upload and the commit of the second batch


def test_reimport_after_approval_is_noop_and_changed_data_is_refused(
    district_officer: User, dak_ang: AdminUnit, snapshot: Callable[[], tuple[Any, ...]]
) -> None:
    batch = _run(district_officer, dak_ang, two_sheet_file())
    import_commit(batch=batch, actor=district_officer)
    for r in ReviewRecord.objects.all():
        review_approve(actor=district_officer, review=r)
    before = snapshot()
    changed = [hh_row("DA001", "A Blong", income=650_000), GOOD_HOUSEHOLDS[1]]
    batch = _run(district_officer, dak_ang, two_sheet_file(households=changed))
    assert ("Hộ", 2, "A", "approved_review") in _errors(batch)
    import_commit(batch=batch, actor=district_officer)
    households, members, reviews, _audits = snapshot()
    assert (households, members, reviews) == before[:3]
    assert ReviewRecord.objects.filter(state=ReviewState.APPROVED).count() == 2


def test_interrupted_commit_leaves_nothing(
    district_officer: User, dak_ang: AdminUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    households = [hh_row(f"DA{i:03}", f"Chủ Hộ {i}", persons=None) for i in range(1, 8)]
    batch = _run(district_officer, dak_ang, csv_bytes(HH_HEADINGS, households), "7.csv")
    assert batch.households_valid == 7, _errors(batch)
    real = commit._commit_chunk
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("mất điện / power cut")
        real(*args, **kwargs)

    monkeypatch.setattr(commit, "_commit_chunk", failing)
    with pytest.raises(RuntimeError):
        import_commit(batch=batch, actor=district_officer, chunk_size=2)
    assert calls["n"] == 3  # two chunks were written before the failure …
    assert Household.objects.count() == 0  # … and rolled back
    assert Member.objects.count() == ReviewRecord.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED
    monkeypatch.setattr(commit, "_commit_chunk", real)
    import_commit(batch=batch, actor=district_officer, chunk_size=2)
    assert Household.objects.count() == 7


def test_file_without_headings_fails_with_bilingual_message(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    batch = _run(district_officer, dak_ang, csv_bytes(["Tên", "Tuổi"], [["A", 1]]), "a.csv")
    assert batch.status == ImportStatus.FAILED
    assert "Mã hộ" in batch.file_errors[0]["message_vi"]
    assert ImportRow.objects.filter(batch=batch).count() == 0


def test_template_prefilled_and_reimportable(
    district_officer: User, dak_ang_officer: User, dak_ang: AdminUnit
) -> None:
    batch = _run(district_officer, dak_ang, two_sheet_file())
    import_commit(batch=batch, actor=district_officer)
    from openpyxl import load_workbook

    content = import_template_xlsx(actor=dak_ang_officer, commune=dak_ang, year=YEAR + 1)
    wb = load_workbook(io.BytesIO(content))
    hh = list(wb["Hộ"].iter_rows(values_only=True))
    assert hh[0][0] == "Mã hộ" and [r[0] for r in hh[1:]] == ["DA001", "DA002"]
    assert hh[1][hh[0].index("Thu nhập bình quân đầu người/tháng")] == 600_000
    members = list(wb["Thành viên"].iter_rows(values_only=True))
    assert members[1][6] == "062*******01"  # masked for this officer
    # The pre-filled file imports as it is for the next year (masked IDs keep the stored ones).
    b2 = import_upload(
        actor=dak_ang_officer, scope=dak_ang, year=YEAR + 1, file_name="t.xlsx", content=content
    )
    b2 = import_validate(batch=b2, actor=dak_ang_officer)
    assert _errors(b2) == set()
    import_commit(batch=b2, actor=dak_ang_officer)
    assert Member.objects.get(full_name="A Blong").national_id == "062080000001"
    assert ReviewRecord.objects.filter(year=YEAR + 1).count() == 2
    assert Household.objects.count() == 2 and Member.objects.count() == 3


def test_scope_and_roles(
    dak_duc_officer: User,
    dak_ang_leader: User,
    dak_ang_officer: User,
    dak_ang: AdminUnit,
    snapshot: Callable[[], tuple[Any, ...]],
) -> None:
    from django.core.exceptions import PermissionDenied

    for actor in (dak_duc_officer, dak_ang_leader):
        with pytest.raises(PermissionDenied):
            import_upload(actor=actor, scope=dak_ang, year=YEAR, file_name="a.xlsx", content=b"x")
    batch = _run(dak_ang_officer, dak_ang, two_sheet_file())
    before = snapshot()
    with pytest.raises(PermissionDenied):
        import_commit(batch=batch, actor=dak_duc_officer)
    assert snapshot() == before
    # A row of another commune is unknown within the officer's scope.
    rows = [hh_row("DD001", "Khác", commune="23383")]
    b2 = _run(dak_ang_officer, dak_ang, two_sheet_file(rows, []))
    assert ("Hộ", 2, "B", "unknown_commune") in _errors(b2)
    assert dak_ang.code == DAK_ANG


def test_adhoc_review_needs_its_date(district_officer: User, dak_ang: AdminUnit) -> None:
    headings = [*HH_HEADINGS, "Ngày rà soát"]
    rows = [
        [*hh_row("DA001", "A Blong", persons=1), "15/06/2022"],
        [*hh_row("DA002", "Y Hoa", female=1, persons=1), ""],
        [*hh_row("DA003", "Y Lan", female=1, persons=1), "15/06/2021"],
    ]
    batch = import_upload(
        actor=district_officer,
        scope=dak_ang,
        year=2022,
        kind="adhoc",
        file_name="tx.csv",
        content=csv_bytes(headings, rows),
    )
    batch = import_validate(batch=batch, actor=district_officer)
    errors = _errors(batch)
    # ND 07/2021 applies in 2022: the QĐ 59 indicator headings are foreign to it.
    assert batch.standard_id == "ND07-2021"
    assert ("CSV", 3, "W", "bad_review_date") in errors and (
        "CSV",
        4,
        "W",
        "bad_review_date",
    ) in errors
    assert any(code == "engine" for *_x, code in errors)


def _offset_workbook() -> bytes:
    """The two sheets with a title row and a blank row above the headings, starting in
    column B, a real date cell for a birth date, and an unknown village on row 6."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    households = [*GOOD_HOUSEHOLDS, hh_row("DA003", "Thôn Lạ", village="Thôn 99", persons=1)]
    members = [
        *GOOD_MEMBERS[:1],
        member_row("DA001", "Y Nhi", "Nữ", dt.date(2010, 3, 12), "Con", "062310000002"),
        *GOOD_MEMBERS[2:],
        member_row("DA003", "A Lạ", "Nam", 1970, "Chủ hộ", "062070000009"),
    ]
    for title, headings, rows in (
        ("Hộ", HH_HEADINGS, households),
        ("Thành viên", MEMBER_HEADINGS, members),
    ):
        ws = wb.create_sheet(title)
        ws["B1"] = "DANH SÁCH HỘ RÀ SOÁT NĂM 2019"
        for i, row in enumerate([headings, *rows], start=3):
            for j, value in enumerate(row, start=2):
                ws.cell(row=i, column=j, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_workbook_cells_keep_their_rows_and_columns(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    """Headings on row 3 from column B: errors name the file's own rows and letters, and a
    real date cell is read as a date."""
    batch = _run(district_officer, dak_ang, _offset_workbook())
    assert batch.status == ImportStatus.VALIDATED, batch.file_errors
    # "Thôn" is the 3rd heading: column D when the table starts in column B
    assert ("Hộ", 6, "D", "unknown_village") in _errors(batch)
    assert batch.households_valid == 2 and batch.households_invalid == 1
    assert [s["headings"][:3] for s in batch.sheets] == [
        ["", "Mã hộ", "Mã xã"],
        ["", "Mã hộ", "Họ tên"],
    ]
    import_commit(batch=batch, actor=district_officer)
    nhi = Member.objects.get(full_name="Y Nhi")
    assert (str(nhi.birth_date), nhi.birth_year) == ("2010-03-12", 2010)


ENTRY_HEADINGS = [*HH_HEADINGS, "Lý do vào sổ", "Ngày vào sổ", "Tách từ hộ"]


def test_entry_columns_record_how_a_household_came(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    """«Lý do vào sổ», «Ngày vào sổ», «Tách từ hộ»: stored on the household, checked per
    cell; a later file without them keeps them."""
    source = Household.objects.create(commune=dak_ang, code="DA100", head_name="Hộ Gốc")
    rows = [
        [*hh_row("DA101", "Chuyển Đến", persons=1), "Chuyển đến", "12/03/2019", ""],
        [*hh_row("DA102", "Tách Ra", persons=1), "tach ho", "2019-06-01", "DA100"],
        [*hh_row("DA103", "Không Rõ", persons=1), "Đi lạc", "01/01/2019", ""],  # row 4
        [*hh_row("DA104", "Sau Rà Soát", persons=1), "Chuyển đến", "01/02/2020", ""],  # row 5
        [*hh_row("DA105", "Gốc Lạ", persons=1), "Tách hộ", "01/02/2019", "DA999"],  # row 6
        [*hh_row("DA106", "Không Tách", persons=1), "Chuyển đến", "01/02/2019", "DA100"],
        [*hh_row("DA107", "Thiếu Ngày", persons=1), "Chuyển đến", "", ""],  # row 8
        [*hh_row("DA108", "Chính Nó", persons=1), "Tách hộ", "01/02/2019", "DA108"],  # row 9
    ]
    batch = _run(district_officer, dak_ang, csv_bytes(ENTRY_HEADINGS, rows), "vao_so.csv")
    reason, date, came = (_letter_of(ENTRY_HEADINGS, h) for h in ENTRY_HEADINGS[-3:])
    assert _errors(batch) == {
        ("CSV", 4, reason, "bad_entry_reason"),
        ("CSV", 5, date, "bad_entry_date"),
        ("CSV", 6, came, "unknown_source_household"),
        ("CSV", 7, came, "came_from_not_split"),
        ("CSV", 8, date, "bad_entry_date"),
        ("CSV", 9, came, "came_from_itself"),
    }
    import_commit(batch=batch, actor=district_officer)
    moved = Household.objects.get(code="DA101")
    assert (moved.entry_reason, str(moved.entry_date), moved.came_from_id) == (
        "moved_in",
        "2019-03-12",
        None,
    )
    split = Household.objects.get(code="DA102")
    assert (split.entry_reason, str(split.entry_date), split.came_from_id) == (
        "split_off",
        "2019-06-01",
        source.pk,
    )
    # the next file without the columns keeps what is recorded
    again = [hh_row("DA101", "Chuyển Đến", persons=1), hh_row("DA102", "Tách Ra", persons=1)]
    batch2 = _run(district_officer, dak_ang, csv_bytes(HH_HEADINGS, again), "lan2.csv")
    assert _errors(batch2) == set()
    import_commit(batch=batch2, actor=district_officer)
    split.refresh_from_db()
    assert (split.entry_reason, split.came_from_id) == ("split_off", source.pk)


def _letter_of(headings: list[str], heading: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(headings.index(heading) + 1)


def test_bulk_session_settings_are_restored() -> None:
    """Inside a bulk job: a 64 MB page cache (SQLite) or no WAL-flush wait per transaction
    (PostgreSQL); afterwards the setting is back to what it was."""
    from django.db import connection

    from giamngheo.registry.bulk import bulk_session

    def setting() -> object:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW synchronous_commit")
                sync = cursor.fetchone()[0]
                cursor.execute("SHOW random_page_cost")
                return (sync, cursor.fetchone()[0])
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default
    before = setting()
    with bulk_session():
        inside = setting()
    after = setting()
    with bulk_session(staging=False):  # an import's commit: durable on PostgreSQL
        committing = setting()
    if connection.vendor == "postgresql":
        assert (before, inside, after, committing) == (
            ("on", "4"),
            ("off", "1.1"),
            ("on", "4"),
            ("on", "1.1"),
        )
    else:
        assert (before, inside, after, committing) == (-2000, -65536, -2000, -65536)


def test_statistics_are_refreshed_after_big_jobs_only() -> None:
    from django.db import connection

    from giamngheo.registry.bulk import ANALYZE_AFTER_ROWS, refresh_statistics

    def analyzed() -> bool:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # reltuples is -1 until the table is first analyzed (or vacuumed); pg_class is
                # transactional, so this sees an ANALYZE inside the test's transaction
                cursor.execute(
                    "SELECT reltuples >= 0 FROM pg_class WHERE relname = %s",
                    [Member._meta.db_table],
                )
                return bool(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            return bool(cursor.fetchone()[0])

    refresh_statistics(Member, rows=ANALYZE_AFTER_ROWS - 1)
    assert not analyzed()
    refresh_statistics(Member, rows=ANALYZE_AFTER_ROWS)
    assert analyzed() == (connection.vendor == "postgresql")


def test_opendocument_workbook(district_officer: User, dak_ang: AdminUnit) -> None:
    """A LibreOffice .ods with the two sheets imports like the .xlsx, dates included."""
    import datetime as dt

    members = [list(m) for m in GOOD_MEMBERS]
    members[1][3] = dt.date(2010, 3, 12)  # a date cell
    content = ods_bytes(
        {"Hộ": (HH_HEADINGS, GOOD_HOUSEHOLDS), "Thành viên": (MEMBER_HEADINGS, members)}
    )
    batch = _run(district_officer, dak_ang, content, "ra_soat_2019.ods")
    assert batch.status == ImportStatus.VALIDATED, batch.file_errors
    assert (batch.layout, _errors(batch)) == ("two", set())
    import_commit(batch=batch, actor=district_officer)
    assert set(Household.objects.values_list("code", flat=True)) == {"DA001", "DA002"}
    assert str(Member.objects.get(full_name="Y Nhi").birth_date) == "2010-03-12"


def test_old_excel_is_refused_with_what_to_do(district_officer: User, dak_ang: AdminUnit) -> None:
    batch = _run(district_officer, dak_ang, b"\xd0\xcf\x11\xe0", "ra_soat_2019.xls")
    assert batch.status == ImportStatus.FAILED
    (error,) = batch.file_errors
    assert (
        "lưu lại thành .xlsx" in error["message_vi"] and "save it as .xlsx" in error["message_en"]
    )


def test_commit_goes_on_when_progress_cannot_be_written(
    district_officer: User, dak_ang: AdminUnit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress is only shown: a progress folder that cannot be written (here: a file stands
    where the folder should be) neither blocks the commit nor leaves the batch COMMITTING."""
    from giamngheo.registry import progress

    batch = _run(district_officer, dak_ang, two_sheet_file())
    blocker = progress.folder()
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")
    batch = import_commit(batch=batch, actor=district_officer)
    assert batch.status == ImportStatus.COMMITTED
    assert Household.objects.filter(code__in=["DA001", "DA002"]).count() == 2
    assert progress.read(batch.pk) is None


@pytest.mark.parametrize("chunk", [None, 5, 64])
def test_formula_errors_are_refused_not_read_as_empty(
    district_officer: User, dak_ang: AdminUnit, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    """A broken formula (#REF!, #N/A) in a flag cell must not become 0: the row fails at that
    cell, with what the file shows (also when the scan reads the sheet in tiny pieces)."""
    if chunk is not None:
        monkeypatch.setattr(reader, "_ERROR_SCAN_CHUNK", chunk)
    households = [list(r) for r in GOOD_HOUSEHOLDS]
    households[0][HH_HEADINGS.index("Hộ dân tộc thiểu số tại chỗ")] = "#REF!"
    members = [list(m) for m in GOOD_MEMBERS]
    members[2][MEMBER_HEADINGS.index("Có bảo hiểm y tế")] = "#N/A"
    batch = _run(district_officer, dak_ang, two_sheet_file(households, members))
    flag = _letter_of(HH_HEADINGS, "Hộ dân tộc thiểu số tại chỗ")
    insured = _letter_of(MEMBER_HEADINGS, "Có bảo hiểm y tế")
    errors = _errors(batch)
    assert {("Hộ", 2, flag, "cell_error"), ("Thành viên", 4, insured, "cell_error")} <= errors
    assert batch.households_valid == 0  # DA001 by its cell, DA002 by its member's
    raw = ImportRow.objects.get(batch=batch, kind="household", row_number=2).raw
    assert raw[HH_HEADINGS.index("Hộ dân tộc thiểu số tại chỗ")] == "#REF!"


def test_commit_refuses_a_batch_whose_staged_rows_are_gone(
    district_officer: User, dak_ang: AdminUnit
) -> None:
    """On PostgreSQL the staged rows are not crash-safe (an UNLOGGED table comes back empty
    after a server crash): a commit that finds fewer rows than the validation counted writes
    nothing and asks for the file to be validated again."""
    from django.core.exceptions import ValidationError
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relpersistence FROM pg_class WHERE relname = %s",
                [ImportRow._meta.db_table],
            )
            assert cursor.fetchone()[0] == "u"  # unlogged (migration 0004)
    batch = _run(district_officer, dak_ang, two_sheet_file())
    ImportRow.objects.filter(batch=batch).delete()  # what a crash leaves on PostgreSQL
    with pytest.raises(ValidationError) as caught:
        import_commit(batch=batch, actor=district_officer)
    assert "validate the file again" in str(caught.value)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING
    assert not Household.objects.filter(code__in=["DA001", "DA002"]).exists()
    batch = import_validate(batch=batch, actor=district_officer)  # validated again: it works
    assert import_commit(batch=batch, actor=district_officer).status == ImportStatus.COMMITTED


def test_households_by_key_matches_commune_and_code_together(units: DemoUnits) -> None:
    a, b = units.communes_old[DAK_ANG], units.communes_old["23383"]
    made = {
        (c.pk, code): Household.objects.create(commune=c, code=code, head_name=code).pk
        for c in (a, b)
        for code in ("X1", "X2")
    }
    got = imports.households_by_key([(a.pk, "X1"), (b.pk, "X2")], "head_name")
    assert sorted((r["commune_id"], r["code"], r["pk"]) for r in got) == sorted(
        [(a.pk, "X1", made[(a.pk, "X1")]), (b.pk, "X2", made[(b.pk, "X2")])]
    )
    assert imports.households_by_key([]) == []
