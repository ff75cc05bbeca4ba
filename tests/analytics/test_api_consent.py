"""V2 and V9 through the API: an app reads and sets its analytics consent,
and only an app sending a consenting X-Analytics-Id is recorded."""

import pytest

from camshaft.accounts.services import issue_api_token
from camshaft.analytics.cookies import unsign
from camshaft.analytics.models import CookieChoice, Event, Visitor
from camshaft.consent.models import ConsentRecord
from camshaft.consent.services import current_policy
from camshaft.search import services as search_services
from tests.shopping import stocked_part

pytestmark = pytest.mark.django_db

PATH = "/api/v1/privacy/cookies"


def put(client, analytics, **headers):
    return client.put(
        PATH, {"analytics": analytics}, content_type="application/json", headers=headers
    )


def test_V2_an_app_without_an_id_has_no_analytics_consent(client):
    body = client.get(PATH).json()
    assert body == {
        "analytics": False,
        "visitor_id": None,
        "policy_version": current_policy().version,
    }


def test_V2_an_app_accepts_gets_an_id_and_the_choice_is_recorded(client):
    response = put(client, True)
    assert response.status_code == 200
    visitor_id = response.json()["visitor_id"]
    assert visitor_id
    choice = CookieChoice.objects.get()
    assert (choice.analytics, choice.channel) == (True, "api")
    assert client.get(PATH, headers={"X-Analytics-Id": visitor_id}).json()["analytics"] is True


def test_V2_an_app_withdraws_and_its_id_stops_working(client):
    visitor_id = put(client, True).json()["visitor_id"]
    answer = put(client, False, **{"X-Analytics-Id": visitor_id}).json()
    assert answer["analytics"] is False and answer["visitor_id"] is None
    assert Visitor.objects.get().withdrawn_at is not None
    assert client.get(PATH, headers={"X-Analytics-Id": visitor_id}).json()["analytics"] is False


@pytest.mark.parametrize(
    "body", [{}, {"analytics": "perhaps"}, {"analytics": None}, {"analytics": 0}]
)
def test_V2_a_bad_choice_is_a_422_and_nothing_is_recorded(client, body):
    response = client.put(PATH, body, content_type="application/json")
    assert response.status_code == 422
    assert not CookieChoice.objects.exists()


def test_V2_a_member_app_records_their_consent_and_keeps_one_id(client, django_user_model):
    member = django_user_model.objects.create_user("pat@example.com", "a long password 123")
    auth = {"Authorization": f"Bearer {issue_api_token(user=member).key}"}
    # The id travels signed with a timestamp: the same id may be signed anew.
    first = unsign(put(client, True, **auth).json()["visitor_id"])
    assert first and unsign(put(client, True, **auth).json()["visitor_id"]) == first
    assert unsign(client.get(PATH, headers=auth).json()["visitor_id"]) == first
    consent = ConsentRecord.objects.get(user=member, purpose="analytics")
    assert consent.channel == "api"
    put(client, False, **auth)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert client.get(PATH, headers=auth).json()["analytics"] is False


def test_V9_api_searches_and_cart_adds_are_recorded_only_with_a_consenting_id(client):
    part = stocked_part(name="Ceramic Brake Pad")
    search_services.rebuild_index()
    client.get("/api/v1/search", {"q": "brake"})
    client.post("/api/v1/cart/lines", {"sku": part.sku}, content_type="application/json")
    assert not Event.objects.exists()

    visitor_id = put(client, True).json()["visitor_id"]
    headers = {"X-Analytics-Id": visitor_id}
    client.get("/api/v1/search", {"q": "  Brake  "}, headers=headers)
    client.get("/api/v1/search", {"q": "flux capacitor"}, headers=headers)
    client.post(
        "/api/v1/cart/lines", {"sku": part.sku}, content_type="application/json", headers=headers
    )
    rows = list(Event.objects.order_by("id").values_list("kind", "query", "results"))
    assert rows == [
        ("search", "brake", 1),
        ("search", "flux capacitor", 0),
        ("add_to_cart", "", None),
    ]

    put(client, False, **headers)
    client.get("/api/v1/search", {"q": "brake"}, headers=headers)
    assert Event.objects.count() == 3


def test_V2_a_forged_id_header_records_nothing(client):
    search_services.rebuild_index()
    client.get("/api/v1/search", {"q": "brake"}, headers={"X-Analytics-Id": "0" * 32})
    assert not Event.objects.exists()


def test_B2_the_consent_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/privacy/cookies"])
