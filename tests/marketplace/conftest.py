import pytest


@pytest.fixture(autouse=True)
def _flat_shipping_rates(request, _default_shipping_rates):
    """Buying tests read totals with one flat price per store shipping method."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from tests.shopping import flat_rates

    flat_rates()
