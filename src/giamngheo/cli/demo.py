from __future__ import annotations

import click


@click.command("demo")
def demo_command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")


@click.command("serve")
def serve_command() -> None:
    """Not built yet."""
    raise click.ClickException("not built yet")
