"""B4 live chat: the JSON API (status; a member starts a chat and lists theirs)."""

import pytest

from camshaft.accounts.services import issue_api_token
from camshaft.chat import services
from camshaft.chat.models import Conversation
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user=user).key}"}


def test_B4_chat_api_status_says_hours_and_agents(client):
    answer = client.get("/api/v1/chat/status")
    assert answer.status_code == 200
    body = answer.json()
    assert body["agents"] == 0 and body["max_length"] == 2000 and body["hours"]


def test_B4_chat_api_a_member_starts_a_chat_and_lists_only_theirs(client):
    member, other = MemberFactory(email="sam@example.com"), MemberFactory(email="x@example.com")
    services.start_conversation(text="Not Sam's", user=other)
    answer = client.post(
        "/api/v1/chat/conversations",
        {"message": "Card 4111 1111 1111 1111: does BP-1 fit?", "page": "/parts/BP-1/"},
        content_type="application/json",
        headers=bearer(member),
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["state"] == "waiting" and body["page"] == "/parts/BP-1/"
    assert "4111" not in body["messages"][0]["text"]
    again = client.post(
        "/api/v1/chat/conversations",
        {"message": "Hello?"},
        content_type="application/json",
        headers=bearer(member),
    )
    assert again.status_code == 409
    listed = client.get("/api/v1/chat/conversations", headers=bearer(member)).json()
    assert listed["total"] == 1 and listed["conversations"][0]["id"] == body["id"]


@pytest.mark.parametrize(
    "body",
    [{"message": "   "}, {"message": "x" * 2001}, {"message": "a", "extra": 1}, {}],
)
def test_B4_chat_api_refuses_a_bad_message_and_stores_nothing(client, body):
    answer = client.post(
        "/api/v1/chat/conversations",
        body,
        content_type="application/json",
        headers=bearer(MemberFactory()),
    )
    assert answer.status_code == 422
    assert not Conversation.objects.exists()


def test_B4_chat_api_needs_a_member(client):
    assert client.get("/api/v1/chat/conversations").status_code == 401
    answer = client.post(
        "/api/v1/chat/conversations", {"message": "Hi"}, content_type="application/json"
    )
    assert answer.status_code == 401
