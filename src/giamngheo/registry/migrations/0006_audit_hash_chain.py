"""The audit log becomes a hash chain (``giamngheo.registry.chain``): each row gets
``prev_hash`` and ``hash``, back-filled here for the existing rows in id order (the first
row's ``prev_hash`` is 64 zeros). The rows are read in keyset pages (``id > last``) and updated
page by page, in SQLite and PostgreSQL alike. An actor of the log can no longer be deleted
(their id is part of the hash): deactivate the account instead.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from giamngheo.registry.chain import GENESIS, HASHED, event_hash

PAGE = 2000


def back_fill(apps: Any, schema_editor: Any) -> None:
    event = apps.get_model("registry", "AuditEvent")
    prev, last = GENESIS, 0
    while True:
        rows = list(event.objects.filter(pk__gt=last).order_by("pk").values_list(*HASHED)[:PAGE])
        if not rows:
            return
        sealed = []
        for row in rows:
            digest = event_hash(prev, row)
            sealed.append(event(pk=row[0], prev_hash=prev, hash=digest))
            prev = digest
        event.objects.bulk_update(sealed, ["prev_hash", "hash"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_importrow_json_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(back_fill, migrations.RunPython.noop),
    ]
