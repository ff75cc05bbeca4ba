"""What every API router shares: bounded input types, so the OpenAPI
document states each limit the code enforces (B2), and the error bodies,
so clients see one shape."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict

from camshaft.core.bounds import ID_MAX

#: No string the API takes may hold NUL: PostgreSQL cannot store it.
NO_NUL = r"^[^\x00]*$"


def Text(max_length: int, *, min_length: int = 0, pattern: str = NO_NUL, **extra):
    """A string of at most `max_length` characters, never holding NUL."""
    return Annotated[
        str, Field(max_length=max_length, min_length=min_length, pattern=pattern, **extra)
    ]


def DecimalText(*, whole_digits: int, places: int, **extra):
    """An amount sent as a string of digits, like "19.99": JSON numbers are
    binary floats, and money is never a float (P1). Read as a Decimal."""
    pattern = rf"^[0-9]{{1,{whole_digits}}}(\.[0-9]{{1,{places}}})?$"
    return Annotated[str, Field(pattern=pattern, **extra), AfterValidator(Decimal)]


def _json_integer(value):
    """JSON's integers, as JSON Schema reads them: 3 and 3.0, never "3",
    true or 3.5 (pydantic's lax int would take "3" and true)."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be a whole number, not text or true/false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _iso_day(value):
    """A day as JSON carries it, "2024-05-31"; pydantic would also take a
    number of seconds since 1970, which the document does not offer."""
    if not isinstance(value, str | date):
        raise ValueError('Input should be a day written like "2024-05-31"')
    return value


def WholeNumber(**bounds):
    """An integer within `bounds` (ge, le, ...), exactly as JSON Schema's integer."""
    return Annotated[int, Field(**bounds), BeforeValidator(_json_integer)]


#: A day, "YYYY-MM-DD".
Day = Annotated[date, BeforeValidator(_iso_day)]

#: A record's id in a path or query string (text by nature, read as a
#: number): a 64-bit primary key (BigAutoField), never 0 or negative.
RecordId = Annotated[int, Field(ge=1, le=ID_MAX)]
#: The same in a JSON body, where it must be a JSON integer.
RecordIdIn = WholeNumber(ge=1, le=ID_MAX)


class InputSchema(Schema):
    """A request body: a field the schema does not name is refused (422), so
    a typo never passes silently and the document's `additionalProperties:
    false` is true."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str


class FieldProblem(Schema):
    field: str | None
    message: str


class InvalidOut(Schema):
    detail: str
    errors: list[FieldProblem]


#: ISO 3166 alpha-2 (either case); whether the country exists is checked on meaning.
CountryCode = Text(
    2, min_length=2, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 two-letter code"
)


class PostalAddressIn(InputSchema):
    """A postal address as clients send it; the services check its meaning."""

    full_name: Text(150, min_length=1)
    line1: Text(200, min_length=1)
    line2: Text(200) = ""
    city: Text(100, min_length=1)
    region: Text(100) = ""
    postal_code: Text(20)
    country: CountryCode
    phone: Text(30) = ""


def refused_on_meaning(*reasons: str, status: int = 422, extra: dict | None = None) -> dict:
    """`openapi_extra` for an operation that checks meaning no schema can
    state (a VIN's check digit, an unknown SKU, the current policy version):
    its 422 lists those reasons, in words and as `x-refused-on-meaning`, so a
    client knows every reason a well-formed request can still be refused."""
    extra = dict(extra or {})
    listed = "; ".join(reasons)
    extra.setdefault("responses", {})[status] = {
        "description": f"Refused, nothing stored: the input is malformed, or {listed}.",
        "x-refused-on-meaning": list(reasons),
    }
    return extra


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
