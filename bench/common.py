"""What the registry benchmarks share: Django on a throwaway database, the Ngọc Hồi units,
and the peak memory of the process. Imported by the scripts beside it (``python bench/x.py``
puts this folder on ``sys.path``)."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(folder: Path, db_file: str, *, inline_tasks: bool = False) -> None:
    """Django on ``DATABASE_URL``, or a SQLite file ``folder/db_file``; data files (uploads,
    caches) under ``folder``; migrated. ``inline_tasks``: background tasks run in the calling
    process (so a timed request includes the work the worker does in production)."""
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / db_file}")
    os.environ["GIAMNGHEO_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "giamngheo.web.settings"
    if inline_tasks:
        os.environ["GIAMNGHEO_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def peak_mb() -> float:
    """The peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ngoc_hoi_villages() -> tuple[list[Any], dict[int, list[int]]]:
    """The Ngọc Hồi demo communes (before the 2025 reform) and the village pks of each."""
    from giamngheo.geo.models import AdminUnit, Level
    from giamngheo.geo.services import load_ngoc_hoi_demo

    units = load_ngoc_hoi_demo()
    communes = list(units.communes_old.values())
    villages = {
        c.pk: list(
            AdminUnit.objects.filter(parent=c, level=Level.VILLAGE).values_list("pk", flat=True)
        )
        for c in communes
    }
    return communes, villages
