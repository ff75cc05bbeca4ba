"""Writes of the live chat (B4): a shopper starts a conversation and writes,
an agent takes it and answers, either side marks the other's lines read,
a chat nobody could answer becomes a support ticket with its transcript,
a guest's chat follows them into their account at sign-in, erasure, and
the transcripts' retention.

Every text is checked (size, NUL) and its card numbers masked before it is
stored; a refused message stores nothing."""

import secrets
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from camshaft.chat import rules, selectors
from camshaft.chat.models import (
    AgentSeat,
    Author,
    ChatMessage,
    Conversation,
    GivenAddress,
    State,
)
from camshaft.support import services as support


class ChatProblem(ValidationError):
    """Why a chat step was refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Written:
    message: ChatMessage
    #: A card number was masked: the sender is told never to send one.
    had_card: bool


#: Which storefront page a conversation started on, by URL name.
PAGE_KINDS = {
    "part": "part",
    "order_detail": "order",
    "guest_order": "order",
    "cart": "cart",
}


def _text(text: str) -> str:
    text = (text or "").strip()
    if "\x00" in text:
        raise ChatProblem("The message holds a character we cannot store.", code="bad_text")
    if not text:
        raise ChatProblem("Write a message.", code="no_message")
    if len(text) > rules.MAX_MESSAGE:
        raise ChatProblem(
            f"A message is at most {rules.MAX_MESSAGE} characters.", code="long_message"
        )
    return text


def page_of(path: str, *, hosts: set[str] = frozenset()) -> tuple[str, str]:
    """The store page a shopper was on (or an agent links to), as (path,
    kind); ("", "") when it is not one of this store's storefront pages."""
    path = rules.store_path((path or "")[:300], hosts=set(hosts)) or ""
    if not path:
        return "", ""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return "", ""
    if path.startswith(("/staff/", "/api/")):
        return "", ""
    return path, PAGE_KINDS.get(match.url_name or "", "page")


def store_links(text: str, *, hosts: set[str]) -> list[str]:
    """The storefront pages of this store an agent's message links to, as
    paths the shopper opens in one click; anything else stays plain text."""
    paths = (page_of(url, hosts=hosts)[0] for url in rules.urls_in(text))
    return list(dict.fromkeys(path for path in paths if path))[:5]


def _locked(conversation: Conversation) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def _remember_addresses(conversation, addresses, *, how: str) -> None:
    """The shopper's addresses, as keyed hashes only (V3, V4: found later by
    the privacy officer, never readable from this table)."""
    GivenAddress.objects.bulk_create(
        [
            GivenAddress(conversation=conversation, digest=selectors.address_digest(a), how=how)
            for a in addresses
        ],
        ignore_conflicts=True,
    )


def _write(conversation, *, author: str, text: str, by, now) -> Written:
    masked = rules.mask_card_numbers(_text(text))
    message = ChatMessage.objects.create(
        conversation=conversation, author=author, by=by, body=masked.text, at=now
    )
    if author == Author.CUSTOMER:
        _remember_addresses(
            conversation, rules.emails_in(masked.text), how=GivenAddress.How.WRITTEN
        )
    return Written(message=message, had_card=masked.had_card)


@transaction.atomic
def start_conversation(
    *, text: str, page: str = "", user=None, guest_key: str = "", now: datetime | None = None
) -> tuple[Conversation, Written]:
    """A shopper's first message opens a conversation waiting for an agent,
    recording the store page they were on. A guest's is known by the key in
    their session (`guests.key_of`)."""
    member = user if user is not None and user.is_authenticated else None
    if member is None and not guest_key:
        raise ChatProblem(
            "Your browser did not keep our cookie: allow it, then reload the page to chat.",
            code="no_session",
        )
    _text(text)
    now = now or timezone.now()
    path, kind = page_of(page)
    conversation = Conversation.objects.create(
        token=secrets.token_urlsafe(16),
        user=member,
        guest_key="" if member else guest_key,
        page=path,
        page_kind=kind,
        started_at=now,
    )
    return conversation, _write(conversation, author=Author.CUSTOMER, text=text, by=member, now=now)


