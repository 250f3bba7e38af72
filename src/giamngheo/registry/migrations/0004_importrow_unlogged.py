"""On PostgreSQL, staged import rows live in an UNLOGGED table.

``ImportRow`` holds a file's rows between validation and commit: transient copies of a file
that stays on disk. Writing them to the write-ahead log as well doubled the disk writes of a
100,000-household validation (about 550,000 rows of JSON) for no gain: after a crash of the
server an unlogged table comes back empty, and the commit then refuses a batch whose staged
rows are missing and asks for it to be validated again (``imports.commit._import_commit``).
SQLite has no such table kind: nothing changes there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _set(persistence: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE registry_importrow SET {persistence}")

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_entry_from_audit_events")]

    operations = [migrations.RunPython(_set("UNLOGGED"), _set("LOGGED"))]
