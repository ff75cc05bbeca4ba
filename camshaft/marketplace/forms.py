"""The form a member fills to become a seller."""

from django import forms

from camshaft.marketplace import rules


class BecomeSellerForm(forms.Form):
    public_id = forms.CharField(
        label="Public user ID",
        min_length=rules.PUBLIC_ID_MIN,
        max_length=rules.PUBLIC_ID_MAX,
        help_text="Shown on your listings and profile instead of your name.",
    )
    terms_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    accept = forms.BooleanField(label="I accept the seller terms above.")
