"""B4 live chat in the back office: the desk, taking a chat, answering it
(also without JavaScript), who may read transcripts, and the CSP that lets
the chat's socket through and nothing else."""

import pytest
from django.urls import reverse

from camshaft.accounts.roles import CUSTOMER_SERVICE, MARKETING, PRIVACY_OFFICER
from camshaft.chat.models import State
from camshaft.core.models import AuditEntry
from tests.chat.helpers import guest_chat
from tests.staff import sign_in_with_role

pytestmark = pytest.mark.django_db


def test_B4_chat_an_agent_sees_waiting_chats_takes_one_and_answers(client):
    conversation = guest_chat("Does <script>x</script> BP-1 fit?")
    clerk = sign_in_with_role(client, CUSTOMER_SERVICE)
    desk = client.get(reverse("admin:chat_conversation_desk"))
    assert desk.status_code == 200 and b"/parts/BP-1/" in desk.content
    taken = client.post(reverse("admin:chat_conversation_take", args=[conversation.pk]))
    assert taken["Location"] == reverse("admin:chat_conversation_live", args=[conversation.pk])
    live = client.get(taken["Location"])
    assert b"&lt;script&gt;x&lt;/script&gt;" in live.content and b"<script>x" not in live.content
    assert b'data-socket="/ws/chat/agent/' in live.content
    assert AuditEntry.objects.filter(staff=clerk, action="viewed").exists()
    answered = client.post(taken["Location"], {"message": "Yes, it fits."})
    assert answered.status_code == 302
    conversation.refresh_from_db()
    assert conversation.state == State.ACTIVE and conversation.agent == clerk
    assert conversation.messages.last().body == "Yes, it fits."


def test_B4_chat_a_chat_another_agent_took_cannot_be_taken_or_opened(client):
    conversation = guest_chat()
    first = sign_in_with_role(client, CUSTOMER_SERVICE, "first@staff.example.com")
    client.post(reverse("admin:chat_conversation_take", args=[conversation.pk]))
    client.logout()
    sign_in_with_role(client, CUSTOMER_SERVICE, "second@staff.example.com")
    refused = client.post(
        reverse("admin:chat_conversation_take", args=[conversation.pk]), follow=True
    )
    assert b"Another agent has taken this chat" in refused.content
    live = client.get(reverse("admin:chat_conversation_live", args=[conversation.pk]))
    assert live.status_code == 404
    conversation.refresh_from_db()
    assert conversation.agent == first


def test_B4_chat_the_privacy_officer_reads_transcripts_but_does_not_answer(client):
    conversation = guest_chat("My question for the record")
    sign_in_with_role(client, PRIVACY_OFFICER)
    page = client.get(reverse("admin:chat_conversation_change", args=[conversation.pk]))
    assert page.status_code == 200 and b"My question for the record" in page.content
    take = client.post(reverse("admin:chat_conversation_take", args=[conversation.pk]))
    assert take.status_code == 403


def test_B4_chat_marketing_never_reads_a_transcript(client):
    conversation = guest_chat()
    sign_in_with_role(client, MARKETING)
    for url in (
        reverse("admin:chat_conversation_changelist"),
        reverse("admin:chat_conversation_change", args=[conversation.pk]),
        reverse("admin:chat_conversation_desk"),
    ):
        assert client.get(url).status_code == 403


def test_B4_chat_every_page_has_the_button_that_is_the_contact_form_without_js(client):
    page = client.get("/")
    html = page.content.decode()
    assert 'id="chat-button" href="/support/"' in html
    assert "/static/camshaft/chat.js" in html
    assert client.get("/chat/status").json()["maxLength"] == 2000


def test_B4_chat_the_csp_lets_the_same_origin_socket_through_and_nothing_more(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    # 'self' covers ws: and wss: on the page's own host (CSP Level 3).
    assert directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in policy
