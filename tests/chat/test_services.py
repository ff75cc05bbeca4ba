"""B4 live chat: conversations, answers, tickets, privacy (the services)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from camshaft.chat import selectors, services
from camshaft.chat.models import Author, ChatMessage, Conversation, State
from camshaft.privacy import selectors as privacy_selectors
from camshaft.support.models import Source, Ticket
from tests.chat.helpers import agent, guest_chat
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_B4_chat_a_guest_starts_a_chat_that_records_the_part_page():
    conversation = guest_chat(page="/parts/BP-1/?ref=home")
    assert conversation.state == State.WAITING
    assert (conversation.page, conversation.page_kind) == ("/parts/BP-1/?ref=home", "part")
    assert selectors.open_conversation_for(guest_key="s1") == conversation
    assert selectors.open_conversation_for(guest_key="someone-else") is None


@pytest.mark.parametrize(
    ("page", "kind"),
    [("/orders/AB12CD34/", "order"), ("/cart/", "cart"), ("https://evil.example.net/", "")],
)
def test_B4_chat_the_page_kind_is_read_from_the_store_url(page, kind):
    assert guest_chat(page=page).page_kind == kind


def test_B4_chat_a_page_that_is_not_the_stores_is_not_recorded():
    assert guest_chat(page="/staff/accounts/user/").page == ""
    assert guest_chat(page="javascript:alert(1)", key="s2").page == ""


@pytest.mark.parametrize(
    ("text", "code"), [("", "no_message"), ("  ", "no_message"), ("a\x00b", "bad_text")]
)
def test_B4_chat_a_bad_message_stores_nothing(text, code):
    with pytest.raises(services.ChatProblem) as refused:
        services.start_conversation(text=text, guest_key="s1")
    assert refused.value.code == code
    assert not Conversation.objects.exists() and not ChatMessage.objects.exists()


def test_B4_chat_a_message_over_the_size_limit_is_refused():
    conversation = guest_chat()
    with pytest.raises(services.ChatProblem) as refused:
        services.write_as_customer(conversation=conversation, text="x" * 2001)
    assert refused.value.code == "long_message"
    assert conversation.messages.count() == 1


def test_B4_chat_a_card_number_never_reaches_the_database():
    conversation = guest_chat()
    written = services.write_as_customer(
        conversation=conversation, text="Charge 4111 1111 1111 1111 please"
    )
    assert written.had_card
    stored = ChatMessage.objects.get(pk=written.message.pk).body
    assert "4111" not in stored and "card number removed" in stored


def test_B4_chat_an_agent_takes_a_waiting_chat_and_a_second_agent_cannot():
    conversation = guest_chat()
    first, second = agent(), agent("other@example.com")
    services.take_conversation(conversation=conversation, agent=first)
    with pytest.raises(services.ChatProblem):
        services.take_conversation(conversation=conversation, agent=second)
    with pytest.raises(services.ChatProblem):
        services.answer(conversation=conversation, agent=second, text="Me too")
    services.answer(conversation=conversation, agent=first, text="Yes, they fit.")
    conversation.refresh_from_db()
    assert conversation.state == State.ACTIVE and conversation.agent == first
    assert conversation.first_answer_at is not None


def test_B4_chat_read_marks_cover_the_other_sides_lines_only():
    conversation = guest_chat()
    clerk = agent()
    services.take_conversation(conversation=conversation, agent=clerk)
    services.answer(conversation=conversation, agent=clerk, text="Hello")
    assert services.mark_read(conversation=conversation, reader=Author.CUSTOMER) == 1
    staff_line, customer_line = (
        conversation.messages.get(author=Author.STAFF),
        conversation.messages.get(author=Author.CUSTOMER),
    )
    assert staff_line.read_at is not None and customer_line.read_at is None


def test_B4_chat_an_unanswered_chat_becomes_a_ticket_with_its_transcript():
    started = timezone.now() - timedelta(minutes=3)
    conversation, _ = services.start_conversation(
        text="Do you ship to Alaska?", guest_key="s1", now=started
    )
    services.write_as_customer(conversation=conversation, text="Anyone there?")
    ticket = services.make_ticket(conversation=conversation, email="pat@example.com")
    assert ticket.source == Source.CHAT and ticket.email == "pat@example.com"
    assert [m.body for m in ticket.messages.all()] == ["Do you ship to Alaska?", "Anyone there?"]
    assert ticket.opened_at == started
    conversation.refresh_from_db()
    assert conversation.state == State.TICKET and conversation.ticket_reference == ticket.reference
    with pytest.raises(services.ChatProblem):
        services.write_as_customer(conversation=conversation, text="more")


def test_B4_chat_a_guest_ticket_needs_an_address_and_nothing_changes_without_one():
    conversation = guest_chat()
    with pytest.raises(services.ChatProblem):
        services.make_ticket(conversation=conversation, email="not an address")
    assert not Ticket.objects.exists()
    conversation.refresh_from_db()
    assert conversation.state == State.WAITING


def test_B4_chat_transcripts_are_in_download_my_data_and_erased_with_the_person():
    member = MemberFactory(email="sam@example.com")
    conversation, _ = services.start_conversation(text="Where is my order?", user=member)
    other = guest_chat("Someone else's question")
    data = privacy_selectors.personal_data(user=member)
    assert [m["text"] for m in data["chat_messages"]] == ["Where is my order?"]
    assert services.forget_person(user=member, email=member.email) == 1
    conversation.refresh_from_db()
    assert conversation.erased_at is not None and conversation.user is None
    assert conversation.state == State.CLOSED
    assert list(conversation.messages.values_list("body", flat=True)) == [""]
    assert other.messages.get().body == "Someone else's question"


def test_B4_chat_a_guests_chat_that_became_a_ticket_is_erased_with_the_address():
    conversation = guest_chat("My question")
    services.make_ticket(conversation=conversation, email="pat@example.com")
    assert services.forget_person(email="pat@example.com") == 1
    assert conversation.messages.get().body == ""


def test_B4_chat_agents_online_counts_recent_desks_once_per_agent():
    clerk = agent()
    services.seat_agent(channel_name="a", agent=clerk)
    services.seat_agent(channel_name="b", agent=clerk)
    services.seat_agent(
        channel_name="c", agent=agent("old@example.com"), now=timezone.now() - timedelta(hours=1)
    )
    assert selectors.agents_online() == 1
    services.unseat_agent(channel_name="a")
    services.unseat_agent(channel_name="b")
    assert selectors.agents_online() == 0


def test_B4_chat_serve_runs_one_app_process_unless_the_channel_layer_crosses_processes(
    settings,
):
    from camshaft.core import serving

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert serving.app_workers(3) == 1
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    assert serving.app_workers(3) == 3
    assert serving.app_workers(0) == 1


def test_B4_chat_the_asgi_servers_access_lines_keep_no_query_or_token():
    import logging

    import camshaft.asgi  # noqa: F401 - installs the filter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/account/password-reset/abc123/?q=pat@example.com", "1.1", 200),
        None,
    )
    for keep in logging.getLogger("uvicorn.access").filters:
        keep.filter(record)
    line = record.getMessage()
    assert "abc123" not in line and "pat@example.com" not in line and "?q=" not in line
    assert "/account/password-reset/[token]/" in line


def test_B4_chat_a_chat_taken_but_unanswered_for_two_minutes_offers_a_ticket(monkeypatch):
    from camshaft.chat import consumers, rules

    monkeypatch.setattr(rules, "hours_at", lambda now: rules.Hours(is_open=True, today="open"))
    clerk = agent()
    services.seat_agent(channel_name="desk-1", agent=clerk)
    started = timezone.now() - rules.NO_ANSWER_WITHIN - timedelta(seconds=1)
    conversation, _ = services.start_conversation(text="Hello?", guest_key="g", now=started)
    conversation = services.take_conversation(conversation=conversation, agent=clerk)
    status = consumers.status_frame(conversation)
    assert status["state"] == "active" and not status["answered"] and status["offer_ticket"]
    services.answer(conversation=conversation, agent=clerk, text="Sorry, here I am")
    conversation.refresh_from_db()
    status = consumers.status_frame(conversation)
    assert status["answered"] and not status["offer_ticket"]
    fresh, _ = services.start_conversation(text="Hi", guest_key="h")
    fresh = services.take_conversation(conversation=fresh, agent=clerk)
    assert not consumers.status_frame(fresh)["offer_ticket"]  # within the two minutes
