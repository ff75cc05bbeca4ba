"""Account pages: register, sign in and out, password reset, My Account
with profile and address book (A1, A2, A3)."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from camshaft.abuse import services as abuse
from camshaft.abuse.clients import client_address
from camshaft.abuse.decorators import rate_limited
from camshaft.accounts import forms, selectors, services
from camshaft.accounts.models import Address, User
from camshaft.consent.services import current_policy

member_required = login_required(login_url="sign_in")


def _next_url(request, default: str = "my_account") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@rate_limited(abuse.REGISTRATION)
def register(request):
    policy = current_policy()
    form = forms.RegistrationForm(
        request.POST or None, initial={"accepted_policy_version": policy.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register(
                email=data["email"],
                password=data["password"],
                date_of_birth=data["date_of_birth"],
                accepted_policy_version=data["accepted_policy_version"],
                channel="web",
            )
        except ValidationError as error:
            forms.apply_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to Camshaft: your account is ready.")
            return redirect("my_account")
    status = 400 if form.errors else 200
    return render(
        request, "accounts/register.html", {"form": form, "policy": policy}, status=status
    )


@rate_limited(abuse.SIGN_IN)
def sign_in(request):
    form = forms.SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            email = form.cleaned_data["email"]
            device_token = request.COOKIES.get(services.device_cookie_name(email))
            if not services.trusted_device(token=device_token, email=email):
                # A trusted device has its own lock: strangers' tries do not count.
                abuse.check_account(request=request, door=abuse.SIGN_IN, account=email)
            try:
                user = services.check_credentials(
                    email=email,
                    password=form.cleaned_data["password"],
                    client_ip=client_address(request),
                    device_token=device_token,
                    request=request,
                )
            except services.SignInLocked as locked:
                form.add_error(None, locked.message)
                context = {"form": form, "locked": True, "email": email}
                response = render(request, "accounts/sign_in.html", context, status=429)
                response["Retry-After"] = str(locked.retry_after_seconds())
                return response
            except services.InvalidCredentials as wrong:
                form.add_error(None, wrong.message)
            else:
                login(request, user)  # cycles the session key
                if services.needs_second_factor(user):
                    response = redirect(_second_factor_url(request))
                else:
                    response = redirect(_next_url(request))
                _trust_this_browser(request, response, user.email)
                return response
    context = {"form": form, "next": request.GET.get("next", "")}
    return render(request, "accounts/sign_in.html", context, status=status)


def _trust_this_browser(request, response, email: str, token: str | None = None) -> None:
    """The device cookie (A2): this browser signed in to `email` before, so
    strangers' wrong passwords do not lock it out."""
    response.set_cookie(
        services.device_cookie_name(email),
        token or services.issue_device_token(email=email),
        max_age=int(services.DEVICE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@require_POST
@rate_limited(abuse.PASSWORD_RESET)
def request_unlock(request):
    """A locked-out owner asks for the link that lets this browser through."""
    form = forms.UnlockRequestForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        abuse.check_account(request=request, door=abuse.PASSWORD_RESET, account=email)
        services.send_unlock_link(email=email, origin=request.build_absolute_uri("/"))
    messages.info(
        request,
        "If that account is paused, a link to sign in from this browser is on its way. "
        "It works for 30 minutes.",
    )
    return redirect("sign_in")


def unlock_sign_in(request, token: str):
    """The mailed link: GET shows a button (mail scanners open links), POST
    trusts this browser for the account and goes on to sign in."""
    if request.method != "POST":
        valid = services.unlock_link_valid(token=token)
        return render(
            request, "accounts/unlock.html", {"valid": valid}, status=200 if valid else 410
        )
    used = services.use_unlock_link(token=token)
    if used is None:
        return render(request, "accounts/unlock.html", {"valid": False}, status=410)
    user, device_token = used
    messages.success(request, "This browser may sign in now. Use your password as usual.")
    response = redirect("sign_in")
    _trust_this_browser(request, response, user.email, device_token)
    return response


def _second_factor_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return (
        f"{reverse('two_factor')}?{urlencode({'next': target})}"
        if target
        else reverse("two_factor")
    )


@member_required
def two_factor(request):
    """A2: staff type a code from their authenticator app (or a backup code);
    the first time, they prove the mailbox is theirs, then add the store to
    the app and confirm it here."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request, default="admin:index"))
    setting_up = not services.has_second_factor(user)
    if setting_up and not services.mailbox_proven(request.session, user):
        return _prove_mailbox(request)
    form = forms.SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            token = form.cleaned_data["code"]
            try:
                if setting_up:
                    device, codes = services.confirm_authenticator(user=user, token=token)
                else:
                    device, codes = services.check_second_factor(user=user, token=token), None
            except services.InvalidSecondFactor as wrong:
                form.add_error("code", wrong.message)
            else:
                otp_login(request, device)
                if codes:
                    context = {"codes": codes, "next": _next_url(request, default="admin:index")}
                    return render(request, "accounts/backup_codes.html", context)
                return redirect(_next_url(request, default="admin:index"))
    context = {"form": form, "next": request.GET.get("next", ""), "setting_up": setting_up}
    if setting_up:
        device = services.authenticator_to_set_up(user=user)
        context.update(
            secret=b32encode(device.bin_key).decode(),
            qr_svg=segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
        )
    return render(request, "accounts/two_factor.html", context, status=status)


def _prove_mailbox(request):
    """Before a first authenticator: a code by mail, since the password alone
    may be known to someone else (A2)."""
    user = request.user
    form = forms.MailCodeForm(request.POST if "mail_code" in request.POST else None)
    status = 200
    if request.method == "POST" and "send_code" in request.POST:
        try:
            services.send_enrolment_code(user=user)
        except services.CodeSentRecently as soon:
            messages.info(request, soon.message)
        else:
            messages.success(request, f"We sent a code to {user.email}.")
        return redirect(request.get_full_path())
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.confirm_enrolment_code(user=user, code=form.cleaned_data["mail_code"])
            except services.InvalidEnrolmentCode as wrong:
                form.add_error("mail_code", wrong.message)
            else:
                services.prove_mailbox(request.session, user)
                return redirect(request.get_full_path())
    context = {
        "form": form,
        "email": user.email,
        "code_sent": selectors.enrolment_code_waiting(user=user),
        "mail_to_files": not services.mail_leaves_the_machine(),
    }
    return render(request, "accounts/prove_mailbox.html", context, status=status)


def staff_welcome(request, token: str):
    """A new staff member opens their invitation link and chooses a password
    (A2, A4); then they set up two-factor sign-in."""
    try:
        invitation = services.invitation_for_link(token=token)
    except services.InvitationClosed as closed:
        return _invitation_closed(request, closed)
    form = forms.ChoosePasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.accept_invitation(
                    token=token, password=form.cleaned_data["password"]
                )
            except services.InvitationClosed as closed:
                return _invitation_closed(request, closed)
            except ValidationError as error:
                forms.apply_errors(form, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                services.prove_mailbox(request.session, user)
                messages.success(request, "Your password is set. Now set up two-factor sign-in.")
                return redirect(
                    f"{reverse('two_factor')}?{urlencode({'next': reverse('admin:index')})}"
                )
    context = {"form": form, "invitation": invitation}
    return render(request, "accounts/staff_welcome.html", context, status=status)


def _invitation_closed(request, closed: services.InvitationClosed):
    context = {"reason": closed.message}
    return render(request, "accounts/staff_welcome_closed.html", context, status=410)


@require_POST
def sign_out(request):
    logout(request)  # flushes the session: the old key is no longer valid
    messages.info(request, "You are signed out.")
    return redirect("/")


@rate_limited(abuse.PASSWORD_RESET)
def password_reset(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        abuse.check_account(request=request, door=abuse.PASSWORD_RESET, account=email)
        services.request_password_reset(email=email, origin=request.build_absolute_uri("/"))
        # The same answer whether or not the account exists.
        return redirect("password_reset_done")
    status = 400 if form.errors else 200
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


def password_reset_done(request):
    return render(request, "accounts/password_reset_done.html")


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's token check: the link works until the password changes (so
    once) and for PASSWORD_RESET_TIMEOUT seconds."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_was_reset(user=form.user)
        # The link came by mail: whoever opened it holds the mailbox (A2).
        services.prove_mailbox(self.request.session, form.user)
        return response


def password_reset_complete(request):
    return render(request, "accounts/password_reset_complete.html")


@member_required
def my_account(request):
    user = User.objects.get(pk=request.user.pk)
    form = forms.ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        try:
            services.update_profile(user=request.user, changes=changes)
        except ValidationError as error:
            forms.apply_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("my_account")
    status = 400 if form.errors else 200
    return render(request, "accounts/my_account.html", {"form": form}, status=status)


@member_required
def confirm_email(request, token: str):
    """A link mailed at registration: the address is the member's (V3, V4)."""
    try:
        services.confirm_email(user=request.user, token=token)
    except services.InvalidConfirmationLink as bad:
        messages.error(request, bad.message)
        status = 400
    else:
        messages.success(request, "Thank you: your email address is confirmed.")
        status = 200
    return render(request, "accounts/email_confirmed.html", status=status)


@require_POST
@member_required
def resend_email_confirmation(request):
    try:
        services.send_email_confirmation(user=request.user)
    except services.CodeSentRecently as soon:
        messages.info(request, soon.message)
    else:
        messages.success(request, f"We sent a confirmation link to {request.user.email}.")
    return redirect("my_account")


@member_required
def addresses(request):
    return render(
        request,
        "accounts/addresses.html",
        {"addresses": selectors.addresses_of(user=request.user)},
    )


@member_required
def address_form(request, address_id: int | None = None):
    address = None
    if address_id is not None:
        try:
            address = selectors.address_of(user=request.user, address_id=address_id)
        except Address.DoesNotExist:
            raise Http404("No such address in your address book.") from None
    form = forms.AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.ADDRESS_FIELDS}
        try:
            services.save_address(user=request.user, changes=changes, address_id=address_id)
        except ValidationError as error:
            forms.apply_errors(form, error)
        else:
            messages.success(request, "The address is saved.")
            return redirect("addresses")
    status = 400 if form.errors else 200
    return render(
        request, "accounts/address_form.html", {"form": form, "address": address}, status=status
    )


@require_POST
@member_required
def address_delete(request, address_id: int):
    try:
        services.delete_address(user=request.user, address_id=address_id)
    except Address.DoesNotExist:
        raise Http404("No such address in your address book.") from None
    messages.success(request, "The address is deleted.")
    return redirect("addresses")
