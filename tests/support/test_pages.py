"""B4 in the browser's pages: the contact form (honeypot, rate limit), a
member's tickets, the ticket page with its reply form, and the signed link
of a ticket's mail. Someone else's ticket is a 404."""

import re

import pytest
from django.urls import reverse

from camshaft.abuse.forms import HONEYPOT_FIELD
from camshaft.notifications.models import OutboxMessage
from camshaft.support import selectors, services
from camshaft.support.models import Status, Ticket
from tests.factories import MemberFactory
from tests.support.helpers import GUEST, guest_ticket

pytestmark = pytest.mark.django_db

CONTACT = {
    "email": GUEST,
    "subject": "Brake pads",
    "message": "Which pads fit a 2012 Civic?",
    "order_number": "",
}


def test_B4_the_footer_links_the_contact_form(client):
    home = client.get("/").content.decode()
    assert f'href="{reverse("contact")}"' in home


def test_B4_a_guest_files_a_ticket_and_sees_it(client):
    response = client.post(reverse("contact"), CONTACT)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support_ticket", args=[ticket.reference])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert ticket.reference in page.content.decode() and "Which pads fit" in page.content.decode()
    assert ticket.email == GUEST and ticket.user is None


def test_B4_a_members_ticket_links_to_their_account(client):
    member = MemberFactory(email="robin@example.com")
    client.force_login(member)
    form = client.get(reverse("contact")).content.decode()
    assert 'name="email"' not in form  # answered at the account's address
    client.post(reverse("contact"), {**CONTACT, "email": "other@example.com"})
    ticket = Ticket.objects.get()
    assert ticket.user == member and ticket.email == "robin@example.com"
    listing = client.get(reverse("my_tickets")).content.decode()
    assert ticket.reference in listing


def test_B4_the_contact_form_refuses_bad_input_and_stores_nothing(client):
    response = client.post(reverse("contact"), {**CONTACT, "email": "nope", "message": ""})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()


def test_B4_the_contact_form_has_a_honeypot_and_a_rate_limit(client, settings):
    bot = {"REMOTE_ADDR": "192.0.2.1"}
    filled = client.post(
        reverse("contact"), {**CONTACT, HONEYPOT_FIELD: "http://spam.example"}, **bot
    )
    assert filled.status_code == 400 and not Ticket.objects.exists()
    assert client.post(reverse("contact"), CONTACT, **bot).status_code == 429  # slowed

    settings.CAMSHAFT_RATE_LIMITS = {"contact": "2/m"}
    person = {"REMOTE_ADDR": "192.0.2.2"}
    for _ in range(2):
        assert client.post(reverse("contact"), CONTACT, **person).status_code == 302
    refused = client.post(reverse("contact"), CONTACT, **person)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Ticket.objects.count() == 2


def test_B4_someone_elses_ticket_is_a_404(client):
    ticket = guest_ticket()
    url = reverse("support_ticket", args=[ticket.reference])
    assert client.get(url).status_code == 404
    assert client.post(url, {"message": "hijack"}).status_code == 404
    client.force_login(MemberFactory(email="someone@example.com"))
    assert client.get(url).status_code == 404
    assert ticket.messages.count() == 1


def test_B4_the_mails_link_opens_the_ticket_and_the_guest_replies_on_its_page(client):
    ticket = guest_ticket()
    services.answer_ticket(
        ticket=ticket, message="Which year?", by=MemberFactory(email="c@example.com")
    )
    body = OutboxMessage.objects.get(category="support_answer").body_text
    link = re.search(r"http://\S+/support/link/\S+/", body)[0]
    opened = client.get(link.split("8000", 1)[1])
    assert opened["Location"] == reverse("support_ticket", args=[ticket.reference])
    reply = client.post(opened["Location"], {"message": "A 2012 EX."})
    assert reply.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.messages.last().body == "A 2012 EX."


def test_B4_a_forged_or_erased_link_opens_nothing(client):
    ticket = guest_ticket()
    token = selectors.link_token(ticket)
    assert client.get(reverse("support_ticket_link", args=[token + "x"])).status_code == 404
    services.forget_person(email=GUEST)
    assert client.get(reverse("support_ticket_link", args=[token])).status_code == 404


def test_B4_an_empty_reply_is_refused(client):
    ticket = guest_ticket()
    client.get(reverse("support_ticket_link", args=[selectors.link_token(ticket)]))
    response = client.post(reverse("support_ticket", args=[ticket.reference]), {"message": " "})
    assert response.status_code == 400 and ticket.messages.count() == 1


def test_B4_a_long_thread_and_a_long_list_cost_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    member = MemberFactory(email="robin@example.com")
    tickets = [
        services.open_ticket(subject=f"Question {n}", message="?", user=member) for n in range(5)
    ]
    for n in range(10):
        services.reply_as_customer(ticket=tickets[0], message=f"more {n}", channel="web")
    client.force_login(member)
    client.get(reverse("my_tickets"))  # warm the session
    with django_assert_max_num_queries(12):
        page = client.get(reverse("support_ticket", args=[tickets[0].reference]))
    assert page.content.decode().count('class="card message') == 11
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("my_tickets"))
    assert all(t.reference in listing.content.decode() for t in tickets)
