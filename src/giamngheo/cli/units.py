"""``giamngheo units import [FILE]`` — load the country's administrative units."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("units")
def units_group() -> None:
    """Đơn vị hành chính — administrative units."""


@units_group.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def import_command(file: Path | None) -> None:
    """Import units from the vietnam-provinces package, or from FILE in its JSON format
    (two-level 2025 structure or the older three-level one)."""
    from giamngheo.cli.demo import prepare_database

    prepare_database()
    from giamngheo.geo.services import UnitImportError, import_vietnam_provinces

    try:
        result = import_vietnam_provinces(file)
    except UnitImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())


@units_group.command("demo")
def demo_units_command() -> None:
    """Load the Ngọc Hồi demo units (no file, no network)."""
    from giamngheo.cli.demo import prepare_database

    prepare_database()
    from giamngheo.geo.services import load_ngoc_hoi_demo

    units = load_ngoc_hoi_demo()
    click.echo(
        f"{units.district.name}: {len(units.communes_old)} đơn vị cấp xã / communes "
        f"→ {len(units.communes_new)} từ/from 01/07/2025"
    )
