"""A channel layer through the store's own database, so the live chat (B4)
joins sockets held by different app processes without Redis, on SQLite and
PostgreSQL alike.

Each app process has one layer: sockets of the same process reach each
other in memory at once (it is Channels' in-memory layer underneath), and
whatever is sent to a group or to another process's socket is also written
as a `ChannelEvent` row. One poller per process (not per socket), running
only while the process holds a socket, reads the rows other processes wrote
in the last few seconds, about five times a second, and hands each to its
own sockets. Rows are read by time, not by id, because PostgreSQL may
commit a smaller id after a larger one was read; ids already handed on are
remembered, so none is delivered twice. Rows older than a minute are pruned.

With REDIS_URL the settings use channels-redis instead (several hosts)."""

import asyncio
import contextlib
import logging
import secrets
import string
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

#: How often a process looks for what the others sent.
POLL_SECONDS = 0.2
#: How far back each look reaches: far more than a row takes to commit.
LOOKBACK = timedelta(seconds=10)
#: Rows older than this are deleted (every PRUNE_SECONDS, by any process).
KEEP = timedelta(seconds=60)
PRUNE_SECONDS = 30


class DatabaseChannelLayer(InMemoryChannelLayer):
    extensions = ["groups", "flush"]

    def __init__(self, poll_seconds: float = POLL_SECONDS, **kwargs):
        super().__init__(**kwargs)
        #: This process's mark, in its channel names and in the rows it writes.
        self.origin = secrets.token_hex(8)
        self.poll_seconds = poll_seconds
        self._seen: dict[int, float] = {}
        self._poller: asyncio.Task | None = None
        self._pruned_at = 0.0
        # One thread of its own for the database, so the poller never waits
        # behind the pages (Django runs sync views in one thread per process).
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="channel-layer")

    # Channels' layer API

    async def new_channel(self, prefix="specific."):
        tail = "".join(secrets.choice(string.ascii_letters) for _ in range(12))
        return f"{prefix}.db{self.origin}!{tail}"

    def is_local(self, channel: str) -> bool:
        return f".db{self.origin}!" in channel

    async def send(self, channel, message):
        if self.is_local(channel):
            await super().send(channel, message)
            return
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        await self._in_database(self._store, channel=channel, message=message)

    async def receive(self, channel):
        self._keep_polling()
        return await super().receive(channel)

    async def group_add(self, group, channel):
        await super().group_add(group, channel)
        self._keep_polling()

    async def group_send(self, group, message):
        await super().group_send(group, message)  # this process's sockets, at once
        await self._in_database(self._store, group=group, message=message)

    async def flush(self):
        await super().flush()
        self._seen.clear()

    # Between processes

    async def _in_database(self, work, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._database, lambda: _with_connection(work, **kwargs))

    def _store(self, *, message: dict, group: str = "", channel: str = "") -> None:
        from camshaft.core.models import ChannelEvent

        ChannelEvent.objects.create(
            at=timezone.now(), origin=self.origin, group=group, channel=channel, payload=message
        )
        if self._poller is None or self._poller.done():
            connection.close()  # no poller holds this thread's connection: let it go

    def _keep_polling(self) -> None:
        """Start this process's poller in the running event loop, unless it
        runs there already."""
        loop = asyncio.get_running_loop()
        poller = self._poller
        if poller is None or poller.done() or poller.get_loop() is not loop:
            self._poller = loop.create_task(self._poll())

    async def _poll(self) -> None:
        try:
            while self.groups or self.channels:
                try:
                    events = await self._in_database(self._news)
                except DatabaseError as error:  # the next look tries again
                    logger.warning("The chat's channel layer could not read: %s", error)
                    events = []
                for sent_at, group, channel, message in events:
                    for receiver in self._receivers(sent_at, group, channel):
                        with contextlib.suppress(ChannelFull):  # a full socket: as in memory
                            await super().send(receiver, message)
                await asyncio.sleep(self.poll_seconds)
        finally:
            # Idle: hand the database connection back.
            self._database.submit(connection.close)

    def _receivers(self, sent_at: float, group: str, channel: str) -> list[str]:
        """This process's sockets an event is for: one socket, or those in
        the group that had joined it when the event was sent (as in one
        process, nobody gets what was said before they joined)."""
        if not group:
            return [channel] if self.is_local(channel) else []
        members = self.groups.get(group, {})
        return [name for name, joined in list(members.items()) if joined <= sent_at]

    def _news(self) -> list[tuple[float, str, str, dict]]:
        """What other processes sent since the last look, for this process's
        groups and sockets, oldest first; each row once."""
        from camshaft.core.models import ChannelEvent

        now = timezone.now()
        rows = (
            ChannelEvent.objects.filter(at__gte=now - LOOKBACK)
            .exclude(origin=self.origin)
            .order_by("pk")
            .values_list("pk", "group", "channel")
        )
        clock = time.monotonic()
        wanted = []
        for pk, group, channel in rows:
            if pk in self._seen:
                continue
            self._seen[pk] = clock
            if (group and group in self.groups) or (channel and self.is_local(channel)):
                wanted.append(pk)
        forget_before = clock - 2 * LOOKBACK.total_seconds()
        self._seen = {pk: at for pk, at in self._seen.items() if at >= forget_before}
        if clock - self._pruned_at >= PRUNE_SECONDS:
            self._pruned_at = clock
            ChannelEvent.objects.filter(at__lt=now - KEEP).delete()
        if not wanted:
            return []
        found = ChannelEvent.objects.in_bulk(wanted)
        return [
            (found[pk].at.timestamp(), found[pk].group, found[pk].channel, found[pk].payload)
            for pk in wanted
        ]


def _with_connection(work, **kwargs):
    close_old_connections()
    return work(**kwargs)
