"""Payment use-cases: authorize, capture per shipment, void, refund, offline
receipts and saved cards (Y1–Y5).

Every money-moving service takes an `idempotency_key` that the caller derives
from the logical action (``f"authorize:{order_number}"``,
``f"capture:{shipment_id}"``, ``f"void:{order_number}"``). The key is unique
across all payment transactions: a retry, a double click or a repeated
callback finds the stored transaction and returns it instead of acting again
(Y4). Services lock the Payment row (`select_for_update`) so two workers
cannot both pass the "is there money left?" check.

A gateway refusal is stored first and raised afterwards (`PaymentDeclined`,
`PaymentRefused`), so the record survives when the caller lets the
exception end its request. Checks that need no gateway (capturing more than
is left, voiding a captured payment) raise `PaymentRefused` before anything
is stored."""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django_tasks import task

from camshaft.payments.gateways import (
    CardToken,
    GatewayResult,
    GatewayStatus,
    WebhookEvent,
    WebhookRefused,
    gateway_named,
    get_gateway,
)
from camshaft.payments.models import (
    OFFLINE_METHODS,
    WALLET_METHODS,
    Authorization,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    ProcessorEvent,
    SavedCard,
    TransactionKind,
)

logger = logging.getLogger(__name__)

DELAY_NOTICE = (
    "We start processing your order when your payment arrives, so paying by "
    "{method} delays shipping."
)
DEBIT_HOLD_NOTICE = (
    "We authorize your card now and charge it only when your parts ship. On a "
    "debit card the authorized amount is held by your bank and may look like a "
    "charge until we ship or cancel; a cancelled order's hold is released."
)


class PaymentError(Exception):
    """A payment could not do what was asked; `message` is for the shopper or clerk."""

    def __init__(self, message: str, *, payment: Payment | None = None):
        super().__init__(message)
        self.message = message
        self.payment = payment


class PaymentDeclined(PaymentError):
    """The gateway declined the authorization; `payment` is stored with status
    declined and `status` says why (declined or insufficient funds)."""

    def __init__(self, message: str, *, payment: Payment, status: str):
        super().__init__(message, payment=payment)
        self.status = status


class PaymentRefused(PaymentError):
    """The operation is not possible in the payment's state (capturing more
    than is left, capturing a voided payment, voiding a captured one…)."""


class PaymentActionRequired(PaymentError):
    """The shopper's bank wants them to confirm (3-D Secure). Nothing is
    stored or held yet: send them to `redirect_url`; when they come back,
    authorize again with `reference` (the processor's pending payment) as
    the card token."""

    def __init__(self, message: str, *, redirect_url: str, reference: str):
        super().__init__(message)
        self.redirect_url = redirect_url
        self.reference = reference


class IdempotencyKeyReused(PaymentError):
    """The key was already used for a different operation or payment."""


# ---------------------------------------------------------------- authorize


def authorize_card_payment(
    *, amount: Decimal, currency: str, card: CardToken, idempotency_key: str
) -> Payment:
    """Hold `amount` on a tokenized card (Y2); raise `PaymentDeclined` if refused."""
    payment = _authorize(
        method=PaymentMethod.CARD,
        amount=amount,
        currency=currency,
        token=card.token,
        idempotency_key=idempotency_key,
        card=card,
    )
    _raise_if_declined(payment)
    return payment


def authorize_wallet_payment(
    *, wallet: str, amount: Decimal, currency: str, wallet_token: str, idempotency_key: str
) -> Payment:
    """Authorize a PayPal, Amazon Pay or Visa Checkout payment with the token
    the wallet handed back (see `PaymentGateway.start_wallet`)."""
    if wallet not in WALLET_METHODS:
        raise ValueError(f"{wallet!r} is not a wallet")
    payment = _authorize(
        method=PaymentMethod(wallet),
        amount=amount,
        currency=currency,
        token=wallet_token,
        idempotency_key=idempotency_key,
        card=None,
    )
    _raise_if_declined(payment)
    return payment


