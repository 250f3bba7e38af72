"""Benchmark: classify 1 M and 10 M households from Parquet, as whole processes.

    .venv/bin/python bench/classify/run.py                 # 1 M and 10 M, best of 2
    .venv/bin/python bench/classify/run.py --sizes 1000000 --repeat 3

For each size, in one run: (a) ``giamngheo classify`` (under ``without_pandas.py``, as installed
in production; also plain, as in the development environment), (b) the pandas program in
``pandas_baseline.py``, (c) the floor in ``floor.py`` (read and write, no classification).
Each is a separate process; wall time, CPU time and peak RSS (``os.wait4``) are measured.
The outputs of (a) and (b) are compared row by row. Results go to ``bench/out/classify/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "bench" / "out" / "classify"
PY = sys.executable
sys.path.insert(0, str(HERE))

from generate import STANDARD, ensure_input  # noqa: E402


@dataclass
class Run:
    program: str
    households: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    rows_per_second: float
    load_before: float
    exit_status: int


def measure(program: str, argv: list[str], households: int) -> Run:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(stderr, file=sys.stderr)
        raise SystemExit(f"{program} failed with exit status {code}")
    return Run(
        program=program,
        households=households,
        seconds=round(seconds, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        peak_mb=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        rows_per_second=round(households / seconds),
        load_before=round(load, 2),
        exit_status=code,
    )


def programs(src: Path, n: int) -> dict[str, list[str]]:
    wrap = [PY, str(HERE / "without_pandas.py")]
    return {
        "ours": [
            *wrap,
            "-m",
            "giamngheo",
            "classify",
            str(src),
            "-o",
            str(OUT / f"ours-{n}.parquet"),
            "--standard",
            STANDARD,
            "-q",
        ],
        "ours (dev env, pandas importable)": [
            PY,
            "-m",
            "giamngheo",
            "classify",
            str(src),
            "-o",
            str(OUT / f"ours-dev-{n}.parquet"),
            "--standard",
            STANDARD,
            "-q",
        ],
        "pandas": [
            PY,
            str(HERE / "pandas_baseline.py"),
            str(src),
            str(OUT / f"pandas-{n}.parquet"),
        ],
        "floor": [*wrap, str(HERE / "floor.py"), str(src), str(OUT / f"floor-{n}.parquet")],
    }


COMPARED = ["household_id", "classification", "poor_basis", "deprivation_count", "deprived"]


def cross_check(n: int) -> str:
    """Ours and pandas agree on every row (streamed, batch by batch)."""
    ours = pq.ParquetFile(OUT / f"ours-{n}.parquet")
    theirs = pq.ParquetFile(OUT / f"pandas-{n}.parquet")
    rows = 0
    a_iter = ours.iter_batches(batch_size=1 << 17, columns=COMPARED)
    b_iter = theirs.iter_batches(batch_size=1 << 17, columns=COMPARED)
    pending_a: pa.Table | None = None
    pending_b: pa.Table | None = None
    for a in a_iter:
        ta = pa.Table.from_batches([a])
        pending_a = ta if pending_a is None else pa.concat_tables([pending_a, ta])
        while pending_b is None or pending_b.num_rows < pending_a.num_rows:
            b = next(b_iter, None)
            if b is None:
                break
            tb = pa.Table.from_batches([b])
            pending_b = tb if pending_b is None else pa.concat_tables([pending_b, tb])
        assert pending_b is not None
        k = min(pending_a.num_rows, pending_b.num_rows)
        for col in COMPARED:
            x = pending_a.column(col).slice(0, k)
            y = pending_b.column(col).slice(0, k)
            if pa.types.is_dictionary(x.type):
                x = x.cast(x.type.value_type)
            if pa.types.is_dictionary(y.type):
                y = y.cast(y.type.value_type)
            y = y.cast(x.type)
            if not x.equals(y):
                raise SystemExit(f"ours and pandas differ in column {col} near row {rows}")
        rows += k
        pending_a, pending_b = pending_a.slice(k), pending_b.slice(k)
    if rows != ours.metadata.num_rows or rows != theirs.metadata.num_rows:
        raise SystemExit(
            f"row counts differ: {ours.metadata.num_rows} vs {theirs.metadata.num_rows}"
        )
    return f"identical on {rows:,} rows ({', '.join(COMPARED)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs per program")
    parser.add_argument("--generator", choices=["synth", "numpy"], default="synth")
    parser.add_argument("--skip", nargs="*", default=[], help="programs to leave out")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[Run] = []
    checks: dict[int, str] = {}
    generators: dict[int, str] = {}
    for n in args.sizes:
        src = OUT / f"households-{n}.parquet"
        generators[n] = ensure_input(src, n, args.generator)
        for name, argv in programs(src, n).items():
            if name in args.skip:
                continue
            best: Run | None = None
            for _ in range(args.repeat):
                r = measure(name, argv, n)
                print(
                    f"  {n:>11,} {name:<36} {r.seconds:7.2f} s  {r.peak_mb:8.0f} MB"
                    f"  (load {r.load_before})"
                )
                if best is None or r.seconds < best.seconds:
                    best = r
            assert best is not None
            results.append(best)
        if "pandas" not in args.skip and "ours" not in args.skip:
            checks[n] = cross_check(n)
            print(f"  cross-check {n:,}: {checks[n]}")
    report(results, checks, generators, args)


def report(
    results: list[Run],
    checks: dict[int, str],
    generators: dict[int, str],
    args: argparse.Namespace,
) -> None:
    by = {(r.households, r.program): r for r in results}
    lines = [
        f"# Classification benchmark ({dt.datetime.now().isoformat(timespec='seconds')})",
        "",
        f"{os.cpu_count()} cores; standard {STANDARD}; best of {args.repeat} per program;"
        " load = 1-minute load average just before the run (other work on the machine).",
        "",
        "| households | program | wall s | rows/s | CPU s | peak RSS MB | load |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.households:,} | {r.program} | {r.seconds:.2f} | {r.rows_per_second:,} |"
            f" {r.cpu_seconds:.2f} | {r.peak_mb:,.0f} | {r.load_before:.2f} |"
        )
    lines.append("")
    for n in sorted({r.households for r in results}):
        ours, pandas, floor = (by.get((n, p)) for p in ("ours", "pandas", "floor"))
        if ours is None:
            continue
        parts = []
        if pandas is not None:
            parts.append(
                f"pandas/ours {pandas.seconds / ours.seconds:.2f}x wall"
                f" ({pandas.cpu_seconds / ours.cpu_seconds:.2f}x CPU; target >= 3x)"
            )
        if floor is not None:
            parts.append(
                f"ours/floor {ours.seconds / floor.seconds:.2f}x wall"
                f" ({ours.cpu_seconds / floor.cpu_seconds:.2f}x CPU; target <= 1.5x)"
            )
        parts.append(f"peak {ours.peak_mb:,.0f} MB (target < 4096)")
        lines.append(f"- {n:,}: " + "; ".join(parts) + ".")
        if n in checks:
            lines.append(f"  Ours vs pandas ({generators[n]} input): {checks[n]}.")
    text = "\n".join(lines) + "\n"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}.md").write_text(text, encoding="utf-8")
    (OUT / f"results-{stamp}.json").write_text(
        json.dumps(
            {
                "runs": [asdict(r) for r in results],
                "checks": checks,
                "generators": generators,
                "repeat": args.repeat,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    (OUT / "results-latest.md").write_text(text, encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
