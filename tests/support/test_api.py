"""B4 through the API: file a ticket, list my tickets, see one, reply.
Members send their token, guests the ticket's access token; someone else's
ticket is a 404, a field the schema does not name a 422."""

import pytest

from camshaft.accounts.services import issue_api_token
from camshaft.support.models import Status, Ticket
from tests.factories import MemberFactory
from tests.support.helpers import GUEST, guest_ticket, placed_order

pytestmark = pytest.mark.django_db

URL = "/api/v1/support/tickets"
TICKET = {"subject": "Brake pads", "message": "Which pads fit a 2012 Civic?", "email": GUEST}


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user).key}"}


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_B4_api_a_guest_files_a_ticket_and_follows_it_with_its_token(client):
    filed = post(client, URL, TICKET)
    assert filed.status_code == 201
    body = filed.json()
    assert body["reference"].startswith("T-") and body["status"] == "open"
    assert [m["text"] for m in body["messages"]] == [TICKET["message"]]
    token = {"HTTP_X_TICKET_TOKEN": body["access_token"]}
    url = f"{URL}/{body['reference']}"
    assert client.get(url).status_code == 404  # no token, no ticket
    assert client.get(url, **token).json()["reference"] == body["reference"]
    replied = post(client, f"{url}/replies", {"message": "It is a 2012 EX."}, **token)
    assert replied.status_code == 201
    assert [m["author"] for m in replied.json()["messages"]] == ["customer", "customer"]


def test_B4_api_a_member_lists_sees_and_replies_to_their_tickets(client):
    member = MemberFactory(email="robin@example.com")
    order = placed_order(user=member, email="robin@example.com")
    auth = bearer(member)
    filed = post(client, URL, {**TICKET, "email": "", "order_number": order.number}, **auth)
    assert filed.status_code == 201 and filed.json()["order"] == order.number
    reference = filed.json()["reference"]
    listing = client.get(URL, **auth).json()
    assert listing["total"] == 1 and listing["tickets"][0]["reference"] == reference
    Ticket.objects.filter(reference=reference).update(status=Status.CLOSED)
    replied = post(client, f"{URL}/{reference}/replies", {"message": "Any news?"}, **auth)
    assert replied.status_code == 201 and replied.json()["status"] == "open"


def test_B4_api_someone_elses_ticket_is_a_404(client):
    mine = guest_ticket()
    other = guest_ticket(email="someone@example.com")
    from camshaft.support.selectors import link_token

    their_token = {"HTTP_X_TICKET_TOKEN": link_token(other)}
    assert client.get(f"{URL}/{mine.reference}", **their_token).status_code == 404
    stranger = bearer(MemberFactory(email="stranger@example.com"))
    assert client.get(f"{URL}/{mine.reference}", **stranger).status_code == 404
    refused = post(client, f"{URL}/{mine.reference}/replies", {"message": "x"}, **stranger)
    assert refused.status_code == 404 and mine.messages.count() == 1
    assert client.get(URL, **stranger).json()["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {**TICKET, "email": "not-an-address"},
        {**TICKET, "subject": ""},
        {**TICKET, "message": "   "},
        {**TICKET, "priority": "urgent"},  # a field the schema does not name
        {**TICKET, "message": "x" * 5001},
    ],
)
def test_B4_api_bad_input_is_a_422_and_nothing_is_filed(client, body):
    response = post(client, URL, body)
    assert response.status_code == 422 and response.json()["errors"]
    assert not Ticket.objects.exists()


def test_B4_api_listing_needs_a_member(client):
    assert client.get(URL).status_code == 401


def test_B4_api_filing_is_rate_limited(client, settings):
    settings.CAMSHAFT_RATE_LIMITS = {"contact": "1/m"}
    assert post(client, URL, TICKET).status_code == 201
    refused = post(client, URL, TICKET)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Ticket.objects.count() == 1


def test_B4_api_documents_every_answer(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    filing = paths["/api/v1/support/tickets"]["post"]["responses"]
    assert {"201", "401", "422", "429"} <= set(filing)
    assert {"200", "401"} <= set(paths["/api/v1/support/tickets"]["get"]["responses"])
    one = paths["/api/v1/support/tickets/{reference}"]["get"]["responses"]
    assert {"200", "404"} <= set(one)
    replies = paths["/api/v1/support/tickets/{reference}/replies"]["post"]["responses"]
    assert {"201", "404", "422", "429"} <= set(replies)
    assert document["components"]["schemas"]["TicketIn"]["additionalProperties"] is False
