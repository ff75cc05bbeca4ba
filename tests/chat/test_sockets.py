"""B4 live chat over WebSockets, through the project's own ASGI
application (session and sign-in cookies, the origin check), driven with
channels' WebsocketCommunicator."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from camshaft.asgi import application
from camshaft.chat import guests, services
from camshaft.chat.models import Conversation, State
from camshaft.support.models import Ticket
from tests.chat.helpers import agent
from tests.factories import MemberFactory
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def guest_cookie() -> str:
    """A guest's session, as the chat's status request makes one."""
    client = Client()
    assert client.get("/chat/status").status_code == 200
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def guest_key_of(cookie: str) -> str:
    """The chat key the guest's session holds (server-side, never sent)."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore(cookie.split("=", 1)[1])
    return guests.key_of(store)


def member_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def staff_cookie(user) -> str:
    client = Client()
    sign_in_staff(client, user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def socket(path: str, cookie: str = "", origin: str = "http://testserver"):
    headers = [(b"host", b"testserver"), (b"origin", origin.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def frames_until(communicator, kind: str) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=30)
        if frame["type"] == kind:
            return frame


def test_B4_chat_a_shopper_asks_and_the_agent_answers_and_both_see_it_at_once():
    shopper_cookie = guest_cookie()
    clerk = agent()
    clerk_cookie = staff_cookie(clerk)

    async def shopper_starts():
        shopper = socket("/ws/chat/", shopper_cookie)
        assert (await shopper.connect(timeout=30))[0]
        status = await frames_until(shopper, "status")
        assert status["state"] == "" and "hours" in status
        await shopper.send_json_to(
            {"type": "message", "text": "Do BP-1 pads fit?", "page": "/parts/BP-1/"}
        )
        mine = await frames_until(shopper, "message")
        assert mine["author"] == "customer" and mine["text"] == "Do BP-1 pads fit?"
        await shopper.disconnect(timeout=30)

    async_to_sync(shopper_starts)()
    conversation = Conversation.objects.get()
    assert conversation.page_kind == "part"
    services.take_conversation(conversation=conversation, agent=clerk)

    async def talk():
        shopper = socket("/ws/chat/", shopper_cookie)
        desk = socket(f"/ws/chat/agent/{conversation.pk}/", clerk_cookie)
        assert (await shopper.connect(timeout=30))[0] and (await desk.connect(timeout=30))[0]
        assert (await frames_until(desk, "message"))["text"] == "Do BP-1 pads fit?"
        await frames_until(shopper, "message")  # the transcript so far
        await desk.send_json_to({"type": "typing"})
        assert (await frames_until(shopper, "typing"))["author"] == "staff"
        await desk.send_json_to(
            {
                "type": "message",
                "text": "Yes: <b>see</b> http://testserver/parts/BP-1/ "
                "or https://evil.example.net/x",
            }
        )
        answer = await frames_until(shopper, "message")
        assert answer["author"] == "staff" and answer["text"].startswith("Yes: <b>see</b>")
        assert answer["links"] == ["/parts/BP-1/"]
        await shopper.send_json_to({"type": "read"})
        assert (await frames_until(desk, "read"))["reader"] == "customer"
        await shopper.send_json_to({"type": "message", "text": "Thanks!"})
        assert (await frames_until(desk, "message"))["text"] == "Thanks!"
        await shopper.disconnect(timeout=30)
        await desk.disconnect(timeout=30)

    async_to_sync(talk)()
    assert list(conversation.messages.values_list("author", flat=True)) == [
        "customer",
        "staff",
        "customer",
    ]
    assert conversation.messages.get(author="staff").read_at is not None


def test_B4_chat_a_shopper_never_joins_someone_elses_conversation():
    member = MemberFactory(email="sam@example.com")
    services.start_conversation(text="My private question", user=member)
    stranger_cookie = guest_cookie()

    async def stranger():
        communicator = socket("/ws/chat/", stranger_cookie)
        assert (await communicator.connect(timeout=30))[0]
        status = await frames_until(communicator, "status")
        assert status["state"] == ""
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect(timeout=30)

    async_to_sync(stranger)()


def test_B4_chat_the_socket_masks_a_card_number_and_warns_the_sender():
    cookie = guest_cookie()

    async def send_card():
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        await frames_until(communicator, "status")
        await communicator.send_json_to({"type": "message", "text": "card 4111111111111111"})
        warning = await frames_until(communicator, "error")
        assert "card" in warning["message"]
        echoed = await frames_until(communicator, "message")
        assert "4111" not in echoed["text"]
        await communicator.disconnect(timeout=30)

    async_to_sync(send_card)()
    assert "4111" not in Conversation.objects.get().messages.get().body


def test_B4_chat_a_page_of_another_site_cannot_open_a_socket():
    async def foreign():
        communicator = socket("/ws/chat/", guest_cookie_value, origin="https://evil.example.net")
        connected, _ = await communicator.connect(timeout=30)
        assert not connected

    guest_cookie_value = guest_cookie()
    async_to_sync(foreign)()


@pytest.mark.parametrize("who", ["shopper", "staff_without_chat"])
def test_B4_chat_only_customer_service_opens_the_agents_socket(who):
    user = MemberFactory(email="x@example.com")
    cookie = member_cookie(user)
    if who == "staff_without_chat":
        user.is_staff = True
        user.save()
        cookie = staff_cookie(user)
    conversation, _ = services.start_conversation(text="Hello", guest_key="other")

    async def knock():
        for path in ("/ws/chat/agent/", f"/ws/chat/agent/{conversation.pk}/"):
            communicator = socket(path, cookie)
            connected, code = await communicator.connect(timeout=30)
            assert not connected and code == 4403

    async_to_sync(knock)()


def test_B4_chat_an_agent_opens_only_a_chat_they_have_taken():
    clerk, other = agent(), agent("other@example.com")
    conversation, _ = services.start_conversation(text="Hello", guest_key="s")
    services.take_conversation(conversation=conversation, agent=other)
    cookie = staff_cookie(clerk)

    async def knock():
        communicator = socket(f"/ws/chat/agent/{conversation.pk}/", cookie)
        connected, code = await communicator.connect(timeout=30)
        assert not connected and code == 4404

    async_to_sync(knock)()


def test_B4_chat_the_desk_hears_of_a_new_chat_and_counts_the_agent_online():
    clerk = agent()
    clerk_cookie, shopper_cookie = staff_cookie(clerk), guest_cookie()

    async def scenario():
        desk = socket("/ws/chat/agent/", clerk_cookie)
        assert (await desk.connect(timeout=30))[0]
        shopper = socket("/ws/chat/", shopper_cookie)
        await shopper.connect(timeout=30)
        status = await frames_until(shopper, "status")
        assert status["agents"] == 1
        await shopper.send_json_to({"type": "message", "text": "Hi"})
        waiting = await frames_until(desk, "waiting")
        await shopper.disconnect(timeout=30)
        await desk.disconnect(timeout=30)
        return waiting

    waiting = async_to_sync(scenario)()
    assert waiting["conversation"] == Conversation.objects.get().pk


def test_B4_chat_the_shopper_turns_the_chat_into_a_ticket_over_the_socket():
    cookie = guest_cookie()

    async def scenario():
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        status = await frames_until(communicator, "status")
        assert status["offer_ticket"]  # nobody is online
        await communicator.send_json_to({"type": "message", "text": "Is BP-1 in stock?"})
        await frames_until(communicator, "message")
        await communicator.send_json_to({"type": "ticket", "email": "bad"})
        assert (await frames_until(communicator, "error"))["message"]
        await communicator.send_json_to({"type": "ticket", "email": "pat@example.com"})
        done = await frames_until(communicator, "ticket")
        await communicator.disconnect(timeout=30)
        return done

    done = async_to_sync(scenario)()
    ticket = Ticket.objects.get()
    assert done["reference"] == ticket.reference
    assert Conversation.objects.get().state == State.TICKET


def test_B4_chat_messages_are_rate_limited(settings):
    settings.CAMSHAFT_RATE_LIMITS = {"chat": "3/1m"}
    cookie = guest_cookie()

    async def flood():
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        await frames_until(communicator, "status")
        refused = None
        for n in range(5):
            await communicator.send_json_to({"type": "message", "text": f"spam {n}"})
            frame = await communicator.receive_json_from(timeout=30)
            while frame["type"] not in ("message", "error"):
                frame = await communicator.receive_json_from(timeout=30)
            if frame["type"] == "error":
                refused = frame
                break
        await communicator.disconnect(timeout=30)
        return refused

    refused = async_to_sync(flood)()
    assert refused is not None and "Too many" in refused["message"]
    assert Conversation.objects.get().messages.count() == 3


def test_B4_chat_a_members_chat_is_theirs_from_any_browser():
    member = MemberFactory(email="sam@example.com")

    async def ask(cookie):
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        await frames_until(communicator, "status")
        await communicator.send_json_to({"type": "message", "text": "Where is my order?"})
        await frames_until(communicator, "message")
        await communicator.disconnect(timeout=30)

    async def reopen(cookie):
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        status = await frames_until(communicator, "status")
        line = await frames_until(communicator, "message")
        await communicator.disconnect(timeout=30)
        return status, line

    async_to_sync(ask)(member_cookie(member))
    status, line = async_to_sync(reopen)(member_cookie(member))  # another session
    assert status["state"] == "waiting" and line["text"] == "Where is my order?"
    assert Conversation.objects.get().user == member


def test_B4_chat_taking_a_chat_shows_it_taken_on_other_desks_and_the_shopper_sees_who_joined():
    from asgiref.sync import sync_to_async

    shopper_cookie = guest_cookie()
    first, second = agent("dana@example.com"), agent("lee@example.com")
    first.first_name, first.last_name = "Dana Maria", "Whitfield"
    first.save()
    taker = Client()
    sign_in_staff(taker, first)
    second_cookie = staff_cookie(second)
    conversation = services.start_conversation(
        text="Is BP-1 in stock?", guest_key=guest_key_of(shopper_cookie)
    )[0]

    async def scenario():
        shopper = socket("/ws/chat/", shopper_cookie)
        other_desk = socket("/ws/chat/agent/", second_cookie)
        assert (await shopper.connect(timeout=30))[0] and (await other_desk.connect(timeout=30))[0]
        await frames_until(shopper, "message")  # the transcript so far
        answer = await sync_to_async(taker.post)(
            f"/staff/chat/conversation/{conversation.pk}/take/"
        )
        taken = await frames_until(other_desk, "taken")
        joined = await frames_until(shopper, "joined")
        await shopper.disconnect(timeout=30)
        await other_desk.disconnect(timeout=30)
        return answer.status_code, taken, joined

    status, taken, joined = async_to_sync(scenario)()
    assert status == 302
    assert taken == {"type": "taken", "conversation": conversation.pk, "agent": "Dana"}
    assert joined == {"type": "joined", "name": "Dana"}  # the first name, nothing more


def test_B4_chat_an_answer_sent_from_the_desks_form_without_javascript_reaches_the_shopper():
    from asgiref.sync import sync_to_async

    shopper_cookie = guest_cookie()
    clerk = agent()
    desk = Client()
    sign_in_staff(desk, clerk)
    conversation = services.start_conversation(
        text="Is BP-1 in stock?", guest_key=guest_key_of(shopper_cookie)
    )[0]
    services.take_conversation(conversation=conversation, agent=clerk)

    async def scenario():
        shopper = socket("/ws/chat/", shopper_cookie)
        assert (await shopper.connect(timeout=30))[0]
        await frames_until(shopper, "message")
        await sync_to_async(desk.post)(
            f"/staff/chat/conversation/{conversation.pk}/live/",
            {"message": "Yes, see /parts/BP-1/"},
        )
        answer = await frames_until(shopper, "message")
        await shopper.disconnect(timeout=30)
        return answer

    answer = async_to_sync(scenario)()
    assert answer["author"] == "staff" and answer["text"] == "Yes, see /parts/BP-1/"


def test_B4_chat_making_tickets_is_rate_limited_like_the_contact_form(settings):
    # A ticket mails the address given: a guest must not mail-bomb someone
    # by starting chats and making each a ticket.
    settings.CAMSHAFT_RATE_LIMITS = {"contact": "1/10m"}
    cookie = guest_cookie()

    async def tickets():
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        await frames_until(communicator, "status")
        answers = []
        for n in range(2):
            await communicator.send_json_to({"type": "message", "text": f"question {n}"})
            await frames_until(communicator, "message")
            await communicator.send_json_to({"type": "ticket", "email": "pat@example.com"})
            frame = await communicator.receive_json_from(timeout=30)
            while frame["type"] not in ("ticket", "error"):
                frame = await communicator.receive_json_from(timeout=30)
            answers.append(frame)
        await communicator.disconnect(timeout=30)
        return answers

    first, second = async_to_sync(tickets)()
    assert first["type"] == "ticket"
    assert second["type"] == "error" and "Too many" in second["message"]
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "frame", ["x" * 20_000, '{"type": "message", "text": ' + '"' + "y" * 13_000 + '"}', "{nope"]
)
def test_B4_chat_a_frame_too_big_or_not_json_is_refused_and_stores_nothing(frame):
    cookie = guest_cookie()

    async def send():
        communicator = socket("/ws/chat/", cookie)
        await communicator.connect(timeout=30)
        await frames_until(communicator, "status")
        await communicator.send_to(text_data=frame)
        refused = await frames_until(communicator, "error")
        # The socket goes on working after a bad frame.
        await communicator.send_json_to({"type": "message", "text": "Hello"})
        line = await frames_until(communicator, "message")
        await communicator.disconnect(timeout=30)
        return refused, line

    refused, line = async_to_sync(send)()
    assert refused["message"] and line["text"] == "Hello"
    assert list(Conversation.objects.get().messages.values_list("body", flat=True)) == ["Hello"]


def test_B4_chat_a_flood_of_typing_and_read_marks_from_a_shopper_reaches_the_agent_once(
    monkeypatch,
):
    from camshaft.chat import consumers

    monkeypatch.setattr(consumers.time, "monotonic", lambda: 1000.0)  # every frame at once
    shopper_cookie = guest_cookie()
    clerk = agent()
    conversation = services.start_conversation(
        text="Is BP-1 in stock?", guest_key=guest_key_of(shopper_cookie)
    )[0]
    services.take_conversation(conversation=conversation, agent=clerk)
    services.answer(conversation=conversation, agent=clerk, text="Let me look")
    clerk_cookie = staff_cookie(clerk)

    async def flood():
        shopper = socket("/ws/chat/", shopper_cookie)
        desk = socket(f"/ws/chat/agent/{conversation.pk}/", clerk_cookie)
        assert (await shopper.connect(timeout=30))[0] and (await desk.connect(timeout=30))[0]
        for _ in range(20):
            await shopper.send_json_to({"type": "typing"})
            await shopper.send_json_to({"type": "read"})
        await shopper.send_json_to({"type": "message", "text": "done"})
        seen = []
        while frame := await desk.receive_json_from(timeout=30):
            seen.append(frame["type"])
            if frame["type"] == "message" and frame["text"] == "done":
                break
        await shopper.disconnect(timeout=30)
        await desk.disconnect(timeout=30)
        return seen

    seen = async_to_sync(flood)()
    assert seen.count("typing") == 1 and seen.count("read") == 1
