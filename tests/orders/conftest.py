import pytest


@pytest.fixture(autouse=True)
def _flat_shipping_rates(request, _default_shipping_rates):
    """Order tests read totals with one flat price per shipping method."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from tests.shopping import flat_rates

    flat_rates()


@pytest.fixture(autouse=True)
def _on_a_weekday(on_a_weekday):
    """Whether a shopper may cancel depends on the day (O3): order tests run
    on a Wednesday afternoon unless they set their own times."""
