from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "camshaft.consent"
    label = "consent"
    verbose_name = "Consent"
