"""Reads of the live chat (B4)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from camshaft.chat import rules
from camshaft.chat.models import AgentSeat, ChatMessage, Conversation, State
from camshaft.support import selectors as support

OPEN_STATES = (State.WAITING, State.ACTIVE)


def agents_online(*, now=None) -> int:
    now = now or timezone.now()
    return (
        AgentSeat.objects.filter(seen_at__gte=now - rules.AGENT_SEEN_WITHIN)
        .values("user")
        .distinct()
        .count()
    )


def open_conversation_for(*, user=None, session_key: str = "") -> Conversation | None:
    """The shopper's conversation still going on: a member's, or the guest
    session's. Nobody else's is ever returned."""
    if user is not None and user.is_authenticated:
        found = Conversation.objects.filter(user=user)
    elif session_key:
        found = Conversation.objects.filter(user=None, session_key=session_key)
    else:
        return None
    return found.filter(state__in=OPEN_STATES, erased_at=None).first()


def conversations_of(*, user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(user=user, erased_at=None).order_by("-started_at")


def conversations_of_person(*, user=None, email: str = "") -> QuerySet[Conversation]:
    """A member's chats, and those that became a ticket of theirs (a guest's
    chat is known by its ticket's address)."""
    if user is None and not (email or "").strip():
        return Conversation.objects.none()
    references = support.tickets_of_person(user=user, email=email).values("reference")
    found = Q(ticket_reference__in=references)
    if user is not None:
        found |= Q(user=user)
    return Conversation.objects.filter(found).order_by("started_at", "pk")


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
    """For Download my data: the member's chats and every line of them."""
    conversations = list(
        conversations_of_person(user=user, email=email)
        .filter(erased_at=None)
        .prefetch_related("messages")
    )
    return {
        "chat_conversations": [
            {
                "id": c.pk,
                "started_at": c.started_at.isoformat(),
                "state": c.state,
                "page": c.page,
                "ticket": c.ticket_reference,
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
