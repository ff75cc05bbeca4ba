"""Storefront pages of the newsletter: sign-up, confirmation, one-click
unsubscribe, and a member's email preferences (N1-N3, A3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from camshaft.abuse import services as abuse
from camshaft.abuse.decorators import rate_limited
from camshaft.consent import selectors as consent
from camshaft.notifications import selectors, services
from camshaft.notifications.forms import PreferencesForm, SubscribeForm


@require_http_methods(["GET", "POST"])
@rate_limited(abuse.NEWSLETTER)
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscribe(
                email=form.cleaned_data["email"],
                source="web",
                user=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            return render(request, "notifications/check_inbox.html")
    status = 400 if form.errors else 200
    return render(request, "notifications/subscribe.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET only shows a button: mail scanners open links, people press buttons."""
    if request.method == "GET":
        return render(request, "notifications/confirm.html", {"token": token})
    try:
        services.confirm_subscription(token=token)
    except ValidationError as error:
        return render(request, "notifications/link_problem.html", {"error": error}, status=400)
    return render(request, "notifications/subscribed.html")


@csrf_exempt  # RFC 8058: the mail client POSTs without our cookie; the token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirm page and never unsubscribes by itself (scanners
    prefetch links); POST unsubscribes without signing in (N2)."""
    if request.method == "GET":
        valid = selectors.UNSUBSCRIBE.address(token)
        return render(
            request,
            "notifications/unsubscribe.html",
            {"token": token, "valid": valid is not None},
            status=200 if valid else 400,
        )
    try:
        services.unsubscribe_by_link(token=token)
    except ValidationError as error:
        return render(request, "notifications/link_problem.html", {"error": error}, status=400)
    return render(request, "notifications/unsubscribed.html")


@login_required(login_url="sign_in")
@require_http_methods(["GET", "POST"])
def preferences(request):
    email = request.user.email
    current = consent.preferences_of(email)
    initial = {
        "newsletter": current["newsletter"] in consent.WANTS_NEWSLETTER,
        "do_not_send": current["do_not_send"],
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_email_preferences(user=request.user, source="account", **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your email preferences are saved.")
            return redirect("email_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )
