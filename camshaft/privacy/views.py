"""Storefront pages of the privacy app."""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from camshaft.accounts.forms import apply_errors
from camshaft.consent import selectors as consent
from camshaft.consent import services as consent_services
from camshaft.consent import sharing
from camshaft.consent.models import PrivacyPolicyVersion
from camshaft.privacy import services


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=200,
        help_text="Your password again, to be sure it is you.",
    )
    understood = forms.BooleanField(
        label="I understand that this cannot be undone.",
    )


def sharing_register(request):
    """V10: which outside parties receive which of a shopper's data."""
    return render(request, "privacy/sharing.html", {"register": sharing.SHARING_REGISTER})


# --- The policy (V1), Download my data (V3), Delete my account (V4) ----------


def policy(request):
    """The privacy policy in force, a material change to come, and history."""
    return render(
        request,
        "privacy/policy.html",
        {
            "policy": consent_services.current_policy(),
            "upcoming": consent.upcoming_material_policy(),
            "history": PrivacyPolicyVersion.objects.filter(published_at__lte=timezone.now()),
        },
    )


@login_required(login_url="sign_in")
@require_http_methods(["GET", "POST"])
def download_my_data(request):
    """GET explains; POST hands over the archive (it can be large, and a
    link prefetch must not build it)."""
    if request.method == "GET":
        return render(request, "privacy/download.html")
    archive = services.export_personal_data(user=request.user, channel="account")
    return zip_download(archive, f"camshaft-my-data-{timezone.now():%Y%m%d}.zip")


def zip_download(archive: bytes, filename: str) -> HttpResponse:
    """A data export as a download no cache along the way may keep (V3); the
    page, the API and the back office all hand it over this way."""
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required(login_url="sign_in")
@require_http_methods(["GET", "POST"])
def delete_my_account(request):
    form = DeleteAccountForm(request.POST or None)
    blockers = services.erasure_blockers(user=request.user)
    sale_blockers = services.sale_blockers(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_own_account(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            logout(request)
            return render(request, "privacy/deleted.html")
    return render(
        request,
        "privacy/delete.html",
        {"form": form, "blockers": blockers, "sale_blockers": sale_blockers},
        status=400 if form.errors else 200,
    )