@transaction.atomic
def write_as_customer(
    *, conversation: Conversation, text: str, user=None, now: datetime | None = None
) -> Written:
    conversation = _locked(conversation)
    if conversation.state not in selectors.OPEN_STATES:
        raise ChatProblem("This chat has ended.", code="closed")
    member = user if user is not None and user.is_authenticated else None
    return _write(
        conversation, author=Author.CUSTOMER, text=text, by=member, now=now or timezone.now()
    )


@transaction.atomic
def take_conversation(
    *, conversation: Conversation, agent, now: datetime | None = None
) -> Conversation:
    """An agent takes a waiting chat; two agents taking it at once: one wins."""
    conversation = _locked(conversation)
    if conversation.state == State.ACTIVE and conversation.agent_id == agent.pk:
        return conversation
    if conversation.state != State.WAITING:
        raise ChatProblem("Another agent has taken this chat, or it has ended.", code="taken")
    conversation.state = State.ACTIVE
    conversation.agent = agent
    conversation.taken_at = now or timezone.now()
    conversation.save(update_fields=["state", "agent", "taken_at"])
    return conversation


@transaction.atomic
def answer(*, conversation: Conversation, agent, text: str, now: datetime | None = None) -> Written:
    """The agent's answer; only the agent who took the chat writes in it."""
    conversation = _locked(conversation)
    if conversation.state != State.ACTIVE or conversation.agent_id != agent.pk:
        raise ChatProblem("Take the chat before you answer it.", code="not_yours")
    now = now or timezone.now()
    written = _write(conversation, author=Author.STAFF, text=text, by=agent, now=now)
    if conversation.first_answer_at is None:
        conversation.first_answer_at = now
        conversation.save(update_fields=["first_answer_at"])
    return written


def mark_read(*, conversation: Conversation, reader: str, now: datetime | None = None) -> int:
    """`reader` (customer or staff) has seen the other side's lines."""
    other = Author.STAFF if reader == Author.CUSTOMER else Author.CUSTOMER
    return conversation.messages.filter(author=other, read_at=None).update(
        read_at=now or timezone.now()
    )


@transaction.atomic
def close(*, conversation: Conversation, now: datetime | None = None) -> Conversation:
    conversation = _locked(conversation)
    if conversation.state in selectors.OPEN_STATES:
        conversation.state = State.CLOSED
        conversation.closed_at = now or timezone.now()
        conversation.save(update_fields=["state", "closed_at"])
    return conversation


@transaction.atomic
def make_ticket(
    *, conversation: Conversation, email: str = "", user=None, now: datetime | None = None
):
    """B4: the chat becomes a support ticket carrying its transcript (lines
    with their authors and times); the chat ends."""
    conversation = _locked(conversation)
    if conversation.state not in selectors.OPEN_STATES:
        raise ChatProblem("This chat has ended.", code="closed")
    lines = selectors.transcript(conversation)
    first = next((m.body for m in lines if m.author == Author.CUSTOMER), "")
    member = user if user is not None and user.is_authenticated else conversation.user
    try:
        ticket = support.open_ticket(
            subject=f"Chat: {first[:60]}" if first else "Chat",
            message="",
            email=email,
            user=member,
            source="chat",
            transcript=[
                support.TranscriptLine(m.author, m.body, m.at, m.by) for m in lines if m.body
            ],
            now=now,
        )
    except support.TicketProblem as problem:
        raise ChatProblem(problem.messages[0], code=problem.code) from None
    if member is None:
        _remember_addresses(conversation, [ticket.email], how=GivenAddress.How.TICKET)
    conversation.state = State.TICKET
    conversation.ticket_reference = ticket.reference
    conversation.closed_at = now or timezone.now()
    conversation.save(update_fields=["state", "ticket_reference", "closed_at"])
    return ticket


def seat_agent(*, channel_name: str, agent, now: datetime | None = None) -> None:
    AgentSeat.objects.update_or_create(
        channel_name=channel_name, defaults={"user": agent, "seen_at": now or timezone.now()}
    )


