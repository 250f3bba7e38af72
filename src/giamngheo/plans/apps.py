from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "giamngheo.plans"
    label = "plans"
