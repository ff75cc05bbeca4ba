"""Live chat (B4): a conversation between a shopper and customer service,
its messages, and the agents whose desk is open."""

from django.conf import settings
from django.db import models

from camshaft.core.fields import EncryptedCharField, EncryptedTextField


class State(models.TextChoices):
    WAITING = "waiting", "Waiting for an agent"
    ACTIVE = "active", "With an agent"
    CLOSED = "closed", "Closed"
    TICKET = "ticket", "Became a ticket"


class Author(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Customer service"


class Conversation(models.Model):
    #: The shopper's handle on their conversation (kept in their session).
    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_conversations",
    )
    #: A guest's chat key, kept in their session's data (camshaft.chat.guests):
    #: it survives the session key's rotation at sign-in, and nobody can put
    #: it into another session, so a guest sees only their own conversation.
    guest_key = models.CharField(max_length=40, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    #: The page the shopper was on (a path of this store), and what it is.
    page = EncryptedCharField(max_length=300, blank=True)
    page_kind = models.CharField(max_length=10, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    first_answer_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    ticket_reference = models.CharField(max_length=20, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at",)
        permissions = (("answer_conversation", "Can take and answer live chats"),)
        indexes = [
            models.Index(fields=["state", "started_at"]),
            # The retention job's question: closed before a day, not yet erased.
            models.Index(fields=["closed_at"], name="chat_conv_closed_at"),
        ]

    def __str__(self) -> str:
        return f"Chat {self.pk} ({self.get_state_display()})"


class ChatMessage(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField(max_length=10, choices=Author.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Card numbers are masked before this is written (rules.mask_card_numbers).
    body = EncryptedTextField()
    at = models.DateTimeField()
    #: When the other side saw it (read marks).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.author} at {self.at:%Y-%m-%d %H:%M}"


class GivenAddress(models.Model):
    """An email address the shopper gave in a conversation (for its ticket,
    or written in one of their own lines), kept only as a keyed hash: how
    the privacy officer finds a guest's chats by their address (V3, V4)."""

    class How(models.TextChoices):
        TICKET = "ticket", "Given for the ticket"
        WRITTEN = "written", "Written in the chat"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="given_addresses"
    )
    #: crypto.lookup_digest of the normalised address (purpose "chat-email").
    digest = models.CharField(max_length=64, db_index=True)
    how = models.CharField(max_length=10, choices=How.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "digest", "how"], name="chat_given_address_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_how_display()} in chat {self.conversation_id}"


class AgentSeat(models.Model):
    """An agent's open desk socket; shared by every app host through the
    database, so each shows the same number of agents online."""

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} seen {self.seen_at:%H:%M}"
