from django.apps import AppConfig
from django.db.models.signals import post_delete


class MarketplaceConfig(AppConfig):
    name = "camshaft.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"

    def ready(self):
        from camshaft.marketplace import indexing, services
        from camshaft.marketplace.models import ListingPhoto
        from camshaft.orders.signals import order_cancelled

        indexing.connect()
        order_cancelled.connect(
            services.order_was_cancelled, dispatch_uid="marketplace-order-cancelled"
        )
        # However a photo row goes (removed, its listing deleted, its member
        # erased), its files follow (V4).
        post_delete.connect(
            services.photo_deleted, sender=ListingPhoto, dispatch_uid="listing_photo_files"
        )
