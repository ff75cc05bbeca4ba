"""JSON API for the accounts app."""

from ninja import Router

router = Router(tags=["accounts"])
