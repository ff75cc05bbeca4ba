"""A checkout in progress: what the shopper chose so far, step by step (K2).

It belongs to a cart and disappears with it, and when the order is placed.
Of a card it holds the gateway's token, brand, last four and expiry only:
the number and security code go to the gateway and are forgotten (Y3)."""

from django.db import models

from camshaft.core.fields import EncryptedJSONField
from camshaft.payments.cards import CardBrand
from camshaft.payments.models import PaymentMethod


class Checkout(models.Model):
    cart = models.OneToOneField("cart.Cart", on_delete=models.CASCADE, related_name="checkout")
    email = models.EmailField(blank=True)
    #: Addresses as dicts of the address fields, checked when they were set;
    #: encrypted at rest (V8), so never filtered on.
    billing_address = EncryptedJSONField(default=dict, blank=True)
    shipping_address = EncryptedJSONField(default=dict, blank=True)
    ship_to_billing = models.BooleanField(default=True)
    #: The shipping address is a home (air freight may take a day more, S2).
    residential = models.BooleanField(default=True)
    is_gift = models.BooleanField(default=False)
    gift_message = models.CharField(max_length=500, blank=True)
    shipping_method = models.CharField(max_length=30, blank=True)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    card_token = models.CharField(max_length=200, blank=True)
    card_brand = models.CharField(max_length=20, choices=CardBrand.choices, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    save_card = models.BooleanField(default=False)
    #: With save_card: the member lets the store charge the card while they
    #: are away for the difference when they ask to add to the order (O2).
    allow_off_session = models.BooleanField(default=False)
    wallet_token = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"checkout of cart {self.cart_id}"
