"""Error bodies shared by every API router, so clients see one shape."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class FieldProblem(Schema):
    field: str | None
    message: str


class InvalidOut(Schema):
    detail: str
    errors: list[FieldProblem]


def responses(ok, *codes: int) -> dict:
    """`ok` for 200, plus the listed error codes. Any request can be malformed
    (400) or fail validation (422), so every endpoint documents both."""
    shapes = {code: ErrorOut for code in (400, *codes)}
    return {200: ok, **shapes, 422: InvalidOut}
