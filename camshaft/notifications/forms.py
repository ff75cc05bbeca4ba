"""Forms of the newsletter and email preferences (N2, N3)."""

from django import forms

from camshaft.abuse.forms import HoneypotMixin


class SubscribeForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(max_length=254, label="Email address")
    agree = forms.BooleanField(
        label="Yes, send me the newsletter with offers and news. I can unsubscribe at any time.",
    )


class PreferencesForm(forms.Form):
    newsletter = forms.BooleanField(
        required=False,
        label="The newsletter (offers and news)",
        help_text="Ticking this sends you a mail to confirm.",
    )
    do_not_send = forms.BooleanField(
        required=False,
        label="Send me order updates only, nothing else",
        help_text="Puts your address on our do-not-send list.",
    )
