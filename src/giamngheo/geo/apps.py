from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "giamngheo.geo"
    label = "geo"
