"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when
DATABASE_URL points there (.ci/run does both)."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_search_index(settings, tmp_path):
    """Each test gets an empty search index of its own, so documents from
    one test never show up in another."""
    from camshaft.search import backend

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    backend.reset_cache()
    yield
    backend.reset_cache()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Run enqueued tasks at once, inside the test (django-tasks listens for
    the setting change and drops its cached backends)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
