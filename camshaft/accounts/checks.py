"""Deployment checks on staff accounts (A2, A4): no password anyone but its
owner may know."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from camshaft.accounts import selectors


@register(Tags.security, deploy=True)
def check_staff_passwords(app_configs=None, **kwargs) -> list[Warning]:
    try:
        unchosen = list(selectors.staff_with_unchosen_passwords().order_by("email"))
        defaults = {user.pk for user in selectors.staff_with_default_passwords()}
    except DatabaseError:  # not migrated yet: there is no staff account to check
        return []
    found = []
    if defaults:
        emails = ", ".join(user.email for user in unchosen if user.pk in defaults)
        found.append(
            Warning(
                f"Staff accounts with a known default password: {emails}.",
                hint="`camshaft serve` disables these passwords at its next start; then invite "
                "their owners again with `camshaft createstaff EMAIL --role ROLE`.",
                id="camshaft.W110",
            )
        )
    if others := [user.email for user in unchosen if user.pk not in defaults]:
        found.append(
            Warning(
                f"Staff accounts whose password their owner never chose: {', '.join(others)}.",
                hint="Have each of them choose a new one with 'Forgot your password?' on the "
                "sign-in page.",
                id="camshaft.W111",
            )
        )
    return found
