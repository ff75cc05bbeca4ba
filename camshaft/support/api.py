"""JSON API of the support desk (B4): file a ticket, list my tickets, see
one, reply. Members send their token (or use the store's session); guests
send the ticket's access token, which the filing answer and every mail's
link carry, in the `X-Ticket-Token` header. Another person's ticket is a
404, exactly like one that does not exist."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import api_rate_limited
from camshaft.accounts.api_auth import Shopper, TokenAuth
from camshaft.core.api_schemas import (
    NO_NUL,
    InputSchema,
    Text,
    created,
    refused_on_meaning,
    responses,
)
from camshaft.support import rules, selectors, services
from camshaft.support.models import Ticket

router = Router(tags=["support"])

NOT_FOUND = {"detail": "We found no such ticket."}
TICKETS_PER_PAGE = 20

Reference = Text(20, min_length=1)
TicketToken = Header(
    "",
    alias="X-Ticket-Token",
    max_length=500,
    pattern=NO_NUL,
    description="Guests: the ticket's access token (from the filing answer or the mail's link).",
)


class TicketIn(InputSchema):
    email: Text(254) = Field(
        "", description="Guests: where we answer. Members' tickets use their account's address."
    )
    name: Text(rules.MAX_NAME) = ""
    subject: Text(rules.MAX_SUBJECT, min_length=1)
    message: Text(rules.MAX_MESSAGE, min_length=1)
    order_number: Text(20) = Field(
        "",
        description="Linked to the ticket only when the order is yours (your account, or its "
        "billing email is the ticket's); the answer is the same either way.",
    )


class TicketReplyIn(InputSchema):
    message: Text(rules.MAX_MESSAGE, min_length=1)


class TicketMessageOut(Schema):
    author: Literal["customer", "staff"]
    channel: str
    at: datetime
    text: str


class TicketSummaryOut(Schema):
    reference: str
    subject: str
    status: Literal["open", "waiting", "closed"] = Field(
        description="open: waiting for us; waiting: for you; closed (a reply reopens it)"
    )
    opened_at: datetime
    last_message_at: datetime
    order: str | None = Field(description="The linked order's number")


class TicketOut(TicketSummaryOut):
    messages: list[TicketMessageOut]


class TicketFiledOut(TicketOut):
    access_token: str = Field(
        description="Send it as X-Ticket-Token to see the ticket and reply without an account."
    )


class TicketsPageOut(Schema):
    page: int
    pages: int
    total: int
    tickets: list[TicketSummaryOut]


def summary_out(ticket: Ticket) -> dict:
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "opened_at": ticket.opened_at,
        "last_message_at": ticket.last_message_at,
        "order": ticket.order.number if ticket.order else None,
    }


def ticket_out(ticket: Ticket) -> dict:
    return {
        **summary_out(ticket),
        "messages": [
            {"author": m.author, "channel": m.channel, "at": m.at, "text": m.body}
            for m in ticket.messages.all()
        ],
    }


def _ticket(request: HttpRequest, reference: str, token: str) -> Ticket | None:
    if request.auth.is_authenticated:
        try:
            return selectors.ticket_for_member(user=request.auth, reference=reference)
        except Ticket.DoesNotExist:
            pass
    ticket = selectors.ticket_for_token(token) if token else None
    if ticket is not None and ticket.reference == reference.strip().upper():
        return selectors.ticket_by_reference(reference=ticket.reference)
    return None


BLANK = "the subject or message is only spaces"


@router.post(
    "/support/tickets",
    auth=Shopper(),
    response=created(TicketFiledOut, 401, 429),
    openapi_extra=refused_on_meaning("guests: the email address is not valid", BLANK),
)
@api_rate_limited(abuse.CONTACT)
def file_ticket(request: HttpRequest, body: TicketIn):
    """Ask customer service something (B4): 201 with the ticket's reference,
    its thread and its access token; a copy goes by mail. Guests give their
    email; a bad one is a 422. Too many messages from one client: 429."""
    member = request.auth if request.auth.is_authenticated else None
    ticket = services.open_ticket(
        subject=body.subject,
        message=body.message,
        email=body.email,
        name=body.name,
        user=member,
        order_number=body.order_number,
        source="api",
    )
    ticket = selectors.ticket_by_reference(reference=ticket.reference)
    return 201, {**ticket_out(ticket), "access_token": selectors.link_token(ticket)}


@router.get("/support/tickets", auth=TokenAuth(), response=responses(TicketsPageOut, 401))
def my_tickets(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)):
    """The member's tickets, latest activity first, 20 a page."""
    tickets = selectors.tickets_of(user=request.auth).select_related("order")
    total = tickets.count()
    start = (page - 1) * TICKETS_PER_PAGE
    return {
        "page": page,
        "pages": max(1, -(-total // TICKETS_PER_PAGE)),
        "total": total,
        "tickets": [summary_out(t) for t in tickets[start : start + TICKETS_PER_PAGE]],
    }


@router.get("/support/tickets/{reference}", auth=Shopper(), response=responses(TicketOut, 401, 404))
def see_ticket(request: HttpRequest, reference: Reference, token: str = TicketToken):
    """One ticket with its whole thread: the member's, or the one whose
    access token is sent. Anyone else's is a 404."""
    ticket = _ticket(request, reference, token)
    if ticket is None:
        return 404, NOT_FOUND
    return ticket_out(ticket)


@router.post(
    "/support/tickets/{reference}/replies",
    auth=Shopper(),
    response=created(TicketOut, 401, 404, 429),
    openapi_extra=refused_on_meaning("the message is only spaces"),
)
@api_rate_limited(abuse.CONTACT)
def reply(
    request: HttpRequest, reference: Reference, body: TicketReplyIn, token: str = TicketToken
):
    """Write again on a ticket: 201 with the thread. The ticket waits on
    customer service again, reopened if it was closed."""
    ticket = _ticket(request, reference, token)
    if ticket is None:
        return 404, NOT_FOUND
    services.reply_as_customer(ticket=ticket, message=body.message, channel="api", by=request.auth)
    return 201, ticket_out(selectors.ticket_by_reference(reference=ticket.reference))
