"""Computed report figures, kept between requests in each app process.

A report page and each of its charts are separate requests that need the same figures (a page with five
charts needs them six times), and computing them reads every judgement in the scope. The cache keeps the
figures under a key naming the report's scope, its framework and the *data version* of what they were
computed from (``data.version``), which changes with any write the figures could show: a figure is never
served stale, only recomputed when asked for after a change. It keeps computed figures, never pages: each
request still loads and authorises its object before asking, and a key names one scope, so no one is served
figures they could not compute themselves. Several app servers each keep their own cache; the key makes each
one right.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app

# An authority's report over 300 schools and 300 moderators holds about 0.7 MB of tables; most hold far less.
MAX_REPORTS = 16

Value = TypeVar("Value")


class LruCache(Generic[Value]):
    """At most ``max_size`` values, the least recently used dropped first; safe to share between threads."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._values: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Computed outside the lock: two threads missing the same key at once both compute it (the same
        # figures), rather than every other report waiting for one slow computation.
        value = compute()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.max_size:
                self._values.popitem(last=False)
        return value


def computed(key: Hashable, compute: Callable[[], Value]) -> Value:
    """The value kept under ``key`` in this app's cache, computed and kept when there is none."""
    cache: LruCache[Value] = current_app.extensions.setdefault("report_figures", LruCache(MAX_REPORTS))
    return cache.get_or_compute(key, compute)
