"""JSON API for returns and core returns (R1-R4): what an order may send
back, filing a return or a core return, and following them. Members send
their token; guests the order's billing email in the body, as for
cancelling. Another person's order is a 404, like one that does not exist."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from ninja import Field, Header, Router, Schema
from pydantic import StrictBool

from camshaft.accounts.api_auth import Shopper
from camshaft.core.api_schemas import (
    NO_NUL,
    InputSchema,
    RecordIdIn,
    Text,
    WholeNumber,
    answering,
    refused_on_meaning,
    responses,
)
from camshaft.orders import selectors as order_selectors
from camshaft.orders.models import Order
from camshaft.returns import rules, selectors, services
from camshaft.returns.models import CoreReturn, Reason, ReturnRequest

router = Router(tags=["returns"])

NOT_FOUND = {"detail": "We found no such order."}
#: Refusals by a rule or a state: the request was well formed (409).
CONFLICTS = {"refused", "not_delivered", "wrong_state", "too_many", "offline"}
MAX_LINES = 100

OrderNumber = Text(20, min_length=1)
IdempotencyKey = Header(
    ...,
    alias="Idempotency-Key",
    min_length=1,
    max_length=services.MAX_KEY,
    pattern=NO_NUL,
    description="Unique per return. Repeating the request with the same key returns the "
    "same return (200) instead of filing another.",
)


class GuestIn(InputSchema):
    email: Text(254) = Field(
        "", description="Guests: the billing email, as proof the order is theirs"
    )


class ConditionIn(InputSchema):
    unused: StrictBool = False
    original_packaging: StrictBool = False
    complete: StrictBool = Field(False, description="All components are in the box")
    sealed: StrictBool = Field(
        False, description="Still sealed: needed for electrical parts, manuals"
    )


class WantedLineIn(InputSchema):
    line_id: RecordIdIn
    quantity: WholeNumber(ge=1, le=10_000)


class ReturnIn(GuestIn):
    reason: Literal[tuple(Reason.values)] = Field(..., description="Why the parts come back")
    condition: ConditionIn = Field(default_factory=ConditionIn)
    lines: list[WantedLineIn] = Field(..., min_length=1, max_length=MAX_LINES)
    note: Text(services.MAX_NOTE) = ""


class CoreReturnIn(GuestIn):
    line_id: RecordIdIn
    quantity: WholeNumber(ge=1, le=10_000) = 1


class ReturnableLineOut(Schema):
    line_id: int
    sku: str
    name: str
    quantity: int
    returnable: int = Field(description="Units that may still come back")
    refusal: str = Field(description="The R1 rule that refuses the line, if one does")
    condition_needed: str = Field(description="The condition the parts must come back in")


class CoreLineOut(Schema):
    line_id: int
    sku: str
    name: str
    deposit_per_unit: Decimal
    deposits_left: int
    refusal: str
    last_day: date | None


class ReturnLineOut(Schema):
    sku: str
    name: str
    quantity: int
    received: int
    refund_amount: Decimal


class ReturnEventOut(Schema):
    at: datetime
    status: str
    action: str


class ReturnOut(Schema):
    number: str = Field(description="Also the RMA number once authorized")
    order: str
    status: str
    reason: str
    requested_at: datetime
    ship_to: list[str] = Field(description="Where to send the parts once authorized")
    prepaid_label: bool
    reject_reason: str
    refund_due: date | None
    refund_total: Decimal
    currency: str
    lines: list[ReturnLineOut]
    history: list[ReturnEventOut]


class CoreReturnOut(Schema):
    number: str
    order: str
    sku: str
    quantity: int
    status: str
    deposit: Decimal
    currency: str
    requested_at: datetime
    refuse_reason: str


class ReturnsOut(Schema):
    order: str
    reasons: dict[str, str]
    lines: list[ReturnableLineOut]
    cores: list[CoreLineOut]
    returns: list[ReturnOut]
    core_returns: list[CoreReturnOut]


def _order(request: HttpRequest, number: str, email: str) -> Order | None:
    number = number[:20]
    if request.auth.is_authenticated:
        try:
            return order_selectors.order_for_member(user=request.auth, number=number)
        except Order.DoesNotExist:
            pass
    if email:
        try:
            return order_selectors.order_for_guest(number=number, email=email)
        except Order.DoesNotExist:
            return None
    return None


def _problem(problem: services.ReturnProblem):
    status = 409 if problem.code in CONFLICTS else 422
    if status == 409:
        return 409, {"detail": " ".join(problem.messages)}
    return 422, {
        "detail": "The request is not valid.",
        "errors": [{"field": None, "message": message} for message in problem.messages],
    }


def return_out(request: ReturnRequest) -> dict:
    context = selectors.mail_context(request)
    return {
        "number": request.number,
        "order": request.order.number,
        "status": request.status,
        "reason": request.reason,
        "requested_at": request.requested_at,
        "ship_to": context["ship_to"] if request.authorized_at else [],
        "prepaid_label": bool(request.label_carrier),
        "reject_reason": request.reject_reason,
        "refund_due": request.refund_due,
        "refund_total": request.refund_total,
        "currency": request.order.currency,
        "lines": [
            {
                "sku": line.order_line.sku,
                "name": line.order_line.name,
                "quantity": line.quantity,
                "received": line.received,
                "refund_amount": line.refund_amount,
            }
            for line in request.lines.all()
        ],
        "history": [
            {"at": event.at, "status": event.to_status, "action": event.action}
            for event in request.events.all()
        ],
    }


def core_out(core: CoreReturn) -> dict:
    order = core.order_line.order
    return {
        "number": core.number,
        "order": order.number,
        "sku": core.order_line.sku,
        "quantity": core.quantity,
        "status": core.status,
        "deposit": core.deposit,
        "currency": order.currency,
        "requested_at": core.requested_at,
        "refuse_reason": core.refuse_reason,
    }


def overview(order: Order) -> dict:
    return {
        "order": order.number,
        "reasons": dict(Reason.choices),
        "lines": [
            {
                "line_id": row.line.pk,
                "sku": row.line.sku,
                "name": row.line.name,
                "quantity": row.line.quantity,
                "returnable": row.decision.returnable,
                "refusal": "" if row.decision.allowed else row.decision.reason,
                "condition_needed": row.condition_needed,
            }
            for row in selectors.returnable_lines(order)
        ],
        "cores": [
            {
                "line_id": row["line"].pk,
                "sku": row["line"].sku,
                "name": row["line"].name,
                "deposit_per_unit": row["line"].unit_core_charge,
                "deposits_left": row["decision"].returnable,
                "refusal": "" if row["decision"].allowed else row["decision"].reason,
                "last_day": row["last_day"],
            }
            for row in selectors.core_lines(order)
        ],
        "returns": [return_out(r) for r in selectors.returns_of(order)],
        "core_returns": [core_out(c) for c in selectors.core_returns_of(order)],
    }


@router.post(
    "/orders/{number}/returns/overview",
    auth=Shopper(),
    response=responses(ReturnsOut, 401, 404),
)
def returns_overview(request: HttpRequest, number: OrderNumber, body: GuestIn):
    """What each line of the order may still send back and why not (R1),
    the core deposits left (R4), and the returns filed so far."""
    order = _order(request, number, body.email)
    if order is None:
        return 404, NOT_FOUND
    return overview(order)


@router.post(
    "/orders/{number}/returns",
    auth=Shopper(),
    response={**answering(201, ReturnOut, 401, 404, 409), 200: ReturnOut},
    openapi_extra=refused_on_meaning(
        "a line is not part of this order",
        "the Idempotency-Key is blank",
    ),
)
def file_return(
    request: HttpRequest, number: OrderNumber, body: ReturnIn, idempotency_key: str = IdempotencyKey
):
    """File a return (R2): 201 with its number, or 409 saying which rule
    refuses which line; nothing is filed then. The same Idempotency-Key
    again answers 200 with the first return."""
    order = _order(request, number, body.email)
    if order is None:
        return 404, NOT_FOUND
    before = ReturnRequest.objects.filter(order=order).count()
    try:
        filed = services.file_return(
            order=order,
            lines=[services.WantedLine(line.line_id, line.quantity) for line in body.lines],
            reason=body.reason,
            condition=rules.Condition(**body.condition.dict()),
            channel="api",
            idempotency_key=idempotency_key,
            note=body.note,
        )
    except services.ReturnProblem as problem:
        return _problem(problem)
    replayed = ReturnRequest.objects.filter(order=order).count() == before
    return (200 if replayed else 201), return_out(selectors.returns_of(order).get(pk=filed.pk))


@router.post(
    "/orders/{number}/core-returns",
    auth=Shopper(),
    response={**answering(201, CoreReturnOut, 401, 404, 409), 200: CoreReturnOut},
    openapi_extra=refused_on_meaning(
        "the line carries no core deposit",
        "the Idempotency-Key is blank",
    ),
)
def file_core_return(
    request: HttpRequest,
    number: OrderNumber,
    body: CoreReturnIn,
    idempotency_key: str = IdempotencyKey,
):
    """Send the old part back for its core deposit (R4): within 60 days of
    delivery, the same part number, postage paid by the shopper."""
    order = _order(request, number, body.email)
    if order is None:
        return 404, NOT_FOUND
    before = CoreReturn.objects.filter(order_line__order=order).count()
    try:
        core = services.file_core_return(
            order=order,
            order_line_id=body.line_id,
            quantity=body.quantity,
            channel="api",
            idempotency_key=idempotency_key,
        )
    except services.ReturnProblem as problem:
        return _problem(problem)
    except ObjectDoesNotExist:
        return 404, NOT_FOUND
    replayed = CoreReturn.objects.filter(order_line__order=order).count() == before
    return (200 if replayed else 201), core_out(core)
