"""Benchmark of the transitions page, its drill-down and its export at 500,000 households.

    .venv/bin/python bench/transitions.py [--households 500000] [--keep DIR] [--skip-engine]

Builds a throwaway SQLite database (or uses ``DATABASE_URL``, e.g. a scratch PostgreSQL
database) with the Ngọc Hồi units and N households spread over its 8 communes, with approved
periodic reviews for 2018, 2019 and 2020 and believable movements: most stay where they were,
some escape, some fall back (re-poor), some become poor for the first time, about 6 % leave
(moved away, dissolved, merged — dated on the household) and about 6 % arrive after 2018 (moved
in, split off: ``Household.entry_reason`` / ``entry_date``). Everything is inserted in bulk
(``registry.bulk.insert_many``). With ``--keep DIR`` the database is kept and reused by the
next run with the same folder.

Then it times, as a district officer (Ngọc Hồi) and as a commune officer (Đắk Ang):

* ``engine``: ``unit_histories`` (``giamngheo.registry.histories``) and the movement tables of
  both lists (total, by area, by area and unit, ethnic-minority households) — what every
  request paid before the cache (skip with ``--skip-engine``);
* the page, a drill-down (first page and a deep page) and the export through the Django test
  client, each with an empty cache (``cold``) and again with the cache filled (``warm``).
  Background tasks run inline here (django-tasks' immediate backend), so a cold GET includes
  the whole computation that the worker does in production: the computed report
  ``giamngheo.transitions.report.TRANSITIONS`` through ``giamngheo.computed`` (the figures,
  ``giamngheo.core.transitions_figures``, and the drill-down index,
  ``giamngheo.core.transitions_index``); a warm page renders the cached figures
  (``giamngheo.core.transitions_report``).

Each line gives wall time, this process's CPU time, the 1-minute load average and the peak RSS
of the process so far: the machine may be shared, so read wall time beside CPU time and load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ngoc_hoi_villages, setup_django

ROOT = Path(__file__).resolve().parent.parent
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đinh", "A", "Y", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "", "Ngọc", "Thanh")
GIVEN = ("An", "Bình", "Blong", "Hoa", "Lan", "Thuận", "Đức", "Hùng", "Mai", "Nhi", "Sơn")
YEARS = (2018, 2019, 2020)
CLASSES = ("poor", "near_poor", "medium", "non_poor")
#: Probability of each classification next year given this year's (a believable churn:
#: escapes, re-poor through the medium band, newly poor from non-poor).
NEXT = {
    "poor": (0.72, 0.14, 0.09, 0.05),
    "near_poor": (0.07, 0.70, 0.13, 0.10),
    "medium": (0.03, 0.06, 0.71, 0.20),
    "non_poor": (0.01, 0.02, 0.05, 0.92),
}
FIRST = (0.12, 0.10, 0.18, 0.60)
EXITS = ("moved_away", "dissolved", "merged")


def _plan(rnd: random.Random) -> tuple[int, int, dict[int, str], str | None]:
    """(first year, last year, classification per year, exit status) of one household."""
    first, last = YEARS[0], YEARS[-1]
    roll = rnd.random()
    if roll < 0.06:
        first = rnd.choice(YEARS[1:])
    elif roll < 0.12:
        last = rnd.choice(YEARS[:-1])
    cls = rnd.choices(CLASSES, FIRST)[0]
    out: dict[int, str] = {}
    for y in range(first, last + 1):
        if y > first:
            cls = rnd.choices(CLASSES, NEXT[cls])[0]
        out[y] = cls
    exit_status = rnd.choice(EXITS) if last < YEARS[-1] and rnd.random() < 0.8 else None
    return first, last, out, exit_status


def populate(n: int, seed: int = 11) -> None:
    from django.db import transaction
    from django.utils import timezone

    from giamngheo.core.text import fold
    from giamngheo.registry.bulk import insert_many, tune_connection
    from giamngheo.registry.models import Household, ReviewRecord

    communes, villages = ngoc_hoi_villages()
    rnd = random.Random(seed)
    now = timezone.now()
    tune_connection()
    hh_fields = (
        "commune_id", "village_id", "code", "head_name", "head_name_key", "address",
        "ethnic_minority", "area", "indigenous_minority", "no_labour_capacity", "merit_member",
        "social_assistance_member", "female_head", "status", "status_date", "entry_reason",
        "entry_date", "created_at", "updated_at",
    )  # fmt: skip
    plans = [_plan(rnd) for _ in range(n)]
    entries = 0
    t0 = time.perf_counter()
    with transaction.atomic():
        chunk: list[tuple[Any, ...]] = []
        for i, (first, last, _cls, exit_status) in enumerate(plans):
            c = communes[i % len(communes)]
            vs = villages[c.pk]
            name = " ".join(
                p for p in (rnd.choice(FAMILY), rnd.choice(MIDDLE), rnd.choice(GIVEN)) if p
            )
            minority = rnd.random() < 0.6
            status = exit_status or "active"
            status_date = dt.date(last + 1, 6, 30) if exit_status else None
            entry, entry_date = "", None
            if first > YEARS[0] and rnd.random() < 0.8:  # some arrivals have no recorded reason
                entry = "moved_in" if rnd.random() < 0.6 else "split_off"
                entry_date = dt.date(first, 3, 1)
                entries += 1
            chunk.append(
                (
                    c.pk, rnd.choice(vs) if vs else None, f"HH{i:07d}", name, fold(name), "",
                    minority, c.area or "rural", minority and rnd.random() < 0.5,
                    rnd.random() < 0.05, rnd.random() < 0.03, rnd.random() < 0.08,
                    rnd.random() < 0.3, status, status_date, entry, entry_date, now, now,
                )
            )  # fmt: skip
            if len(chunk) >= 20_000:
                insert_many(Household, hh_fields, chunk)
                chunk = []
        insert_many(Household, hh_fields, chunk)
    t1 = time.perf_counter()
    rv_fields = (
        "household_id", "year", "kind", "review_date", "standard_id", "inputs", "persons",
        "classification", "poor_basis", "deprivation_count", "deprived", "explanation_vi",
        "explanation_en", "causes", "state", "revision", "created_at", "approved_at",
    )  # fmt: skip
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    reviews = 0
    with transaction.atomic():
        chunk = []
        for hid, (_first, _last, by_year, _exit) in zip(ids, plans, strict=True):
            persons = rnd.randint(1, 8)
            for year, cls in by_year.items():
                if rnd.random() < 0.15:
                    persons = max(1, persons + rnd.choice((-1, 1)))
                chunk.append(
                    (
                        hid, year, "periodic", dt.date(year, 12, 31), "QD59-2015", {}, persons,
                        cls, "income" if cls == "poor" else "", 0, [], "", "", [], "approved",
                        0, now, now,
                    )
                )  # fmt: skip
                if len(chunk) >= 20_000:
                    reviews += insert_many(ReviewRecord, rv_fields, chunk)
                    chunk = []
        reviews += insert_many(ReviewRecord, rv_fields, chunk)
    t2 = time.perf_counter()
    print(
        f"inserted {n:,} households ({entries:,} arrivals with a reason) in {t1 - t0:.1f} s,"
        f" {reviews:,} reviews in {t2 - t1:.1f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def users() -> dict[str, Any]:
    from django.contrib.auth.models import User

    from giamngheo.accounts.models import Role, UserProfile
    from giamngheo.geo.models import AdminUnit, Level

    district = AdminUnit.objects.get(code="611", level=Level.DISTRICT, valid_from__isnull=True)
    commune = AdminUnit.objects.get(code="23380", level=Level.COMMUNE, valid_from__isnull=True)
    out: dict[str, Any] = {"district": district, "commune": commune}
    for name, unit, role in (
        ("bench_huyen", district, Role.DISTRICT_OFFICER),
        ("bench_xa", commune, Role.COMMUNE_OFFICER),
    ):
        user, _ = User.objects.get_or_create(username=name)
        UserProfile.objects.update_or_create(user=user, defaults={"unit": unit, "role": role})
        out[name] = user
    return out


class Meter:
    """Wall and CPU time, load average and peak RSS of each step."""

    def __init__(self) -> None:
        self.results: list[dict[str, Any]] = []

    def __call__(self, label: str, fn: Callable[[], Any]) -> Any:
        c0, t0 = time.process_time(), time.perf_counter()
        value = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = os.getloadavg()[0]
        self.results.append(
            {
                "step": label,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "load": round(load, 2),
                "peak_rss_mb": round(rss),
            }
        )
        print(
            f"{label:46s} wall {wall:8.3f} s  cpu {cpu:8.3f} s  load {load:5.2f}"
            f"  peak RSS {rss:7.0f} MB",
            flush=True,
        )
        return value


def clear_cache() -> None:
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


def engine(meter: Meter, user: Any, unit: Any, label: str) -> None:
    """What every request computed before the cache: histories, then the page's tables."""
    from giamngheo.core.transitions import LIST_KINDS, movement_table, movement_tables
    from giamngheo.registry.histories import unit_histories

    histories = meter(
        f"{label}: unit_histories", lambda: unit_histories(actor=user, unit=unit, up_to=2020)
    )

    def tables() -> None:
        em = [h for h in histories if h.records[-1].ethnic_minority]
        for kind in LIST_KINDS:
            movement_tables(histories, 2019, 2020, list_kind=kind, group_by=("area",))
            movement_tables(histories, 2019, 2020, list_kind=kind, group_by=("area", "unit"))
            movement_table(em, 2019, 2020, list_kind=kind)

    meter(f"{label}: movement tables (both lists)", tables)


