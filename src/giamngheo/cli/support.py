"""``giamngheo support …``: support and money from the command line.

* ``giamngheo support programmes [--year Y] [--lang vi|en]`` prints the programme tree of a
  period (pure: no database), with each node's code, level, owner, the support types it may
  fund, and a mark on provisional nodes;
* ``giamngheo support gaps --unit CODE --year Y [--village ID] [--unaddressed-only]
  [-o OUT.xlsx] [--lang vi|en]``: deprivations against support in support year Y (the gaps
  page): the summary per commune or village as text, or the page's workbook
  (``support.exports.gaps_xlsx``);
* ``giamngheo support pipeline --unit CODE --year Y [-o OUT.csv|.json|.xlsx] [--lang vi|en]``:
  registered versus escaped per commune (the pipeline page's summary,
  ``support.exports.pipeline_table``);
* ``giamngheo support money --unit CODE --year Y [-o OUT.xlsx|.csv|.json] [--lang vi|en]``: the
  money report of budget year Y (allocated, disbursed, settled by commune, node, source and
  quarter; ``support.exports.money_tables``), as the report page's export;
* ``giamngheo support loans-import FILE --scope CODE [--as-of dd/mm/yyyy] [--commit]``: the
  Social Policy Bank's loan file through the staged import (``support.services.loans``), in
  this process: each row error as "sheet!row column (heading): vi / en"; exit 0 when the file
  is valid (and written with ``--commit``), 1 when it has errors (no loan written).

CODE is a GSO code (province, district or commune; a code re-used by the 2025 reform means
the unit in force on 31 December of Y, as for ``giamngheo transitions``); exit status 2 for an
unknown code. The commands that read the database set Django up inside the command, so
importing this module needs no configured Django; they see everything (the national view of
a superuser that is no account: nothing is written in its name, a loan import's batch and
audit rows have no actor).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from giamngheo.core.numbers import Lang
    from giamngheo.core.tables import Format, Table
    from giamngheo.geo.models import AdminUnit
    from giamngheo.support.models import LoanBatch

#: Exit status for an unknown unit code or year; 1 for a loan file with errors.
UNKNOWN = 2
INVALID = 1


@click.group("support")
def support_group() -> None:
    """Hỗ trợ và kinh phí — support and money."""


@support_group.command("programmes")
@click.option("--year", type=int, default=None, help="Năm / year (mặc định: mọi giai đoạn).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def programmes_command(year: int | None, lang: str) -> None:
    """Cây chương trình MTQG theo giai đoạn — the programme tree of each period."""
    from giamngheo.core.support.catalog import load_catalog
    from giamngheo.core.support.programme import (
        UnknownProgramme,
        load_programmes,
        programme_for_year,
    )

    language: Lang = "en" if lang == "en" else "vi"
    if year is not None:
        try:
            chosen = [programme_for_year(year)]
        except UnknownProgramme as exc:
            click.echo(str(exc), err=True)
            raise SystemExit(UNKNOWN) from exc
    else:
        chosen = sorted(load_programmes().values(), key=lambda p: p.period)
    catalog = load_catalog()
    mark = " (tạm tính)" if language == "vi" else " (provisional)"
    for programme in chosen:
        first, last = programme.period
        head = f"{programme.id} — {programme.label(language)} ({first}–{last})"
        click.echo(head + (mark if programme.provisional else ""))
        for node in programme.walk():
            types = ", ".join(catalog.get(t).label(language) for t in sorted(node.support_types))
            line = f"{'  ' * node.depth}{node.code}  {node.label(language)}"
            line += f"  [{node.owner}]" + (mark if node.provisional else "")
            click.echo(line)
            if types:
                click.echo(f"{'  ' * (node.depth + 2)}{types}")
        click.echo("")


# --- what the database commands share ------------------------------------------------------------
def _national() -> Any:
    """Django set up; the actor: a superuser that is no account (nothing in its name)."""
    from giamngheo.cli.django_setup import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    return get_user_model()(username="giamngheo-cli", is_superuser=True)


def _unit(code: str, year: int | None) -> AdminUnit:
    from giamngheo.cli.transitions import exit_unknown, find_unit

    unit = find_unit(code, year)
    if unit is None:
        exit_unknown(f"Không có đơn vị mã {code!r}", f"no unit with code {code!r}")
    return unit


def _format(out: Path | None, only: Sequence[str] = ("xlsx", "csv", "json")) -> Format | None:
    """The output's format from its extension (a usage error for another one)."""
    from giamngheo.core.tables import export_format

    if out is None:
        return None
    try:
        fmt = export_format(out.name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="-o/--output") from exc
    if fmt not in only:
        shown = ", ".join(f".{f}" for f in only)
        raise click.BadParameter(
            f"Dùng {shown} / use {shown}: {out.name!r}", param_hint="-o/--output"
        )
    return fmt


