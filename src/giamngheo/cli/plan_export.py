"""``giamngheo plan export PLAN_ID -o OUT``: a stored plan's table in the official layout.

The format follows OUT's extension (.xlsx, .pdf or .csv). Django is set up inside the command,
so importing this module needs no configured Django (``plan check`` stays database-free)."""

from __future__ import annotations

import io
from pathlib import Path

import click


@click.command("export")
@click.argument("plan_id", type=int)
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp kết quả .xlsx, .pdf hoặc .csv / output file (.xlsx, .pdf or .csv)",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Ngôn ngữ tiêu đề và định dạng số / language of headings and numbers",
)
def export_command(plan_id: int, out: Path, lang: str) -> None:
    """Xuất bảng chỉ tiêu của kế hoạch PLAN_ID — export a stored plan's table."""
    from giamngheo.cli.django_setup import setup_django

    setup_django()
    from giamngheo.plans.models import Plan
    from giamngheo.plans.services import export_format, plan_export

    try:
        fmt = export_format(out.name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="-o/--output") from exc
    plan = Plan.objects.select_related("issuing_unit").filter(pk=plan_id).first()
    if plan is None:
        raise click.ClickException(f"Không có kế hoạch số {plan_id} / no plan with id {plan_id}")
    if not plan.rows.exists():
        raise click.ClickException(
            f"Kế hoạch {plan.document_number} chưa có bảng chỉ tiêu / "
            f"plan {plan.document_number} has no table yet"
        )
    buffer = io.BytesIO()  # nothing is written to OUT unless the whole export succeeds
    plan_export(plan=plan, out=buffer, fmt=fmt, lang="en" if lang == "en" else "vi")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    click.echo(f"{plan.document_number} ({plan.document_date:%d/%m/%Y}) → {out}")
