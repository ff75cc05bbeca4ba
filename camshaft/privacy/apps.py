from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "camshaft.privacy"
    label = "privacy"
