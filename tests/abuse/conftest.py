"""Rate-limit tests start from empty counters, take small limits from
settings and run on a stopped clock, so no test depends on the real limits,
on another test, or on a counting window ending halfway through it."""

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture(autouse=True)
def _stopped_clock():
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limits(settings):
    """Set limits for this test, e.g. `limits(search="3/m")` or
    `limits(**{"sign_in:account": "2/10m"})`."""

    def set_limits(**overrides: str) -> None:
        settings.CAMSHAFT_RATE_LIMITS = {**settings.CAMSHAFT_RATE_LIMITS, **overrides}

    return set_limits
