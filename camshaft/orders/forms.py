"""Forms of the order pages."""

from django import forms
from django.core.exceptions import ValidationError

from camshaft.abuse.forms import HoneypotMixin
from camshaft.orders.changes import OrderChange
from camshaft.orders.rules import MAX_LINE_QUANTITY
from camshaft.shipping.models import Method


class LookupForm(HoneypotMixin, forms.Form):
    number = forms.CharField(max_length=20, label="Order number")
    email = forms.EmailField(max_length=254, label="Billing email")


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Why? (optional)")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """A change service's ValidationError on the form: "shipping_address.city"
    is the field city; what the form has no field for goes on top."""
    for key, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
        name = key.removeprefix("shipping_address.")
        form.add_error(name if name in form.fields else None, messages)


ADDRESS_PARTS = (
    ("full_name", "Full name", 150, True),
    ("line1", "Address line 1", 200, True),
    ("line2", "Address line 2", 200, False),
    ("city", "City", 100, True),
    ("region", "State / region", 100, False),
    ("postal_code", "Postal code", 20, True),
    ("country", "Country (two letters)", 2, True),
    ("phone", "Phone", 30, False),
)


class ShippingAddressForm(forms.Form):
    """A new shipping address for an order (O2); the service checks it as
    checkout does. The preview's token and total ride along, hidden, so the
    save is exactly what was shown."""

    residential = forms.BooleanField(
        required=False, label="A home (air freight to a home may take a day more)"
    )
    expected_total = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2, widget=forms.HiddenInput
    )
    preview_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        fields = {}
        for name, label, length, required in ADDRESS_PARTS:
            fields[name] = forms.CharField(
                label=label,
                max_length=length,
                required=required,
                initial=getattr(order.shipping_address, name),
            )
        self.fields = {**fields, **self.fields}
        self.fields["residential"].initial = order.residential

    def address(self) -> dict:
        return {name: self.cleaned_data[name] for name, *_ in ADDRESS_PARTS}

    def change(self) -> OrderChange:
        return OrderChange(
            shipping_address=self.address(), residential=self.cleaned_data["residential"]
        )


class OrderChangeForm(ShippingAddressForm):
    """Customer service's change of an order (O2): address, method, each
    line's quantity (0 removes it), and parts to add by SKU. `shipped` is
    {line id: units shipped} of a partly shipped order: those lines are
    shown as such and the browser is told their floor; the change service
    refuses, by name, anything asked of what shipped."""

    ADDITIONS = 3

    shipping_method = forms.ChoiceField(choices=Method.choices)

    def __init__(self, *args, order, shipped: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["shipping_method"].initial = order.shipping_method
        self.line_fields = []
        self.shipped = shipped or {}
        for line in order.lines.all():
            name = f"line_{line.pk}"
            units = self.shipped.get(line.pk, 0)
            help_text = "0 removes the line"
            attrs = {}
            if units >= line.quantity:
                help_text, attrs = "Shipped: it cannot change", {"readonly": True}
            elif units:
                help_text, attrs = f"{units} shipped: not below {units}", {"min": units}
            self.fields[name] = forms.IntegerField(
                label=f"{line.sku} {line.name}",
                min_value=0,
                max_value=MAX_LINE_QUANTITY,
                initial=line.quantity,
                help_text=help_text,
            )
            self.fields[name].widget.attrs.update(attrs)
            self.line_fields.append((line, name))
        for n in range(1, self.ADDITIONS + 1):
            self.fields[f"add_sku_{n}"] = forms.CharField(
                label=f"Add part {n}: SKU", max_length=40, required=False
            )
            self.fields[f"add_quantity_{n}"] = forms.IntegerField(
                label="Quantity", min_value=1, max_value=MAX_LINE_QUANTITY, required=False
            )

    def clean(self):
        data = super().clean()
        for n in range(1, self.ADDITIONS + 1):
            if data.get(f"add_sku_{n}") and not data.get(f"add_quantity_{n}"):
                self.add_error(f"add_quantity_{n}", "How many?")
        return data

    def line_rows(self):
        """(line, its quantity field, units of it shipped) for each line."""
        return [(line, self[name], self.shipped.get(line.pk, 0)) for line, name in self.line_fields]

    def addition_rows(self):
        return [
            (self[f"add_sku_{n}"], self[f"add_quantity_{n}"]) for n in range(1, self.ADDITIONS + 1)
        ]

    def change(self) -> OrderChange:
        data = self.cleaned_data
        return OrderChange(
            shipping_address=self.address(),
            residential=data["residential"],
            shipping_method=data["shipping_method"],
            quantities=tuple(
                (line.pk, data[name])
                for line, name in self.line_fields
                if data[name] is not None and data[name] != line.quantity
            ),
            additions=tuple(
                (data[f"add_sku_{n}"], data[f"add_quantity_{n}"])
                for n in range(1, self.ADDITIONS + 1)
                if data.get(f"add_sku_{n}")
            ),
        )
