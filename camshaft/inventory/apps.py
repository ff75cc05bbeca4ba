from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "camshaft.inventory"
    label = "inventory"
