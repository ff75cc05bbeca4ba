"""Storefront pages of the pricing app."""

from django.urls import path

from camshaft.pricing import views

urlpatterns = [
    path("currency/", views.choose_currency, name="choose_currency"),
]
