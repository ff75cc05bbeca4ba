"""Support tickets and their threads (B4)."""

from django.conf import settings
from django.db import models

from camshaft.core.fields import EncryptedCharField, EncryptedTextField


class Status(models.TextChoices):
    OPEN = "open", "Open: waiting for us"
    WAITING = "waiting", "Waiting for the customer"
    CLOSED = "closed", "Closed"


class Source(models.TextChoices):
    WEB = "web", "Contact form"
    API = "api", "API"
    MAIL = "mail", "Mail"
    CHAT = "chat", "Live chat"
    PHONE = "phone", "Phone (filed by staff)"


class Ticket(models.Model):
    """One question of one customer, with its thread. The reference is what
    the customer quotes on the phone and what mail subjects carry."""

    reference = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_tickets",
    )
    #: Where answers go; the owner's address for replies by mail. Blank once erased.
    email = models.EmailField(max_length=254, blank=True, db_index=True)
    # V8: a name and what people write (addresses, phone numbers) are sealed at rest.
    name = EncryptedCharField(max_length=150, blank=True)
    subject = EncryptedCharField(max_length=200)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_tickets",
        help_text="Linked only when the order is the customer's (same member or billing email).",
    )
    #: What the customer typed, shown to staff when it did not match an order of theirs.
    order_number_given = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    #: Since when the ticket waits on us (the oldest unanswered customer
    #: message); None while it waits for the customer or is closed.
    waiting_since = models.DateTimeField(null=True, blank=True)
    first_answer_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    #: A mail that quoted another ticket's reference from another address.
    related = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-last_message_at", "-id")
        indexes = (models.Index(fields=("status", "waiting_since"), name="ticket_queue_idx"),)
        permissions = (("answer_ticket", "Can answer, close and reopen support tickets"),)

    def __str__(self) -> str:
        return f"Ticket {self.reference}"


class Author(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Customer service"


class TicketMessage(models.Model):
    """One message of a ticket's thread, from the customer or from staff."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    #: The staff member who answered, or the member who wrote.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Source.choices)
    body = EncryptedTextField()
    at = models.DateTimeField()
    #: The Message-ID of a mail, so the same mail read twice joins once.
    mail_id = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.get_author_display()} at {self.at:%Y-%m-%d %H:%M}"