@transaction.atomic
def _authorize(
    *,
    method: PaymentMethod,
    amount: Decimal,
    currency: str,
    token: str,
    idempotency_key: str,
    card: CardToken | None,
) -> Payment:
    _check_amount(amount, currency)
    if replay := _replayed(idempotency_key, kind=TransactionKind.AUTHORIZE, amount=amount):
        return replay.payment
    gateway = get_gateway(wallet=method)
    result = gateway.authorize(
        token=token, amount=amount, currency=currency, idempotency_key=idempotency_key
    )
    if result.status == GatewayStatus.ACTION_REQUIRED:
        raise PaymentActionRequired(
            "Your bank asks you to confirm this payment.",
            redirect_url=result.redirect_url,
            reference=result.reference,
        )
    approved = result.approved
    try:
        with transaction.atomic():  # a concurrent twin may have stored the same key first
            payment = Payment.objects.create(
                method=method,
                amount=amount,
                currency=currency,
                status=PaymentStatus.AUTHORIZED if approved else PaymentStatus.DECLINED,
                gateway=gateway.name,
                authorization_reference=result.reference if approved else "",
                card_brand=card.brand if card else "",
                card_last4=card.last4 if card else "",
                saved_card=_saved_card(card),
                failure_message="" if approved else _shopper_message(result),
            )
            hold = None
            if approved:
                hold = Authorization.objects.create(
                    payment=payment, reference=result.reference, amount=amount
                )
            _record(payment, TransactionKind.AUTHORIZE, amount, result, idempotency_key, hold=hold)
    except IntegrityError:
        replay = _replayed(idempotency_key, kind=TransactionKind.AUTHORIZE, amount=amount)
        if replay is None:
            raise
        return replay.payment
    logger.info(
        "payment %s: %s authorization %s for %s %s",
        payment.pk,
        payment.get_method_display(),
        result.status,
        amount,
        currency,
    )
    return payment


def _saved_card(card: CardToken | None) -> SavedCard | None:
    """The member's saved card this token is, if it is one (K2)."""
    if card is None:
        return None
    return SavedCard.objects.filter(gateway_token=card.token).first()


def _raise_if_declined(payment: Payment) -> None:
    if payment.status == PaymentStatus.DECLINED:
        authorization = payment.transactions.get(kind=TransactionKind.AUTHORIZE)
        raise PaymentDeclined(payment.failure_message, payment=payment, status=authorization.status)


# ------------------------------------------------------------------ offline


@transaction.atomic
def start_offline_payment(*, method: str, amount: Decimal, currency: str) -> Payment:
    """A check, money order or wire transfer: the order waits for the money (Y1).
    Show the shopper `offline_delay_notice(payment)`."""
    if method not in OFFLINE_METHODS:
        raise ValueError(f"{method!r} is not an offline payment method")
    _check_amount(amount, currency)
    return Payment.objects.create(
        method=method, amount=amount, currency=currency, status=PaymentStatus.AWAITING_PAYMENT
    )


def offline_delay_notice(payment: Payment) -> str:
    return DELAY_NOTICE.format(method=payment.get_method_display().lower())


@transaction.atomic
def record_offline_receipt(
    *, payment: Payment, amount: Decimal, received_by, reference: str, idempotency_key: str
) -> PaymentTransaction:
    """Staff record money that arrived (`reference`: check or wire number).

    When everything owed has arrived the payment becomes authorized: the
    money is secured and the order may be processed; shipments then capture
    it like a card's, without a gateway. Partial receipts keep it awaiting."""
    payment = _locked(payment)
    _check_amount(amount, payment.currency)
    if replay := _replayed(
        idempotency_key, kind=TransactionKind.OFFLINE_RECEIPT, amount=amount, payment=payment
    ):
        return replay
    if not payment.is_offline:
        raise PaymentRefused("Only check, money order and wire payments are recorded by hand.")
    if payment.status != PaymentStatus.AWAITING_PAYMENT:
        raise PaymentRefused(f"This payment is {payment.get_status_display().lower()}.")
    if not 0 < amount <= payment.amount - payment.amount_received:
        raise PaymentRefused(
            f"{payment.amount - payment.amount_received} is still owed; "
            f"cannot record {amount}. Refund any overpayment separately."
        )
    payment.amount_received += amount
    if payment.amount_received == payment.amount:
        payment.status = PaymentStatus.AUTHORIZED
    payment.save(update_fields=["amount_received", "status", "updated_at"])
    result = GatewayResult(GatewayStatus.APPROVED, reference=reference[:100])
    receipt = _record(
        payment, TransactionKind.OFFLINE_RECEIPT, amount, result, idempotency_key, by=received_by
    )
    logger.info("payment %s: %s %s received", payment.pk, amount, payment.currency)
    return receipt


# ---------------------------------------------------- capture, void, refund


