"""A consenting browser signs in: link its pseudonymous id to the member (V9)."""

from camshaft.analytics import cookies, services


def link_member(sender, request, user, **kwargs):
    if request is None:
        return
    if key := cookies.visitor_from(request):
        services.link_member(visitor_key=key, user=user)
