"""Checkout pages."""

from django.urls import path

from camshaft.checkout import views

urlpatterns = [
    path("checkout/", views.start, name="checkout"),
    path("checkout/address/", views.address, name="checkout_address"),
    path("checkout/shipping/", views.shipping, name="checkout_shipping"),
    path("checkout/payment/", views.payment, name="checkout_payment"),
    path(
        "checkout/wallet/<slug:wallet>/return/",
        views.wallet_return,
        name="checkout_wallet_return",
    ),
    path("checkout/review/", views.review, name="checkout_review"),
    path("checkout/card/confirmed/", views.card_confirmed, name="checkout_card_confirmed"),
]
