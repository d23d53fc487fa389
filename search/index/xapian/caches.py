"""The bounded caches a Xapian generation keeps (its postings and stored fields never change)."""
from __future__ import annotations

import threading
from collections import OrderedDict


class Budget:
    """A thread-safe least-recently-used map bounded by the bytes its values hold."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value, size: int) -> None:
        with self._lock:
            if key in self._items or size > self.limit:
                return
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.limit:
                _key, (_value, freed) = self._items.popitem(last=False)
                self.used -= freed