def capture_payment(
    *, payment: Payment, amount: Decimal, idempotency_key: str, by=None
) -> PaymentTransaction:
    """Charge `amount` of the authorization when a shipment leaves (Y2, S4).

    Capture once per shipment with ``idempotency_key=f"capture:{shipment_id}"``;
    a repeat returns the first transaction. Raises `PaymentRefused` for more
    than is left, or when the payment is not (or no longer) authorized."""
    return _raise_unless_approved(
        _capture(payment=payment, amount=amount, idempotency_key=idempotency_key, by=by)
    )


@transaction.atomic
def _capture(*, payment, amount, idempotency_key, by) -> PaymentTransaction:
    payment = _locked(payment)
    _check_amount(amount, payment.currency)
    if replay := _replayed_capture(idempotency_key, amount=amount, payment=payment):
        return replay
    if payment.status not in {PaymentStatus.AUTHORIZED, PaymentStatus.PARTLY_CAPTURED}:
        raise PaymentRefused(
            f"A payment that is {payment.get_status_display().lower()} cannot be captured.",
            payment=payment,
        )
    if not 0 < amount <= payment.amount_capturable:
        raise PaymentRefused(
            f"Cannot capture {amount} {payment.currency}: "
            f"{payment.amount_capturable} is left of the authorization.",
            payment=payment,
        )
    if payment.is_offline:  # the money is already in hand
        result = GatewayResult(GatewayStatus.APPROVED)
        txn = _record(payment, TransactionKind.CAPTURE, amount, result, idempotency_key, by=by)
        _captured(payment, amount)
        return txn
    shares = list(_capture_shares(_holds(payment), amount))
    if not shares:
        raise PaymentRefused("This payment has no authorization to capture.", payment=payment)
    gateway = gateway_named(payment.gateway)
    for n, (hold, share) in enumerate(shares):
        key = _part_key(idempotency_key, n)
        result = gateway.capture(
            authorization_id=hold.reference,
            amount=share,
            currency=payment.currency,
            final_capture=share == hold.amount_capturable,
            idempotency_key=key,
        )
        logger.info("payment %s: capture of %s %s", payment.pk, share, result.status)
        txn = _record(payment, TransactionKind.CAPTURE, share, result, key, by=by, hold=hold)
        if not result.approved:
            break  # what the holds before gave is recorded; the caller sees the refusal
        hold.amount_captured += share
        hold.save(update_fields=["amount_captured"])
        _captured(payment, share)
    return txn


def _capture_shares(holds: list[Authorization], amount: Decimal):
    """(authorization, share) pairs taking `amount` from the holds oldest first."""
    left = amount
    for hold in holds:
        share = min(left, hold.amount_capturable)
        if share > 0:
            yield hold, share
            left -= share
        if left == 0:
            return


def _captured(payment: Payment, amount: Decimal) -> None:
    payment.amount_captured += amount
    payment.status = (
        PaymentStatus.CAPTURED
        if payment.amount_captured == payment.amount
        else PaymentStatus.PARTLY_CAPTURED
    )
    payment.save(update_fields=["amount_captured", "status", "updated_at"])


def _part_key(idempotency_key: str, n: int) -> str:
    """The key of the n-th gateway call one service call makes (one per hold)."""
    return idempotency_key if n == 0 else f"{idempotency_key}:{n}"


def _replayed_capture(idempotency_key: str, *, amount: Decimal, payment: Payment):
    """A repeated capture: its transactions, one per hold it took from, sum
    to `amount`; the last one says how it ended."""
    first = _replayed(idempotency_key, kind=TransactionKind.CAPTURE, payment=payment)
    if first is None:
        return None
    keys = [_part_key(idempotency_key, n) for n in range(1, payment.authorizations.count())]
    parts = [first, *PaymentTransaction.objects.filter(payment=payment, idempotency_key__in=keys)]
    if sum(part.amount for part in parts) != amount and parts[-1].approved:
        raise IdempotencyKeyReused(
            f"The key {idempotency_key!r} was already used for another payment operation."
        )
    return parts[-1]


def void_payment(*, payment: Payment, idempotency_key: str, by=None) -> PaymentTransaction:
    """Release the authorization of a cancelled order (Y2, O3).

    Refused once anything was captured (refund instead) or, for an offline
    payment, once money was received."""
    return _raise_unless_approved(_void(payment=payment, idempotency_key=idempotency_key, by=by))


