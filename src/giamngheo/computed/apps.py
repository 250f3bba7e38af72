from django.apps import AppConfig


class ComputedConfig(AppConfig):
    """The computed-report mechanism (no models): each report registers itself from its own
    app's ``ready()``."""

    name = "giamngheo.computed"
    label = "computed"
    verbose_name = "Báo cáo tính sẵn / Computed reports"
