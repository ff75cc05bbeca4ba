"""Races on PostgreSQL with real threads (B4): one reply by mail read by
several `camshaft inbound` runs at once joins the thread once, and a clerk
answering while the customer replies loses neither message."""

import pytest
from django.db import connection

from camshaft.support import services
from camshaft.support.models import Status, TicketMessage
from tests.concurrency import at_once
from tests.factories import MemberFactory
from tests.support.helpers import GUEST, guest_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")


def test_B4_one_mail_read_by_eight_readers_at_once_joins_the_thread_once():
    ticket = guest_ticket()

    def read():
        return services.take_mail_reply(
            sender=GUEST,
            subject=f"Re: [{ticket.reference}]",
            text="It is a 2012 EX.",
            mail_id="<reply-1@mail.example>",
        ).added

    results, errors = at_once(read)
    assert errors == [] and results == [True] * 8
    assert TicketMessage.objects.filter(mail_id="<reply-1@mail.example>").count() == 1


def test_B4_an_answer_and_a_reply_at_once_both_land():
    ticket = guest_ticket()
    clerk = MemberFactory(email="clerk@example.com", is_staff=True)
    turns = iter(range(8))

    def write():
        n = next(turns)
        if n % 2:
            return services.answer_ticket(ticket=ticket, message=f"answer {n}", by=clerk).pk
        return services.reply_as_customer(ticket=ticket, message=f"reply {n}", channel="web").pk

    results, errors = at_once(write)
    assert errors == [] and len(results) == 8
    ticket.refresh_from_db()
    thread = list(ticket.messages.order_by("at", "id"))
    assert len(thread) == 9
    last = thread[-1]
    # the state follows whoever wrote last, never a mix of the two
    if last.author == "staff":
        assert ticket.status == Status.WAITING and ticket.waiting_since is None
    else:
        assert ticket.status == Status.OPEN and ticket.waiting_since is not None
