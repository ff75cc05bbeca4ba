"""The honeypot (V11): a form field people never see and bots fill in.

Add `HoneypotMixin` first among a public form's bases; the page view's
`@rate_limited(door)` records a filled honeypot as an offence."""

from django import forms

#: The honeypot's field name: a plausible one, so bots fill it in.
HONEYPOT_FIELD = "website"
#: What a filled honeypot is told: nothing that teaches a bot what went wrong.
REFUSED = "We could not accept this form. Please check it and send it again."


class HoneypotInput(forms.TextInput):
    """A text box moved off-screen, hidden from screen readers and skipped by
    the Tab key, with autofill off, inside its own "leave this empty" label.
    It counts as a hidden field so page templates render it without a label
    of their own."""

    template_name = "abuse/widgets/honeypot.html"
    is_hidden = True

    def __init__(self):
        super().__init__(attrs={"tabindex": "-1", "autocomplete": "off"})


class HoneypotField(forms.CharField):
    def __init__(self):
        super().__init__(
            required=False, max_length=200, label="Leave this empty", widget=HoneypotInput
        )


class HoneypotMixin(forms.Form):
    """Refuses the whole form, quietly, when the honeypot holds anything."""

    website = HoneypotField()  # named HONEYPOT_FIELD

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get(HONEYPOT_FIELD):
            raise forms.ValidationError(REFUSED, code="honeypot")
        return cleaned
