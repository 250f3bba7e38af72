"""``giamngheo synth``: write a synthetic household table (no Django needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_HOUSEHOLDS = 10_000
PROGRESS_FROM = 200_000


@click.command("synth")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Output file: .csv, .parquet or .xlsx (small tables only).",
)
@click.option(
    "--households",
    "-n",
    type=click.IntRange(min=0),
    default=None,
    help=f"Number of households (default {DEFAULT_HOUSEHOLDS:,}; not with --district).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--standard",
    "standard_id",
    default=None,
    help="Standard id (QD59-2015, ND07-2021, ND351-2025) or a standard file; default QD59-2015.",
)
@click.option("--district", default=None, help="A preset district: ngoc-hoi.")
@click.option("--year", type=int, default=None, help="The preset's year (ngoc-hoi: 2019).")
def synth_command(
    *,
    output: Path,
    households: int | None,
    seed: int,
    standard_id: str | None,
    district: str | None,
    year: int | None,
) -> None:
    """Tạo dữ liệu hộ gia đình giả lập — write synthetic households.

    Deterministic for a given --seed. With --district ngoc-hoi --year 2019 the table
    reproduces the Ngọc Hồi plan's households, ethnic-minority households and poor
    households at the end of 2019, commune by commune.
    """
    from giamngheo.core.standards import InvalidStandard, UnknownStandard
    from giamngheo.core.synth import (
        PRESETS,
        XLSX_MAX_ROWS,
        OutputError,
        generate,
        ngoc_hoi_2019_targets,
        output_format,
        preset,
        schema,
        write,
    )

    try:
        kind = output_format(output)
    except OutputError as exc:
        raise click.BadParameter(str(exc), param_hint="--output") from exc

    if district is not None or year is not None:
        if district is None or year is None:
            raise click.UsageError("--district and --year go together")
        if households is not None:
            raise click.UsageError("--households cannot be used with a --district preset")
        if (district, year) not in PRESETS:
            known = ", ".join(f"--district {d} --year {y}" for d, y in PRESETS)
            raise click.UsageError(f"no preset for {district} {year} (known: {known})")
        preset_standard = PRESETS[(district, year)]
        if standard_id not in (None, preset_standard):
            raise click.UsageError(f"the {district} {year} preset uses {preset_standard}")
        table = preset(district, year, seed)
        rows = write(table, output)
        click.echo(
            f"Đã ghi {rows:,} hộ vào {output} / wrote {rows:,} households to {output} "
            f"({district} {year}, {preset_standard}, seed {seed})"
        )
        for target in ngoc_hoi_2019_targets():
            click.echo(
                f"  {target.code} {target.name}: {target.households:,} hộ/households, "
                f"{target.ethnic_minority:,} DTTS/ethnic minority, {target.poor:,} nghèo/poor"
            )
        return

    count = DEFAULT_HOUSEHOLDS if households is None else households
    if kind == "xlsx" and count > XLSX_MAX_ROWS:
        raise click.UsageError(
            f"XLSX holds at most {XLSX_MAX_ROWS:,} households here: write .csv or .parquet"
        )
    try:
        batches = generate(count, seed, standard_id or "QD59-2015")
        table_schema = schema(standard_id or "QD59-2015")
    except (UnknownStandard, InvalidStandard, OSError) as exc:
        raise click.BadParameter(str(exc), param_hint="--standard") from exc

    if count >= PROGRESS_FROM:
        with click.progressbar(length=count, label="Đang tạo / generating", file=sys.stderr) as bar:
            done = 0

            def advance(rows: int) -> None:
                nonlocal done
                bar.update(rows - done)
                done = rows

            rows = write(batches, output, schema=table_schema, progress=advance)
    else:
        rows = write(batches, output, schema=table_schema)
    click.echo(
        f"Đã ghi {rows:,} hộ vào {output} / wrote {rows:,} households to {output} "
        f"({standard_id or 'QD59-2015'}, seed {seed})"
    )
