"""B4 / V5: chat transcripts are anonymised CHAT_TRANSCRIPT_RETENTION_DAYS
after the chat ended (`camshaft jobs`); chats still going on and recent ones
stay, and a ticket made from a chat keeps its own record."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from camshaft.chat import services
from camshaft.chat.models import Conversation, GivenAddress, State
from camshaft.support.models import Ticket
from tests.chat.helpers import guest_chat
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def ended(text: str, *, days_ago: int, now, ticket: bool = False) -> Conversation:
    started = now - timedelta(days=days_ago, minutes=5)
    conversation, _ = services.start_conversation(
        text=text, guest_key="g", page="/parts/BP-1/", now=started
    )
    closed = now - timedelta(days=days_ago)
    if ticket:
        services.make_ticket(conversation=conversation, email="pat@example.com", now=closed)
    else:
        services.close(conversation=conversation, now=closed)
    conversation.refresh_from_db()
    return conversation


def test_B4_chat_transcripts_older_than_the_retention_go_and_recent_or_open_ones_stay(settings):
    settings.CHAT_TRANSCRIPT_RETENTION_DAYS = 180
    now = timezone.now()
    old = ended("old question from pat@example.com", days_ago=181, now=now)
    old_ticket = ended("old question for a ticket", days_ago=200, now=now, ticket=True)
    recent = ended("recent question", days_ago=179, now=now)
    member = MemberFactory(email="sam@example.com")
    still_open, _ = services.start_conversation(
        text="a long wait", user=member, now=now - timedelta(days=400)
    )

    summary = services.expire_old_transcripts(now=now)

    assert summary.startswith("anonymised 2 chat transcript(s)")
    for gone in (old, old_ticket):
        gone.refresh_from_db()
        assert gone.erased_at == now and gone.page == "" and gone.guest_key == ""
        assert set(gone.messages.values_list("body", flat=True)) == {""}
        assert gone.started_at < gone.closed_at  # the desk's figures stay
    assert old_ticket.state == State.TICKET and old_ticket.ticket_reference
    assert not GivenAddress.objects.filter(conversation__in=[old, old_ticket]).exists()
    # The ticket keeps its own copy of the transcript: the support desk's record.
    ticket = Ticket.objects.get(reference=old_ticket.ticket_reference)
    assert "old question for a ticket" in [m.body for m in ticket.messages.all()]
    for kept in (recent, still_open):
        kept.refresh_from_db()
        assert kept.erased_at is None and kept.messages.first().body
    still_open.refresh_from_db()
    assert still_open.user == member and still_open.state == State.WAITING


def test_B4_chat_the_retention_job_works_in_batches_and_shows_its_progress():
    now = timezone.now()
    for n in range(5):
        ended(f"question {n}", days_ago=400, now=now)
    bar = io.StringIO()
    summary = services.expire_old_transcripts(now=now, batch=2, progress_to=bar)
    assert summary.startswith("anonymised 5 ")
    assert "chat transcripts" in bar.getvalue() and "5/5" in bar.getvalue()
    assert not Conversation.objects.filter(erased_at=None).exists()
    assert services.expire_old_transcripts(now=now).startswith("anonymised 0 ")  # runs again


def test_B4_chat_the_jobs_command_runs_transcript_retention(capsys):
    guest_chat()
    call_command("jobs", only=["expire_old_transcripts"])
    assert "expire_old_transcripts: anonymised 0 chat transcript(s)" in capsys.readouterr().out


@pytest.mark.parametrize("days", [0, -5])
def test_B4_chat_a_retention_of_less_than_a_day_is_refused(settings, days):
    settings.CHAT_TRANSCRIPT_RETENTION_DAYS = days
    ended("kept", days_ago=1, now=timezone.now())
    with pytest.raises(ImproperlyConfigured):
        services.expire_old_transcripts()
    assert not Conversation.objects.exclude(erased_at=None).exists()
