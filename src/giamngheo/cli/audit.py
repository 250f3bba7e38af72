"""``giamngheo audit verify`` — check the audit log's hash chain (``registry.chain``)."""

from __future__ import annotations

import click


@click.group("audit")
def audit_group() -> None:
    """Nhật ký thay đổi — the audit log."""


@audit_group.command("verify")
def verify_command() -> None:
    """Check every record of the audit log in order; exit status 1 naming the first broken
    record (its content changed, its link to the previous one broken, its hash missing)."""
    from giamngheo.cli.django_setup import setup_django

    setup_django()
    from giamngheo.registry.chain import verify_chain

    report = verify_chain()
    if report.intact:
        click.echo(report.message())
        return
    click.echo(report.message(), err=True)
    raise SystemExit(1)
