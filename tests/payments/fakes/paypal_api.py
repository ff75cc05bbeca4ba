"""PayPal API answers for the local fake, trimmed from the examples in
PayPal's published REST reference (Orders v2, Payments v2, OAuth 2)."""

ORDER_ID = "5O190127TN364715T"
AUTHORIZATION_ID = "0AW2184448108334S"
CAPTURE_ID = "2GG279541U471931P"

TOKEN = {
    "scope": "https://uri.paypal.com/services/payments/payment",
    "access_token": "A21AAFEpH4PsADK7qSS7pSRsgzfENtu-Q1ysgEDVDESseMHBYXVJYE8ovjj68elIDy8n",
    "token_type": "Bearer",
    "app_id": "APP-80W284485P519543T",
    "expires_in": 31668,
}


def created_order():
    return {
        "id": ORDER_ID,
        "status": "PAYER_ACTION_REQUIRED",
        "payment_source": {"paypal": {}},
        "links": [
            {
                "href": f"https://api-m.paypal.com/v2/checkout/orders/{ORDER_ID}",
                "rel": "self",
                "method": "GET",
            },
            {
                "href": f"https://www.paypal.com/checkoutnow?token={ORDER_ID}",
                "rel": "payer-action",
                "method": "GET",
            },
        ],
    }


def authorized_order(value="109.99", status="CREATED"):
    return {
        "id": ORDER_ID,
        "status": "COMPLETED",
        "purchase_units": [
            {
                "reference_id": "default",
                "payments": {
                    "authorizations": [
                        {
                            "id": AUTHORIZATION_ID,
                            "status": status,
                            "amount": {"currency_code": "USD", "value": value},
                            "expiration_time": "2026-12-31T23:59:59Z",
                        }
                    ]
                },
            }
        ],
        "links": [],
    }


def unprocessable(
    issue="INSTRUMENT_DECLINED", description="The instrument presented was declined."
):
    return {
        "name": "UNPROCESSABLE_ENTITY",
        "details": [{"issue": issue, "description": description}],
        "message": "The requested action could not be performed.",
        "debug_id": "90957fca61718",
    }


def capture(status="COMPLETED"):
    return {"id": CAPTURE_ID, "status": status, "links": []}


def refund():
    return {"id": "1JU08902781691411", "status": "COMPLETED", "links": []}


def webhook_event(event_type, resource, *, id="WH-1GE84257G0350133W-6RW800890C634293G", at=None):
    """A webhook event as in PayPal's "Webhook event names" reference."""
    return {
        "id": id,
        "create_time": at or "2026-12-04T05:14:04.543Z",
        "resource_type": resource.get("resource_type", "refund"),
        "event_type": event_type,
        "summary": "A capture payment was refunded",
        "resource": {key: value for key, value in resource.items() if key != "resource_type"},
        "event_version": "1.0",
        "resource_version": "2.0",
    }


def refunded(value="20.00", *, id="1Y107995YT783435V", capture=CAPTURE_ID):
    return {
        "id": id,
        "amount": {"value": value, "currency_code": "USD"},
        "status": "COMPLETED",
        "create_time": "2026-12-04T05:13:29-07:00",
        "links": [
            {
                "method": "GET",
                "rel": "self",
                "href": f"https://api.paypal.com/v2/payments/refunds/{id}",
            },
            {
                "method": "GET",
                "rel": "up",
                "href": f"https://api.paypal.com/v2/payments/captures/{capture}",
            },
        ],
    }


def dispute(status="OPEN", *, capture=CAPTURE_ID, outcome=None):
    resource = {
        "resource_type": "dispute",
        "dispute_id": "PP-D-4012",
        "create_time": "2026-12-04T05:00:00.000Z",
        "disputed_transactions": [
            {"seller_transaction_id": capture, "buyer_transaction_id": "6TB35245JA6547611"}
        ],
        "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
        "status": status,
        "dispute_amount": {"currency_code": "USD", "value": "109.99"},
    }
    if outcome:
        resource["dispute_outcome"] = {"outcome_code": outcome}
    return resource


def voided_authorization(id=AUTHORIZATION_ID):
    return {"resource_type": "authorization", "id": id, "status": "VOIDED"}


def authorization(value="109.99", status="CREATED", currency="USD"):
    """GET /v2/payments/authorizations/{id}: the amount the buyer approved."""
    return {
        "id": AUTHORIZATION_ID,
        "status": status,
        "amount": {"currency_code": currency, "value": value},
        "expiration_time": "2026-12-31T23:59:59Z",
        "links": [],
    }
