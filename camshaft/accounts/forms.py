"""Forms for the account pages: they parse input; the rules live in services."""

from django import forms
from django.core.exceptions import ValidationError

from camshaft.abuse.forms import HoneypotMixin
from camshaft.accounts import services
from camshaft.accounts.models import Address, User
from camshaft.accounts.roles import ROLES


class DateInput(forms.DateInput):
    input_type = "date"


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)


class RegistrationForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password, not only digits.",
        max_length=200,
    )
    date_of_birth = forms.DateField(widget=DateInput, help_text="You must be 13 or older.")
    accepted_policy_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    accept_policy = forms.BooleanField(
        label="I have read and accept the privacy policy",
        error_messages={"required": "Please accept the privacy policy to register."},
    )


class SignInForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), max_length=200
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code",
        help_text="The 6-digit code your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class MailCodeForm(forms.Form):
    """A2: the code mailed to a staff member before they add an authenticator."""

    mail_code = forms.CharField(
        max_length=20,
        label="Code from the mail",
        help_text=f"The {services.ENROLMENT_CODE_DIGITS}-digit code we sent to your email address.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ChoosePasswordForm(forms.Form):
    """A new staff member chooses their own password (the rules are the
    service's: Django's password validators)."""

    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password, not only digits.",
        max_length=200,
    )
    password_again = forms.CharField(
        label="The same password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class StaffInvitationForm(forms.Form):
    """The back office's invitation of a new staff member (A4)."""

    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=[(role.slug, role.name) for role in ROLES])


class PasswordResetRequestForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(max_length=254)


class UnlockRequestForm(forms.Form):
    email = forms.EmailField(max_length=254)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = services.PROFILE_FIELDS
        widgets = {"date_of_birth": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].required = True


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = services.ADDRESS_FIELDS
