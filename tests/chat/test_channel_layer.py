"""B4 without Redis: the database channel layer joins the chat's sockets
across app processes. Each `DatabaseChannelLayer` instance stands for one
process (its own sockets, groups and poller), as in each gunicorn worker."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from camshaft.core.channel_layer import DatabaseChannelLayer
from camshaft.core.models import ChannelEvent

pytestmark = pytest.mark.django_db(transaction=True)


def frame(text: str) -> dict:
    return {"type": "chat.frame", "frame": {"type": "message", "text": text}}


async def next_message(layer, channel) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout=30)


def test_B4_chat_a_group_message_reaches_the_sockets_of_another_process_once():
    async def scenario():
        agent_process, shopper_process = DatabaseChannelLayer(), DatabaseChannelLayer()
        agent = await agent_process.new_channel()
        shopper = await shopper_process.new_channel()
        await agent_process.group_add("chat.7", agent)
        await shopper_process.group_add("chat.7", shopper)

        await shopper_process.group_send("chat.7", frame("Do BP-1 pads fit?"))
        # The sender's own process at once, the other through the database.
        mine = await next_message(shopper_process, shopper)
        theirs = await next_message(agent_process, agent)
        await agent_process.group_send("chat.7", frame("They do"))
        answer = await next_message(shopper_process, shopper)
        echo = await next_message(agent_process, agent)
        # The next thing each side receives is the next message, not a repeat.
        await shopper_process.group_send("chat.7", frame("Thanks"))
        after = (
            await next_message(shopper_process, shopper),
            await next_message(agent_process, agent),
        )
        for layer, channel, group in (
            (agent_process, agent, "chat.7"),
            (shopper_process, shopper, "chat.7"),
        ):
            await layer.group_discard(group, channel)
        return mine, theirs, answer, echo, after

    mine, theirs, answer, echo, after = async_to_sync(scenario)()
    assert mine == theirs == frame("Do BP-1 pads fit?")
    assert answer == echo == frame("They do")
    assert after == (frame("Thanks"), frame("Thanks"))


def test_B4_chat_a_group_without_sockets_in_a_process_is_not_delivered_there():
    async def scenario():
        desk_process, other_process = DatabaseChannelLayer(), DatabaseChannelLayer()
        desk = await desk_process.new_channel()
        await desk_process.group_add("chat.desk", desk)
        await other_process.group_send("chat.8", frame("not for the desk"))
        await other_process.group_send("chat.desk", {"type": "desk.waiting", "conversation": 8})
        got = await next_message(desk_process, desk)
        await desk_process.group_discard("chat.desk", desk)
        return got

    assert async_to_sync(scenario)() == {"type": "desk.waiting", "conversation": 8}


def test_B4_chat_a_message_to_one_socket_of_another_process_arrives():
    async def scenario():
        one, two = DatabaseChannelLayer(), DatabaseChannelLayer()
        target = await one.new_channel()
        assert one.is_local(target) and not two.is_local(target)
        listening = asyncio.ensure_future(next_message(one, target))
        await asyncio.sleep(0)  # the socket listens (its process polls) before anyone sends
        await two.send(target, {"type": "chat.frame", "frame": {"type": "typing"}})
        return await listening

    assert async_to_sync(scenario)() == {"type": "chat.frame", "frame": {"type": "typing"}}


def test_B4_chat_the_layers_rows_are_encrypted_and_pruned_after_a_minute():
    layer = DatabaseChannelLayer()
    layer._store(group="chat.9", message=frame("my card is 4111"))
    stale = ChannelEvent.objects.create(
        at=timezone.now() - timedelta(minutes=2), origin="gone", group="chat.9", payload={}
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM core_channelevent")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "4111" not in stored and "chat.frame" not in stored
    layer._news()
    assert not ChannelEvent.objects.filter(pk=stale.pk).exists()
    assert ChannelEvent.objects.get().payload == frame("my card is 4111")