def pages(meter: Meter, who: Any, unit: Any, label: str) -> None:
    from django.test import Client

    client = Client()
    client.force_login(who)
    page = {"don_vi": str(unit.pk), "nam": "2020"}
    drill = {**page, "ds": "poor", "muc": "households_start", "do": "households"}

    def get(path: str, params: dict[str, str], ready: bool = True) -> Any:
        def call() -> Any:
            response = client.get(path, params)
            assert response.status_code == 200, (path, params, response.status_code)
            return response

        return call

    clear_cache()
    meter(f"{label}: page GET, cold", get("/ho-gia-dinh/bien-dong/", page))
    meter(f"{label}: page GET, warm", get("/ho-gia-dinh/bien-dong/", page))
    clear_cache()
    meter(f"{label}: drill-down page 1, cold", get("/ho-gia-dinh/bien-dong/danh-sach/", drill))
    meter(f"{label}: drill-down page 1, warm", get("/ho-gia-dinh/bien-dong/danh-sach/", drill))
    deep = {**drill, "trang": "1500"}
    meter(f"{label}: drill-down page 1500, warm", get("/ho-gia-dinh/bien-dong/danh-sach/", deep))
    newly = {**drill, "muc": "newly", "khu_vuc": "rural", "dtts": "1"}
    meter(
        f"{label}: drill-down newly/rural/EM, warm",
        get("/ho-gia-dinh/bien-dong/danh-sach/", newly),
    )
    clear_cache()
    meter(f"{label}: export, cold", get("/ho-gia-dinh/bien-dong/xuat.xlsx", page))
    meter(f"{label}: export, warm", get("/ho-gia-dinh/bien-dong/xuat.xlsx", page))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500_000)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    parser.add_argument("--skip-engine", action="store_true", help="time the pages only")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gn-bench-transitions-"))
    folder.mkdir(parents=True, exist_ok=True)
    setup_django(folder, "bench_transitions.sqlite3", inline_tasks=True)
    from django.db import connection
    from django.test.utils import setup_test_environment

    from giamngheo.registry.models import Household

    if not Household.objects.exists():
        populate(args.households)
    n = Household.objects.count()
    print(f"{connection.vendor}, {n:,} households, load average {os.getloadavg()[0]:.2f}")
    setup_test_environment()
    u = users()
    meter = Meter()
    if not args.skip_engine:
        engine(meter, u["bench_huyen"], u["district"], "district")
        engine(meter, u["bench_xa"], u["commune"], "commune")
    pages(meter, u["bench_huyen"], u["district"], "district")
    pages(meter, u["bench_xa"], u["commune"], "commune")
    out = ROOT / "bench" / "out" / "transitions"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"results-{connection.vendor}-{n}-{stamp}.json").write_text(
        json.dumps(
            {"households": n, "vendor": connection.vendor, "results": meter.results},
            ensure_ascii=False,
            indent=2,
        )
    )
    if not args.keep and connection.vendor == "sqlite":
        for f in folder.glob("bench_transitions.sqlite3*"):
            f.unlink()


if __name__ == "__main__":
    main()
