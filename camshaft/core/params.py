"""Reading query parameters from untrusted requests: a clear 400, never a 500."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import BadRequest

from camshaft.core.bounds import INT_MAX

MAX_INT = INT_MAX


def int_param(params, name: str, *, label: str | None = None) -> int | None:
    raw = params.get(name, "")
    if raw in ("", None):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{label or name.capitalize()} must be a whole number.") from None
    if not 0 <= value <= MAX_INT:
        raise BadRequest(f"{label or name.capitalize()} is out of range.")
    return value


def decimal_param(params, name: str, *, label: str) -> Decimal | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadRequest(f"{label} must be a number, like 25 or 19.99.") from None
    if not value.is_finite():
        raise BadRequest(f"{label} must be a number, like 25 or 19.99.")
    return value


def bool_param(params, name: str) -> bool:
    return (params.get(name) or "").lower() in {"1", "true", "on", "yes"}


def switch_param(params, name: str, *, default: bool = False) -> bool:
    """A "0"/"1" switch: anything else is a clear 400, not a silent default."""
    raw = params.get(name, "")
    if raw == "":
        return default
    if raw not in {"0", "1"}:
        raise BadRequest(f"{name} must be 0 or 1.")
    return raw == "1"
