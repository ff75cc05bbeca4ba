"""JSON API for the privacy app."""

from ninja import Router

router = Router(tags=["privacy"])
