"""B4: a guest who signs in (or signs up) keeps the chat they had going."""

from camshaft.chat import guests, services


def attach_guest_chats(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    key = guests.take_key(session)
    if key:
        services.attach_guest_conversations(guest_key=key, user=user)
