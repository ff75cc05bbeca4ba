"""Small, rarely changing tables kept in each process's memory.

Reading a few hundred rows from the shared cache (and unpickling them) on
every page costs more than the page's own work, so each process keeps the
value itself, under a version token kept in the shared cache: the token
lapses after `seconds`, or `forget()` deletes it, and every process reloads
on its next read."""

import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")


class ProcessMemo(Generic[T]):
    def __init__(self, key: str, load: Callable[[], T], *, seconds: int = 60):
        self.key = key
        self.load = load
        self.seconds = seconds
        self._memo: tuple[str, T] | None = None

    def get(self) -> T:
        version = cache.get(self.key)
        memo = self._memo
        if version is not None and memo is not None and memo[0] == version:
            return memo[1]
        value = self.load()
        if version is None:  # the first process to look names this version for every other
            cache.add(self.key, uuid.uuid4().hex, self.seconds)
            version = cache.get(self.key)
        self._memo = (version, value) if version is not None else None
        return value

    def forget(self) -> None:
        cache.delete(self.key)
