"""B4: tickets from the contact form, their states, the staff answer by
mail and the customer's reply by mail into the ticket's thread."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from camshaft.notifications.models import OutboxMessage
from camshaft.support import selectors, services
from camshaft.support.models import Author, Status, Ticket, TicketMessage
from tests.factories import MemberFactory
from tests.support.helpers import GUEST, guest_ticket, mail, placed_order

pytestmark = pytest.mark.django_db


def link_token(text: str) -> str:
    """The token of the ticket link a mail carries."""
    return re.search(r"/support/link/([^/\s]+)/", text)[1]


def clerk():
    return MemberFactory(email="clerk@example.com", is_staff=True)


def test_B4_a_ticket_gets_a_reference_and_its_mail_carries_it():
    ticket = guest_ticket()
    assert ticket.status == Status.OPEN and ticket.waiting_since == ticket.opened_at
    sent = OutboxMessage.objects.get(reference=f"ticket:{ticket.reference}")
    assert sent.to_address == GUEST and ticket.reference in sent.subject
    assert selectors.ticket_for_token(link_token(sent.body_text)) == ticket
    assert [m.author for m in ticket.messages.all()] == [Author.CUSTOMER]


def test_B4_the_answer_goes_out_by_mail_with_the_reference_and_waits_for_the_customer():
    ticket = guest_ticket()
    services.answer_ticket(ticket=ticket, message="The PF-204 set fits.", by=clerk())
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING and ticket.waiting_since is None
    assert ticket.first_answer_at is not None
    answer = OutboxMessage.objects.get(category="support_answer")
    assert answer.subject == f"[{ticket.reference}] Re: {ticket.subject}"
    assert "The PF-204 set fits." in answer.body_text and answer.to_address == GUEST


def test_B4_reply_by_mail_lands_in_the_thread(tmp_path):
    ticket = guest_ticket()
    services.answer_ticket(ticket=ticket, message="Which year is it?", by=clerk(), close=True)
    eml = tmp_path / "reply.eml"
    eml.write_bytes(
        mail(
            sender="PAT@example.com",
            subject=f"Re: [{ticket.reference}] Re: Brake pads for a 2012 Civic",
            text="It is a 2012 EX.\n\nOn Fri, Dec 4, 2026 Camshaft wrote:\n> Which year is it?\n",
            message_id="<reply-1@mail.example>",
        )
    )
    call_command("inbound", str(eml))
    ticket.refresh_from_db()
    last = ticket.messages.last()
    assert last.author == Author.CUSTOMER and last.channel == "mail"
    assert last.body == "It is a 2012 EX."  # the quoted thread is left out
    assert ticket.status == Status.OPEN and ticket.closed_at is None  # reopened
    call_command("inbound", str(eml))  # the same mail read again joins once
    assert ticket.messages.count() == 3


def test_B4_reply_by_mail_from_another_address_opens_its_own_ticket_never_the_thread():
    ticket = guest_ticket()
    services.answer_ticket(ticket=ticket, message="Which year is it?", by=clerk())
    raw = mail(
        sender="mallory@example.net",
        subject=f"Re: [{ticket.reference}] Re: Brake pads",
        text="Send the parts to my address instead.",
    )
    from camshaft.notifications.services import handle_inbound_mail

    done = handle_inbound_mail(raw=raw)
    ticket.refresh_from_db()
    assert ticket.messages.count() == 2 and ticket.status == Status.WAITING
    other = Ticket.objects.exclude(pk=ticket.pk).get()
    assert other.email == "mallory@example.net" and other.related == ticket
    assert done == [f"opened ticket {other.reference} (sent from another address)"]
    # the new ticket's mail tells the sender nothing of the ticket they quoted
    acknowledgement = OutboxMessage.objects.get(to_address="mallory@example.net")
    assert "Which year" not in acknowledgement.body_text


def test_B4_a_mail_without_a_known_reference_is_not_the_desks():
    from camshaft.notifications.services import handle_inbound_mail

    guest_ticket()
    assert handle_inbound_mail(raw=mail(sender=GUEST, subject="Hello", text="Hi")) == []
    missing = mail(sender=GUEST, subject="Re: [T-2345-6789] hi", text="Hi")
    assert handle_inbound_mail(raw=missing) == []
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 1


def test_B4_a_member_replying_from_their_account_address_is_the_owner():
    member = MemberFactory(email="robin@example.com")
    ticket = services.open_ticket(subject="Core charge", message="How much?", user=member)
    outcome = services.take_mail_reply(
        sender="robin@example.com", subject=f"Re: {ticket.reference}", text="Thanks!"
    )
    assert outcome.added and outcome.ticket == ticket
    assert ticket.messages.last().by == member


def test_B4_states_open_waiting_closed_and_a_reply_reopens():
    ticket = guest_ticket()
    services.answer_ticket(ticket=ticket, message="Done?", by=clerk())
    services.close_ticket(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at
    later = timezone.now() + timedelta(hours=3)
    services.reply_as_customer(ticket=ticket, message="Not quite.", channel="web", now=later)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.waiting_since == later
    services.reply_as_customer(ticket=ticket, message="Also…", channel="web")
    ticket.refresh_from_db()
    assert ticket.waiting_since == later  # still waiting since the first unanswered one


def test_B4_an_order_number_links_only_an_order_of_the_same_email():
    order = placed_order(email=GUEST)
    linked = guest_ticket(order_number=order.number.lower())
    assert linked.order == order and linked.order_number_given == ""
    stranger = guest_ticket(email="someone@example.com", order_number=order.number)
    assert stranger.order is None and stranger.order_number_given == order.number
    # the customer is told the same whether or not the order exists
    missing = guest_ticket(email="someone@example.com", order_number="CS-2345-6789")
    told = [
        (m := OutboxMessage.objects.get(reference=f"ticket:{t.reference}"))
        .body_text.replace(link_token(m.body_text), "")
        .replace(t.reference, "")
        for t in (stranger, missing)
    ]
    assert told[0] == told[1]


def test_B4_a_members_ticket_links_their_account_and_their_orders():
    member = MemberFactory(email="robin@example.com")
    order = placed_order(user=member, email="robin@example.com")
    ticket = services.open_ticket(
        subject="Where is it?",
        message="Not here yet.",
        user=member,
        email="ignored@example.com",
        order_number=order.number,
    )
    assert ticket.user == member and ticket.email == "robin@example.com"
    assert ticket.order == order


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"subject": "  "}, "Write a subject."),
        ({"message": ""}, "Write a message."),
        ({"email": "not-an-address"}, "Give an email address we can answer to."),
        ({"message": "x" * 5001}, "at most 5000"),
        ({"subject": "a\x00b"}, "cannot store"),
    ],
)
def test_B4_bad_input_is_refused_and_nothing_is_stored(fields, problem):
    with pytest.raises(services.TicketProblem) as refused:
        services.open_ticket(**{"subject": "Pads", "message": "Which?", "email": GUEST, **fields})
    assert problem in " ".join(refused.value.messages)
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()


def test_B4_a_chat_becomes_a_ticket_with_its_transcript():
    """The service issue 18's live chat will call when nobody answers."""
    member = MemberFactory(email="robin@example.com")
    agent = clerk()
    start = timezone.now() - timedelta(minutes=10)
    ticket = services.open_ticket(
        subject="Chat: alternator",
        message="",
        user=member,
        source="chat",
        transcript=[
            services.TranscriptLine("customer", "Hello, is the AL-9 in stock?", start, member),
            services.TranscriptLine("staff", "Let me check.", start + timedelta(minutes=1), agent),
            services.TranscriptLine("customer", "Anyone?", start + timedelta(minutes=5)),
        ],
    )
    thread = list(ticket.messages.all())
    assert [m.body for m in thread] == ["Hello, is the AL-9 in stock?", "Let me check.", "Anyone?"]
    assert {m.channel for m in thread} == {"chat"}
    assert ticket.opened_at == start and ticket.first_answer_at == start + timedelta(minutes=1)
    assert ticket.status == Status.OPEN


def test_B4_staff_queue_finds_late_tickets_only():
    ticket = guest_ticket()
    old = guest_ticket(subject="Old question")
    long_ago = timezone.now() - timedelta(days=6)
    Ticket.objects.filter(pk=old.pk).update(waiting_since=long_ago, opened_at=long_ago)
    assert list(selectors.late_tickets()) == [old]
    services.answer_ticket(ticket=old, message="Sorry for the wait.", by=clerk())
    assert list(selectors.late_tickets()) == []
    assert not selectors.is_late(ticket)


def test_B4_answers_follow_a_member_who_changed_their_address():
    member = MemberFactory(email="robin@example.com")
    ticket = services.open_ticket(subject="Core charge", message="How much?", user=member)
    member.email = "robin@new.example.com"
    member.save()
    services.answer_ticket(ticket=ticket, message="$40.", by=clerk())
    assert OutboxMessage.objects.get(category="support_answer").to_address == member.email
