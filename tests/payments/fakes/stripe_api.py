"""Stripe API answers for the local fake, trimmed from the objects in Stripe's
published API reference (PaymentIntent, PaymentMethod, Refund, Error, Event)."""


def payment_intent(status="requires_capture", *, id="pi_3MtwBwLkdIwHu7ix28a3tqPa", **extra):
    return {
        "id": id,
        "object": "payment_intent",
        "amount": 10999,
        "amount_capturable": 10999 if status == "requires_capture" else 0,
        "amount_received": 0,
        "capture_method": "manual",
        "currency": "usd",
        "customer": None,
        "last_payment_error": None,
        "latest_charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "livemode": False,
        "next_action": None,
        "payment_method": "pm_1MtwBwLkdIwHu7ixvtmAbC7t",
        "status": status,
        **extra,
    }


def requires_action(url="https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=pi_3D"):
    return payment_intent(
        "requires_action",
        id="pi_3DSecureLkdIwHu7ix0Z8bX",
        next_action={"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": ""}},
    )


def card_error(decline_code="generic_decline"):
    return {
        "error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": decline_code,
            "message": "Your card was declined.",
            "param": "",
        }
    }


def payment_method(id="pm_1MtwBwLkdIwHu7ixvtmAbC7t", last4="4242", brand="visa"):
    return {
        "id": id,
        "object": "payment_method",
        "type": "card",
        "card": {"brand": brand, "last4": last4, "exp_month": 8, "exp_year": 2099},
        "customer": None,
        "livemode": False,
    }


def refund(id="re_3MtwBwLkdIwHu7ix0nZ7tTDc", amount=2000):
    return {
        "id": id,
        "object": "refund",
        "amount": amount,
        "charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "currency": "usd",
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "status": "succeeded",
    }


def event(type, obj, id="evt_1NG8Du2eZvKYlo2CUI79vXWy"):
    return {
        "id": id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": 1686089970,
        "data": {"object": obj},
        "livemode": False,
        "type": type,
    }


def charge(amount_refunded=2000, payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa"):
    return {
        "id": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "object": "charge",
        "amount": 10999,
        "amount_refunded": amount_refunded,
        "currency": "usd",
        "payment_intent": payment_intent,
        "refunded": amount_refunded == 10999,
    }


def dispute(payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa", status="needs_response"):
    return {
        "id": "dp_1MtwBwLkdIwHu7ix6jLj1hTg",
        "object": "dispute",
        "amount": 10999,
        "charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "currency": "usd",
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": status,
    }


def charge_with_card(incremental="available", id="ch_3MtwBwLkdIwHu7ix28a3tqPa"):
    """A charge as `expand[]=latest_charge` returns it on a PaymentIntent:
    its card says whether it takes incremental authorizations."""
    return {
        "id": id,
        "object": "charge",
        "amount": 10999,
        "captured": False,
        "currency": "usd",
        "payment_method_details": {
            "type": "card",
            "card": {
                "brand": "visa",
                "last4": "4242",
                "incremental_authorization": {"status": incremental},
            },
        },
    }


def authentication_required():
    """Stripe's answer to an off-session payment the bank wants confirmed."""
    return {
        "error": {
            "type": "card_error",
            "code": "authentication_required",
            "decline_code": "authentication_required",
            "message": "Your card was declined. This transaction requires authentication.",
            "payment_intent": payment_intent(
                "requires_payment_method", id="pi_3OffSessionLkdIwHu7ix3DS"
            ),
        }
    }
