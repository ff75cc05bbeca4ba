"""JSON API for the pricing app."""

from ninja import Router

router = Router(tags=["pricing"])
