"""JSON API for the payments app."""

from ninja import Router

router = Router(tags=["payments"])
