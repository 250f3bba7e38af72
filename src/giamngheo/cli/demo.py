"""``giamngheo demo`` (set everything up and serve) and ``giamngheo serve``."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

#: Fixed password of the demo accounts. Demo only: change it (or the accounts) in production.
DEMO_PASSWORD = "giamngheo2020"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_code: str | None  # None: superuser without a unit
    role: str | None
    description: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "huyen.ngochoi",
        "Cán bộ LĐTBXH huyện Ngọc Hồi",
        "611",
        "district_officer",
        "cán bộ huyện Ngọc Hồi / Ngọc Hồi district officer",
    ),
    DemoUser(
        "xa.dakang",
        "Cán bộ xã Đắk Ang",
        "23380",
        "commune_officer",
        "cán bộ xã Đắk Ang / Đắk Ang commune officer",
    ),
    DemoUser(
        "chutich.ngochoi",
        "Chủ tịch UBND huyện Ngọc Hồi",
        "611",
        "approver",
        "phê duyệt kết quả rà soát của huyện / approves the district's review result",
    ),
    DemoUser(
        "chutich.dakang",
        "Chủ tịch UBND xã Đắk Ang",
        "23380",
        "approver",
        "ký quyết định công nhận của Đắk Ang / signs Đắk Ang's recognition decision",
    ),
    DemoUser(
        "ctv.dakang",
        "Cộng tác viên giảm nghèo Đắk Ang",
        "23380",
        "collaborator",
        "rà soát viên Đắk Ang (phiếu B) / Đắk Ang reviewer (surveys)",
    ),
    DemoUser(
        "nongnghiep.ngochoi",
        "Phòng Nông nghiệp và PTNT huyện Ngọc Hồi",
        "611",
        "department",
        "dự án sản xuất, thu hồi vốn / production projects, capital recovery",
    ),
    DemoUser(
        "taichinh.ngochoi",
        "Phòng Tài chính – Kế hoạch huyện Ngọc Hồi",
        "611",
        "department",
        "phân bổ, giải ngân, quyết toán / allocations, disbursement, settlement",
    ),
    DemoUser(
        "nhcsxh.ngochoi",
        "Ngân hàng Chính sách xã hội huyện Ngọc Hồi",
        "611",
        "department",
        "nhập dư nợ cho vay / imports the loan balances",
    ),
    DemoUser("admin", "Quản trị viên", None, None, "quản trị / superuser (Django admin)"),
)


def prepare_database() -> None:
    """Set Django up, create the data folder and apply migrations."""
    from giamngheo.cli.django_setup import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WhiteNoise warns when STATIC_ROOT is missing (files are served from the package anyway).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)


def create_demo_users() -> list[DemoUser]:
    """Create or reset the demo accounts (idempotent; the password is reset each time)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from giamngheo.accounts.models import UserProfile
    from giamngheo.geo.models import AdminUnit, Level

    user_model = get_user_model()
    with transaction.atomic():
        for spec in DEMO_USERS:
            user = user_model.objects.filter(username=spec.username).first()
            if user is None:
                user = user_model(username=spec.username)
            user.first_name, user.last_name = spec.full_name, ""
            user.is_active = True
            user.is_staff = user.is_superuser = spec.unit_code is None
            user.set_password(DEMO_PASSWORD)
            user.save()
            if spec.unit_code is not None and spec.role is not None:
                level = Level.DISTRICT if len(spec.unit_code) == 3 else Level.COMMUNE
                unit = AdminUnit.objects.get(
                    code=spec.unit_code, level=level, valid_from__isnull=True
                )
                UserProfile.objects.update_or_create(
                    user=user, defaults={"unit": unit, "role": spec.role}
                )
    return list(DEMO_USERS)


def load_plans_demo() -> str | None:
    """Call ``giamngheo.plans.demo.load_demo_plan()`` when the plans app provides it."""
    if importlib.util.find_spec("giamngheo.plans.demo") is None:
        return None
    module = importlib.import_module("giamngheo.plans.demo")
    loader = getattr(module, "load_demo_plan", None)
    if loader is None:
        return None
    return str(loader())


def load_registry_demo() -> str | None:
    """The demo registry (``giamngheo.registry.demo``), the 2020 reviews of the communes whose
    demo campaign is in progress kept as drafts; its one-line summary."""
    from giamngheo.registry.demo import load_demo_registry
    from giamngheo.reviews.demo import DRAFTS_FOR

    return str(load_demo_registry(drafts_for=DRAFTS_FOR))


