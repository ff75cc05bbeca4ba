"""The forms of the seller pages: becoming a seller, a listing."""

from decimal import Decimal

from django import forms

from camshaft.abuse.forms import HoneypotMixin
from camshaft.marketplace import rules
from camshaft.marketplace.models import ListingCondition
from camshaft.marketplace.services import ListingDraft


class BecomeSellerForm(forms.Form):
    public_id = forms.CharField(
        label="Public user ID",
        min_length=rules.PUBLIC_ID_MIN,
        max_length=rules.PUBLIC_ID_MAX,
        help_text="Shown on your listings and profile instead of your name.",
    )
    terms_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    accept = forms.BooleanField(label="I accept the seller terms above.")


class ListingForm(forms.Form):
    """A listing as a seller states it (M1). Its vehicles are those of the
    seller's garage, filled through the Part Finder, plus any it fits already."""

    title = forms.CharField(max_length=200)
    condition = forms.ChoiceField(choices=ListingCondition.choices)
    price = forms.DecimalField(max_digits=10, decimal_places=2, help_text="More than 0.")
    quantity = forms.IntegerField(min_value=0, max_value=rules.MAX_QUANTITY)
    shipping_price = forms.DecimalField(
        label="Shipping per sale",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        initial=0,
        required=False,
        help_text="What you charge to post one sale, whatever its quantity; 0 or empty for free.",
    )
    part_code = forms.CharField(
        label="Catalogue SKU or MPN",
        max_length=60,
        required=False,
        help_text="The listing then fits what the catalogue part fits.",
    )
    vehicles = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a part not in the catalogue: the vehicles it fits. "
        "Add vehicles to your garage with the Part Finder to choose them here.",
    )
    description = forms.CharField(widget=forms.Textarea, max_length=5000, required=False)
    condition_notes = forms.CharField(widget=forms.Textarea, max_length=2000, required=False)
    return_days = forms.IntegerField(
        label="Returns accepted within (days)",
        min_value=0,
        max_value=rules.MAX_RETURN_DAYS,
        initial=0,
        help_text="0 for no returns.",
    )

    def __init__(self, *args, vehicles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicles"].choices = [(v.pk, str(v)) for v in vehicles]

    def draft(self):
        data = self.cleaned_data
        return ListingDraft(
            title=data["title"],
            condition=data["condition"],
            price=data["price"],
            quantity=data["quantity"],
            description=data["description"],
            condition_notes=data["condition_notes"],
            return_days=data["return_days"],
            shipping_price=data["shipping_price"] or Decimal(0),
            part_code=data["part_code"],
            vehicle_ids=tuple(data["vehicles"]),
        )


class ReportForm(forms.Form):
    listing_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="What is wrong?", widget=forms.Textarea, max_length=1000, min_length=1
    )


class CartListingForm(forms.Form):
    quantity = forms.IntegerField(
        min_value=1,
        max_value=rules.MAX_QUANTITY,
        error_messages={"required": "Choose a quantity.", "invalid": "Choose a whole number."},
    )


class PhotoForm(forms.Form):
    """One photo added to a listing (M1). The file is checked by the service
    (format, size, pixels); the form only says a file is needed."""

    photo = forms.FileField(
        label="Add a photo",
        help_text=f"JPEG, PNG or WebP, at most {rules.MAX_PHOTO_BYTES // (1024 * 1024)} MB; "
        "the location and camera data in it are removed.",
    )
    alt_text = forms.CharField(
        label="What it shows",
        max_length=rules.MAX_ALT_TEXT,
        required=False,
        help_text="For people who cannot see it, e.g. 'Left caliper, piston side'.",
    )


class AcceptTermsForm(forms.Form):
    terms_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    accept = forms.BooleanField(label="I accept the new seller terms above.")


class ListingReportForm(HoneypotMixin, forms.Form):
    """M5: anyone reports a listing; a guest leaves an address for staff."""

    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="Only staff see it, to answer you.",
    )
    reason = forms.CharField(
        label="What is wrong?", widget=forms.Textarea, max_length=1000, min_length=1
    )

    def __init__(self, *args, guest: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if guest:
            self.fields["email"].required = True
        else:
            del self.fields["email"]


class RatingForm(forms.Form):
    """M3: one side's rating of the other after a sale."""

    value = forms.ChoiceField(
        label="Your rating", choices=[(v, v.capitalize()) for v in rules.RATING_VALUES]
    )
    comment = forms.CharField(max_length=rules.MAX_COMMENT, required=False)


class AnswerForm(forms.Form):
    text = forms.CharField(label="Your answer", max_length=rules.MAX_COMMENT)


class SaleRefundForm(forms.Form):
    """A seller's refund of a shipped sale (M4); the service checks the rest."""

    amount = forms.DecimalField(max_digits=12, decimal_places=2, label="Amount to refund")
    reason = forms.CharField(max_length=rules.MAX_REFUND_REASON, required=False)