@transaction.atomic
def _void(*, payment, idempotency_key, by) -> PaymentTransaction:
    payment = _locked(payment)
    if replay := _replayed(idempotency_key, kind=TransactionKind.VOID, payment=payment):
        return replay
    voidable = {PaymentStatus.AUTHORIZED}
    if payment.is_offline:
        voidable = {PaymentStatus.AWAITING_PAYMENT}
        if payment.amount_received:
            raise PaymentRefused(
                "Money was received for this payment; refund it instead.", payment=payment
            )
    if payment.status not in voidable:
        raise PaymentRefused(
            f"A payment that is {payment.get_status_display().lower()} cannot be voided"
            + ("; refund it instead." if payment.amount_captured else "."),
            payment=payment,
        )
    if payment.is_offline:
        result = GatewayResult(GatewayStatus.APPROVED)
        txn = _record(payment, TransactionKind.VOID, Decimal(0), result, idempotency_key, by=by)
    else:
        txn = _void_holds(
            payment, [h for h in _holds(payment) if not h.voided], idempotency_key, by
        )
    if txn.approved:
        payment.status = PaymentStatus.VOIDED
        payment.save(update_fields=["status", "updated_at"])
    logger.info("payment %s: void %s", payment.pk, txn.status)
    return txn


def _void_holds(payment, holds, idempotency_key, by, *, first_part=0) -> PaymentTransaction:
    """Release each of `holds` at the gateway, one call and transaction
    each; stops at the first refusal and returns the last transaction."""
    gateway = gateway_named(payment.gateway)
    for n, hold in enumerate(holds, start=first_part):
        key = _part_key(idempotency_key, n)
        result = gateway.void(authorization_id=hold.reference, idempotency_key=key)
        txn = _record(payment, TransactionKind.VOID, hold.amount, result, key, by=by, hold=hold)
        if not result.approved:
            break
        hold.voided = True
        hold.save(update_fields=["voided"])
    return txn


def change_payment_amount(
    *, payment: Payment, amount: Decimal, idempotency_key: str, by=None
) -> PaymentTransaction | None:
    """An order changed before the rest of it shipped (O2): the payment
    covers `amount` from now on instead of `payment.amount`.

    A card or wallet authorization is raised by the difference (the
    gateway may decline: `PaymentRefused`, nothing changes) or partly
    released. Once a shipment captured part of it, `amount` never falls
    below what was captured; the further amount goes on a hold nothing was
    captured from, else the gateway may hold it separately on the saved
    card; a release lowers a hold that was captured from in our books only,
    since its final capture releases the rest at the processor. An offline
    payment owes the new amount: once all of it is in hand it is
    authorized, while more is owed it awaits payment again (refused once
    part was captured: the goods that left were paid for), and money
    received beyond it is recorded as a refund due back to the payer.
    Returns the transaction, or None when no money moved."""
    txn = _change_amount(payment=payment, amount=amount, idempotency_key=idempotency_key, by=by)
    return None if txn is None else _raise_unless_approved(txn)


def payment_change_due(payment: Payment, amount: Decimal) -> Decimal:
    """What changing `payment` to cover `amount` moves: for a card or wallet
    the further authorization (positive) or the release (negative); for an
    offline payment what is still owed (positive) or due back (negative)."""
    if payment.is_offline:
        return amount - (payment.amount_received - payment.amount_refunded)
    return amount - payment.amount


_CHANGE_KINDS = frozenset({TransactionKind.AUTHORIZE, TransactionKind.VOID, TransactionKind.REFUND})


