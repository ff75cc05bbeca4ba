"""Storefront pages of the support desk (B4): the contact form, a member's
tickets, a ticket's page with its thread and the reply form, and the signed
link from a ticket's mail."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import rate_limited
from camshaft.accounts.views import member_required
from camshaft.core.paging import BadPage, Page, page_request
from camshaft.support import forms, selectors, services
from camshaft.support.access import grant_ticket_access, viewable_ticket

TICKETS_PER_PAGE = 20


@require_http_methods(["GET", "POST"])
@rate_limited(abuse.CONTACT)
def contact(request):
    member = request.user if request.user.is_authenticated else None
    initial = {"order_number": request.GET.get("order", "")[:20]}
    form = forms.ContactForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(
                subject=data["subject"],
                message=data["message"],
                email=data.get("email", ""),
                name=data.get("name", ""),
                user=member,
                order_number=data["order_number"],
                source="web",
            )
        except services.TicketProblem as problem:
            form.add_error(None, problem)
        else:
            grant_ticket_access(request, ticket)
            messages.success(
                request,
                f"Thank you. Your ticket is {ticket.reference}; we mailed you a copy and "
                "answer by mail, usually within one business day.",
            )
            return redirect("support_ticket", reference=ticket.reference)
    status = 400 if form.errors else 200
    return render(request, "support/contact.html", {"form": form}, status=status)


@member_required
def my_tickets(request):
    try:
        wanted = page_request(request.GET.get("page"), size=TICKETS_PER_PAGE)
    except BadPage as bad:
        raise BadRequest(str(bad)) from None
    tickets = selectors.tickets_of(user=request.user)
    page = Page(
        items=list(tickets[wanted.offset : wanted.offset + wanted.size]),
        number=wanted.number,
        size=wanted.size,
        total=tickets.count(),
    )
    return render(request, "support/my_tickets.html", {"page": page})


@require_http_methods(["GET", "POST"])
def ticket_page(request, reference: str):
    ticket = viewable_ticket(request, reference)
    form = forms.ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_as_customer(
                ticket=ticket, message=form.cleaned_data["message"], channel="web", by=request.user
            )
        except services.TicketProblem as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, "Your reply is added; we answer by mail.")
            return redirect("support_ticket", reference=ticket.reference)
    context = {"ticket": ticket, "form": form, "late": selectors.is_late(ticket)}
    return render(request, "support/ticket.html", context, status=400 if form.errors else 200)


def ticket_link(request, token: str):
    """The link of a ticket's mail: remembers the ticket in the session and
    moves on to its plain address, so the token does not linger in the
    address bar, the history or a Referer."""
    ticket = selectors.ticket_for_token(token)
    if ticket is None:
        raise Http404("This link does not open a ticket (any more).")
    grant_ticket_access(request, ticket)
    return redirect("support_ticket", reference=ticket.reference)
