from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "camshaft.tax"
    label = "tax"
    verbose_name = "Tax"
