"""JSON API for the search app."""

from ninja import Router

router = Router(tags=["search"])
