from __future__ import annotations

import click


@click.command("classify")
def classify_command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")
