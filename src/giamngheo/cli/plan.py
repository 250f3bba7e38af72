"""``giamngheo plan``: check a plan table file and propose column 5. Imports no Django.

Exit codes of ``plan check``: 0 no error-severity finding (warnings allowed), 1 at least one
error, 2 the file cannot be read (bilingual message on stderr). ``plan propose``: 0 written,
1 the objectives cannot be met, 2 the file cannot be read or written.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import click

from giamngheo.core.numbers import NumberFormatError, parse_points
from giamngheo.core.plan.checks import check_table, has_errors
from giamngheo.core.plan.model import CommuneObjective, Finding, Objectives, PlanTable
from giamngheo.core.plan.reader import PlanReadError, read_plan_table

_SEVERITY = {"error": "LỖI/ERROR", "warning": "CẢNH BÁO/WARNING"}


@click.group("plan")
def plan_group() -> None:
    """Bảng chỉ tiêu giảm nghèo — the plan table: check, propose, export."""


def parse_objective(text: str) -> CommuneObjective:
    """``"NAME=MIN[-MAX]"``: ``"Đăk Ang=7-8"``, ``"Đăk Ang=7,5"``, ``"Bờ Y=1.5–2"``."""
    name, sep, points = text.rpartition("=")
    match = re.fullmatch(r"\s*([\d.,]+)\s*(?:[-–—]\s*([\d.,]+))?\s*%?\s*", points)
    if not sep or not name.strip() or match is None:
        raise click.BadParameter(
            f"«{text}»: cần dạng TÊN=MIN hoặc TÊN=MIN-MAX / expected NAME=MIN or NAME=MIN-MAX"
        )
    try:
        lo = parse_points(match.group(1))
        hi = parse_points(match.group(2)) if match.group(2) else None
    except NumberFormatError as exc:
        raise click.BadParameter(str(exc)) from exc
    if hi is not None and hi < lo:
        raise click.BadParameter(f"«{text}»: MIN > MAX")
    return CommuneObjective(name=name.strip(), min_points=lo, max_points=hi)


def _points(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return parse_points(value)
    except NumberFormatError as exc:
        raise click.BadParameter(str(exc)) from exc


def _objectives(
    min_reduction: Decimal | None, strict: bool, objective: tuple[str, ...]
) -> Objectives | None:
    communes = tuple(parse_objective(o) for o in objective)
    if min_reduction is None and not communes:
        return None
    return Objectives(min_reduction_points=min_reduction, strict=strict, communes=communes)


def _read(file: str) -> PlanTable:
    try:
        return read_plan_table(file)
    except PlanReadError as exc:
        click.echo(exc.message, err=True)
        raise SystemExit(2) from exc


def format_finding(f: Finding) -> str:
    """Human-readable, Vietnamese first."""
    values = ""
    if f.expected is not None or f.actual is not None:
        values = f" [cần/expected: {f.expected or '—'}; ghi/actual: {f.actual or '—'}]"
    return (
        f"{_SEVERITY[f.severity]} {f.code} — {f.row}, cột/column {f.column}{values}\n"
        f"    {f.message_vi}\n    {f.message_en}"
    )


_objective_options = [
    click.option("--strict", is_flag=True, help="Giảm TRÊN mức tối thiểu / more than MIN."),
    click.option(
        "--objective",
        multiple=True,
        metavar="NAME=MIN[-MAX]",
        help='Chỉ tiêu của xã, điểm % / commune objective in points, e.g. "Đăk Ang=7-8".',
    ),
]


@plan_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--min-reduction",
    "min_reduction",
    callback=_points,
    metavar="POINTS",
    help='Mức giảm tối thiểu toàn đơn vị (điểm %), "1,2" hoặc "1.2".',
)
@_objective_options[0]
@_objective_options[1]
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON / JSON output.")
def check_command(
    file: str,
    min_reduction: Decimal | None,
    strict: bool,
    objective: tuple[str, ...],
    as_json: bool,
) -> None:
    """Kiểm tra bảng chỉ tiêu — check a plan table (.xlsx, .csv, .txt/.tsv)."""
    objectives = _objectives(min_reduction, strict, objective)
    table = _read(file)
    findings = check_table(table, objectives)
    if as_json:
        click.echo(json.dumps([f.as_json() for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(format_finding(f))
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        click.echo(
            f"{len(table.rows)} đơn vị, {errors} lỗi, {warnings} cảnh báo / "
            f"{len(table.rows)} units, {errors} errors, {warnings} warnings"
        )
    raise SystemExit(1 if has_errors(findings) else 0)


@plan_group.command("propose")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--min-reduction",
    "min_reduction",
    callback=_points,
    metavar="POINTS",
    required=True,
    help='Mức giảm tối thiểu toàn đơn vị (điểm %), "1,2" hoặc "1.2".',
)
@_objective_options[0]
@_objective_options[1]
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Tệp kết quả .xlsx hoặc .csv / output file.",
)
def propose_command(
    file: str, min_reduction: Decimal, strict: bool, objective: tuple[str, ...], output: str
) -> None:
    """Đề xuất cột 5 (số hộ giảm) — propose column 5 meeting the objectives."""
    from giamngheo.core.plan.propose import ProposalError, propose
    from giamngheo.core.plan.writer import WriteMeta, write_csv, write_xlsx

    suffix = Path(output).suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise click.BadParameter("cần .xlsx hoặc .csv / .xlsx or .csv expected", param_hint="-o")
    objectives = _objectives(min_reduction, strict, objective)
    assert objectives is not None
    table = _read(file)
    try:
        proposal = propose(table, objectives)
    except ProposalError as exc:
        click.echo(f"{exc.message_vi}\n{exc.message_en}", err=True)
        raise SystemExit(1) from exc
    try:
        if suffix == ".xlsx":
            write_xlsx(proposal.table, output, WriteMeta.from_table(proposal.table))
        else:
            write_csv(proposal.table, output)
    except OSError as exc:
        click.echo(f"Không ghi được tệp / cannot write the file: {exc}", err=True)
        raise SystemExit(2) from exc
    for line in proposal.explanation_vi:
        click.echo(line)
    click.echo("")
    for line in proposal.explanation_en:
        click.echo(line)
    click.echo(f"\n→ {output}")
