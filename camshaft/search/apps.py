from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "camshaft.search"
    label = "search"
