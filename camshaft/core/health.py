"""What /healthz checks beyond the database: checks the apps register.

core imports no app, so an app that can be degraded (search, without its
index) registers a check in its AppConfig.ready(). A check returns None
when all is well, else the reason, in words an operator can act on."""

from collections.abc import Callable

Check = Callable[[], str | None]
_checks: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    _checks[name] = check


def problems() -> dict[str, str]:
    """The reason of every registered check that is not well, by name."""
    found = {}
    for name, check in _checks.items():
        try:
            reason = check()
        except Exception as error:  # a check that fails is a problem, not a 500
            reason = f"its health check failed ({type(error).__name__})"
        if reason:
            found[name] = reason
    return found
