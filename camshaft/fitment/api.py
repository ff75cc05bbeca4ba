"""JSON API for the fitment app."""

from ninja import Router

router = Router(tags=["fitment"])
