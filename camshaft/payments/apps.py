from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "camshaft.payments"
    label = "payments"
