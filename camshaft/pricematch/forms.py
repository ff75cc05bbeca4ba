"""The public price-match claim form (P2), with the honeypot (V11)."""

from django import forms
from django.conf import settings

from camshaft.abuse.forms import HoneypotMixin
from camshaft.accounts.models import country_choices
from camshaft.core.money import CURRENCIES
from camshaft.pricematch.models import CompetitorCondition


class ClaimForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(max_length=254, label="Your email", required=False)
    competitor = forms.CharField(max_length=100, label="Competitor (store name)")
    url = forms.URLField(
        max_length=500,
        label="Page where the price is advertised",
        assume_scheme="https",
    )
    brand = forms.CharField(max_length=100, label="Manufacturer of their part")
    mpn = forms.CharField(max_length=60, label="Their manufacturer part number (MPN)")
    condition = forms.ChoiceField(choices=CompetitorCondition.choices, label="Condition")
    in_stock = forms.BooleanField(required=False, label="In stock and ready to ship")
    quantity = forms.IntegerField(min_value=1, max_value=99, initial=1, label="Quantity")
    price = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=2, label="Their price for one"
    )
    shipping = forms.DecimalField(
        min_value=0,
        max_digits=9,
        decimal_places=2,
        initial=0,
        label="Their shipping and handling for that quantity",
    )
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], label="Currency")
    country = forms.ChoiceField(label="Deliver to (country)")
    region = forms.CharField(max_length=100, required=False, label="State or region")
    postal_code = forms.CharField(max_length=20, required=False, label="Postal code")

    def __init__(self, *args, member: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        self.fields["currency"].initial = settings.STORE_CURRENCY
        self.fields["country"].initial = "US"
        if member:
            del self.fields["email"]
        else:
            self.fields["email"].required = True

    def filing(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data.get("email", ""),
            "competitor": data["competitor"],
            "url": data["url"],
            "brand": data["brand"],
            "mpn": data["mpn"],
            "condition": data["condition"],
            "in_stock": data["in_stock"],
            "quantity": data["quantity"],
            "unit_price": data["price"],
            "shipping": data["shipping"],
            "currency": data["currency"],
            "country": data["country"],
            "region": data["region"],
            "postal_code": data["postal_code"],
        }
