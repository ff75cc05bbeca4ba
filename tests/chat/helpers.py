"""Building blocks of the live chat's tests."""

from camshaft.accounts.roles import CUSTOMER_SERVICE, grant_role
from camshaft.chat import services
from tests.factories import MemberFactory


def agent(email: str = "agent@example.com"):
    user = MemberFactory(email=email)
    grant_role(user=user, role=CUSTOMER_SERVICE)
    return user


def guest_chat(text: str = "Do the BP-1 pads fit a 2012 Civic?", *, page="/parts/BP-1/", key="s1"):
    conversation, _ = services.start_conversation(text=text, page=page, guest_key=key)
    return conversation
