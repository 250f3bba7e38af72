"""Write ``before_after.json``: the transitions of the generated registry
(``before_after_data``) as computed by the code BEFORE the computed-report mechanism.

Run once, with the old checkout's interpreter (its ``giamngheo`` package, this folder's
``before_after_data``)::

    /tmp/gn_before/.venv/bin/python tests/web/transitions/make_before_after_fixture.py \\
        tests/web/transitions/before_after.json

It builds a throwaway SQLite database (migrated, the Ngọc Hồi demo units, the generated
registry), computes with ``giamngheo.registry.views_transitions`` and
``giamngheo.registry.transitions`` as a superuser, and writes the JSON (one line per unit and
pair). ``test_before_after.py`` computes the same with the new code and compares.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace


def main() -> None:
    target = Path(sys.argv[1])
    folder = Path(tempfile.mkdtemp(prefix="gn-before-after-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ["GIAMNGHEO_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "giamngheo.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from before_after_data import collect, populate
    from django.contrib.auth.models import User

    from giamngheo.geo.services import load_ngoc_hoi_demo
    from giamngheo.registry import transitions, views_transitions

    populate(load_ngoc_hoi_demo())
    actor = User.objects.create_superuser("ba-root", "root@example.org", "x")
    api = SimpleNamespace(
        unit_histories=transitions.unit_histories,
        review_years=transitions.review_years,
        commune_ids=transitions.commune_ids,
        Selection=views_transitions.Selection,
        build_report=views_transitions.build_report,
        build_index=views_transitions.build_index,
        sub_units=views_transitions._sub_units,
        status_codes=views_transitions._STATUS_CODES,
        origin_codes=views_transitions._ORIGIN_CODES,
    )
    data = collect(actor, api)
    units = data.pop("units")
    lines = [json.dumps(data, ensure_ascii=False)[:-1] + ', "units": {']
    lines += [
        f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
        + ("," if i < len(units) - 1 else "")
        for i, (k, v) in enumerate(units.items())
    ]
    target.write_text("\n".join([*lines, "}}"]) + "\n", encoding="utf-8")
    print(f"{target}: {target.stat().st_size:,} bytes, {len(units)} units × pairs")


if __name__ == "__main__":
    main()
