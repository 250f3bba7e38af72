"""Benchmark of the deprivation-versus-support list and the escape-pipeline list (issue 10) for
a 500,000-household province.

    .venv/bin/python bench/support.py [--households 500000] [--sample 2000] [--keep DIR]

Builds a throwaway SQLite database (or uses ``DATABASE_URL``, e.g. a scratch PostgreSQL
database) with the Ngọc Hồi units and N households over its 8 communes, each with an approved
periodic review of 2019 and of 2020 under QĐ 59/2015: about 7 % poor and 6 % near-poor in 2019
(incomes and deprivations consistent with the standard; 3 % of them without a recorded income),
some escaping or losing deprivations in 2020. A third of the poor and near-poor received 1–3
supports in 2020 (the ledger, delivered or settled, a few still planned) and one in six a
Social Policy Bank loan; a fifth of the poor are registered to escape in 2020. The data is
written by a child process, so the peak memory printed is the measurement's own. With
``--keep DIR`` the database is kept and reused by the next run with the same folder.

Then, as a district officer (the whole "province"), it times separately:

* the **selectors** (database reads, ``support.selectors.needs``): the 2019 list
  (``needs``), what was received in 2020 (``received``), the 2020 reviews (``next_reviews``),
  the registrations;
* the **core** (``core.support.gaps``: ``gaps``, ``gap_summary``, ``unaddressed_list``,
  ``resolution``, ``effectiveness``; ``core.support.pipeline``: ``candidates``,
  ``registered_vs_escaped``);
* the pages of one commune and the district's summary through the Django test client;
* the **baseline**: the same lists written without the core and its selectors, as a per-
  household ORM loop (for each household of the list: its review, its supports, its loans, then
  the needs and their cover computed inline; for the pipeline: its review and its registration,
  then the distance). It is timed on a sample of ``--sample`` households and **extrapolated** to
  the whole list (time per household × households); the list query itself is timed whole.

Each line gives wall time, this process's CPU time, the 1-minute load average and the peak RSS
of the process so far.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, ngoc_hoi_villages, setup_django
from transitions import FAMILY, GIVEN, MIDDLE, Meter

DB_FILE = "bench_support.sqlite3"
KEYS = (
    "health_access", "health_insurance", "adult_education", "child_schooling",
    "housing_quality", "housing_area", "water", "sanitation", "telecom", "info_assets",
)  # fmt: skip
#: Support types given, with the indicator each mainly addresses (None: income).
GIVEN_TYPES = (
    ("clean_water", "water"), ("latrine", "sanitation"),
    ("health_insurance_card", "health_insurance"),
    ("housing_repair", "housing_quality"), ("tuition_exemption", "child_schooling"),
    ("information_equipment", "info_assets"), ("breeding_cattle", None), ("seedlings", None),
    ("vocational_training", None),
)  # fmt: skip
LOANS = ("poor", "near_poor", "water_sanitation", "housing", "job_creation")


# --- the data (child process) --------------------------------------------------------------------
def _person(rnd: random.Random) -> str:
    return " ".join(p for p in (rnd.choice(FAMILY), rnd.choice(MIDDLE), rnd.choice(GIVEN)) if p)


def _review_2019(rnd: random.Random, urban: bool) -> tuple[str, int | None, list[str]]:
    """(class, income per person per month, deprived) consistent with QĐ 59/2015."""
    poor_line, near_line = (900_000, 1_300_000) if urban else (700_000, 1_000_000)
    roll = rnd.random()
    if roll < 0.07:
        if rnd.random() < 0.6:
            income, n = rnd.randint(poor_line // 2, poor_line), rnd.randint(0, 5)
        else:
            income, n = rnd.randint(poor_line + 1, near_line), rnd.randint(3, 6)
        cls = "poor"
    elif roll < 0.13:
        cls, income, n = "near_poor", rnd.randint(poor_line + 1, near_line), rnd.randint(0, 2)
    elif roll < 0.25:
        cls, income, n = "medium", rnd.randint(near_line + 1, near_line * 3 // 2), rnd.randint(0, 2)
    else:
        cls, income, n = "non_poor", rnd.randint(near_line * 3 // 2, near_line * 4), 0
    recorded: int | None = income
    if cls in ("poor", "near_poor") and rnd.random() < 0.03:
        recorded = None
    return cls, recorded, rnd.sample(KEYS, n)


def _review_2020(
    rnd: random.Random, before: tuple[str, int | None, list[str]], helped: set[str], urban: bool
) -> tuple[str, int | None, list[str]]:
    cls, income, deprived = before
    if cls not in ("poor", "near_poor"):
        return before
    kept = [k for k in deprived if rnd.random() > (0.6 if k in helped else 0.2)]
    poor_line, near_line = (900_000, 1_300_000) if urban else (700_000, 1_000_000)
    roll = rnd.random() + (0.15 if "income" in helped else 0)
    if cls == "poor" and roll > 0.72:
        if rnd.random() < 0.7:
            return "near_poor", rnd.randint(poor_line + 1, near_line), kept[:2]
        return "medium", rnd.randint(near_line + 1, near_line * 3 // 2), kept[:2]
    if cls == "near_poor" and roll > 0.8:
        return "medium", rnd.randint(near_line + 1, near_line * 3 // 2), kept[:2]
    return cls, income, kept if cls == "near_poor" else deprived if len(kept) < 3 else kept


def _inputs(income: int | None, deprived: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {f"dep_{k}": int(k in deprived) for k in KEYS}
    if income is not None:
        out["income"] = income
    return out


def _households(n: int, rnd: random.Random, now: Any) -> list[tuple[int, bool]]:
    """Insert the households; (commune pk, urban) of each, in pk order."""
    from giamngheo.core.text import fold
    from giamngheo.registry.bulk import insert_many
    from giamngheo.registry.models import Household

    communes, villages = ngoc_hoi_villages()
    fields = (
        "commune_id", "village_id", "code", "head_name", "head_name_key", "address",
        "ethnic_minority", "area", "indigenous_minority", "no_labour_capacity", "merit_member",
        "social_assistance_member", "female_head", "status", "entry_reason", "created_at",
        "updated_at",
    )  # fmt: skip
    out: list[tuple[int, bool]] = []
    chunk: list[tuple[Any, ...]] = []
    for i in range(n):
        c = communes[i % len(communes)]
        urban = (c.area or "rural") == "urban"
        name = _person(rnd)
        vs = villages[c.pk]
        chunk.append(
            (c.pk, rnd.choice(vs) if vs else None, f"HH{i:07d}", name, fold(name), "",
             rnd.random() < 0.6, "urban" if urban else "rural", False, False, False, False,
             False, "active", "", now, now)
        )  # fmt: skip
        out.append((c.pk, urban))
        if len(chunk) >= 20_000:
            insert_many(Household, fields, chunk)
            chunk = []
    insert_many(Household, fields, chunk)
    return out


def populate(n: int, seed: int = 10) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from giamngheo.registry.bulk import insert_many, tune_connection
    from giamngheo.registry.models import Household, ReviewRecord
    from giamngheo.support.models import EscapeRegistration, Loan, Support

    rnd, now = random.Random(seed), timezone.now()
    tune_connection()
    t0 = time.perf_counter()
    with transaction.atomic():
        homes = _households(n, rnd, now)
    ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    rv_fields = (
        "household_id", "year", "kind", "review_date", "standard_id", "inputs", "persons",
        "classification", "poor_basis", "deprivation_count", "deprived", "explanation_vi",
        "explanation_en", "causes", "state", "revision", "created_at", "approved_at",
    )  # fmt: skip
    sp_fields = (
        "household_id", "support_type", "item", "quantity", "unit_label", "value", "source", "on",
        "year", "state", "reason_code", "reason_note", "created_at",
    )  # fmt: skip
    ln_fields = (
        "household_id", "contract_no", "programme", "amount", "disbursed_on", "rate",
        "term_months", "due_on", "outstanding", "overdue", "as_of", "savings_group",
        "transaction_point", "entrusted_org", "updated_at",
    )  # fmt: skip
    counts = {"reviews": 0, "supports": 0, "loans": 0, "registrations": 0}
    with transaction.atomic():
        reviews: list[tuple[Any, ...]] = []
        supports: list[tuple[Any, ...]] = []
        loans: list[tuple[Any, ...]] = []
        regs: list[tuple[Any, ...]] = []
        for hid, (commune, urban) in zip(ids, homes, strict=True):
            first = _review_2019(rnd, urban)
            helped: set[str] = set()
            if first[0] in ("poor", "near_poor") and rnd.random() < 1 / 3:
                for kind, key in rnd.sample(GIVEN_TYPES, rnd.randint(1, 3)):
                    state = rnd.choice(("delivered", "delivered", "settled", "planned"))
                    on = dt.date(2020, rnd.randint(1, 11), rnd.randint(1, 28))
                    supports.append((hid, kind, kind, 1, "", rnd.randint(5, 200) * 100_000,
                                     "central", on, 2020, state, "", "", now))  # fmt: skip
                    if state != "planned":
                        helped.add(key or "income")
                if rnd.random() < 0.5:
                    on = dt.date(2020, rnd.randint(1, 11), rnd.randint(1, 28))
                    amount = rnd.randint(10, 100) * 1_000_000
                    loans.append((hid, f"KU{hid:08d}", rnd.choice(LOANS), amount, on, "6.600", 60,
                                  on.replace(year=2025), amount, 0, dt.date(2020, 12, 31), "", "",
                                  "", now))  # fmt: skip
                    helped.add("income")
            if first[0] == "poor" and rnd.random() < 0.2:
                regs.append((hid, commune, 2020, "", now))
            second = _review_2020(rnd, first, helped, urban)
            for year, (cls, income, deprived) in ((2019, first), (2020, second)):
                reviews.append(
                    (hid, year, "periodic", dt.date(year, 11, 20), "QD59-2015",
                     _inputs(income, deprived), rnd.randint(1, 7), cls,
                     "income" if cls == "poor" else "", len(deprived), deprived, "", "", [],
                     "approved", 0, now, now)
                )  # fmt: skip
            if len(reviews) >= 20_000:
                counts["reviews"] += insert_many(ReviewRecord, rv_fields, reviews)
                reviews = []
        counts["reviews"] += insert_many(ReviewRecord, rv_fields, reviews)
        counts["supports"] += insert_many(Support, sp_fields, supports)
        counts["loans"] += insert_many(Loan, ln_fields, loans)
        reg_fields = ("household_id", "commune_id", "year", "note", "registered_at")
        counts["registrations"] += insert_many(EscapeRegistration, reg_fields, regs)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    shown = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    print(f"inserted {n:,} households, {shown} in {time.perf_counter() - t0:.1f} s", flush=True)


# --- the measurement -------------------------------------------------------------------------
def district_user() -> tuple[Any, Any, Any]:
    from django.contrib.auth.models import User

    from giamngheo.accounts.models import Role, UserProfile
    from giamngheo.geo.models import AdminUnit, Level

    district = AdminUnit.objects.get(code="611", level=Level.DISTRICT, valid_from__isnull=True)
    commune = AdminUnit.objects.get(code="23380", level=Level.COMMUNE, valid_from__isnull=True)
    user, _ = User.objects.get_or_create(username="bench_huyen")
    UserProfile.objects.update_or_create(
        user=user, defaults={"unit": district, "role": Role.DISTRICT_OFFICER}
    )
    return user, district, commune


def ours(meter: Meter, user: Any) -> dict[str, Any]:
    """The selectors and the core, as the pages call them, for the whole district."""
    from giamngheo.core.support import gaps as g
    from giamngheo.core.support import pipeline as p
    from giamngheo.support.selectors import needs as sel

    r: dict[str, Any] = {}
    needs = meter("selectors: needs (2019 list)", lambda: sel.needs(user, year=2019))
    communes = sorted({n.commune_id for n in needs})
    got = meter("selectors: received (2020)", lambda: sel.received(year=2020, commune_ids=communes))
    stds = {n.standard_id for n in needs}
    addressing = meter("selectors: addressing (catalog)", lambda: sel.addressing(stds))
    ids = {n.household_id for n in needs}
    later = meter(
        "selectors: next_reviews (2020)",
        lambda: sel.next_reviews(2020, ids),
    )
    regs = meter(
        "selectors: registrations (2020)",
        lambda: sel.registrations(year=2020, commune_ids=communes),
    )
    gap_list = meter("core: gaps", lambda: g.gaps(needs, got, addressing, year=2020))
    meter("core: gap_summary by commune and village", lambda: (
        g.gap_summary(gap_list, "commune"), g.gap_summary(gap_list, "village")
    ))  # fmt: skip
    unaddressed = meter("core: unaddressed_list", lambda: g.unaddressed_list(gap_list))
    res = meter("core: resolution", lambda: g.resolution(gap_list, later))
    meter("core: effectiveness", lambda: g.effectiveness(res, got, year=2020))
    ranked = meter("core: candidates (poor)", lambda: p.candidates(needs))
    table = meter(
        "core: registered_vs_escaped",
        lambda: p.registered_vs_escaped(
            regs, needs, later, dict.fromkeys(communes, 100), year=2020
        ),
    )
    r.update(
        needs=len(needs), received=len(got), unaddressed=len(unaddressed),
        candidates=len(ranked), registered=table[-1].registered,
        registered_escaped=table[-1].registered_escaped, resolutions=len(res),
    )  # fmt: skip
    return r


def naive_gaps(user: Any, sample: int) -> tuple[int, float, float, int]:
    """The deprivation list as a per-household ORM loop: (households, list query s, loop s for
    the sample, sampled)."""
    from giamngheo.accounts.access import unit_scope_q
    from giamngheo.core.standards import get_standard
    from giamngheo.core.support.catalog import load_catalog
    from giamngheo.registry.models import Household, ReviewRecord
    from giamngheo.support.models import Loan, Support

    catalog = load_catalog()
    t0 = time.perf_counter()
    listed = list(
        ReviewRecord.objects.filter(
            unit_scope_q(user, "household__commune"), year=2019, kind="periodic",
            state="approved", classification__in=("poor", "near_poor"),
        ).values_list("household_id", flat=True)
    )  # fmt: skip
    t1 = time.perf_counter()
    rows = []
    for hid in random.Random(5).sample(listed, min(sample, len(listed))):
        hh = Household.objects.get(pk=hid)
        review = (
            ReviewRecord.objects.filter(household=hh, year=2019, kind="periodic", state="approved")
            .order_by("-revision")
            .first()
        )
        assert review is not None
        std = get_standard(review.standard_id)
        lines = std.lines["urban" if hh.area == "urban" else "rural"]
        line = lines.poverty if review.classification == "poor" else lines.near_poverty
        income = review.inputs.get("income")
        needs = set(review.deprived)
        if income is None or income <= line:
            needs.add("income")
        addressed: set[str] = set()
        for s in Support.objects.filter(
            household=hh, year=2020, state__in=("delivered", "settled")
        ):
            addressed |= catalog.addresses(s.support_type, review.standard_id)
        for loan in Loan.objects.filter(household=hh, disbursed_on__year=2020):
            addressed |= catalog.addresses(f"loan_{loan.programme}", review.standard_id)
        rows.append((hh.code, needs & addressed, needs - addressed))
    t2 = time.perf_counter()
    return len(listed), t1 - t0, t2 - t1, len(rows)


def naive_pipeline(user: Any, sample: int) -> tuple[int, float, float, int]:
    """The escape pipeline as a per-household ORM loop (same shape as :func:`naive_gaps`)."""
    from giamngheo.accounts.access import unit_scope_q
    from giamngheo.core.standards import get_standard
    from giamngheo.registry.models import Household, ReviewRecord
    from giamngheo.support.models import EscapeRegistration

    t0 = time.perf_counter()
    listed = list(
        ReviewRecord.objects.filter(
            unit_scope_q(user, "household__commune"), year=2019, kind="periodic",
            state="approved", classification="poor",
        ).values_list("household_id", flat=True)
    )  # fmt: skip
    t1 = time.perf_counter()
    rows = []
    for hid in random.Random(6).sample(listed, min(sample, len(listed))):
        hh = Household.objects.get(pk=hid)
        review = (
            ReviewRecord.objects.filter(household=hh, year=2019, kind="periodic", state="approved")
            .order_by("-revision")
            .first()
        )
        assert review is not None
        std = get_standard(review.standard_id)
        lines = std.lines["urban" if hh.area == "urban" else "rural"]
        income = review.inputs.get("income")
        shortfall = None if income is None else max(0, lines.poverty - income + 1)
        remove = max(0, len(review.deprived) - std.deprivation_cutoff + 1)
        registered = EscapeRegistration.objects.filter(household=hh, year=2020).exists()
        rows.append((hh.commune_id, shortfall is None, shortfall or 0, remove, hh.code, registered))
    rows.sort()
    t2 = time.perf_counter()
    return len(listed), t1 - t0, t2 - t1, len(rows)


def pages(meter: Meter, user: Any, commune: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    for path in ("/ho-tro/thieu-hut/", "/ho-tro/thoat-ngheo/"):  # warm-up: imports, templates
        client.get(path, {"nam": "2001", "xa": str(commune.pk)})  # an empty year

    def get(path: str, params: dict[str, str]) -> Any:
        def call() -> Any:
            response = client.get(path, params)
            assert response.status_code == 200, (path, params, response.status_code)
            return response

        return call

    one = {"nam": "2020", "xa": str(commune.pk)}
    meter("page: gaps, district summary", get("/ho-tro/thieu-hut/", {"nam": "2020"}))
    meter("page: gaps, one commune, page 1", get("/ho-tro/thieu-hut/", one))
    only = {**one, "chua": "1"}
    meter("page: gaps, one commune, unaddressed only", get("/ho-tro/thieu-hut/", only))
    meter("page: pipeline, district", get("/ho-tro/thoat-ngheo/", {"nam": "2020"}))
    meter("page: pipeline, one commune, page 1", get("/ho-tro/thoat-ngheo/", one))


def naive(meter: Meter, user: Any, sample: int, results: dict[str, Any]) -> None:
    for label, fn in (("gaps", naive_gaps), ("pipeline", naive_pipeline)):
        step = f"baseline: {label}, sample of {sample}"
        total, list_s, loop_s, done = meter(step, lambda fn=fn: fn(user, sample))
        whole = list_s + loop_s / max(done, 1) * total
        results[f"baseline_{label}"] = {
            "households": total, "list_query_s": round(list_s, 3), "sample": done,
            "sample_loop_s": round(loop_s, 3), "extrapolated_s": round(whole, 1),
        }  # fmt: skip
        print(
            f"baseline {label}: {total:,} households; list query {list_s:.2f} s; {done:,} in"
            f" {loop_s:.2f} s → extrapolated to all: {whole:,.0f} s",
            flush=True,
        )


#: What the baseline computes too: (selector steps, core steps) of each list. The outcome at
#: the next review (``next_reviews``, ``resolution``, ``effectiveness``,
#: ``registered_vs_escaped``) has no counterpart in the baseline and is reported on its own.
COMPARED = {
    "gaps": (
        (
            "selectors: needs (2019 list)",
            "selectors: received (2020)",
            "selectors: addressing (catalog)",
        ),
        ("core: gaps", "core: gap_summary by commune and village", "core: unaddressed_list"),
    ),
    "pipeline": (
        ("selectors: needs (2019 list)", "selectors: registrations (2020)"),
        ("core: candidates (poor)",),
    ),
}
OUTCOME = (
    "selectors: next_reviews (2020)", "core: resolution", "core: effectiveness",
    "core: registered_vs_escaped",
)  # fmt: skip


def report(meter: Meter, results: dict[str, Any]) -> None:
    by = {r["step"]: r["wall_s"] for r in meter.results}
    for label, (sel_steps, core_steps) in COMPARED.items():
        sel_s, core_s = sum(by[k] for k in sel_steps), sum(by[k] for k in core_steps)
        base = results[f"baseline_{label}"]["extrapolated_s"]
        ratio = base / (sel_s + core_s)
        results[f"ours_{label}"] = {"selectors_s": round(sel_s, 3), "core_s": round(core_s, 3)}
        results[f"ratio_{label}"] = round(ratio, 1)
        print(
            f"{label}: selectors {sel_s:.2f} s + core {core_s:.2f} s = {sel_s + core_s:.2f} s;"
            f" baseline (extrapolated) {base:,.0f} s; ratio {ratio:,.0f} ×"
        )
    outcome = sum(by[k] for k in OUTCOME)
    print(f"outcome at the next review (not in the baseline): {outcome:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=500_000)
    parser.add_argument("--sample", type=int, default=2000, help="baseline sample size")
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gn-bench-support-"))
    folder.mkdir(parents=True, exist_ok=True)
    setup_django(folder, DB_FILE)
    from django.db import connection
    from django.test.utils import setup_test_environment

    from giamngheo.registry.models import Household

    if args.populate:
        populate(args.households)
        return
    if not Household.objects.exists():
        connection.close()
        cmd = [sys.executable, __file__, "--populate", "--households", str(args.households)]
        subprocess.run([*cmd, "--keep", str(folder)], check=True, env=os.environ.copy())
    n = Household.objects.count()
    print(f"{connection.vendor}, {n:,} households, load average {os.getloadavg()[0]:.2f}")
    setup_test_environment()
    user, _district, commune = district_user()
    meter = Meter()
    results = ours(meter, user)
    print(f"lists: {json.dumps(results)}", flush=True)
    pages(meter, user, commune)
    naive(meter, user, args.sample, results)
    report(meter, results)
    out = ROOT / "bench" / "out" / "support"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"results-{connection.vendor}-{n}-{stamp}.json").write_text(
        json.dumps(
            {
                "households": n,
                "vendor": connection.vendor,
                "figures": results,
                "steps": meter.results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    if not args.keep and connection.vendor == "sqlite":
        for f in folder.glob(f"{DB_FILE}*"):
            f.unlink()


if __name__ == "__main__":
    main()