def _write(out: Path, data: bytes) -> None:
    """Nothing is written to ``out`` unless the whole export succeeded."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def _tables_out(  # noqa: PLR0917
    tables: list[Table],
    out: Path | None,
    fmt: Format | None,
    unit: AdminUnit,
    year: int,
    lang: Lang,
) -> None:
    """The tables as text, or written to ``out`` (JSON with the unit and year)."""
    from giamngheo.cli.transitions import unit_line
    from giamngheo.core.tables import tables_text, write_tables

    named = unit_line(unit, lang)
    if out is None or fmt is None:
        click.echo(named)
        click.echo("")
        click.echo(tables_text(tables, lang), nl=False)
        return
    meta = {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "year": year,
        "lang": lang,
    }
    buffer = io.BytesIO()
    write_tables(tables, buffer, fmt, meta)
    _write(out, buffer.getvalue())
    click.echo(f"{named}: {year} → {out}")


def _scope(unit: AdminUnit) -> tuple[AdminUnit | None, AdminUnit | None]:
    """The exports' (commune, within): the one commune, or the communes within the unit."""
    from giamngheo.geo.models import Level

    return (unit, None) if unit.level == Level.COMMUNE else (None, unit)


_UNIT = click.option("--unit", "code", required=True, metavar="CODE", help="Mã GSO / GSO code.")
_YEAR = click.option("--year", type=int, required=True, metavar="Y", help="Năm / year.")
_LANG = click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Ngôn ngữ / language of labels and numbers.",
)


_OUT_TABLES = click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp .xlsx, .csv hoặc .json / output file (.xlsx, .csv or .json).",
)


# --- gaps ----------------------------------------------------------------------------------------
@support_group.command("gaps")
@_UNIT
@_YEAR
@click.option("--village", type=int, metavar="ID", help="Thôn (mã số) / village id.")
@click.option(
    "--unaddressed-only",
    is_flag=True,
    help="Chỉ hộ còn nhu cầu chưa được hỗ trợ / only households with an unaddressed need.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp .xlsx như trang thiếu hụt / the gaps page's workbook (.xlsx).",
)
@_LANG
def gaps_command(  # noqa: PLR0917
    code: str, year: int, village: int | None, unaddressed_only: bool, out: Path | None, lang: str
) -> None:
    """Thiếu hụt và hỗ trợ năm Y — deprivations against support in support year Y: the poor
    and near-poor of the review at the end of Y − 1, the supports received in Y and the needs
    no support addresses (as on the gaps page). Without -o the summary per commune (per
    village for a commune) as text; with -o the page's workbook (its summary and the named
    households; --village and --unaddressed-only choose them)."""
    _format(out, ("xlsx",))
    actor = _national()
    from django.utils import translation

    from giamngheo.cli.transitions import unit_line
    from giamngheo.core.standards.model import UnknownStandard
    from giamngheo.core.support.gaps import GapError
    from giamngheo.core.tables import tables_text
    from giamngheo.support.exports import Gaps, gaps_summary_table, gaps_xlsx

    language: Lang = "en" if lang == "en" else "vi"
    unit = _unit(code, year)
    with translation.override(language):
        try:
            data = Gaps(actor, year, *_scope(unit), lang=language)
        except GapError as exc:
            raise click.ClickException(f"{exc.message_vi} / {exc.message_en}") from exc
        except UnknownStandard as exc:
            raise click.ClickException(str(exc)) from exc
        village_id = _village(data.one, village)
        named = unit_line(unit, language)
        if out is None:
            click.echo(named)
            click.echo("")
            click.echo(tables_text([gaps_summary_table(data)], language), nl=False)
            return
        rows = data.filtered(village_id, unaddressed_only=unaddressed_only)
        _write(out, gaps_xlsx(data, rows))
    click.echo(f"{named}: {year}, {len(rows)} hộ / households → {out}")