@transaction.atomic
def _change_amount(*, payment, amount, idempotency_key, by) -> PaymentTransaction | None:
    payment = _locked(payment)
    _check_amount(amount, payment.currency)
    # A repeat finds the first call's transaction, whatever the amount is now.
    if replay := PaymentTransaction.objects.filter(idempotency_key=idempotency_key).first():
        if replay.payment_id != payment.pk or replay.kind not in _CHANGE_KINDS:
            raise IdempotencyKeyReused(
                f"The key {idempotency_key!r} was already used for another payment operation."
            )
        return replay
    if amount < payment.amount_captured:
        raise PaymentRefused(
            f"{payment.amount_captured} {payment.currency} was already captured; "
            f"the payment cannot cover less ({amount}).",
            payment=payment,
        )
    if payment.is_offline:
        return _change_offline(payment, amount, idempotency_key, by)
    difference = amount - payment.amount
    if difference == 0:
        return None
    if payment.status not in {PaymentStatus.AUTHORIZED, PaymentStatus.PARTLY_CAPTURED}:
        raise PaymentRefused(
            f"A payment that is {payment.get_status_display().lower()} cannot change amount.",
            payment=payment,
        )
    holds = [hold for hold in _holds(payment) if not hold.voided]
    if difference > 0:
        # A hold nothing was captured from can grow; else the newest, for a
        # gateway that holds the difference separately on the saved card.
        fresh = [hold for hold in holds if not hold.amount_captured]
        target = fresh[0] if len(fresh) == len(holds) else (fresh or holds)[-1]
        txn = _increase(payment, target, difference, idempotency_key, by)
    else:
        txn = _reduce(payment, holds, -difference, idempotency_key, by)
    if txn.approved:
        payment.amount = amount
        payment.save(update_fields=["amount", "updated_at"])
    logger.info("payment %s: amount changed by %s: %s", payment.pk, difference, txn.status)
    return txn


def _increase(payment, hold: Authorization, more: Decimal, idempotency_key, by):
    """Raise the checkout's authorization by `more`; a gateway that cannot
    may hold it separately on the saved card the member let us charge."""
    card = payment.saved_card
    result = gateway_named(payment.gateway).increase_authorization(
        authorization_id=hold.reference,
        amount=more,
        total=hold.amount + more,
        currency=payment.currency,
        token=card.gateway_token if card is not None and card.off_session_allowed else "",
        idempotency_key=idempotency_key,
    )
    if result.approved and result.separate_authorization:
        hold = Authorization.objects.create(
            payment=payment, reference=result.reference, amount=more
        )
    elif result.approved:
        hold.amount += more
        hold.save(update_fields=["amount"])
    return _record(
        payment, TransactionKind.AUTHORIZE, more, result, idempotency_key, by=by, hold=hold
    )


def _reduce(payment, holds: list[Authorization], less: Decimal, idempotency_key, by):
    """Release `less`, newest hold first: a separate hold released whole is
    voided; what is left of one is lowered (most processors release it with
    the final capture)."""
    gateway = gateway_named(payment.gateway)
    txn = None
    for n, hold in enumerate(reversed(holds)):
        if hold.amount_captured:
            # Captured from already: the processor releases what is left of
            # it with its final capture, which now takes less.
            share = min(less, hold.amount_capturable)
            if share <= 0:
                continue
            result = GatewayResult(
                GatewayStatus.APPROVED,
                reference=hold.reference,
                message="Released with the final capture.",
            )
            key = _part_key(idempotency_key, n)
            txn = _record(payment, TransactionKind.VOID, share, result, key, by=by, hold=hold)
            hold.amount -= share
            hold.save(update_fields=["amount"])
            less -= share
        elif less >= hold.amount and hold is not holds[0]:
            txn = _void_holds(payment, [hold], idempotency_key, by, first_part=n)
            less -= hold.amount
        else:
            key = _part_key(idempotency_key, n)
            result = gateway.reduce_authorization(
                authorization_id=hold.reference,
                amount=less,
                currency=payment.currency,
                idempotency_key=key,
            )
            txn = _record(payment, TransactionKind.VOID, less, result, key, by=by, hold=hold)
            if result.approved:
                hold.amount -= less
                hold.save(update_fields=["amount"])
            less = Decimal(0)
        if not txn.approved or less == 0:
            return txn
    return txn


def _change_offline(payment, amount, idempotency_key, by) -> PaymentTransaction | None:
    in_hand = payment.amount_received - payment.amount_refunded
    partly_captured = payment.status == PaymentStatus.PARTLY_CAPTURED and in_hand >= amount
    if payment.status not in {PaymentStatus.AWAITING_PAYMENT, PaymentStatus.AUTHORIZED} and not (
        partly_captured
    ):
        raise PaymentRefused(
            f"A payment that is {payment.get_status_display().lower()} cannot change amount"
            + (" beyond the money received." if payment.amount_captured else "."),
            payment=payment,
        )
    surplus = in_hand - amount
    txn = None
    if surplus > 0:
        # Money held drops by what goes back, so refunds stay within the amount.
        payment.amount_received -= surplus
        result = GatewayResult(GatewayStatus.APPROVED, message="Due back to the payer")
        txn = _record(payment, TransactionKind.REFUND, surplus, result, idempotency_key, by=by)
    payment.amount = amount
    paid = payment.amount_received - payment.amount_refunded >= amount
    payment.status = PaymentStatus.AUTHORIZED if paid else PaymentStatus.AWAITING_PAYMENT
    if partly_captured:
        payment.status = (
            PaymentStatus.CAPTURED
            if payment.amount_captured == amount
            else PaymentStatus.PARTLY_CAPTURED
        )
    payment.save(update_fields=["amount", "amount_received", "status", "updated_at"])
    logger.info("payment %s: offline amount now %s %s", payment.pk, amount, payment.currency)
    return txn


