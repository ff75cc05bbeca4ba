"""The support desk in real browsers (B4): a guest writes through the
contact form, customer service answers from the back office, the answer
goes out by mail, the guest's reply by mail (`camshaft inbound`) lands in
the ticket's thread, which the guest reads through the mail's link."""

import re
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.test import Client

from camshaft.notifications.models import OutboxMessage
from camshaft.support.models import Ticket
from tests.e2e.conftest import watch_csp
from tests.staff import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff_page(browser, live_server, clerk):
    client = Client()
    sign_in_staff(client, clerk)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_refusals = watch_csp(page)
    return page


def test_B4_contact_form_staff_answer_and_reply_by_mail_lands_in_the_thread(
    page, browser, live_server, django_user_model, tmp_path
):
    page.goto("/")
    page.click("#contact-link")
    page.fill("#id_name", "Pat Driver")
    page.fill("#id_email", "pat@example.com")
    page.fill("#id_subject", "Brake pads for a 2012 Civic")
    page.fill("#id_message", "Which pads fit the front axle?")
    page.click("#send-message")
    page.wait_for_selector("#thread")
    ticket = Ticket.objects.get()
    assert ticket.reference in page.inner_text("h1")
    assert "Open" in page.inner_text("#ticket-status")

    clerk = django_user_model.objects.create_superuser("desk@example.com", "a long password 1")
    staff = staff_page(browser, live_server, clerk)
    staff.goto("/staff/support/ticket/?status__exact=open")
    staff.click(f"text={ticket.reference}")
    staff.click("#answer-ticket")
    staff.fill("#id_message", "The PF-204 set fits. Which trim is it?")
    staff.click("#send-answer")
    staff.wait_for_selector("text=Answer mailed to the customer")
    answer = OutboxMessage.objects.get(category="support_answer")
    assert answer.to_address == "pat@example.com" and ticket.reference in answer.subject

    # The guest answers the mail from their mail program.
    reply = EmailMessage()
    reply["From"] = "Pat Driver <pat@example.com>"
    reply["To"] = "shop@example.com"
    reply["Subject"] = f"Re: {answer.subject}"
    reply.set_content(f"It is the EX trim.\n\n> {answer.body_text.splitlines()[2]}\n")
    eml = tmp_path / "reply.eml"
    eml.write_bytes(bytes(reply))
    call_command("inbound", str(eml))

    # The mail's link opens the ticket, with the reply in its thread.
    link = re.search(r"/support/link/\S+/", answer.body_text)[0]
    shopper = browser.new_context(base_url=live_server.url).new_page()
    shopper.goto(link)
    thread = shopper.inner_text("#thread")
    assert thread.index("Which pads fit") < thread.index("PF-204") < thread.index("EX trim")
    assert "by mail" in thread and "Open" in shopper.inner_text("#ticket-status")

    staff.goto(f"/staff/support/ticket/{ticket.pk}/answer/")
    assert "It is the EX trim." in staff.inner_text("#thread")
    assert staff.csp_refusals == []
