from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "camshaft.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"

    def ready(self):
        from camshaft.marketplace import indexing

        indexing.connect()