def _village(commune: AdminUnit | None, village: int | None) -> int | None:
    """The village asked for, checked to be one of the commune's (exit 2 otherwise)."""
    from giamngheo.cli.transitions import exit_unknown
    from giamngheo.geo.models import AdminUnit, Level

    if village is None:
        return None
    if commune is None:
        exit_unknown("--village cần một xã (--unit mã xã)", "--village needs a commune (--unit)")
    if not AdminUnit.objects.filter(pk=village, level=Level.VILLAGE, parent=commune).exists():
        exit_unknown(
            f"Không có thôn {village} trong {commune.name}",
            f"no village {village} in {commune.name}",
        )
    return village


# --- registered versus escaped -------------------------------------------------------------------
@support_group.command("pipeline")
@_UNIT
@_YEAR
@_OUT_TABLES
@_LANG
def pipeline_command(code: str, year: int, out: Path | None, lang: str) -> None:
    """Đăng ký thoát nghèo năm Y — registered versus escaped per commune (the pipeline page's
    summary): the plan's column 5, the poor of the review at the end of Y − 1, the households
    registered to escape in Y, and after the review of Y what became of them. Rows total and
    commune:<GSO code>; columns target, poor, registered, gap_to_target, registered_escaped,
    registered_still_poor, registered_unknown, escaped_unregistered (null / "—" until the
    review of Y is approved)."""
    fmt = _format(out)
    actor = _national()
    from django.utils import translation

    from giamngheo.core.support.gaps import GapError
    from giamngheo.support.exports import pipeline, pipeline_table

    language: Lang = "en" if lang == "en" else "vi"
    unit = _unit(code, year)
    with translation.override(language):
        try:
            table = pipeline_table(pipeline(actor, year, *_scope(unit)))
        except GapError as exc:
            raise click.ClickException(f"{exc.message_vi} / {exc.message_en}") from exc
        _tables_out([table], out, fmt, unit, year, language)


# --- money ---------------------------------------------------------------------------------------
@support_group.command("money")
@_UNIT
@_YEAR
@_OUT_TABLES
@_LANG
def money_command(code: str, year: int, out: Path | None, lang: str) -> None:
    """Báo cáo kinh phí năm Y — the money report of budget year Y (the report page's export):
    allocated, disbursed and settled, by commune, programme node, source and quarter, of the
    unit's communes and of the money the unit keeps itself. Sheets allocated, disbursed,
    settled; sections total and 2020-Q1 …; rows total, <commune>, <commune>/<node>."""
    fmt = _format(out)
    actor = _national()
    from django.utils import translation

    from giamngheo.support.exports import money_tables

    language: Lang = "en" if lang == "en" else "vi"
    unit = _unit(code, year)
    with translation.override(language):
        tables = money_tables(actor, year, language, within=unit)
        _tables_out(tables, out, fmt, unit, year, language)


# --- the loan file -------------------------------------------------------------------------------
_STEPS = {
    "upload": "tải tệp lên / upload",
    "stage": "kiểm tra từng dòng / check every row",
    "commit": "ghi / write",
}


def _as_of(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r}: ngày dạng dd/mm/yyyy / a date as dd/mm/yyyy", param_hint="--as-of"
        ) from exc


