"""B4 / V3 / V4: a guest's chat transcripts belong to them. The privacy
officer finds them by the address the guest gave (for a ticket, or written
in the chat), hands them over with Download my data and erases them; only
keyed hashes of those addresses are stored."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.roles import PRIVACY_OFFICER
from camshaft.chat import selectors, services
from camshaft.chat.models import Author, GivenAddress
from camshaft.privacy import selectors as privacy_selectors
from camshaft.privacy.models import DataRequest
from camshaft.support.models import Ticket
from tests.chat.helpers import agent, guest_chat
from tests.factories import MemberFactory
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db


def carry_out(client, *, kind: str, email: str):
    client.post(
        "/staff/privacy/datarequest/add/",
        {"kind": kind, "email": email, "identity_verified": "on"},
    )
    request = DataRequest.objects.get(kind=kind, status="open")
    return client.post(
        "/staff/privacy/datarequest/", {"action": "carry_out", "_selected_action": [request.pk]}
    )


def data_json(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return json.loads(archive.read("data.json"))


def test_B4_chat_a_guest_who_wrote_their_address_gets_the_transcript_and_can_erase_it(client):
    mine = guest_chat("Hi, I am Pat.Lee@Example.com and my pads squeal", key="pat")
    services.write_as_customer(conversation=mine, text="Still there?")
    someone_else = guest_chat("Do you ship to Alaska?", key="other")
    sign_in_with_role(client, PRIVACY_OFFICER)

    found = client.get(reverse("admin:chat_conversation_changelist"), {"q": "pat.lee@example.com"})
    assert found.status_code == 200
    listed = found.context["cl"].result_list
    assert [c.pk for c in listed] == [mine.pk]

    data = data_json(carry_out(client, kind="export", email="pat.lee@example.com").content)
    assert [c["id"] for c in data["chat_conversations"]] == [mine.pk]
    assert data["chat_conversations"][0]["found_by"] == "address written in the chat"
    assert [m["text"] for m in data["chat_messages"]] == [
        "Hi, I am Pat.Lee@Example.com and my pads squeal",
        "Still there?",
    ]

    carry_out(client, kind="erasure", email="pat.lee@example.com")
    mine.refresh_from_db()
    assert mine.erased_at is not None and mine.page == ""
    assert set(mine.messages.values_list("body", flat=True)) == {""}
    assert not GivenAddress.objects.filter(conversation=mine).exists()
    assert someone_else.messages.get().body == "Do you ship to Alaska?"


def test_B4_chat_a_guest_chat_that_became_a_ticket_is_found_by_its_address_and_exported():
    conversation = guest_chat("My question")
    services.make_ticket(conversation=conversation, email="Pat@Example.com")
    data = privacy_selectors.personal_data(email="pat@example.com")
    assert [c["found_by"] for c in data["chat_conversations"]] == ["ticket address"]
    assert GivenAddress.objects.get(conversation=conversation).how == "ticket"
    # Once the ticket is erased, the chat is still known by the address given.
    Ticket.objects.update(email="")
    assert list(selectors.conversations_of_person(email="pat@example.com")) == [conversation]


def test_B4_chat_only_keyed_hashes_of_given_addresses_are_stored():
    guest_chat("write to pat@example.com please")
    row = GivenAddress.objects.get()
    assert "pat" not in row.digest and "example" not in row.digest
    assert row.digest == selectors.address_digest("PAT@example.com ")


def test_B4_chat_an_address_the_agent_writes_makes_nobody_the_owner():
    conversation = guest_chat("Where do I send the core?")
    clerk = agent()
    services.take_conversation(conversation=conversation, agent=clerk)
    services.answer(conversation=conversation, agent=clerk, text="Mail returns@example.com")
    assert not GivenAddress.objects.exists()
    assert not selectors.conversations_of_person(email="returns@example.com").exists()
    assert conversation.messages.get(author=Author.STAFF).body == "Mail returns@example.com"


def test_B4_chat_a_member_gets_guest_chats_with_their_address_only_once_it_is_confirmed():
    guest_chat("I am sam@example.com, where is my order?")
    sam = MemberFactory(email="sam@example.com")
    assert privacy_selectors.personal_data(user=sam)["chat_conversations"] == []
    assert services.forget_person(user=sam, email=sam.email) == 0

    sam.email_verified_at = timezone.now()
    sam.save()
    data = privacy_selectors.personal_data(user=sam)
    assert [m["text"] for m in data["chat_messages"]] == [
        "I am sam@example.com, where is my order?"
    ]
    assert services.forget_person(user=sam, email=sam.email) == 1
