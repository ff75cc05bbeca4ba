"""Checkout pages (K2-K4): address, shipping, payment, review and place.
Each works without JavaScript; the rules live in checkout.services."""

import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET

from camshaft.accounts import selectors as accounts_selectors
from camshaft.analytics import services as analytics
from camshaft.cart import cookie
from camshaft.cart import services as cart_services
from camshaft.checkout import forms, selectors, services
from camshaft.consent.services import current_policy
from camshaft.orders import services as orders
from camshaft.orders.access import grant_order_access
from camshaft.payments import selectors as payments_selectors
from camshaft.payments.models import OFFLINE_METHODS, WALLET_METHODS, PaymentMethod
from camshaft.payments.services import PaymentActionRequired, PaymentDeclined
from camshaft.shipping.estimates import expedited_cutoff_passed

STEP_URLS = {
    "cart": "cart",
    "address": "checkout_address",
    "shipping": "checkout_shipping",
    "payment": "checkout_payment",
    "review": "checkout_review",
}


def _cart(request):
    return cart_services.cart_for(user=request.user, token=cookie.token_from(request), create=False)


def _summary(request):
    return selectors.checkout_summary(cart=_cart(request), currency=request.currency)


def _member(request) -> bool:
    return request.user.is_authenticated


def _unless_ready_for(request, summary, step: str):
    """A redirect to the first step still missing before `step`, or None."""
    if "cart" in summary.missing:
        shortage = summary.priced.shortage
        messages.info(request, shortage.message if shortage else "Your cart is empty.")
        return redirect("cart")
    order = selectors.STEPS
    earlier = [s for s in summary.missing if s in order and order.index(s) < order.index(step)]
    if earlier:
        return redirect(STEP_URLS[earlier[0]])
    return None


STEP_LABELS = (
    ("address", "Address"),
    ("shipping", "Shipping"),
    ("payment", "Payment"),
    ("review", "Review"),
)


def _steps(summary, current: str) -> list[dict]:
    """The step bar: a step is a link once every step before it is done."""
    steps, blocked = [], False
    for name, label in STEP_LABELS:
        done = name not in summary.missing and name != "review"
        steps.append(
            {
                "label": label,
                "url": STEP_URLS[name],
                "current": name == current,
                "done": done,
                "reachable": not blocked,
            }
        )
        blocked = blocked or not done
    return steps


def _page(request, template, context, form):
    status = 400 if form.is_bound and form.errors else 200
    context = {**context, "checkout_steps": _steps(context["summary"], context["step"])}
    return render(request, f"checkout/{template}.html", context, status=status)


def start(request):
    analytics.record_step(request=request, step=analytics.CHECKOUT_STARTED)
    return redirect(STEP_URLS[_summary(request).next_step])


def address(request):
    summary = _summary(request)
    if bounce := _unless_ready_for(request, summary, "address"):
        return bounce
    saved = list(accounts_selectors.addresses_of(user=request.user)) if _member(request) else []
    form = forms.AddressStepForm(
        request.POST or None,
        initial=_address_initial(summary.checkout, saved),
        saved_addresses=saved,
        member=_member(request),
    )
    if request.method == "POST" and form.is_valid():
        billing, billing_id = form.address("billing")
        shipping, shipping_id = (None, None)
        if form.cleaned_data["ship_elsewhere"]:
            shipping, shipping_id = form.address("shipping")
        try:
            services.set_addresses(
                cart=_cart(request),
                user=request.user,
                email=form.cleaned_data.get("email", ""),
                billing=billing,
                shipping=shipping,
                billing_address_id=billing_id,
                shipping_address_id=shipping_id,
                is_gift=form.cleaned_data["is_gift"],
                gift_message=form.cleaned_data["gift_message"],
                save_to_address_book=form.cleaned_data.get("save_to_address_book", False),
                business_address=form.cleaned_data["business_address"],
            )
        except ValidationError as error:
            forms.apply_errors(
                form,
                error,
                rename={
                    "billing_address_id": "billing_saved",
                    "shipping_address_id": "shipping_saved",
                },
            )
        else:
            return redirect("checkout_shipping")
    context = {
        "summary": summary,
        "form": form,
        "billing_fields": form.prefixed_fields("billing"),
        "shipping_fields": form.prefixed_fields("shipping"),
        "step": "address",
    }
    return _page(request, "address", context, form)


