"""Benchmark of the household list page (issue 4 §4): fast at 500,000 households.

    .venv/bin/python bench/registry_list.py [--households 500000] [--repeat 5] [--keep DIR]

Builds a throwaway SQLite database (or uses ``DATABASE_URL``, e.g. a scratch PostgreSQL
database) with the Ngọc Hồi units, bulk-inserts N households spread over its communes and
villages (Vietnamese names with diacritics) and one approved periodic review per household
for 2018 and 2019, then requests the list page as a district officer and as a commune officer
with several filters and times it: the median wall time of the whole request (selectors,
count, page, template), the number of queries and the slowest query. The machine may be
shared: the load average is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ngoc_hoi_villages, setup_django

ROOT = Path(__file__).resolve().parent.parent
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đinh", "A", "Y", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "", "Ngọc", "Thanh")
GIVEN = ("An", "Bình", "Blong", "Hoa", "Lan", "Thuận", "Đức", "Hùng", "Mai", "Nhi", "Sơn")
INDICATORS = (
    "health_access",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "info_assets",
)


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
        "social_assistance_member", "female_head", "status", "created_at", "updated_at",
    )  # fmt: skip
    t0 = time.perf_counter()
    with transaction.atomic():
        chunk: list[tuple[Any, ...]] = []
        for i in range(n):
            c = communes[i % len(communes)]
            vs = villages[c.pk]
            name = " ".join(
                p for p in (rnd.choice(FAMILY), rnd.choice(MIDDLE), rnd.choice(GIVEN)) if p
            )
            minority = rnd.random() < 0.6
            chunk.append(
                (
                    c.pk, rnd.choice(vs) if vs else None, f"HH{i:07d}", name, fold(name), "",
                    minority, c.area or "rural", minority and rnd.random() < 0.5,
                    rnd.random() < 0.05, rnd.random() < 0.03, rnd.random() < 0.08,
                    rnd.random() < 0.3, "active", now, now,
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
    with transaction.atomic():
        for year in (2018, 2019):
            chunk = []
            for hid in ids:
                deprived = [k for k in INDICATORS if rnd.random() < 0.2]
                cls = rnd.choices(("poor", "near_poor", "non_poor"), (0.15, 0.1, 0.75))[0]
                chunk.append(
                    (
                        hid, year, "periodic", dt.date(year, 12, 31), "QD59-2015",
                        {f"dep_{k}": int(k in deprived) for k in INDICATORS}, 4, cls,
                        "income" if cls == "poor" else "", len(deprived), deprived,
                        "Giải thích", "Explanation", [], "approved", 0, now, now,
                    )
                )  # fmt: skip
                if len(chunk) >= 20_000:
                    insert_many(ReviewRecord, rv_fields, chunk)
                    chunk = []
            insert_many(ReviewRecord, rv_fields, chunk)
    t2 = time.perf_counter()
    print(f"inserted {n:,} households in {t1 - t0:.1f} s, {2 * n:,} reviews in {t2 - t1:.1f} s")
    analyze()


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def users() -> dict[str, Any]:
    from django.contrib.auth.models import User

    from giamngheo.accounts.models import Role, UserProfile
    from giamngheo.geo.models import AdminUnit, Level

    district = AdminUnit.objects.get(code="611", level=Level.DISTRICT, valid_from__isnull=True)
    commune = AdminUnit.objects.get(code="23380", level=Level.COMMUNE, valid_from__isnull=True)
    out: dict[str, Any] = {}
    for name, unit, role in (
        ("bench_huyen", district, Role.DISTRICT_OFFICER),
        ("bench_xa", commune, Role.COMMUNE_OFFICER),
    ):
        user, _ = User.objects.get_or_create(username=name)
        UserProfile.objects.update_or_create(user=user, defaults={"unit": unit, "role": role})
        out[name] = user
    out["commune"] = commune
    return out


def scenarios(commune: Any) -> list[tuple[str, str, dict[str, str]]]:
    from giamngheo.geo.models import AdminUnit

    village = AdminUnit.objects.filter(parent=commune).order_by("pk").first()
    c, v = str(commune.pk), str(village.pk) if village else ""
    return [
        ("district, no filter", "bench_huyen", {}),
        ("district, page 2 (keyset)", "bench_huyen", {"sau": f"{c}:HH0000399"}),
        ("district, deep page (keyset)", "bench_huyen", {"sau": f"{c}:HH0400000"}),
        ("district, commune", "bench_huyen", {"commune": c}),
        ("district, village", "bench_huyen", {"commune": c, "village": v}),
        ("district, poor 2019", "bench_huyen", {"classification": "poor"}),
        ("district, deprived: water", "bench_huyen", {"deprivation": "water"}),
        ("district, policy: merit", "bench_huyen", {"flag": "merit_member"}),
        ("district, status moved away", "bench_huyen", {"status": "moved_away"}),
        ("district, search 'nguyen van an'", "bench_huyen", {"q": "nguyen van an"}),
        ("district, search 'hung'", "bench_huyen", {"q": "hung"}),
        ("district, search code", "bench_huyen", {"q": "HH0123456"}),
        (
            "district, poor + water + commune",
            "bench_huyen",
            {"commune": c, "classification": "poor", "deprivation": "water"},
        ),
        ("commune officer, no filter", "bench_xa", {}),
        ("commune officer, near-poor 2018", "bench_xa",
         {"classification": "near_poor", "year": "2018"}),
        ("commune officer, search 'y lan'", "bench_xa", {"q": "y lan"}),
    ]  # fmt: skip


def run(repeat: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # the responses carry their template context
    u = users()
    results = []
    for label, who, params in scenarios(u["commune"]):
        client = Client()
        client.force_login(u[who])
        client.get("/ho-gia-dinh/", params)  # warm up (session, caches)
        times: list[float] = []
        slowest = 0.0
        queries = 0
        rows = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                r = client.get("/ho-gia-dinh/", params)
                times.append(time.perf_counter() - t)
            assert r.status_code == 200, (label, r.status_code)
            queries = len(ctx.captured_queries)
            slowest = max(slowest, *(float(q["time"]) for q in ctx.captured_queries))
            rows = len(r.context["rows"])
            count = r.context["page"].count
            capped = r.context["page"].capped
        results.append(
            {
                "scenario": label,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "queries": queries,
                "slowest_query_ms": round(slowest * 1000, 1),
                "rows": rows,
                "count": f"{'>' if capped else ''}{count}",
            }
        )
        print(
            f"{label:40s} {results[-1]['median_ms']:8.1f} ms  (max {results[-1]['max_ms']:7.1f})"
            f"  {queries:2d} queries, slowest {results[-1]['slowest_query_ms']:7.1f} ms,"
            f" {rows} rows, count {results[-1]['count']}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gn-bench-list-"))
    folder.mkdir(parents=True, exist_ok=True)
    setup_django(folder, "bench_list.sqlite3")
    from django.db import connection

    from giamngheo.registry.models import Household

    if not Household.objects.exists():
        populate(args.households)
    print(
        f"{connection.vendor}, {Household.objects.count():,} households,"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    results = run(args.repeat)
    out = ROOT / "bench" / "out" / "registry_list"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"results-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(
            {
                "households": Household.objects.count(),
                "vendor": connection.vendor,
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    if not args.keep and connection.vendor == "sqlite":
        for f in folder.glob("bench_list.sqlite3*"):
            f.unlink()


if __name__ == "__main__":
    main()
