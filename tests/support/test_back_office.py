"""B4 in the back office: customer service answers from the queue (the
answer is mailed), filters by state, sees late tickets highlighted, closes
and reopens; the report shows a chart. Roles without the desk get 403."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from camshaft.accounts.roles import CUSTOMER_SERVICE, MARKETING, WAREHOUSE
from camshaft.core.models import AuditEntry
from camshaft.notifications.models import OutboxMessage
from camshaft.support.models import Status, Ticket
from tests.staff import sign_in_with_role
from tests.support.helpers import guest_ticket

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:support_ticket_changelist")


def url(name, *args):
    return reverse(f"admin:support_ticket_{name}", args=args)


def test_B4_customer_service_answers_and_the_answer_is_mailed(client):
    ticket = guest_ticket()
    clerk = sign_in_with_role(client, CUSTOMER_SERVICE)
    page = client.get(url("answer", ticket.pk))
    assert page.status_code == 200 and b"Which pads fit" in page.content
    response = client.post(url("answer", ticket.pk), {"message": "The PF-204 set fits."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    assert ticket.messages.last().by == clerk
    mail = OutboxMessage.objects.get(category="support_answer")
    assert ticket.reference in mail.subject
    # looking at the thread is a look at a customer's data (A4)
    assert AuditEntry.objects.filter(staff=clerk, object_ids__contains=str(ticket.pk)).exists()


def test_B4_an_empty_answer_is_refused_and_nothing_is_sent(client):
    ticket = guest_ticket()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    response = client.post(url("answer", ticket.pk), {"message": ""})
    assert response.status_code == 400
    assert not OutboxMessage.objects.filter(category="support_answer").exists()


def test_B4_the_queue_filters_by_state_and_highlights_late_tickets(client):
    fresh = guest_ticket(subject="Fresh question")
    late = guest_ticket(subject="Old question")
    long_ago = timezone.now() - timedelta(days=6)
    Ticket.objects.filter(pk=late.pk).update(waiting_since=long_ago, opened_at=long_ago)
    answered = guest_ticket(subject="Answered question")
    answered.status = Status.WAITING
    answered.save()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    queue = client.get(QUEUE).content.decode()
    assert "Waiting on us over a business day: 1" in queue
    assert queue.count("late-ticket") == 1 and "6\xa0days (late)" in queue
    only_late = client.get(QUEUE + "?queue=late").content.decode()
    assert late.reference in only_late and fresh.reference not in only_late
    waiting = client.get(QUEUE + "?status__exact=waiting").content.decode()
    assert answered.reference in waiting and fresh.reference not in waiting


def test_B4_staff_close_and_reopen(client):
    ticket = guest_ticket()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    assert client.get(url("close", ticket.pk)).status_code == 405  # a change needs a POST
    client.post(url("close", ticket.pk))
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    client.post(url("reopen", ticket.pk))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.waiting_since is not None


def test_B4_the_report_shows_tickets_per_day_and_time_to_first_answer(client):
    ticket = guest_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_answer_at=ticket.opened_at + timedelta(hours=3)
    )
    guest_ticket()
    sign_in_with_role(client, CUSTOMER_SERVICE)
    page = client.get(url("report"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="opened-chart-title"' in html and 'id="waits-chart-title"' in html
    assert "3.0 hours" in html  # the median of the one answered ticket


@pytest.mark.parametrize("role", [WAREHOUSE, MARKETING], ids=lambda r: r.slug)
def test_B4_roles_without_the_desk_cannot_open_it(client, role):
    ticket = guest_ticket()
    sign_in_with_role(client, role)
    assert client.get(QUEUE).status_code == 403
    assert client.get(url("answer", ticket.pk)).status_code == 403
    assert client.post(url("answer", ticket.pk), {"message": "x"}).status_code == 403
    assert ticket.messages.count() == 1
