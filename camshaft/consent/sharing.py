"""The sharing register (V10): every outside party that receives personal
data, which fields and why, as the privacy policy tells people. Code that
hands data to a carrier or a payment processor passes it through
`shared_fields`, so nothing the register does not list can leave."""

from dataclasses import dataclass


class NotInSharingRegister(Exception):
    """Code tried to hand an outside party a field the register does not list."""


@dataclass(frozen=True, slots=True)
class SharedField:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class DataRecipient:
    """One kind of outside party, what it gets and why. `fields` are the
    exact keys that may leave for it; nothing else is sent."""

    code: str
    kind: str
    parties: tuple[str, ...]
    purpose: str
    fields: tuple[SharedField, ...]

    @property
    def field_names(self) -> frozenset[str]:
        return frozenset(field.name for field in self.fields)


CARRIER = DataRecipient(
    code="carrier",
    kind="Carrier",
    parties=("FedEx", "UPS", "AGS", "R+L Carriers"),
    purpose="Delivering a shipment to the address the shopper chose.",
    fields=(
        SharedField("recipient_name", "Name of the person the parcel is for"),
        SharedField("address_line1", "Street address"),
        SharedField("address_line2", "Second line of the street address"),
        SharedField("city", "City"),
        SharedField("region", "State or region"),
        SharedField("postal_code", "Postal code"),
        SharedField("country", "Country"),
        SharedField("phone", "Phone given with the shipping address, for delivery questions"),
        SharedField("residential", "Whether the address is a home or a business"),
        SharedField("service", "Shipping method (standard, two-day, overnight, truck)"),
        SharedField("tracking_number", "Tracking number"),
        SharedField("parcels", "Weight and box size of each item in the shipment"),
    ),
)

PAYMENT_PROCESSOR = DataRecipient(
    code="payment_processor",
    kind="Payment processor",
    parties=("The payment gateway the store is configured with",),
    purpose="Authorizing, capturing, voiding and refunding payments.",
    fields=(
        SharedField("number", "Card number (passed through once, never stored by Camshaft)"),
        SharedField("exp_month", "Card expiry month"),
        SharedField("exp_year", "Card expiry year"),
        SharedField("cvc", "Card security code (passed through once, never stored)"),
        SharedField("holder", "Cardholder's name"),
        SharedField("token", "The processor's token for the card or wallet"),
        SharedField("wallet", "Which wallet (PayPal, Amazon Pay, Visa Checkout)"),
        SharedField("return_url", "The store page the wallet returns the shopper to"),
        SharedField("amount", "Amount"),
        SharedField("currency", "Currency"),
        SharedField("authorization_id", "The processor's id of an authorization"),
        SharedField("capture_id", "The processor's id of a capture"),
        SharedField("total", "What an authorization holds after an order change"),
        SharedField("final_capture", "Whether a capture is the last from its authorization"),
        SharedField("idempotency_key", "A random key that stops a payment being made twice"),
    ),
)

MARKETPLACE_COUNTERPARTY = DataRecipient(
    code="marketplace_counterparty",
    kind="The other party of a marketplace sale",
    parties=(
        "The seller of a listing the member bought",
        "The buyer of a listing the member sold",
    ),
    purpose=(
        "M2: when a listing sells, buyer and seller each receive the other's details by mail, "
        "to settle the sale between them; nobody else receives them."
    ),
    fields=(
        SharedField("name", "Name (the buyer's: the one the order ships to)"),
        SharedField("phone", "Phone number"),
        SharedField("email", "Email address (the buyer's: the order's)"),
        SharedField("full_name", "Name on the address"),
        SharedField("line1", "Street address"),
        SharedField("line2", "Second line of the street address"),
        SharedField("city", "City"),
        SharedField("region", "State or region"),
        SharedField("postal_code", "Postal code"),
        SharedField("country", "Country"),
    ),
)

#: V10: every outside party that receives personal data, and which fields.
SHARING_REGISTER: tuple[DataRecipient, ...] = (CARRIER, PAYMENT_PROCESSOR, MARKETPLACE_COUNTERPARTY)


def shared_fields(recipient: DataRecipient, data: dict) -> dict:
    """`data` unchanged if the register lists each of its keys for
    `recipient`; otherwise NotInSharingRegister, and nothing leaves."""
    extra = set(data) - recipient.field_names
    if extra:
        raise NotInSharingRegister(
            f"The sharing register does not list {', '.join(sorted(extra))} for {recipient.kind}."
        )
    return data