def load_review_demo() -> str:
    """The demo's 2020 review campaign (``giamngheo.reviews.demo``), run by the district
    officer with the Đắk Ang collaborator as reviewer."""
    from django.contrib.auth import get_user_model

    from giamngheo.reviews.demo import AS_OF, load_demo_campaign

    users = get_user_model().objects
    campaign = load_demo_campaign(
        users.get(username="huyen.ngochoi"), users.get(username="ctv.dakang")
    )
    return f"{campaign.name} (xem ngày / as of {AS_OF:%d/%m/%Y})"


def load_support_demo() -> str:
    """The demo's 2020 projects, money, loans and housing (``giamngheo.support.demo``),
    entered in the district officer's name; its one-line summary."""
    from django.contrib.auth import get_user_model

    from giamngheo.geo.services import load_ngoc_hoi_demo
    from giamngheo.support.demo import load_demo_support

    officer = get_user_model().objects.get(username="huyen.ngochoi")
    return str(load_demo_support(officer, load_ngoc_hoi_demo().district))


def start_worker() -> subprocess.Popen[bytes]:
    """Start ``giamngheo worker`` as a child process: background tasks (imports) run there,
    never in the web server's requests. It stops with the server."""
    return subprocess.Popen(
        [sys.executable, "-m", "giamngheo", "worker", "--no-migrate"], env=os.environ.copy()
    )


def run_server(host: str, port: int) -> None:
    """Serve the web app with a background worker beside it."""
    from django.core.management import call_command

    worker = start_worker()
    click.echo(f"Tiến trình nền / background worker: pid {worker.pid}")
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def _demo_today() -> None:
    """The demo campaign is seen as of its date (``GIAMNGHEO_TODAY``), unless the caller set
    one (an empty value: the real date); the worker inherits it."""
    from django.conf import settings

    from giamngheo.reviews.demo import AS_OF

    if "GIAMNGHEO_TODAY" not in os.environ:
        os.environ["GIAMNGHEO_TODAY"] = AS_OF.isoformat()
        settings.GIAMNGHEO_TODAY = AS_OF
        click.echo(f"Ngày xem các hạn / deadlines seen as of: {AS_OF:%d/%m/%Y} (GIAMNGHEO_TODAY)")


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Chỉ chuẩn bị, không chạy máy chủ / setup only.")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
def demo_command(no_serve: bool, host: str, port: int) -> None:
    """Bản trình diễn: dữ liệu Ngọc Hồi, tài khoản mẫu, máy chủ web.

    Demo: migrate, load the Ngọc Hồi units and demo plan, create demo accounts, serve."""
    prepare_database()
    from giamngheo.geo.services import load_ngoc_hoi_demo

    units = load_ngoc_hoi_demo()
    click.echo(
        f"Đơn vị / units: {units.province_old.name} → {units.district.name} "
        f"({len(units.communes_old)} xã/communes) → từ/from 01/07/2025 "
        f"{units.province_new.name} ({len(units.communes_new)} xã/communes)"
    )
    users = create_demo_users()
    registry = load_registry_demo()
    if registry is not None:
        click.echo(f"Sổ hộ mẫu / demo registry: {registry}")
    plan = load_plans_demo()
    if plan is not None:
        click.echo(f"Kế hoạch mẫu / demo plan: {plan}")
    else:
        click.echo("Kế hoạch mẫu: chưa có / demo plan: not available")
    click.echo(f"Đợt rà soát mẫu / demo review campaign: {load_review_demo()}")
    click.echo(f"Hỗ trợ và kinh phí mẫu / demo support and money: {load_support_demo()}")
    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo("=" * 64)
    click.echo(f"  Địa chỉ / URL:            {url}")
    click.echo(f"  Mật khẩu / password:      {DEMO_PASSWORD}")
    for u in users:
        click.echo(f"  Tài khoản / user:         {u.username:<16} {u.description}")
    click.echo("=" * 64)
    if no_serve:
        return
    _demo_today()
    click.echo("Ctrl+C để dừng / to stop.")
    run_server(host, port)


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Chạy máy chủ web / serve the web application (migrates first)."""
    prepare_database()
    click.echo(f"http://{host}:{port}/")
    run_server(host, port)
