from django.apps import AppConfig


class AbuseConfig(AppConfig):
    name = "camshaft.abuse"
    label = "abuse"
    verbose_name = "Bots and abuse"
