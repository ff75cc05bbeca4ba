from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "camshaft.returns"
    label = "returns"
    verbose_name = "Returns and cores"
