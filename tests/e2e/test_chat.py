"""Live chat in real browsers (B4): a guest on a part page asks through the
chat button, an agent in a second browser context takes the chat from the
back office desk and answers with a link to a part; both see the messages
arrive at once, the typing indicator and the read mark. The store runs
under uvicorn (the ASGI application, as `camshaft serve` runs it) in a
thread, on a free port."""

import socket
import threading
import time

import pytest
import uvicorn
from django.test import Client

from camshaft.accounts.roles import CUSTOMER_SERVICE, grant_role
from camshaft.chat.models import Conversation, State
from tests.e2e.conftest import watch_csp
from tests.factories import MemberFactory, PartFactory
from tests.staff import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_server(transactional_db):
    """The project's ASGI application (HTTP and WebSockets) under uvicorn."""
    from camshaft.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # startup, not an assertion on time
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def browser_page(browser, base_url, cookie=None):
    context = browser.new_context(base_url=base_url)
    if cookie:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_refusals = watch_csp(page)
    return page


def test_B4_chat_a_shopper_chats_and_an_agent_answers_in_a_second_browser(browser, asgi_server):
    part = PartFactory()
    clerk = MemberFactory(email="desk@example.com")
    grant_role(user=clerk, role=CUSTOMER_SERVICE)
    client = Client()
    sign_in_staff(client, clerk)
    agent = browser_page(browser, asgi_server, client.cookies["sessionid"].value)
    agent.goto("/staff/chat/conversation/desk/")
    assert "No chat is waiting" in agent.inner_text("#waiting-chats")

    shopper = browser_page(browser, asgi_server)
    shopper.goto(f"/parts/{part.sku}/")
    shopper.click("#chat-button")
    shopper.wait_for_selector("#chat-hours:has-text('1 agent online')")
    shopper.fill("#chat-text", "Does this fit a 2012 Civic? <b>thanks</b>")
    shopper.click("#chat-send")
    shopper.wait_for_selector("#chat-log li.chat-customer")
    assert "<b>thanks</b>" in shopper.inner_text("#chat-log")  # shown as text

    # The desk hears of it at once and says so.
    agent.wait_for_selector("#refresh-desk.chat-new")
    agent.reload()
    assert f"/parts/{part.sku}/" in agent.inner_text("#waiting-chats")
    agent.click(".take-chat")
    agent.wait_for_selector("#chat-log li.chat-customer")
    conversation = Conversation.objects.get()
    assert conversation.state == State.ACTIVE and conversation.page_kind == "part"

    agent.fill("#id_message", "It does")
    shopper.wait_for_selector("#chat-typing:not([hidden])")
    agent.fill("#id_message", f"It does: see /parts/{part.sku}/ and https://evil.example.net/x")
    agent.click("#chat-send")
    answer = shopper.wait_for_selector("#chat-log li.chat-staff")
    assert "It does" in answer.inner_text()
    links = shopper.locator("#chat-log li.chat-staff a.chat-link")
    assert links.count() == 1
    agent.wait_for_selector("#chat-read:not([hidden])")

    shopper.fill("#chat-text", "Great, thanks")
    shopper.click("#chat-send")
    agent.wait_for_selector("#chat-log li.chat-customer >> nth=1")
    links.click()
    shopper.wait_for_url(f"**/parts/{part.sku}/")
    assert shopper.csp_refusals == [] and agent.csp_refusals == []
