"""B4 live chat: a guest who signs in or signs up keeps their chat, over
HTTP (the project's own sign-in and registration pages, which rotate the
session key) and on the socket; nobody else can take it over."""

from datetime import date

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import Client

from camshaft.chat import services
from camshaft.chat.models import Conversation, State
from camshaft.consent.services import current_policy
from tests.chat.test_sockets import frames_until, guest_key_of, socket
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "gasket-torque-41"


def member(email="pat@example.com"):
    user = MemberFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    return user


def cookie_of(client: Client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def guest_asks(client: Client, text="Do the BP-1 pads fit a 2012 Civic?") -> Conversation:
    """A guest opens the panel (GET /chat/status) and asks over the socket."""
    assert client.get("/chat/status").status_code == 200

    async def ask():
        shopper = socket("/ws/chat/", cookie_of(client))
        assert (await shopper.connect(timeout=30))[0]
        await frames_until(shopper, "status")
        await shopper.send_json_to({"type": "message", "text": text, "page": "/parts/BP-1/"})
        await frames_until(shopper, "message")
        await shopper.disconnect(timeout=30)

    async_to_sync(ask)()
    return Conversation.objects.get(user=None, state=State.WAITING)


def what_the_socket_shows(cookie: str) -> tuple[dict, list[str]]:
    async def reopen():
        shopper = socket("/ws/chat/", cookie)
        assert (await shopper.connect(timeout=30))[0]
        status = await frames_until(shopper, "status")
        lines = []
        if status["state"]:
            lines.append((await frames_until(shopper, "message"))["text"])
        else:
            assert await shopper.receive_nothing(timeout=0.2)
        await shopper.disconnect(timeout=30)
        return status, lines

    return async_to_sync(reopen)()


def test_B4_chat_a_guest_keeps_their_chat_after_signing_in():
    pat = member()
    browser = Client()
    conversation = guest_asks(browser)
    before = browser.cookies[settings.SESSION_COOKIE_NAME].value

    answer = browser.post("/account/sign-in/", {"email": pat.email, "password": PASSWORD})
    assert answer.status_code == 302
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value != before  # key rotated

    conversation.refresh_from_db()
    assert conversation.user == pat and conversation.guest_key == ""
    assert conversation.messages.get().by == pat
    status, lines = what_the_socket_shows(cookie_of(browser))
    assert status["state"] == "waiting" and lines == ["Do the BP-1 pads fit a 2012 Civic?"]
    # And it is the member's from any browser now, like any chat of theirs.
    other_browser = Client()
    other_browser.force_login(pat)
    assert what_the_socket_shows(cookie_of(other_browser))[1] == lines
    assert guest_key_of(cookie_of(browser)) == ""  # the key has done its job


def test_B4_chat_a_guest_keeps_their_chat_after_signing_up():
    browser = Client()
    conversation = guest_asks(browser)
    answer = browser.post(
        "/account/register/",
        {
            "email": "new@example.com",
            "password": PASSWORD,
            "date_of_birth": date(1990, 1, 1).isoformat(),
            "accepted_policy_version": current_policy().version,
            "accept_policy": "on",
        },
    )
    assert answer.status_code == 302
    conversation.refresh_from_db()
    assert conversation.user.email == "new@example.com"
    assert what_the_socket_shows(cookie_of(browser))[0]["state"] == "waiting"


def test_B4_chat_someone_else_signing_in_elsewhere_does_not_get_the_guests_chat():
    pat, sam = member(), member("sam@example.com")
    guest = Client()
    conversation = guest_asks(guest, "My private question")

    # Sam signs in from his own browser, which has a guest key of its own.
    sams_browser = Client()
    assert sams_browser.get("/chat/status").status_code == 200
    sams_browser.post("/account/sign-in/", {"email": sam.email, "password": PASSWORD})
    conversation.refresh_from_db()
    assert conversation.user is None
    status, lines = what_the_socket_shows(cookie_of(sams_browser))
    assert status["state"] == "" and lines == []
    # The guest still has it, and signing in makes it Pat's, not anyone's.
    assert what_the_socket_shows(cookie_of(guest))[1] == ["My private question"]
    guest.post("/account/sign-in/", {"email": pat.email, "password": PASSWORD})
    conversation.refresh_from_db()
    assert conversation.user == pat


def test_B4_chat_the_guest_key_and_token_appear_in_no_page_and_open_nothing():
    guest = Client()
    conversation = guest_asks(guest)
    key = guest_key_of(cookie_of(guest))
    pages = [guest.get(path) for path in ("/", "/chat/status", "/support/")]
    for page in pages:
        text = page.content.decode() + str(page.cookies)
        assert key not in text and conversation.token not in text

    # A stranger who learned the conversation's number and token anyway:
    stranger = Client()
    assert stranger.get("/chat/status").status_code == 200

    async def knock():
        shopper = socket(f"/ws/chat/?token={conversation.token}", cookie_of(stranger))
        assert (await shopper.connect(timeout=30))[0]
        status = await frames_until(shopper, "status")
        await shopper.send_json_to(
            {
                "type": "message",
                "text": "Let me in",
                "conversation": conversation.pk,
                "token": conversation.token,
                "guest_key": key,
            }
        )
        await frames_until(shopper, "message")
        await shopper.disconnect(timeout=30)
        return status

    assert async_to_sync(knock)()["state"] == ""
    # The stranger's line started a chat of their own; the guest's is untouched.
    assert list(conversation.messages.values_list("body", flat=True)) == [
        "Do the BP-1 pads fit a 2012 Civic?"
    ]
    assert Conversation.objects.count() == 2


def test_B4_chat_an_ended_guest_chat_is_not_handed_to_whoever_signs_in():
    pat = member()
    browser = Client()
    conversation = guest_asks(browser)
    services.close(conversation=conversation)
    browser.post("/account/sign-in/", {"email": pat.email, "password": PASSWORD})
    conversation.refresh_from_db()
    assert conversation.user is None
