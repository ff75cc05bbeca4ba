import pytest


@pytest.fixture(autouse=True)
def _flat_shipping_rates(request, _default_shipping_rates):
    """Funnel tests place orders: one flat price per shipping method."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from tests.shopping import flat_rates

    flat_rates()


@pytest.fixture
def consenting(client):
    """A browser that allowed analytics cookies from the banner."""
    from django.urls import reverse

    response = client.post(reverse("cookie-settings"), {"analytics": "accept", "next": "/"})
    assert response.status_code == 302
    return client
