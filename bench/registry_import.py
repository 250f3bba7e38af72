"""Benchmark of the staged review import (issue 4 §2): validate + commit N households.

    .venv/bin/python bench/registry_import.py [--households 100000] [--format csv|xlsx]
                                              [--layout flat|two] [--keep DIR]

Builds a fresh SQLite database (or uses ``DATABASE_URL``: give it an empty database) with the
Ngọc Hồi units, writes a synthetic file for the 2019 periodic review in a child process
(reused from ``--keep DIR`` when there), then times ``import_upload`` +
``import_validate`` + ``import_commit`` and a second import of the same rows from a
different file, in another order (the idempotent re-import).

Layouts: ``flat`` is one row per household (the head's sex, year of birth and citizen ID,
income and the 10 QĐ 59/2015 indicators, causes of poverty); ``two`` is the template's
two-sheet workbook (xlsx only): the same households without the head's columns, and a
"Thành viên" sheet with every member (1–8 per household, about 4.5 on average: the head,
a spouse, children) with sex, birth year, relationship, ethnicity and a citizen ID.

Prints households per second and the peak resident memory (ru_maxrss) after each phase
(BENCH_PROFILE=FILE writes cProfiles of the first validation and commit: FILE, FILE.commit;
BENCH_SQL=1 prints the SQL statements that took the most time in each import).
The machine may be shared: the CPU time of this process is printed beside the wall time,
with the load average.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from common import peak_mb, setup_django

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = ("23377", "23380", "23383", "23386", "23389", "23392", "23395", "23398")
INDICATORS = (
    "dep_health_access",
    "dep_health_insurance",
    "dep_adult_education",
    "dep_child_schooling",
    "dep_housing_quality",
    "dep_housing_area",
    "dep_water",
    "dep_sanitation",
    "dep_telecom",
    "dep_info_assets",
)
HEADINGS = [
    "Mã hộ",
    "Mã xã",
    "Thôn",
    "Họ tên chủ hộ",
    "Địa chỉ",
    "Hộ dân tộc thiểu số",
    "Chủ hộ là nữ",
    "Số nhân khẩu",
    "Thu nhập bình quân đầu người/tháng",
    *INDICATORS,
    "Thiếu vốn sản xuất",
    "Thiếu đất sản xuất",
    "Giới tính chủ hộ",
    "Năm sinh chủ hộ",
    "Số định danh chủ hộ",
    "Dân tộc chủ hộ",
]
NAMES = ("A Blong", "Y Hoa", "A Thuận", "Y Lan", "Nguyễn Văn An", "Trần Thị Bình", "A Đức")


def rows(n: int, seed: int = 7) -> list[list[object]]:
    rnd = random.Random(seed)
    out: list[list[object]] = []
    for i in range(n):
        commune = COMMUNES[i % len(COMMUNES)]
        village = ("Tổ dân phố" if commune == "23377" else "Thôn") + f" {rnd.randint(1, 4)}"
        female = rnd.random() < 0.3
        year = rnd.randint(1940, 2000)
        minority = rnd.random() < 0.6
        income = rnd.choice(
            (rnd.randint(300, 700), rnd.randint(700, 1000), rnd.randint(1000, 3000))
        )
        deps = [int(rnd.random() < 0.25) for _ in INDICATORS]
        g = (0 if year < 2000 else 2) + int(female)
        nid = f"062{g}{year % 100:02d}{i:06d}"
        out.append(
            [
                f"HH{i:07d}",
                commune,
                village,
                NAMES[i % len(NAMES)] + f" {i}",
                f"{village}",
                int(minority),
                int(female),
                rnd.randint(1, 8),
                income * 1000,
                *deps,
                int(rnd.random() < 0.4),
                int(rnd.random() < 0.2),
                "Nữ" if female else "Nam",
                year,
                nid,
                "Xơ Đăng" if minority else "Kinh",
            ]
        )
    return out


HEAD_COLUMNS = 4  # the last four headings: the head's sex, birth year, ID, ethnicity
MEMBER_HEADINGS = [
    "Mã hộ",
    "Họ tên",
    "Giới tính",
    "Năm sinh",
    "Quan hệ với chủ hộ",
    "Dân tộc",
    "Số định danh cá nhân",
]


def members(data: list[list[object]]) -> list[list[object]]:
    """Member rows for households made by :func:`rows` (flat rows: the head's data last).
    Each household's members depend on its code only, so a reordered file has the same ones."""
    out: list[list[object]] = []
    for r in data:
        code, head, persons = str(r[0]), r[3], int(str(r[7]))
        rnd = random.Random(code)
        index = int(code[2:])
        sex, year, nid, eth = r[-4:]
        out.append([code, head, sex, year, "Chủ hộ", eth, nid])
        for k in range(1, persons):
            serial = index * 8 + k
            female = rnd.random() < 0.5
            if k == 1:
                by, rel = int(str(year)) + rnd.randint(-3, 3), "Vợ/chồng"
            else:
                by, rel = min(int(str(year)) + rnd.randint(18, 35), 2018), "Con"
            g = (0 if by < 2000 else 2) + int(female)
            out.append(
                [
                    code,
                    f"{NAMES[serial % len(NAMES)]} {serial}",
                    "Nữ" if female else "Nam",
                    by,
                    rel,
                    eth,
                    f"064{g}{by % 100:02d}{serial:06d}",
                ]
            )
    return out


def write_file(
    data: list[list[object]], fmt: str, folder: Path, tag: str, layout: str = "flat"
) -> Path:
    path = folder / f"ra_soat_2019_{tag}_{layout}.{fmt}"
    if layout == "two":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Hộ")
        ws.append(HEADINGS[:-HEAD_COLUMNS])
        for r in data:
            ws.append(r[:-HEAD_COLUMNS])
        ws = wb.create_sheet("Thành viên")
        ws.append(MEMBER_HEADINGS)
        for m in members(data):
            ws.append(m)
        wb.save(path)
        return path
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(HEADINGS)
        w.writerows(data)
        path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Hộ")
        ws.append(HEADINGS)
        for r in data:
            ws.append(r)
        wb.save(path)
    return path


def generate(folder: Path, n: int, fmt: str, layout: str) -> tuple[Path, Path]:
    """The two files (the second: the same rows in reverse order), written once per size,
    format and layout into ``folder``."""
    a = folder / f"ra_soat_2019_a{n}_{layout}.{fmt}"
    b = folder / f"ra_soat_2019_b{n}_{layout}.{fmt}"
    if not (a.exists() and b.exists()):
        data = rows(n)
        write_file(data, fmt, folder, f"a{n}", layout)
        data.reverse()
        write_file(data, fmt, folder, f"b{n}", layout)
    return a, b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    ap.add_argument("--layout", choices=("flat", "two"), default="flat")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the database and files")
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.layout == "two" and args.format != "xlsx":
        ap.error("the two-sheet layout is an .xlsx workbook: add --format xlsx")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gn_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        generate(folder, args.households, args.format, args.layout)
        return
    try:
        t = time.perf_counter()
        # In a child process, so that this one's peak memory is the import's alone.
        command = [sys.executable, __file__, "--generate-only", "--keep", str(folder)]
        command += ["--households", str(args.households), "--format", args.format]
        command += ["--layout", args.layout]
        subprocess.run(command, check=True)
        a, b = generate(folder, args.households, args.format, args.layout)  # (exist now)
        print(
            f"files: {a.name}, {a.stat().st_size / 1e6:.1f} MB, {args.households} households"
            f" (made or reused in {time.perf_counter() - t:.1f} s)"
        )
        run_bench(folder, args.households, a, b)
    finally:
        if args.keep is None:  # the database of a 100,000-household run is ~0.8 GB
            shutil.rmtree(folder, ignore_errors=True)


def run_bench(folder: Path, n: int, path: Path, path2: Path) -> None:
    for suffix in ("", "-wal", "-shm"):  # a fresh database each run (the files may be reused)
        (folder / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
    setup_django(folder, "bench.sqlite3")

    from django.contrib.auth.models import User
    from django.db import connection

    from giamngheo.geo.models import AdminUnit
    from giamngheo.geo.services import load_ngoc_hoi_demo
    from giamngheo.registry.models import Household, Member, ReviewRecord
    from giamngheo.registry.services import import_commit, import_upload, import_validate

    units = load_ngoc_hoi_demo()
    actor, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    district: AdminUnit = units.district
    print(f"before the import: peak RSS {peak_mb():.0f} MB")

    sql_time: dict[str, list[float]] = {}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = " ".join(sql.split()[:12])[:110]
            sql_time.setdefault(shape, []).append(time.perf_counter() - t)

    def report_sql() -> None:
        if not os.environ.get("BENCH_SQL"):
            return
        top = sorted(sql_time.items(), key=lambda kv: -sum(kv[1]))[:8]
        for shape, times in top:
            print(f"    {sum(times):6.2f} s  {len(times):6d}×  {shape}")
        sql_time.clear()

    if os.environ.get("BENCH_SQL"):  # bulk inserts (COPY on PostgreSQL) bypass the wrapper
        from giamngheo.registry.imports import commit, staging

        real_insert = staging.insert_many

        def timed_insert(model: Any, fields: Any, rows: Any) -> int:
            t = time.perf_counter()
            try:
                return real_insert(model, fields, rows)
            finally:
                shape = f"bulk insert into {model._meta.db_table}"
                sql_time.setdefault(shape, []).append(time.perf_counter() - t)

        staging.insert_many = commit.insert_many = timed_insert  # where each looks it up

    def run(p: Path, label: str) -> None:
        with connection.execute_wrapper(timed) if os.environ.get("BENCH_SQL") else nullcontext():
            run_timed(p, label)
        report_sql()

    def run_timed(p: Path, label: str) -> None:
        c0 = time.process_time()
        t0 = time.perf_counter()
        batch = import_upload(
            actor=actor, scope=district, year=2019, file_name=p.name, content=p.read_bytes()
        )
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
            batch = import_validate(batch=batch, actor=actor)
            prof.disable()
            prof.dump_stats(os.environ["BENCH_PROFILE"])
        else:
            batch = import_validate(batch=batch, actor=actor)
        t1, c1 = time.perf_counter(), time.process_time()
        print(
            f"{label} validate: {t1 - t0:.1f} s wall, {c1 - c0:.1f} s CPU "
            f"({n / (t1 - t0):,.0f} households/s), "
            f"valid {batch.households_valid}, invalid {batch.households_invalid}; "
            f"peak RSS {peak_mb():.0f} MB"
        )
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
            batch = import_commit(batch=batch, actor=actor)
            prof.disable()
            prof.dump_stats(os.environ["BENCH_PROFILE"] + ".commit")
        else:
            batch = import_commit(batch=batch, actor=actor)
        t2, c2 = time.perf_counter(), time.process_time()
        print(
            f"{label} commit:   {t2 - t1:.1f} s wall, {c2 - c1:.1f} s CPU "
            f"({n / (t2 - t1):,.0f} households/s); "
            f"summary {batch.summary}; peak RSS {peak_mb():.0f} MB"
        )
        print(
            f"{label} total:    {t2 - t0:.1f} s wall, {c2 - c0:.1f} s CPU "
            f"({n / (t2 - t0):,.0f} households/s); load average {os.getloadavg()[0]:.1f}"
        )

    run(path, "first import ")
    print(
        f"registry: {Household.objects.count()} households, {Member.objects.count()} members, "
        f"{ReviewRecord.objects.count()} reviews"
    )
    # The same rows in another file: idempotent upserts, nothing changes.
    run(path2, "re-import    ")
    print(
        f"registry: {Household.objects.count()} households, {Member.objects.count()} members, "
        f"{ReviewRecord.objects.count()} reviews"
    )


if __name__ == "__main__":
    main()
