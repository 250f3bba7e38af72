"""A support's year is the year it was delivered (the planned date's year until then): rows
written before that rule get their year again."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce, ExtractYear


def year_of_delivery(apps, schema_editor):  # type: ignore[no-untyped-def]
    support = apps.get_model("support", "Support")
    support.objects.update(year=ExtractYear(Coalesce(F("delivered_on"), F("on"))))


class Migration(migrations.Migration):
    dependencies = [("support", "0003_line_movements")]

    operations = [migrations.RunPython(year_of_delivery, migrations.RunPython.noop)]
