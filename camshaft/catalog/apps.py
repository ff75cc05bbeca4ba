from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "camshaft.catalog"
    label = "catalog"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from camshaft.catalog.models import Brand
        from camshaft.catalog.selectors import forget_brand_names

        # Every process's copy of the brand names (search facets, result
        # rows) is dropped once a rename or removal is committed.
        for signal in (post_save, post_delete):
            signal.connect(forget_brand_names, sender=Brand, dispatch_uid=f"brands-{signal}")
