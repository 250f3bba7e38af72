from __future__ import annotations

import click


@click.group("plan")
def plan_group() -> None:
    """Bảng chỉ tiêu giảm nghèo — the plan table: check, propose, export."""
