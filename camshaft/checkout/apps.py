from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "camshaft.checkout"
    label = "checkout"
