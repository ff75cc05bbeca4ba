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


def unprocessable(issue="INSTRUMENT_DECLINED"):
    return {
        "name": "UNPROCESSABLE_ENTITY",
        "details": [{"issue": issue, "description": "The instrument presented was declined."}],
        "message": "The requested action could not be performed.",
        "debug_id": "90957fca61718",
    }


def capture(status="COMPLETED"):
    return {"id": CAPTURE_ID, "status": status, "links": []}


def refund():
    return {"id": "1JU08902781691411", "status": "COMPLETED", "links": []}
