from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "camshaft.inventory"
    label = "inventory"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from camshaft.inventory import selectors
        from camshaft.inventory.models import Warehouse

        for signal in (post_save, post_delete):
            signal.connect(selectors.forget_sites, sender=Warehouse, dispatch_uid="warehouse-sites")
