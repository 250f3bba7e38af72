"""``giamngheo worker`` — run the background tasks (imports, batch runs) of the web app.

It is django-tasks-db's ``db_worker`` with the project's settings: it takes queued tasks from
the database and runs them one at a time, so the web app never waits for long work.
``giamngheo demo`` starts one next to the web server; run it yourself (or as a service) in
production."""

from __future__ import annotations

import click


@click.command("worker")
@click.option(
    "--batch",
    is_flag=True,
    help="Chạy hết các việc đang chờ rồi thoát / run the queued tasks, then exit.",
)
@click.option(
    "--queue-name",
    default="default",
    show_default=True,
    help="Hàng đợi (cách nhau bằng dấu phẩy, * = tất cả) / queues (comma-separated, * = all).",
)
@click.option(
    "--interval",
    type=float,
    default=1.0,
    show_default=True,
    help="Số giây chờ giữa hai lần kiểm tra / seconds between polls.",
)
@click.option("--max-tasks", type=int, default=None, help="Thoát sau N việc / exit after N tasks.")
@click.option("--no-migrate", is_flag=True, help="Không chạy migrate trước / skip migrations.")
def worker_command(
    *, batch: bool, queue_name: str, interval: float, max_tasks: int | None, no_migrate: bool
) -> None:
    """Chạy các việc nền (nhập dữ liệu…) / run the background tasks (imports…)."""
    if no_migrate:
        from giamngheo.cli.django_setup import setup_django

        setup_django()
    else:
        from giamngheo.cli.demo import prepare_database

        prepare_database()
    from django.core.management import call_command

    options: dict[str, object] = {
        "batch": batch,
        "queue_name": queue_name,
        "interval": interval,
        "reload": False,
        "startup_delay": not batch,
    }
    if max_tasks is not None:
        options["max_tasks"] = max_tasks
    call_command("db_worker", **options)
