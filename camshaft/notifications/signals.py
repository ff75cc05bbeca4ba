"""News from the outbox app for the apps above it (docs/architecture.md,
"When a lower app has news for a higher one")."""

from django.dispatch import Signal

#: A mail reached the store (`camshaft inbound`). Sent with `mail`, an
#: `InboundMail` (sender, subject, plain text, Message-ID). A receiver that
#: took the mail returns a short sentence saying what it did (the support
#: desk adds a reply to its ticket); one that did not returns None.
inbound_mail = Signal()
