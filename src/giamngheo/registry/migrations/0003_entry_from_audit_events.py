"""Carry over how households entered the registry from the ``household_entry`` audit events
that recorded it before the fields existed (``changes = {"entry": "moved_in" | "split_off",
"year": y, "from": pk}``).

Those events knew the review year of the arrival, not the day: the entry date becomes
1 January of that year, which places it in the same review period (the transitions compare
the year only). A household that already has an entry reason keeps it; an event with an
unreadable reason or year is skipped (the transitions then say "not recorded", as before the
events were read). The events themselves stay in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import migrations

_REASONS = {"moved_in", "split_off"}


def forwards(apps: Any, schema_editor: Any) -> None:
    audit_event = apps.get_model("registry", "AuditEvent")
    household = apps.get_model("registry", "Household")
    events = audit_event.objects.filter(
        action="household_entry", object_type="registry.Household"
    ).order_by("pk")
    for object_id, changes in events.values_list("object_id", "changes").iterator(2000):
        if not isinstance(changes, dict):
            continue
        reason, year, source = changes.get("entry"), changes.get("year"), changes.get("from")
        if reason not in _REASONS or not isinstance(year, int) or not str(object_id).isdigit():
            continue
        hh = household.objects.filter(pk=int(object_id), entry_reason="").first()
        if hh is None:
            continue
        hh.entry_reason, hh.entry_date = reason, dt.date(year, 1, 1)
        if reason == "split_off" and isinstance(source, int) and source != hh.pk:
            hh.came_from_id = (
                household.objects.filter(pk=source).values_list("pk", flat=True).first()
            )
        hh.save(update_fields=["entry_reason", "entry_date", "came_from"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_household_entry")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
