"""Tells every page whether to show the cookie banner (V2)."""

from camshaft.analytics import cookies


def cookie_choice(request) -> dict:
    choice = cookies.choice_from(request)
    return {"cookie_choice": choice, "analytics_on": choice == cookies.ACCEPTED}