def refund_payment(
    *, payment: Payment, amount: Decimal, idempotency_key: str, by=None
) -> PaymentTransaction:
    """Give back `amount` of what was captured (or, offline, received).

    Card refunds are taken from the captures newest first, so a refund can
    span several shipments' captures (one gateway call each, keys
    ``f"{idempotency_key}:{n}"``)."""
    return _raise_unless_approved(
        _refund(payment=payment, amount=amount, idempotency_key=idempotency_key, by=by)
    )


@transaction.atomic
def _refund(*, payment, amount, idempotency_key, by) -> PaymentTransaction:
    payment = _locked(payment)
    _check_amount(amount, payment.currency)
    if replay := _replayed(
        idempotency_key, kind=TransactionKind.REFUND, amount=amount, payment=payment
    ):
        return replay
    if not 0 < amount <= payment.amount_refundable:
        raise PaymentRefused(
            f"Cannot refund {amount} {payment.currency}: "
            f"{payment.amount_refundable} is refundable.",
            payment=payment,
        )
    result = GatewayResult(GatewayStatus.APPROVED)
    if not payment.is_offline:
        result = _refund_captures(payment, amount, idempotency_key)
    if result.approved:
        payment.amount_refunded += amount
        everything_paid_back = payment.amount_refundable == 0
        if everything_paid_back and (payment.is_offline or payment.amount_capturable == 0):
            payment.status = PaymentStatus.REFUNDED
        payment.save(update_fields=["amount_refunded", "status", "updated_at"])
    logger.info("payment %s: refund of %s %s", payment.pk, amount, result.status)
    return _record(payment, TransactionKind.REFUND, amount, result, idempotency_key, by=by)


def _refund_captures(payment: Payment, amount: Decimal, idempotency_key: str) -> GatewayResult:
    """Refund `amount` at the gateway, capture by capture, oldest first.

    Refunds always fill the captures in that order, so what each capture has
    already given back follows from `payment.amount_refunded`."""
    gateway = gateway_named(payment.gateway)
    already, left = payment.amount_refunded, amount
    result = GatewayResult(GatewayStatus.APPROVED)
    references: list[str] = []
    captures = payment.transactions.filter(
        kind=TransactionKind.CAPTURE, status=GatewayStatus.APPROVED
    ).order_by("created_at", "id")
    for n, capture in enumerate(captures):
        used = min(already, capture.amount)
        already -= used
        share = min(left, capture.amount - used)
        if share <= 0:
            continue
        result = gateway.refund(
            capture_id=capture.gateway_reference,
            amount=share,
            currency=payment.currency,
            idempotency_key=f"{idempotency_key}:{n}",
        )
        if not result.approved:
            return result
        references.append(result.reference)
        left -= share
        if left == 0:
            break
    # Every refund's id, so the processor's notice of each is known as ours.
    return GatewayResult(result.status, " ".join(references)[:100], result.message)


# ------------------------------------------------------------- webhooks

#: Sent (payment=, event=) when a processor's notice changed a payment, so
#: the order that holds it can record the change and tell staff; payments
#: knows nothing of orders.
changed_at_processor = Signal()


def receive_webhook(*, gateway: str, body: bytes, headers: dict[str, str]) -> ProcessorEvent:
    """Check a notice with the gateway named in its URL, then apply it;
    `WebhookRefused` for a bad signature or a gateway this store does not use."""
    processor = gateway_named(gateway)
    if processor.name != gateway:
        raise WebhookRefused(f"no {gateway} gateway is configured")
    return apply_processor_event(
        gateway=gateway, event=processor.parse_webhook(body=body, headers=headers)
    )


