from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "camshaft.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"

    def ready(self):
        from camshaft.marketplace import indexing, services
        from camshaft.orders.signals import order_cancelled

        indexing.connect()

        order_cancelled.connect(
            services.order_was_cancelled, dispatch_uid="marketplace-order-cancelled"
        )
