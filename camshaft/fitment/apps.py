from django.apps import AppConfig


class FitmentConfig(AppConfig):
    name = "camshaft.fitment"
    label = "fitment"
