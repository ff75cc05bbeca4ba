"""Checkout forms: they parse what the shopper typed; the services decide."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from camshaft.accounts.forms import DateInput
from camshaft.accounts.models import country_choices
from camshaft.checkout.services import CardDetails
from camshaft.payments.models import PaymentMethod

ADDRESS_PARTS = (
    ("full_name", "Full name", 150, "name"),
    ("line1", "Address line 1", 200, "address-line1"),
    ("line2", "Address line 2", 200, "address-line2"),
    ("city", "City", 100, "address-level2"),
    ("region", "State / region", 100, "address-level1"),
    ("postal_code", "Postal code", 20, "postal-code"),
    ("phone", "Phone", 30, "tel"),
)
NEW = "new"


def apply_errors(form: forms.Form, error: ValidationError, *, rename=None) -> None:
    """A service's ValidationError on the form: "billing.city" is the
    field billing_city; anything the form has no field for goes on top."""
    for key, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
        name = (rename or {}).get(key, key.replace(".", "_"))
        form.add_error(name if name in form.fields else None, messages)


class AddressStepForm(forms.Form):
    """Email, billing address, where to ship and whether it is a gift."""

    # Checked by the service together with the addresses.
    email = forms.CharField(
        max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    ship_elsewhere = forms.BooleanField(
        required=False, label="Ship to a different address (or to a gift recipient)"
    )
    business_address = forms.BooleanField(
        required=False,
        label="It is delivered to a business",
        help_text="Air freight to a home may take a day more.",
    )
    is_gift = forms.BooleanField(required=False, label="This order is a gift")
    gift_message = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text="Printed on the packing slip; prices are left off a gift's slip.",
    )
    save_to_address_book = forms.BooleanField(
        required=False, label="Save new addresses to my address book"
    )

    def __init__(self, *args, saved_addresses=(), member=False, **kwargs):
        super().__init__(*args, **kwargs)
        saved = [(str(a.id), str(a)) for a in saved_addresses]
        for prefix in ("billing", "shipping"):
            if saved:
                self.fields[f"{prefix}_saved"] = forms.ChoiceField(
                    choices=[*saved, (NEW, "A new address")],
                    required=False,
                    label=f"{prefix.title()} address",
                )
            for name, label, length, autocomplete in ADDRESS_PARTS:
                self.fields[f"{prefix}_{name}"] = forms.CharField(
                    label=label,
                    max_length=length,
                    required=False,
                    widget=forms.TextInput(attrs={"autocomplete": f"{prefix} {autocomplete}"}),
                )
            # A select, checked by the service with the rest of the address so
            # every problem shows at once.
            self.fields[f"{prefix}_country"] = forms.CharField(
                label="Country",
                max_length=2,
                required=False,
                widget=forms.Select(choices=country_choices()),
            )
        if member:
            del self.fields["email"]
        else:
            del self.fields["save_to_address_book"]

    def address(self, prefix: str) -> tuple[dict | None, int | None]:
        """(typed address, saved address id) for `prefix`."""
        data = self.cleaned_data
        saved = data.get(f"{prefix}_saved") or NEW
        if saved != NEW:
            return None, int(saved)
        names = [name for name, *_ in ADDRESS_PARTS] + ["country"]
        return {name: data.get(f"{prefix}_{name}", "") for name in names}, None

    def prefixed_fields(self, prefix: str):
        return [self[name] for name in self.fields if name.startswith(f"{prefix}_")]


class ShippingStepForm(forms.Form):
    shipping_method = forms.CharField(max_length=30)


class CardNumberInput(forms.TextInput):
    """Never writes a typed card number or security code back into the page (Y3)."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class PaymentStepForm(forms.Form):
    method = forms.ChoiceField(choices=PaymentMethod.choices, widget=forms.RadioSelect)
    saved_card = forms.ChoiceField(required=False, label="Saved card")
    card_number = forms.CharField(
        required=False,
        max_length=30,
        label="Card number",
        widget=CardNumberInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    exp_month = forms.IntegerField(
        required=False, min_value=1, max_value=12, label="Expiry month (MM)"
    )
    exp_year = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, label="Expiry year (YYYY)"
    )
    cvc = forms.CharField(
        required=False,
        max_length=4,
        label="Security code",
        widget=CardNumberInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    holder = forms.CharField(
        required=False,
        max_length=100,
        label="Name on card",
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )
    save_card = forms.BooleanField(required=False, label="Save this card for next time")
    allow_off_session = forms.BooleanField(
        required=False,
        label="If I ask you to add to this order before it ships, you may charge this "
        "saved card for the difference",
    )
    #: The processor's token when its own fields took the card in the browser.
    card_token = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, saved_cards=(), member=False, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        if methods is not None:  # only what the configured gateways take (Y1)
            self.fields["method"].choices = [
                (value, label) for value, label in PaymentMethod.choices if value in methods
            ]
        self.fields["saved_card"].choices = [
            (NEW, "A new card"),
            *((str(card.id), str(card)) for card in saved_cards),
        ]
        if not saved_cards:
            del self.fields["saved_card"]
        if not member:
            del self.fields["save_card"]
            del self.fields["allow_off_session"]
        self.fields["exp_year"].widget.attrs["placeholder"] = str(date.today().year + 2)

    def card(self) -> tuple[CardDetails | None, int | None]:
        """(a newly typed card, None) or (None, the id of a saved card)."""
        data = self.cleaned_data
        saved = data.get("saved_card") or NEW
        if saved != NEW:
            return None, int(saved)
        if data.get("card_token"):
            return None, None
        return (
            CardDetails(
                number=data["card_number"],
                exp_month=data["exp_month"] or 0,
                exp_year=data["exp_year"] or 0,
                cvc=data["cvc"],
                holder=data["holder"],
            ),
            None,
        )


class ReviewForm(forms.Form):
    idempotency_key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    expected_total = forms.DecimalField(max_digits=14, decimal_places=2, widget=forms.HiddenInput)
    create_account = forms.BooleanField(
        required=False, label="Create an account to follow this order (optional)"
    )
    password = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password, not only digits.",
    )
    date_of_birth = forms.DateField(
        required=False, widget=DateInput, help_text="You must be 13 or older."
    )
    accepted_policy_version = forms.CharField(
        required=False, max_length=20, widget=forms.HiddenInput
    )
    accept_policy = forms.BooleanField(
        required=False, label="I have read and accept the privacy policy"
    )

    def __init__(self, *args, member=False, **kwargs):
        super().__init__(*args, **kwargs)
        if member:
            for name in (
                "create_account",
                "password",
                "date_of_birth",
                "accepted_policy_version",
                "accept_policy",
            ):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("create_account") and not data.get("accept_policy"):
            self.add_error("accept_policy", "Please accept the privacy policy to open an account.")
        return data
