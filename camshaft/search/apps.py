from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "camshaft.search"
    label = "search"

    def ready(self):
        from camshaft.core import health
        from camshaft.search import selectors

        health.register("search", selectors.index_health)
