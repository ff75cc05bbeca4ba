from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "camshaft.accounts"
    label = "accounts"
