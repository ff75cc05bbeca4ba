"""Read replicas through a database router (B3, ARCHITECTURE "beyond one machine").

`DATABASE_REPLICA_URLS` adds the aliases `replica1`..`replicaN`. Inside a
web request that has written nothing, reads of the catalogue, fitment and
search's own lookups go to one of them; everything else goes to the
primary (`default`): checkout, stock with its row locks, orders, accounts
and sessions, the search change log, every write, and every read inside a
transaction or after the request wrote (it reads its own writes).

Outside a request (the worker applying the search change log, jobs,
imports, the bench) nothing is marked, so everything reads the primary: a
host must never build its index from a replica that lags behind the log.

A request is marked by `camshaft.core.middleware.ReadReplicas`, which also
keeps a shopper who has just changed the catalogue on the primary for a
few seconds (`DATABASE_REPLICA_PIN_SECONDS`), so the page after a
redirect shows the change even when the replicas lag."""

import contextvars
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

#: Read-mostly data a replica may serve: whole apps, and single models as
#: "app_label.model_name". Stock, orders, carts, accounts, sessions and the
#: search change log (search.pendingindexupdate, indexhost, indexloghorizon)
#: are deliberately absent.
REPLICA_APPS = frozenset({"catalog", "fitment"})
REPLICA_MODELS = frozenset({"search.synonymrule"})


@dataclass
class RequestReads:
    """What the router knows about the request being served."""

    pinned: bool = False  # wrote, or was asked to: the primary from now on
    wrote_replicated: bool = False  # wrote data the replicas serve


_request: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "camshaft_request_reads", default=None
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def served_by_replicas(model) -> bool:
    meta = model._meta
    return meta.app_label in REPLICA_APPS or meta.label_lower in REPLICA_MODELS


def begin_request(*, pinned: bool = False) -> tuple[RequestReads, contextvars.Token]:
    state = RequestReads(pinned=pinned)
    return state, _request.set(state)


def end_request(token: contextvars.Token) -> None:
    _request.reset(token)


def pin_to_primary() -> None:
    """Read the primary for the rest of this request (after a raw write, say)."""
    if (state := _request.get()) is not None:
        state.pinned = True


class ReplicaRouter:
    """Django's router: see the module's docstring for the rules."""

    def db_for_read(self, model, **hints):
        state = _request.get()
        if state is None or state.pinned or not served_by_replicas(model):
            return DEFAULT_DB_ALIAS
        aliases = replica_aliases()
        if not aliases or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return random.choice(aliases)

    def db_for_write(self, model, **hints):
        if (state := _request.get()) is not None:
            state.pinned = True
            state.wrote_replicated = state.wrote_replicated or served_by_replicas(model)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied: any row may point at any other

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's schema


def reading(model):
    """The connection a raw read of `model`'s table should use."""
    return connections[router.db_for_read(model)]
