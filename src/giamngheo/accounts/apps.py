from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "giamngheo.accounts"
    label = "accounts"
