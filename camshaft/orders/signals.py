"""News orders has for the apps above it (see docs/architecture.md)."""

from django.dispatch import Signal

#: An order was cancelled (O3), its payment released and its stock put back.
#: Sent inside the cancelling transaction with ``order``, ``by`` and
#: ``as_staff``: apps holding parts of the order (the marketplace's sales)
#: cancel theirs too.
order_cancelled = Signal()
