"""B4 with V3 and V4: Download my data holds a person's tickets and every
message; erasure removes their personal data and keeps only dates and
states for the desk's figures."""

import pytest

from camshaft.privacy import selectors as privacy
from camshaft.privacy import services as privacy_services
from camshaft.support import services
from camshaft.support.models import Ticket, TicketMessage
from tests.factories import MemberFactory
from tests.support.helpers import GUEST, guest_ticket

pytestmark = pytest.mark.django_db


def test_B4_download_my_data_holds_tickets_and_messages():
    member = MemberFactory(email="robin@example.com")
    ticket = services.open_ticket(subject="Core charge", message="How much is it?", user=member)
    services.answer_ticket(ticket=ticket, message="$40, refunded.", by=None)
    guest_ticket(email="someone@example.com")  # not theirs
    data = privacy.personal_data(member)
    assert [t["reference"] for t in data["support_tickets"]] == [ticket.reference]
    assert [m["text"] for m in data["support_messages"]] == ["How much is it?", "$40, refunded."]


def test_B4_a_guests_export_holds_their_tickets():
    ticket = guest_ticket()
    data = privacy.personal_data(email=GUEST.upper())
    assert [t["reference"] for t in data["support_tickets"]] == [ticket.reference]


def test_B4_erasure_removes_the_personal_data_of_tickets():
    member = MemberFactory(email="robin@example.com")
    ticket = services.open_ticket(
        subject="My address is 9 Gasket Road", message="Call me on 614 555 0199", user=member
    )
    services.answer_ticket(ticket=ticket, message="Done, Robin.", by=None)
    other = guest_ticket(email="someone@example.com")
    privacy_services.erase_person(user=member, reason="asked", by=None)
    ticket.refresh_from_db()
    assert ticket.user is None and ticket.email == "" and ticket.name == ""
    assert ticket.subject == "(erased)" and ticket.erased_at and ticket.status == "closed"
    assert set(ticket.messages.values_list("body", flat=True)) == {""}
    assert ticket.opened_at and ticket.first_answer_at  # the desk's figures keep their dates
    other.refresh_from_db()
    assert other.email == "someone@example.com" and other.messages.get().body
    # a reply by mail to the erased ticket finds nothing to join
    assert (
        services.take_mail_reply(
            sender="robin@example.com", subject=f"Re: {ticket.reference}", text="Hello?"
        )
        is None
    )
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2
    assert Ticket.objects.count() == 2
