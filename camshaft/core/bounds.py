"""What the database and the code can hold, named once (B2).

Every door a request comes through (API schemas, page URLs, query strings)
checks its input against these bounds before a query runs, so a value the
database cannot hold is a clear 4xx and never a database error."""

from django.urls import register_converter

#: Primary keys are BigAutoField: a signed 64-bit integer on every database.
ID_MAX = 2**63 - 1
#: Plain IntegerField columns: 32 bits on PostgreSQL.
INT_MAX = 2**31 - 1
#: The longest value any one query-string parameter may carry: nothing the
#: store asks for in a URL (a search, a token, a next page) comes near it.
QUERY_VALUE_MAX_CHARS = 2_000
#: The longest path segment a page URL takes (a SKU, an order number, a token).
PATH_SEGMENT_MAX_CHARS = 500


class IdConverter:
    """`<id:name>` in a URL: a record id the database can hold. A longer or
    larger number does not match the pattern, so the answer is a 404."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError("not a record id")
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class SegmentConverter:
    """`<segment:name>`: one path segment of bounded length (`<str:>` has no bound)."""

    regex = f"[^/]{{1,{PATH_SEGMENT_MAX_CHARS}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


def register_converters() -> None:
    register_converter(IdConverter, "id")
    register_converter(SegmentConverter, "segment")
