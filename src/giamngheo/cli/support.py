"""``giamngheo support …``: support and money from the command line.

* ``giamngheo support programmes [--year Y] [--lang vi|en]`` prints the programme tree of a
  period (pure: no database), with each node's code, level, owner, the support types it may
  fund, and a mark on provisional nodes;

The commands that read the database set Django up inside the command, so importing this
module needs no configured Django.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from giamngheo.core.numbers import Lang

UNKNOWN = 2


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
