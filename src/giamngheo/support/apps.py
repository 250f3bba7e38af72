from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "giamngheo.support"
    label = "support"
    verbose_name = "Hỗ trợ và kinh phí / Support and funds"

    def ready(self) -> None:
        from giamngheo.support import panels

        panels.register()
