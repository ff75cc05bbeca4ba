"""N4/B3 groundwork: the worker drains queued search index updates."""

import pytest
from django.core.management import call_command

from camshaft.search import changelog, services
from camshaft.search.selectors import search_parts
from tests.factories import PartFactory

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the worker closes connections between cycles
def test_B3_worker_once_applies_queued_index_updates(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.sync_index()  # this host's index, built from the empty catalogue
    part = PartFactory(name="Radiator Cap")
    changelog.record([part.id])
    assert search_parts(query="radiator").total == 0
    call_command("worker", once=True)
    assert search_parts(query="radiator").total == 1


def test_C5_reindex_command_rebuilds_from_the_database(capsys):
    PartFactory(name="Fuel Pump Module")
    call_command("reindex", no_progress=True)
    assert "Indexed 1 parts" in capsys.readouterr().out
    assert search_parts(query="fuel pump").total == 1
