"""Requests an attacker controls (junk slugs, endless option values) leave every memo and cache bounded."""

import warnings

import pytest
from django.core.cache import cache

from fundraising.widgets import fastpath, services
from fundraising.wsgi import application
from tests.factories import SeedCampaignFactory
from tests.wsgi_call import wsgi_get


@pytest.fixture
def lights(transactional_db, widget_root, monkeypatch):
    monkeypatch.setattr(application, "memo", fastpath.BoundedMemo(fastpath.MEMO_SIZE))
    monkeypatch.setattr(services, "_variants", services.BoundedMemo(services.VARIANT_MEMO_SIZE))
    return SeedCampaignFactory()


@pytest.fixture
def cache_writes(monkeypatch):
    keys = []
    real_set = cache.set
    monkeypatch.setattr(cache, "set", lambda key, *a, **kw: keys.append(key) or real_set(key, *a, **kw))
    return keys


def test_it_does_not_remember_unknown_slugs(lights):
    for n in range(300):
        assert wsgi_get(f"/w/junk-{n}.json")[0] == 404
    assert wsgi_get("/w/lights.json")[0] == 200
    assert list(application.memo) == ["lights"]


def test_it_keeps_the_memo_within_its_bound(lights, monkeypatch):
    monkeypatch.setattr(application, "memo", fastpath.BoundedMemo(3))
    for n in range(5):
        cache.set(services.entry_key(f"known-{n}"), cache.get(services.entry_key("lights")), timeout=None)
        assert wsgi_get(f"/w/known-{n}.json")[0] == 200
    assert list(application.memo) == ["known-2", "known-3", "known-4"]


@pytest.mark.parametrize("path", ["/w/{}.json", "/w/{}.svg", "/w/{}/"])
def test_it_answers_404_to_very_long_slugs_without_a_cache_key(lights, path, cache_writes):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a CacheKeyWarning would fail the request
        for length in (61, 240, 251, 300, 5000):
            status, _, _ = wsgi_get(path.format("a" * length))
            assert status == 404
    assert cache_writes == []


def test_it_keeps_option_variants_out_of_the_shared_cache(lights, cache_writes):
    for n in range(600):
        status, _, body = wsgi_get("/w/lights.svg", f"accent={n:06x}")
        assert status == 200 and f"#{n:06x}".encode() in body
    assert cache_writes == []
    assert len(services._variants) <= services.VARIANT_MEMO_SIZE
