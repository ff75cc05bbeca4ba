"""A guest's handle on their chats: a random key in their session's data.

Django rotates the session key at sign-in (`cycle_key`) before
`user_logged_in` fires, but keeps the session's data; so the key lives in
the data, and sign-in can hand the guest's open chat to the account. The
data stays on the server (database or cache sessions): no page, cookie or
socket frame carries the key, so knowing a conversation's number or token
never lets another session in."""

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_FIELD = "chat_guest_key"


def key_of(session: SessionBase | None) -> str:
    """This session's guest key, or "" when it has none."""
    if session is None:
        return ""
    key = session.get(SESSION_FIELD, "")
    return key if isinstance(key, str) else ""


def ensure_key(session: SessionBase) -> str:
    """The session's guest key, made (and the session saved) on first need."""
    key = key_of(session)
    if not key:
        key = secrets.token_urlsafe(24)
        session[SESSION_FIELD] = key
        session.save()
    return key


def take_key(session: SessionBase) -> str:
    """The guest key, removed from the session: at sign-in it has done its
    job, and the member's chats belong to the account from then on."""
    key = key_of(session)
    session.pop(SESSION_FIELD, None)
    return key