def _problem(e: dict[str, Any]) -> str:
    """A row's error or warning: "sheet!row column (heading): vi / en"."""
    where = f"{e.get('sheet', '')}!{e.get('row', '')}"
    if e.get("column"):
        where += f" {e['column']} ({e.get('heading', '')})"
    return f"{where}: {e.get('vi', '')} / {e.get('en', '')}"


def _report(batch: LoanBatch) -> bool:
    """Print the staged batch's counts, errors and warnings; True when it may be written."""
    from giamngheo.support.models import BatchStatus, LoanRow

    for e in batch.file_errors:
        click.echo(f"{e.get('vi', '')} / {e.get('en', '')}", err=True)
    click.echo(
        f"{batch.file_name}: {batch.rows_total} dòng / rows, {batch.rows_valid} hợp lệ / valid, "
        f"{batch.rows_invalid} có lỗi / with errors"
    )
    bad = LoanRow.objects.filter(batch=batch, valid=False).order_by("row_number")
    for errors in bad.values_list("errors", flat=True):
        for e in errors:
            click.echo(_problem(e), err=True)
    for w in batch.warnings:
        click.echo(f"cảnh báo / warning: {_problem(w)}", err=True)
    return batch.status in (BatchStatus.VALID, BatchStatus.COMMITTED)


@support_group.command("loans-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scope", "code", required=True, metavar="CODE", help="Mã GSO / GSO code.")
@click.option("--as-of", "as_of", metavar="dd/mm/yyyy", help="Ngày số liệu / figures as of.")
@click.option("--commit", is_flag=True, help="Ghi khi tệp hợp lệ / write when the file is valid.")
def loans_import_command(file: Path, code: str, as_of: str | None, commit: bool) -> None:
    """Nhập tệp dư nợ NHCSXH — the Social Policy Bank's loan file (.xlsx, .xls, .csv), read
    and checked row by row against the households of the scope (a province, district or
    commune), then with --commit written in one transaction (all or nothing; the same loans
    again change nothing). Every row error is printed as "sheet!row column (heading): vi / en".
    Exit status 0 when the file is valid (and written with --commit), 1 when it has errors
    (nothing written), 2 for an unknown scope."""
    day = _as_of(as_of)
    actor = _national()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from giamngheo.support.models import BatchStatus
    from giamngheo.support.services.loans import loans_commit, loans_stage, loans_upload

    scope = _unit(code, day.year if day else None)
    upload = SimpleUploadedFile(file.name, file.read_bytes())
    steps = ["upload", "stage", *(["commit"] if commit else [])]
    batch: LoanBatch | None = None
    written_now = False
    with click.progressbar(
        steps,
        label=f"{file.name} → {scope.name}",
        item_show_func=lambda s: _STEPS[s] if s else None,
        file=sys.stderr,
    ) as bar:
        try:
            for step in bar:
                if step == "upload":
                    batch = loans_upload(actor, scope, upload, day)
                elif step == "stage" and batch is not None:
                    batch = loans_stage(batch)
                    if batch.status != BatchStatus.VALID:
                        break  # rows with errors, or written already
                elif batch is not None:
                    batch = loans_commit(actor, batch)
                    written_now = True
        except ValidationError as exc:
            click.echo("; ".join(exc.messages), err=True)
            raise click.exceptions.Exit(INVALID) from exc
    if batch is None or not _report(batch):
        raise click.exceptions.Exit(INVALID)
    _done(batch, written_now)


def _done(batch: LoanBatch, written_now: bool) -> None:
    from giamngheo.support.models import BatchStatus

    if written_now:
        counts = ", ".join(f"{k} {v}" for k, v in (batch.summary or {}).get("written", {}).items())
        click.echo(f"Đã ghi / written: {counts}")
    elif batch.status == BatchStatus.COMMITTED:
        click.echo("Tệp này đã được ghi / this file has already been written")
    else:
        click.echo("Hợp lệ, chưa ghi (--commit để ghi) / valid, not written (--commit writes it)")
