"""Storefront pages of the price-match app."""

from django.urls import path

from camshaft.pricematch import views

urlpatterns = [
    path("parts/<segment:sku>/price-match/", views.claim_form, name="pricematch_claim"),
    path("price-match/quote/<segment:token>/", views.use_quote, name="pricematch_quote"),
]
