"""``giamngheo classify``: classify a household table under a poverty standard.

Runs without Django: it imports only the pure core.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from giamngheo.core.standards import (
    NATIONAL_STANDARD_IDS,
    REVIEW_KINDS,
    InvalidStandard,
    ReviewKind,
    Standard,
    UnknownStandard,
    resolve_standard,
    standard_for,
)

if TYPE_CHECKING:
    from giamngheo.core.standards.batch import FileReport

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2
# Show a progress bar when the run is likely to take more than a second or two.
PROGRESS_MIN_ROWS = 500_000
PROGRESS_MIN_BYTES = 50 << 20


def _choose(standard: str | None, year: int | None, review: ReviewKind) -> tuple[Standard, str]:
    if standard is not None and year is not None:
        raise click.UsageError("--standard và --year loại trừ nhau / use --standard or --year")
    try:
        if standard is not None:
            return resolve_standard(standard), "chosen explicitly"
        if year is None:
            year = dt.date.today().year
            review = "adhoc"
            why = f"default: ad-hoc review in {year}"
        else:
            why = f"{review} review in {year}"
        return standard_for(year, review), why
    except (UnknownStandard, InvalidStandard, OSError) as exc:
        raise click.UsageError(str(exc)) from exc


class _Progress:
    def __init__(self) -> None:
        self.bar: Any = None
        self.last = 0

    def start(self, total: int, unit: str) -> None:
        if self.bar is not None:  # the CSV reader restarted in exact mode
            self.bar.render_finish()
            self.bar = None
        self.last = 0
        long_run = total >= (PROGRESS_MIN_BYTES if unit == "bytes" else PROGRESS_MIN_ROWS)
        if long_run:
            self.bar = click.progressbar(
                length=total, label=f"Phân loại / classifying ({unit})", file=sys.stderr
            )
            self.bar.render_progress()

    def update(self, position: int) -> None:
        if self.bar is not None and position > self.last:
            self.bar.update(position - self.last)
            self.last = position

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


def _summary(report: FileReport, why: str) -> str:
    rate = report.rows_read / report.seconds if report.seconds > 0 else 0.0
    counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    lines = [
        f"Chuẩn / standard: {report.standard} ({why})",
        f"Đọc / read: {report.rows_read:,} rows in {report.seconds:.2f} s ({rate:,.0f} rows/s)",
        f"Phân loại / classified: {report.rows_classified:,} ({counts}) -> {report.output}",
        f"Bị loại / rejected: {report.rows_rejected:,} -> {report.rejected_file}",
    ]
    if report.rejected_by_field:
        fields = ", ".join(f"{k} {v:,}" for k, v in sorted(report.rejected_by_field.items()))
        lines.append(f"  lỗi theo cột / problems by field: {fields}")
    if report.score_ignored:
        lines.append(
            f"  Lưu ý / note: {report.standard} has no form score rule; the score column was"
            " ignored where an income is given"
        )
    return "\n".join(lines)


@click.command("classify")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Tệp kết quả / output file: .csv, .xlsx or .parquet.",
)
@click.option(
    "--standard",
    "standard_name",
    metavar="ID|FILE",
    help=f"Chuẩn nghèo / standard: {', '.join(NATIONAL_STANDARD_IDS)}, or a local standard file"
    " (.json/.toml).",
)
@click.option("--year", type=int, help="Năm rà soát / review year: the standard follows from it.")
@click.option(
    "--review",
    type=click.Choice(REVIEW_KINDS),
    default="periodic",
    show_default=True,
    help="Định kỳ (cuối năm, cho danh sách năm sau) hoặc thường xuyên / periodic or ad-hoc.",
)
@click.option("--batch-rows", type=click.IntRange(min=1), default=None, hidden=True)
@click.option("-q", "--quiet", is_flag=True, help="Không in tóm tắt / no summary, no progress.")
def classify_command(
    *,
    input_path: Path,
    output_path: Path,
    standard_name: str | None,
    year: int | None,
    review: ReviewKind,
    batch_rows: int | None,
    quiet: bool,
) -> None:
    """Phân loại hộ theo chuẩn nghèo / classify households under a poverty standard.

    INPUT is a CSV, XLSX or Parquet table of households (household_id, area, income and/or
    income_score, dep_<indicator> 0/1; Vietnamese headings accepted). Rejected rows go to
    OUTPUT's name with ".rejected.csv". Exit status: 0 all classified, 1 some rows rejected,
    2 the input cannot be read (or the output cannot be written).
    """
    # Imported here, not at the top: pyarrow pulls pandas in when it is installed (dev
    # environments), which would slow every other ``giamngheo`` command's start by seconds.
    from giamngheo.core.standards.batch import (
        DEFAULT_BATCH_ROWS,
        InputError,
        OutputError,
        classify_file,
    )

    standard, why = _choose(standard_name, year, review)
    progress = _Progress()
    try:
        report = classify_file(
            input_path,
            output_path,
            standard,
            batch_rows=batch_rows or DEFAULT_BATCH_ROWS,
            on_start=None if quiet else progress.start,
            progress=None if quiet else progress.update,
        )
    except (InputError, OutputError) as exc:
        progress.finish()
        click.echo(f"Lỗi / error: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    progress.finish()
    if not quiet:
        click.echo(_summary(report, why), err=True)
    sys.exit(EXIT_REJECTED if report.rows_rejected else EXIT_OK)
