"""Imports flow one way: cli -> web -> apps -> core; the core imports no Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import giamngheo.core

CORE = Path(giamngheo.core.__file__).parent


def test_core_imports_no_django_statically() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top == "django" or (
                    top == "giamngheo" and not name.startswith("giamngheo.core")
                ):
                    offenders.append(f"{path.relative_to(CORE)}: {name}")
    assert offenders == []


def test_core_runs_without_django_loaded() -> None:
    code = (
        "import sys, pkgutil, importlib, giamngheo.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'giamngheo.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "loaded = [k for k in sys.modules if k == 'django' or k.startswith('django.')]\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_import_contracts_hold() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.split("Contracts:")[-1].lower() or "0 broken" in out.stdout
