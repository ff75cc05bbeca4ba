"""Reads of the live chat (B4)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from camshaft.chat import rules
from camshaft.chat.models import AgentSeat, ChatMessage, Conversation, GivenAddress, State
from camshaft.core.crypto import lookup_digest
from camshaft.support import selectors as support

OPEN_STATES = (State.WAITING, State.ACTIVE)
ENDED_STATES = (State.CLOSED, State.TICKET)


def address_digest(email: str) -> str:
    """The keyed hash an address a shopper gave is kept under."""
    return lookup_digest(email.strip().lower(), purpose="chat-email")


def agents_online(*, now=None) -> int:
    now = now or timezone.now()
    return (
        AgentSeat.objects.filter(seen_at__gte=now - rules.AGENT_SEEN_WITHIN)
        .values("user")
        .distinct()
        .count()
    )


def open_conversation_for(*, user=None, guest_key: str = "") -> Conversation | None:
    """The shopper's conversation still going on (the latest): a member's, or
    the one under the guest key of their session. Nobody else's is ever
    returned."""
    if user is not None and user.is_authenticated:
        found = Conversation.objects.filter(user=user)
    elif guest_key:
        found = Conversation.objects.filter(user=None, guest_key=guest_key)
    else:
        return None
    return found.filter(state__in=OPEN_STATES, erased_at=None).first()


def conversations_of(*, user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(user=user, erased_at=None).order_by("-started_at")


def _guest_address_of(*, user=None, email: str = "") -> str:
    """The address whose guest chats belong to the person: a guest's own;
    a member's once it is confirmed (as with guest orders and tickets:
    anyone can register with somebody else's address)."""
    if user is not None:
        return user.email if user.email_verified_at is not None else ""
    return (email or "").strip()


def conversations_of_person(*, user=None, email: str = "") -> QuerySet[Conversation]:
    """A member's chats (with those attached at sign-in), those that became
    a ticket of theirs, and a guest's in which they gave the address (for
    the ticket, or written in their own lines)."""
    if user is None and not (email or "").strip():
        return Conversation.objects.none()
    references = support.tickets_of_person(user=user, email=email).values("reference")
    found = Q(ticket_reference__in=references)
    if user is not None:
        found |= Q(user=user)
    if address := _guest_address_of(user=user, email=email):
        given = GivenAddress.objects.filter(digest=address_digest(address))
        found |= Q(user=None, pk__in=given.values("conversation"))
    return Conversation.objects.filter(found).order_by("started_at", "pk")


def found_by(conversation: Conversation, *, user=None, ticket_references: set[str]) -> str:
    """Why a conversation is the person's, for whoever hands over an export:
    a chat found only by an address written in it may be someone else's
    who named them."""
    if user is not None and conversation.user_id == user.pk:
        return "account"
    if conversation.ticket_reference in ticket_references:
        return "ticket address"
    return "address written in the chat"


def transcripts_due(*, before) -> QuerySet[Conversation]:
    """Chats that ended before `before` and still hold their texts (V5)."""
    return Conversation.objects.filter(state__in=ENDED_STATES, closed_at__lt=before, erased_at=None)


def transcript(conversation: Conversation) -> list[ChatMessage]:
    return list(conversation.messages.select_related("by"))


def waiting_and_mine(*, agent) -> QuerySet[Conversation]:
    """The desk: chats waiting for anyone, and those this agent has taken."""
    return Conversation.objects.filter(
        Q(state=State.WAITING) | Q(state=State.ACTIVE, agent=agent)
    ).order_by("started_at")


def agent_name(agent) -> str:
    """What the shopper is told of the agent: the first name only."""
    first = (getattr(agent, "first_name", "") or "").split()
    return first[0] if first else "An agent"


def answered(conversation: Conversation) -> bool:
    return conversation.first_answer_at is not None


def personal_data(*, user=None, email: str = "") -> dict[str, list[dict]]:
    """For Download my data: the person's chats and every line of them, each
    chat saying why it is theirs (`found_by`)."""
    conversations = list(
        conversations_of_person(user=user, email=email)
        .filter(erased_at=None)
        .prefetch_related("messages")
    )
    tickets = {
        reference
        for reference in support.tickets_of_person(user=user, email=email).values_list(
            "reference", flat=True
        )
    }
    return {
        "chat_conversations": [
            {
                "id": c.pk,
                "started_at": c.started_at.isoformat(),
                "state": c.state,
                "page": c.page,
                "ticket": c.ticket_reference,
                "found_by": found_by(c, user=user, ticket_references=tickets),
            }
            for c in conversations
        ],
        "chat_messages": [
            {
                "conversation": c.pk,
                "at": m.at.isoformat(),
                "author": m.author,
                "text": m.body,
            }
            for c in conversations
            for m in c.messages.all()
        ],
    }
