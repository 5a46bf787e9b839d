"""Fixed-window limits: RATE_LIMIT_MULTIPLIER (20 under DEBUG, so a person can explore the demo) scales each count."""

import logging
import time

import pytest
from django.core.cache import cache

from fundraising.core import ratelimit
from fundraising.core.ratelimit import once_take, once_taken, rate_take


def test_it_refuses_past_the_count(settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    assert [rate_take(key="t-plain", limit=(3, 60)) for _ in range(4)] == [True, True, True, False]


def test_it_multiplies_every_count_by_the_setting(settings):
    settings.RATE_LIMIT_MULTIPLIER = 20
    taken = [rate_take(key="t-explore", limit=(5, 60)) for _ in range(101)]
    assert taken.count(True) == 100
    assert taken[-1] is False


def test_it_counts_each_key_apart(settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    assert rate_take(key="t-alice", limit=(1, 60)) is True
    assert rate_take(key="t-bob", limit=(1, 60)) is True
    assert rate_take(key="t-alice", limit=(1, 60)) is False


def test_it_opens_a_new_window_once_the_old_one_ends(settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    assert [rate_take(key="t-window", limit=(1, 1)) for _ in range(2)] == [True, False]
    time.sleep(1.1)
    assert rate_take(key="t-window", limit=(1, 1)) is True


class ExpiringBetweenAddAndIncr:
    """The shared cache, where each key's open window ends just after `add` found it (once per key)."""

    def __init__(self, cache):
        self.cache, self.expired = cache, set()

    def add(self, key, value, timeout):
        added = self.cache.add(key, value, timeout=timeout)
        if key not in self.expired:
            self.expired.add(key)
            self.cache.delete(key)
        return added

    def __getattr__(self, name):
        return getattr(self.cache, name)


@pytest.mark.parametrize("count", [1, 2])
def test_a_window_that_ends_between_add_and_incr_starts_a_new_one(settings, monkeypatch, caplog, count):
    settings.RATE_LIMIT_MULTIPLIER = 1
    monkeypatch.setattr(ratelimit, "cache", ExpiringBetweenAddAndIncr(cache))
    with caplog.at_level(logging.WARNING, logger="fundraising.core.ratelimit"):
        taken = [rate_take(key="t-race", limit=(count, 1)) for _ in range(count + 1)]
        assert taken == [True] * count + [False]
        time.sleep(1.1)
        assert rate_take(key="t-race", limit=(count, 1)) is True
    assert caplog.records == []  # a race in the window is no cache outage


def test_once_take_is_true_once_per_key_and_once_taken_tells():
    assert once_taken(key="t-once-a") is False
    assert [once_take(key="t-once-a", seconds=60) for _ in range(2)] == [True, False]
    assert once_taken(key="t-once-a") is True
    assert once_taken(key="t-once-b") is False
    assert once_take(key="t-once-b", seconds=60) is True
