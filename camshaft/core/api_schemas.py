"""Error bodies shared by every API router, so clients see one shape."""

from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import BeforeValidator


def _whole_number(value):
    """JSON's integers: 3 and 3.0 alike (JSON Schema counts both as
    integers), never "3", true or 3.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


def whole_number(*, ge: int, le: int, **field):
    """An integer as JSON Schema means it, from `ge` to `le`, as stated."""
    return Annotated[int, Field(ge=ge, le=le, **field), BeforeValidator(_whole_number)]


#: Every id and page number a client sends is bounded here, so a number the
#: database cannot hold is a 422 before any query (B2).
MAX_ID = 2**31 - 1
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=1, le=10_000)]


class ErrorOut(Schema):
    detail: str


class FieldProblem(Schema):
    field: str | None
    message: str


class InvalidOut(Schema):
    detail: str
    errors: list[FieldProblem]


class PostalAddressIn(Schema):
    """A postal address as clients send it; the services check its meaning."""

    full_name: Annotated[str, Field(max_length=150)]
    line1: Annotated[str, Field(max_length=200)]
    line2: Annotated[str, Field(max_length=200)] = ""
    city: Annotated[str, Field(max_length=100)]
    region: Annotated[str, Field(max_length=100)] = ""
    postal_code: Annotated[str, Field(max_length=20)]
    country: Annotated[str, Field(max_length=2, description="ISO 3166 two-letter code")]
    phone: Annotated[str, Field(max_length=30)] = ""


def responses(ok, *codes: int) -> dict:
    """`ok` for 200, plus the listed error codes. Any request can be malformed
    (400) or fail validation (422), so every endpoint documents both."""
    shapes = {code: ErrorOut for code in (400, *codes)}
    return {200: ok, **shapes, 422: InvalidOut}


def answering(status: int, schema, *codes: int) -> dict:
    """Like `responses`, with `status` (201 Created, 202 Accepted…) in place of 200."""
    shapes = responses(schema, *codes)
    shapes[status] = shapes.pop(200)
    return shapes


def created(schema, *codes: int) -> dict:
    return answering(201, schema, *codes)


def no_content(*codes: int) -> dict:
    """Like `responses`, with 204 No Content in place of 200."""
    shapes = responses(None, *codes)
    del shapes[200]
    return {204: None, **shapes}


def invalid(error: ValidationError) -> tuple[int, dict]:
    """A service's ValidationError as the shared 422 body."""
    if hasattr(error, "error_dict"):
        problems = [
            {"field": None if field == "__all__" else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        problems = [{"field": None, "message": message} for message in error.messages]
    return 422, {"detail": "The request is not valid.", "errors": problems}
