from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "camshaft.orders"
    label = "orders"
