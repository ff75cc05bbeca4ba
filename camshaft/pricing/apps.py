from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "camshaft.pricing"
    label = "pricing"
