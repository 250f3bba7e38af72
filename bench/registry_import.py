"""Benchmark of the staged review import (issue 4 §2): validate + commit N households.

    .venv/bin/python bench/registry_import.py [--households 100000] [--format csv|xlsx]
                                              [--keep DIR]

Builds a fresh SQLite database (or uses ``DATABASE_URL``) with the Ngọc Hồi units, writes a
synthetic flat-layout file (one row per household: the head's sex, year of birth and citizen
ID, income and the 10 QĐ 59/2015 indicators, causes of poverty) for the 2019 periodic review,
then times ``import_upload`` + ``import_validate`` + ``import_commit`` and a second import of
the same rows from a different file (the idempotent re-import). Prints households per second
and the peak resident memory (ru_maxrss) after each phase (BENCH_PROFILE=FILE writes a cProfile of
the first validation). The machine may be shared: the CPU
time of this process is printed beside the wall time, with the load average.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

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


def write_file(data: list[list[object]], fmt: str, folder: Path, tag: str) -> Path:
    path = folder / f"ra_soat_2019_{tag}.{fmt}"
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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(folder: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    os.environ["GIAMNGHEO_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "giamngheo.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the database and files")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gn_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run_bench(folder, args.households, args.format)
    finally:
        if args.keep is None:  # the database of a 100,000-household run is ~0.8 GB
            shutil.rmtree(folder, ignore_errors=True)


def run_bench(folder: Path, n: int, fmt: str) -> None:
    setup_django(folder)

    from django.contrib.auth.models import User

    from giamngheo.geo.models import AdminUnit
    from giamngheo.geo.services import load_ngoc_hoi_demo
    from giamngheo.registry.models import Household, Member, ReviewRecord
    from giamngheo.registry.services import import_commit, import_upload, import_validate

    units = load_ngoc_hoi_demo()
    actor, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    district: AdminUnit = units.district
    t = time.perf_counter()
    data = rows(n)
    path = write_file(data, fmt, folder, "a")
    print(
        f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {n} households, "
        f"generated in {time.perf_counter() - t:.1f} s; peak RSS {peak_mb():.0f} MB"
    )
    del data

    def run(p: Path, label: str) -> None:
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
    data = rows(n)
    data.reverse()
    path2 = write_file(data, fmt, folder, "b")
    del data
    run(path2, "re-import    ")
    print(
        f"registry: {Household.objects.count()} households, {Member.objects.count()} members, "
        f"{ReviewRecord.objects.count()} reviews"
    )


if __name__ == "__main__":
    main()
