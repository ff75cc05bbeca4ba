"""Rate-limit tests start from empty counters and take small limits from
settings, so no test depends on the real limits or on another test."""

import pytest
from django.core.cache import cache


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
