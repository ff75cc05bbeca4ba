from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "camshaft.catalog"
    label = "catalog"
