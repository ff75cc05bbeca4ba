"""JSON API for the catalog app."""

from ninja import Router

router = Router(tags=["catalog"])
