from django.apps import AppConfig


class PriceMatchConfig(AppConfig):
    name = "camshaft.pricematch"
    label = "pricematch"
    verbose_name = "Price match"
