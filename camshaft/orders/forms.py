"""Forms of the order pages."""

from django import forms

from camshaft.abuse.forms import HoneypotMixin


class LookupForm(HoneypotMixin, forms.Form):
    number = forms.CharField(max_length=20, label="Order number")
    email = forms.EmailField(max_length=254, label="Billing email")


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Why? (optional)")
