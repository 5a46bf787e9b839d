"""A dict with a size bound for per-process memos filled on behalf of anonymous requests: the least
recently used entry goes when a new one would pass the bound, so no sequence of requests grows it."""

import threading
from collections import OrderedDict


class BoundedMemo(OrderedDict):
    """An LRU mapping of at most `size` entries; safe to share between a process's threads."""

    def __init__(self, size):
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            if key not in self:
                return default
            self.move_to_end(key)
            return super().__getitem__(key)

    def __setitem__(self, key, value):
        with self.lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)

    def pop(self, key, default=None):
        with self.lock:
            return super().pop(key, default)
