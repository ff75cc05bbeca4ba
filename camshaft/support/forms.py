"""Forms of the contact page and the ticket page (B4)."""

from django import forms

from camshaft.abuse.forms import HoneypotMixin
from camshaft.support import rules


class ContactForm(HoneypotMixin, forms.Form):
    """`member`: a signed-in member writes from their account's address."""

    name = forms.CharField(max_length=rules.MAX_NAME, required=False, label="Your name")
    email = forms.EmailField(max_length=254, label="Your email address")
    order_number = forms.CharField(
        max_length=20,
        required=False,
        label="Order number",
        help_text="If your question is about an order, e.g. CS-7K3P-9QXM.",
    )
    subject = forms.CharField(max_length=rules.MAX_SUBJECT, label="Subject")
    message = forms.CharField(
        max_length=rules.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Your message",
        help_text="Never send a card number: we do not need it.",
    )

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            del self.fields["email"]
            del self.fields["name"]


class ReplyForm(forms.Form):
    message = forms.CharField(
        max_length=rules.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your reply",
    )
