"""Forms of the shopper's return pages: one quantity per returnable line."""

import secrets

from django import forms

from camshaft.returns.models import Reason
from camshaft.returns.rules import Condition
from camshaft.returns.services import WantedLine

KEY_FIELD = "idempotency_key"


def new_key() -> str:
    return secrets.token_urlsafe(16)


class ReturnForm(forms.Form):
    """`rows` are the order's lines with R1's decision (selectors.returnable_lines)."""

    reason = forms.ChoiceField(
        choices=[("", "Choose…"), *Reason.choices], label="Why are they coming back?"
    )
    unused = forms.BooleanField(required=False, label="Unused, never installed")
    original_packaging = forms.BooleanField(required=False, label="In the original packaging")
    complete = forms.BooleanField(required=False, label="All components are in the box")
    sealed = forms.BooleanField(
        required=False, label="Still sealed (needed for electrical parts, CD-ROMs and manuals)"
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything we should know? (optional)",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if row.decision.allowed:
                self.fields[f"qty_{row.line.pk}"] = forms.IntegerField(
                    min_value=0,
                    max_value=row.decision.returnable,
                    initial=0,
                    required=False,
                    label=f"How many of {row.line.name}",
                )

    def quantity_field(self, row):
        name = f"qty_{row.line.pk}"
        return self[name] if name in self.fields else None

    def filing(self) -> dict:
        """What `services.file_return` needs from a valid form, besides the
        order, the channel and who files it."""
        data = self.cleaned_data
        return {
            "lines": [
                WantedLine(row.line.pk, data.get(f"qty_{row.line.pk}") or 0)
                for row in self.rows
                if f"qty_{row.line.pk}" in self.fields
            ],
            "reason": data["reason"],
            "condition": Condition(
                unused=data["unused"],
                original_packaging=data["original_packaging"],
                complete=data["complete"],
                sealed=data["sealed"],
            ),
            "idempotency_key": data[KEY_FIELD],
            "note": data["note"],
        }


class CoreReturnForm(forms.Form):
    line_id = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=10_000, initial=1, label="How many cores")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