@transaction.atomic
def apply_processor_event(*, gateway: str, event: WebhookEvent) -> ProcessorEvent:
    """Apply a processor's notice once, by its id: a replay returns the
    stored event and changes nothing (Y4). Out of order is harmless too: a
    refund is a running total (Stripe) or one refund applied once by its id
    (PayPal), and a dispute notice older than one already applied is only
    recorded. A dispute or a refund made in the processor's dashboard
    updates the payment and, through `changed_at_processor`, its order."""
    try:
        with transaction.atomic():
            stored = ProcessorEvent.objects.create(
                gateway=gateway,
                event_id=event.event_id,
                kind=event.kind,
                description=event.description[:300],
                occurred_at=event.occurred_at,
            )
    except IntegrityError:
        return ProcessorEvent.objects.get(gateway=gateway, event_id=event.event_id)
    payment = _payment_named_by(gateway, event)
    if payment is None or event.kind not in WebhookEvent.KINDS:
        return stored
    stored.payment = payment
    stored.save(update_fields=["payment"])
    if _apply(payment, event, stored):
        logger.info("payment %s: %s at %s (%s)", payment.pk, event.kind, gateway, event.event_id)
        changed_at_processor.send(sender=Payment, payment=payment, event=stored)
    return stored


def _payment_named_by(gateway: str, event: WebhookEvent) -> Payment | None:
    """The payment a notice concerns, locked: by its authorization, or by
    one of its captures when that is all the processor names."""
    payments = Payment.objects.select_for_update().filter(gateway=gateway)
    if event.authorization_id:
        return payments.filter(
            Q(authorization_reference=event.authorization_id)
            | Q(
                pk__in=Authorization.objects.filter(reference=event.authorization_id).values(
                    "payment_id"
                )
            )
        ).first()
    if event.capture_id:
        return payments.filter(
            transactions__kind=TransactionKind.CAPTURE,
            transactions__gateway_reference=event.capture_id,
        ).first()
    return None


def _apply(payment: Payment, event: WebhookEvent, stored: ProcessorEvent) -> bool:
    """Change `payment` as the processor says; False when it already agrees."""
    if event.kind == "refunded":
        more = _refunded_at_processor(payment, event)
        if more <= 0:
            return False
        payment.amount_refunded += more
        if payment.amount_refundable == 0 and payment.amount_capturable == 0:
            payment.status = PaymentStatus.REFUNDED
        result = GatewayResult(GatewayStatus.APPROVED, event.refund_id, event.description)
        _record(payment, TransactionKind.REFUND, more, result, f"event:{stored.pk}")
    elif event.kind in {"disputed", "dispute_closed"}:
        disputed = event.kind == "disputed"
        if payment.disputed == disputed or _newer_dispute_news(payment, stored):
            return False
        payment.disputed = disputed
    elif event.kind == "voided":
        # Only the checkout's own authorization voids the whole payment.
        first = event.authorization_id in {"", payment.authorization_reference}
        if payment.status != PaymentStatus.AUTHORIZED or not first:
            return False
        payment.status = PaymentStatus.VOIDED
    payment.save()
    return True


def _refunded_at_processor(payment: Payment, event: WebhookEvent) -> Decimal:
    """How much more than Camshaft knows the processor says was refunded."""
    if event.refunded_total is not None:  # a running total: the newest wins
        return min(event.refunded_total, payment.amount_captured) - payment.amount_refunded
    if not event.refund_id or event.refund_amount is None:
        return Decimal(0)
    # One refund: ours (its id is on our refund transaction) or already applied.
    for reference in payment.transactions.filter(kind=TransactionKind.REFUND).values_list(
        "gateway_reference", flat=True
    ):
        if event.refund_id in reference.split():
            return Decimal(0)
    return min(event.refund_amount, payment.amount_refundable)


def _newer_dispute_news(payment: Payment, stored: ProcessorEvent) -> bool:
    """A dispute notice made after this one was already applied."""
    if stored.occurred_at is None:
        return False
    return (
        ProcessorEvent.objects.filter(
            payment=payment,
            kind__in=["disputed", "dispute_closed"],
            occurred_at__gt=stored.occurred_at,
        )
        .exclude(pk=stored.pk)
        .exists()
    )


# -------------------------------------------------------------- saved cards


