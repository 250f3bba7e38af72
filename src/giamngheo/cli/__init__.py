"""Command line: ``giamngheo``. Commands that need the database set Django up lazily,
so ``classify``, ``synth`` and ``plan check`` run without it."""

from __future__ import annotations

import click

from giamngheo.cli.audit import audit_group
from giamngheo.cli.classify import classify_command
from giamngheo.cli.demo import demo_command, serve_command
from giamngheo.cli.plan import plan_group
from giamngheo.cli.plan_export import export_command
from giamngheo.cli.support import support_group
from giamngheo.cli.synth import synth_command
from giamngheo.cli.transitions import transitions_command
from giamngheo.cli.units import units_group
from giamngheo.cli.worker import worker_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="giamngheo")
def main() -> None:
    """Quản lý giảm nghèo bền vững — sustainable poverty-reduction management."""


main.add_command(audit_group)
main.add_command(demo_command)
main.add_command(serve_command)
plan_group.add_command(export_command)
main.add_command(plan_group)
main.add_command(classify_command)
main.add_command(support_group)
main.add_command(synth_command)
main.add_command(transitions_command)
main.add_command(units_group)
main.add_command(worker_command)