def unseat_agent(*, channel_name: str) -> None:
    AgentSeat.objects.filter(channel_name=channel_name).delete()


@transaction.atomic
def attach_guest_conversations(
    *, guest_key: str, user, now: datetime | None = None
) -> list[Conversation]:
    """B4: the guest signed in (or signed up): the chats still going on under
    their session's key become the account's, so the panel and the socket
    find them for the member. Chats that have ended stay the guest's (a
    shared computer's earlier visitor is not handed to whoever signs in)."""
    if not guest_key or user is None or not user.is_authenticated:
        return []
    found = list(
        Conversation.objects.select_for_update()
        .filter(
            user=None,
            guest_key=guest_key,
            state__in=selectors.OPEN_STATES,
            erased_at=None,
        )
        .order_by("pk")
    )
    ids = [conversation.pk for conversation in found]
    # Still a guest's (the lock keeps it so on PostgreSQL; the filter says so
    # on any database): two sign-ins of one session never both take it.
    Conversation.objects.filter(pk__in=ids, user=None).update(user=user, guest_key="")
    ChatMessage.objects.filter(conversation_id__in=ids, author=Author.CUSTOMER, by=None).update(
        by=user
    )
    for conversation in found:
        conversation.user, conversation.guest_key = user, ""
    return found


def _anonymise(ids: list[int], *, now: datetime) -> None:
    """The conversations keep their dates, states, agent and ticket
    reference (the desk's figures) and lose every text, the page, the
    shopper and the addresses they gave."""
    ChatMessage.objects.filter(conversation_id__in=ids).update(body="", by=None)
    GivenAddress.objects.filter(conversation_id__in=ids).delete()
    Conversation.objects.filter(pk__in=ids, state__in=selectors.OPEN_STATES).update(
        state=State.CLOSED, closed_at=now
    )
    Conversation.objects.filter(pk__in=ids).update(user=None, guest_key="", page="", erased_at=now)


@transaction.atomic
def forget_person(*, email: str = "", user=None, now: datetime | None = None) -> int:
    """Erasure (V4): the person's chats (a member's, a guest's that became a
    ticket under the address or in which they wrote it) keep their dates and
    states and lose every text and the page they were on. Returns how many."""
    now = now or timezone.now()
    ids = list(
        selectors.conversations_of_person(user=user, email=email).values_list("pk", flat=True)
    )
    _anonymise(ids, now=now)
    return len(ids)


def transcript_retention() -> timedelta:
    days = settings.CHAT_TRANSCRIPT_RETENTION_DAYS
    if not isinstance(days, int) or days < 1:
        raise ImproperlyConfigured(
            f"CHAT_TRANSCRIPT_RETENTION_DAYS must be a whole number of days, 1 or more "
            f"(it is {days!r})."
        )
    return timedelta(days=days)


def expire_old_transcripts(
    *, now: datetime | None = None, batch: int = 500, progress_to: TextIO | None = None
) -> str:
    """V5 job (`camshaft jobs`): chats that ended more than
    CHAT_TRANSCRIPT_RETENTION_DAYS ago are anonymised as in an erasure.
    Chats still going on stay whatever their age; a chat that became a
    ticket loses its copy here, the ticket keeps its own record.

    Works in batches, each its own transaction (no long locks), with a
    progress bar on a terminal (or on `progress_to`)."""
    from tqdm import tqdm

    now = now or timezone.now()
    cutoff = now - transcript_retention()
    due = selectors.transcripts_due(before=cutoff)
    done = 0
    with tqdm(
        total=due.count(),
        desc="chat transcripts",
        unit="chat",
        file=progress_to or sys.stderr,
        disable=None if progress_to is None else False,
    ) as bar:
        while ids := list(due.order_by("pk").values_list("pk", flat=True)[:batch]):
            with transaction.atomic():
                _anonymise(ids, now=now)
            done += len(ids)
            bar.update(len(ids))
    return f"anonymised {done} chat transcript(s) that ended before {cutoff:%Y-%m-%d}"
