"""Who may open a ticket in the browser (B4): its member, or a visitor
whose session filed it or came through the signed link of its mail.
Anybody else gets a 404, the same as for a ticket that does not exist."""

from django.http import Http404

from camshaft.support import selectors
from camshaft.support.models import Ticket

SESSION_KEY = "support_tickets"
MAX_REMEMBERED = 20


def grant_ticket_access(request, ticket: Ticket) -> None:
    """Remember in the session that this visitor may see `ticket`."""
    kept = [r for r in request.session.get(SESSION_KEY, []) if r != ticket.reference]
    request.session[SESSION_KEY] = [*kept, ticket.reference][-MAX_REMEMBERED:]


def viewable_ticket(request, reference: str) -> Ticket:
    if request.user.is_authenticated:
        try:
            return selectors.ticket_for_member(user=request.user, reference=reference)
        except Ticket.DoesNotExist:
            pass
    if reference.strip().upper() in request.session.get(SESSION_KEY, []):
        try:
            return selectors.ticket_by_reference(reference=reference)
        except Ticket.DoesNotExist:
            pass
    raise Http404("We found no such ticket.")
