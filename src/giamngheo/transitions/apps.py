from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "giamngheo.transitions"
    label = "transitions"
    verbose_name = "Biến động hộ nghèo / Poverty transitions"

    def ready(self) -> None:
        from giamngheo.computed.definition import register
        from giamngheo.transitions.report import TRANSITIONS

        register(TRANSITIONS)
