"""Storefront pages of the payments app."""

from django.urls import path

from camshaft.payments import views

urlpatterns = [
    path("account/cards/", views.saved_cards, name="saved_cards"),
    path("account/cards/<id:card_id>/delete/", views.delete_saved_card, name="saved_card_delete"),
    path("payments/webhooks/<slug:gateway>/", views.processor_webhook, name="processor_webhook"),
]
