"""Live chat in real browsers (B4): a guest on a part page asks through the
chat button, an agent in a second browser context takes the chat from the
back office desk and answers with a link to a part; both see the messages
arrive at once, the typing indicator and the read mark.

The store runs as `camshaft serve` runs it (gunicorn with uvicorn's worker)
in two app processes of its own on one database, without Redis: the agent
talks to one, the shopper to the other, so every frame crosses between
processes through the database channel layer."""

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import Client

from camshaft.accounts.roles import CUSTOMER_SERVICE, grant_role
from camshaft.chat.models import Conversation, State
from camshaft.core import serving
from tests.e2e.conftest import watch_csp
from tests.factories import MemberFactory, PartFactory
from tests.staff import sign_in_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
STARTUP_SECONDS = 120


def database_url() -> str:
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    user = database["USER"] or ""
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{user}{password}@{host}/{database['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "an app process stopped; see its output above"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{base} did not answer within {STARTUP_SECONDS} s")


@pytest.fixture
def two_app_processes(transactional_db, settings, tmp_path):
    """Two app processes serving the test database, as `camshaft serve`'s
    gunicorn workers do, with the same keys as this test."""
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.FIELD_LOOKUP_KEY = "lookup-key-of-this-test"
    env = {
        **serving.server_env(),
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS[0],
        "FIELD_LOOKUP_KEY": settings.FIELD_LOOKUP_KEY,
        "CAMSHAFT_VAR_DIR": str(tmp_path / "var"),
        "STATIC_MANIFEST": "0",
    }
    env.pop("REDIS_URL", None)
    processes, bases = [], []
    for _ in range(2):
        port = free_port()
        processes.append(
            subprocess.Popen(
                serving.gunicorn_command(bind=f"127.0.0.1:{port}", workers=1, access_log=False),
                env=env,
                start_new_session=True,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, process in zip(bases, processes, strict=True):
            wait_until_answering(base, process)
        yield bases
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


def browser_page(browser, base_url, cookie=None):
    context = browser.new_context(base_url=base_url)
    if cookie:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_refusals = watch_csp(page)
    return page


def test_B4_chat_a_shopper_chats_and_an_agent_answers_in_a_second_browser_and_process(
    browser, two_app_processes
):
    agents_process, shoppers_process = two_app_processes
    part = PartFactory()
    clerk = MemberFactory(email="desk@example.com")
    grant_role(user=clerk, role=CUSTOMER_SERVICE)
    clerk.first_name = "Dana"
    clerk.save()
    colleague_user = MemberFactory(email="desk2@example.com")
    grant_role(user=colleague_user, role=CUSTOMER_SERVICE)
    client = Client()
    sign_in_staff(client, clerk)
    other = Client()
    sign_in_staff(other, colleague_user)
    colleague_session = other.cookies["sessionid"].value
    agent = browser_page(browser, agents_process, client.cookies["sessionid"].value)
    agent.goto("/staff/chat/conversation/desk/")
    assert "No chat is waiting" in agent.inner_text("#waiting-chats")

    shopper = browser_page(browser, shoppers_process)
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
    # A second agent's desk, in the shopper's process, sees the chat waiting...
    colleague = browser_page(browser, shoppers_process, colleague_session)
    colleague.goto("/staff/chat/conversation/desk/")
    colleague.wait_for_selector(".take-chat")
    agent.click(".take-chat")
    agent.wait_for_selector("#chat-log li.chat-customer")
    # ...and taken at once; the shopper sees who joined.
    colleague.wait_for_selector("#waiting-chats .chat-taken:has-text('Taken by Dana')")
    assert colleague.locator(".take-chat").count() == 0
    shopper.wait_for_selector("#chat-log li.chat-note:has-text('Dana joined')")
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
    assert shopper.csp_refusals == agent.csp_refusals == colleague.csp_refusals == []
