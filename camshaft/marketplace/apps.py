from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "camshaft.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"