@transaction.atomic
def save_card(
    *, user, card: CardToken, off_session_allowed: bool = False, payment: Payment | None = None
) -> SavedCard:
    """Keep a card's token for the member's next checkout (K2, Y3).

    `off_session_allowed`: the member lets the store charge it while they
    are away for the difference when they ask to add to an order (O2);
    `payment`, the order's payment this card just made, is then linked."""
    saved, created = SavedCard.objects.get_or_create(
        user=user,
        gateway_token=card.token,
        defaults={
            "brand": card.brand,
            "last4": card.last4,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
            "off_session_allowed": off_session_allowed,
        },
    )
    if not created and off_session_allowed and not saved.off_session_allowed:
        saved.off_session_allowed = True
        saved.save(update_fields=["off_session_allowed"])
    if payment is not None:
        Payment.objects.filter(pk=payment.pk, method=PaymentMethod.CARD).update(saved_card=saved)
    return saved


@transaction.atomic
def delete_saved_card(*, user, card_id: int) -> None:
    """Forget one of the member's cards; another member's card id raises
    `SavedCard.DoesNotExist`, exactly as an unknown id does (a 404)."""
    SavedCard.objects.select_for_update().get(pk=card_id, user=user).delete()


def forget_card_at_processor_later(*, sender, instance: SavedCard, **_) -> None:
    """A saved card is gone (its member removed it, A3, or the member was
    erased, V4: a post_delete receiver covers both): once that commits, the
    processor is asked to forget it too, in the background."""
    token = instance.gateway_token
    transaction.on_commit(lambda: _enqueue_forget(token))


def _enqueue_forget(token: str) -> None:
    try:
        forget_card_at_processor.enqueue(token)
    except Exception:  # the card is gone here; the processor keeps a token of no use to anyone
        logger.exception("could not ask the payment processor to forget a removed card")


@task()
def forget_card_at_processor(token: str) -> None:
    """The background task behind `forget_card_at_processor_later`."""
    get_gateway().forget_card(token=token)


def saved_card_token(card: SavedCard) -> CardToken:
    return CardToken(
        token=card.gateway_token,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
    )


# ------------------------------------------------------------------ helpers


def _check_amount(amount: Decimal, currency: str) -> None:
    if not isinstance(amount, Decimal):
        raise TypeError("amounts are Decimals, never floats")
    if amount <= 0:
        raise ValueError("the amount must be more than zero")
    if len(currency) != 3 or not currency.isupper():
        raise ValueError(f"{currency!r} is not an ISO currency code")


def _locked(payment: Payment) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment.pk)


def _holds(payment: Payment) -> list[Authorization]:
    """A card or wallet payment's authorizations, oldest first. A payment
    authorized before they were kept apart gets its one row here."""
    holds = list(payment.authorizations.order_by("id"))
    if not holds and payment.authorization_reference:
        holds = [
            Authorization.objects.create(
                payment=payment,
                reference=payment.authorization_reference,
                amount=payment.amount,
                amount_captured=payment.amount_captured,
                voided=payment.status == PaymentStatus.VOIDED,
            )
        ]
    return holds


def _replayed(
    idempotency_key: str, *, kind: str, amount: Decimal | None = None, payment=None
) -> PaymentTransaction | None:
    """The stored transaction for this key, if the same call already ran."""
    existing = (
        PaymentTransaction.objects.select_related("payment")
        .filter(idempotency_key=idempotency_key)
        .first()
    )
    if existing is None:
        return None
    if (
        existing.kind != kind
        or (payment is not None and existing.payment_id != payment.pk)
        or (amount is not None and existing.amount != amount)
    ):
        raise IdempotencyKeyReused(
            f"The key {idempotency_key!r} was already used for another payment operation."
        )
    return existing


def _record(payment, kind, amount, result: GatewayResult, idempotency_key, *, by=None, hold=None):
    return PaymentTransaction.objects.create(
        payment=payment,
        authorization=hold,
        kind=kind,
        amount=amount,
        currency=payment.currency,
        status=result.status,
        gateway_reference=result.reference,
        message=result.message[:300],
        idempotency_key=idempotency_key,
        created_by=by,
    )


def _shopper_message(result: GatewayResult) -> str:
    if result.status == GatewayStatus.INSUFFICIENT_FUNDS:
        return "Your card was declined for insufficient funds. Please use another card."
    return result.message or "Your payment was declined. Please use another payment method."


def _raise_unless_approved(txn: PaymentTransaction) -> PaymentTransaction:
    if not txn.approved:
        raise PaymentRefused(txn.message or "The payment processor refused.", payment=txn.payment)
    return txn
