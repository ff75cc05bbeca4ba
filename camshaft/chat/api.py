"""JSON API of the live chat (B4): whether the chat is open and how many
agents are online; for members (bearer token), starting a conversation and
listing their conversations with every line. The conversation itself goes
on over the WebSocket /ws/chat/ (docs/chat.md)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import api_rate_limited
from camshaft.accounts.api_auth import TokenAuth
from camshaft.chat import rules, selectors, services
from camshaft.chat.models import Conversation
from camshaft.core.api_schemas import InputSchema, Text, created, refused_on_meaning, responses

router = Router(tags=["chat"])
PER_PAGE = 20


class ChatStatusOut(Schema):
    open: bool = Field(description="Inside opening hours (US Eastern) now")
    hours: str = Field(description="Today's opening hours, or 'closed today'")
    agents: int = Field(description="Customer service agents online now")
    max_length: int = Field(description="The longest message the chat carries")


class ConversationIn(InputSchema):
    message: Text(rules.MAX_MESSAGE, min_length=1) = Field(
        description="The question. A card number in it is removed before it is stored."
    )
    page: Text(300) = Field(
        "", description="The store page it is about, as a path (/parts/SKU/, /orders/NUMBER/)"
    )


class ChatMessageOut(Schema):
    author: Literal["customer", "staff"]
    at: datetime
    text: str


class ConversationOut(Schema):
    id: int
    state: Literal["waiting", "active", "closed", "ticket"]
    started_at: datetime
    page: str
    ticket: str = Field(description="The support ticket it became, if it did")
    messages: list[ChatMessageOut]


class ConversationsPageOut(Schema):
    page: int
    pages: int
    total: int
    conversations: list[ConversationOut]


def conversation_out(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "state": conversation.state,
        "started_at": conversation.started_at,
        "page": conversation.page,
        "ticket": conversation.ticket_reference,
        "messages": [
            {"author": m.author, "at": m.at, "text": m.body} for m in conversation.messages.all()
        ],
    }


@router.get("/chat/status", response=responses(ChatStatusOut))
def chat_status(request: HttpRequest):
    """Opening hours and agents online: outside the hours, or with nobody
    online, the chat offers to become a support ticket."""
    now = timezone.now()
    hours = rules.hours_at(now)
    return {
        "open": hours.is_open,
        "hours": hours.today,
        "agents": selectors.agents_online(now=now),
        "max_length": rules.MAX_MESSAGE,
    }


@router.post(
    "/chat/conversations",
    auth=TokenAuth(),
    response=created(ConversationOut, 401, 409, 429),
    openapi_extra=refused_on_meaning("the message is only spaces"),
)
@api_rate_limited(abuse.CHAT)
def start_conversation(request: HttpRequest, body: ConversationIn):
    """Start a chat (members): 201 with the conversation, waiting for an
    agent. A member with a chat still going on gets a 409: write in it."""
    if selectors.open_conversation_for(user=request.auth) is not None:
        return 409, {"detail": "You have a chat going on: write in it."}
    conversation, _ = services.start_conversation(
        text=body.message, page=body.page, user=request.auth
    )
    return 201, conversation_out(conversation)


@router.get("/chat/conversations", auth=TokenAuth(), response=responses(ConversationsPageOut, 401))
def my_conversations(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)):
    """The member's chats with every line, latest first, 20 a page."""
    found = selectors.conversations_of(user=request.auth)
    total = found.count()
    start = (page - 1) * PER_PAGE
    return {
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "total": total,
        "conversations": [
            conversation_out(c)
            for c in found.prefetch_related("messages")[start : start + PER_PAGE]
        ],
    }
