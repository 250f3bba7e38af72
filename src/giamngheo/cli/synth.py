from __future__ import annotations

import click


@click.command("synth")
def synth_command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")
