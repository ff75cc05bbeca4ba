"""Races on PostgreSQL with real threads (B4): one guest session signing in
to several accounts at once hands its chat to exactly one of them."""

import pytest
from django.db import connection

from camshaft.chat import services
from camshaft.chat.models import Author, Conversation
from tests.chat.helpers import guest_chat
from tests.concurrency import at_once
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")


def test_B4_chat_eight_sign_ins_of_one_guest_session_at_once_give_the_chat_to_one_account():
    conversation = guest_chat("My question", key="shared")
    services.write_as_customer(conversation=conversation, text="Anyone?")
    turns = iter([MemberFactory(email=f"m{n}@example.com") for n in range(8)])

    def sign_in():
        user = next(turns)
        return user.pk, [
            c.pk for c in services.attach_guest_conversations(guest_key="shared", user=user)
        ]

    results, errors = at_once(sign_in)
    assert errors == []
    winners = [user_id for user_id, attached in results if attached]
    assert len(winners) == 1
    conversation = Conversation.objects.get()
    assert conversation.user_id == winners[0] and conversation.guest_key == ""
    lines = conversation.messages.filter(author=Author.CUSTOMER)
    assert set(lines.values_list("by", flat=True)) == {winners[0]}