def _address_initial(checkout, saved) -> dict:
    initial = {"billing_country": "US", "shipping_country": "US"}
    if checkout is not None and checkout.billing_address:
        initial.update(
            email=checkout.email,
            ship_elsewhere=not checkout.ship_to_billing,
            business_address=not checkout.residential,
            is_gift=checkout.is_gift,
            gift_message=checkout.gift_message,
            billing_saved=forms.NEW,
            shipping_saved=forms.NEW,
        )
        for prefix, values in (
            ("billing", checkout.billing_address),
            ("shipping", checkout.shipping_address),
        ):
            initial.update({f"{prefix}_{name}": value for name, value in values.items()})
        return initial
    for address in saved:
        if address.default_billing:
            initial["billing_saved"] = str(address.id)
        if address.default_shipping:
            initial["shipping_saved"] = str(address.id)
    return initial


def shipping(request):
    summary = _summary(request)
    if bounce := _unless_ready_for(request, summary, "shipping"):
        return bounce
    if not summary.quote.lines:
        # Marketplace listings alone: each seller ships at the listing's charge.
        return redirect("checkout_payment")
    form = forms.ShippingStepForm(
        request.POST or None,
        initial={
            "shipping_method": summary.priced.shipping.code if summary.priced.shipping else ""
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_shipping_method(
                cart=_cart(request),
                code=form.cleaned_data["shipping_method"],
                currency=request.currency,
            )
        except ValidationError as error:
            forms.apply_errors(form, error)
        else:
            return redirect("checkout_payment")
    context = {
        "summary": summary,
        "form": form,
        "chosen": form["shipping_method"].value(),
        "step": "shipping",
        "cutoff_passed": expedited_cutoff_passed(timezone.now()),
    }
    return _page(request, "shipping", context, form)


@sensitive_variables("form", "card")
@sensitive_post_parameters("card_number", "cvc")
def payment(request):
    summary = _summary(request)
    if bounce := _unless_ready_for(request, summary, "payment"):
        return bounce
    member = _member(request)
    saved_cards = list(payments_selectors.saved_cards_of(user=request.user)) if member else []
    checkout = summary.checkout
    form = forms.PaymentStepForm(
        request.POST or None,
        initial={"method": (checkout.payment_method if checkout else "") or PaymentMethod.CARD},
        saved_cards=saved_cards,
        member=member,
        methods=payments_selectors.offered_methods(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        method = data["method"]
        try:
            if method in WALLET_METHODS:
                session = services.start_wallet(
                    cart=_cart(request),
                    wallet=method,
                    currency=request.currency,
                    return_url=request.build_absolute_uri(
                        reverse("checkout_wallet_return", args=[method])
                    ),
                )
                return redirect(session.redirect_url)
            card, saved_id = form.card() if method == PaymentMethod.CARD else (None, None)
            services.choose_payment(
                cart=_cart(request),
                user=request.user,
                method=method,
                card=card,
                saved_card_id=saved_id,
                save_card=data.get("save_card", False),
                card_token=data.get("card_token", ""),
                allow_off_session=data.get("allow_off_session", False),
            )
        except ValidationError as error:
            forms.apply_errors(form, error, rename={"card": "card_number"})
        except orders.CheckoutProblem as problem:
            form.add_error(None, problem.message)
        else:
            return redirect("checkout_review")
    card_form = payments_selectors.card_form(
        amount=summary.grand_total, currency=summary.quote.currency
    )
    context = {
        "summary": summary,
        "form": form,
        "offline_methods": sorted(OFFLINE_METHODS),
        "wallets": payments_selectors.offered_wallets(),
        "step": "payment",
        "card_form": card_form,
    }
    return _with_processor_origins(_page(request, "payment", context, form), card_form.origins)


def _with_processor_origins(response, origins=None):
    """The payment and review pages only: the processor's hosted fields
    (script, frame, connect) and where their forms may send the shopper on
    (form-action: 3-D Secure, a wallet's approval page)."""
    update = {name: list(sources) for name, sources in (origins or {}).items()}
    if redirects := payments_selectors.checkout_redirect_origins():
        update["form-action"] = [*update.get("form-action", []), *redirects]
    if update:
        response._csp_update = update
    return response


@require_GET
def wallet_return(request, wallet: str):
    """The wallet sends the shopper back here with its token."""
    try:
        services.choose_payment(
            cart=_cart(request),
            user=request.user,
            method=wallet,
            # PayPal names its order id "token"; the test gateway "wallet_token".
            wallet_token=(request.GET.get("wallet_token") or request.GET.get("token", ""))[:200],
        )
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("checkout_payment")
    return redirect("checkout_review")


@require_GET
def card_confirmed(request):
    """The shopper is back from their bank's 3-D Secure page: the checkout
    resumes at the review, where placing the order finds the payment
    confirmed (or declined, and asks for another card)."""
    messages.info(request, "Thank you: place your order to finish paying.")
    return redirect("checkout_review")


@sensitive_post_parameters("password")
def review(request):
    if request.method == "POST" and (replay := _replay(request)):
        return _placed(request, replay)
    summary = _summary(request)
    if bounce := _unless_ready_for(request, summary, "review"):
        return bounce
    member = _member(request)
    policy = None if member else current_policy()
    form = forms.ReviewForm(
        request.POST or None,
        initial={
            "idempotency_key": uuid.uuid4().hex,
            "expected_total": summary.grand_total,
            "accepted_policy_version": policy.version if policy else "",
        },
        member=member,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = None
        if data.get("create_account"):
            account = services.NewAccount(
                password=data["password"],
                date_of_birth=data["date_of_birth"],
                accepted_policy_version=data["accepted_policy_version"],
            )
        try:
            placed = services.place(
                cart=_cart(request),
                cart_token=cookie.token_from(request),
                user=request.user,
                currency=request.currency,
                idempotency_key=data["idempotency_key"],
                expected_total=data["expected_total"],
                account=account,
            )
        except ValidationError as error:
            forms.apply_errors(form, error, rename={"email": None})
        except PaymentDeclined as declined:
            messages.error(request, declined.message)
            return redirect("checkout_payment")
        except PaymentActionRequired as needed:
            return redirect(needed.redirect_url)
        except orders.CheckoutProblem as problem:
            messages.error(request, problem.message)
            return redirect("checkout_review")
        else:
            analytics.record_order(request=request, placed=placed)
            return _placed(request, placed)
    context = {"summary": summary, "form": form, "policy": policy, "step": "review"}
    return _with_processor_origins(_page(request, "review", context, form))


def _replay(request):
    try:
        return orders.replayed_order(
            user=request.user,
            cart_token=cookie.token_from(request),
            idempotency_key=request.POST.get("idempotency_key", ""),
        )
    except orders.CheckoutProblem:
        return None


def _placed(request, placed):
    if placed.new_member is not None:
        login(request, placed.new_member, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account is ready: this order is in My Account.")
    grant_order_access(request, placed.order)
    messages.success(
        request,
        f"Thank you: order {placed.order.number} is placed. "
        f"A confirmation is on its way to {placed.order.email}.",
    )
    for notice in placed.notices:
        messages.info(request, notice)
    return redirect("order_detail", number=placed.order.number)
