"""Each process remembers a widget for exactly MEMO_SECONDS, and forgets a campaign whose widget is gone."""

from fundraising.widgets.fastpath import MEMO_SECONDS
from fundraising.wsgi import application
from tests.factories import gift_add
from tests.wsgi_call import fast_path_hits, wsgi_get


def donors(path="/w/lights.json"):
    import json

    return json.loads(wsgi_get(path).body)["donors"]


def test_a_remembered_widget_is_read_again_at_exactly_memo_seconds(lights, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(application, "clock", lambda: now[0])
    assert donors() == 0
    gift_add(campaign=lights, gifts=[1000])
    now[0] += MEMO_SECONDS - 0.125
    assert donors() == 0  # still this process's memory
    now[0] = 1000.0 + MEMO_SECONDS
    assert donors() == 1


def test_a_campaign_taken_down_is_forgotten_and_left_to_django(lights, monkeypatch):
    from fundraising.widgets.services import snapshot_after_edit

    now = [1000.0]
    monkeypatch.setattr(application, "clock", lambda: now[0])
    assert wsgi_get("/w/lights.json").status == 200
    assert list(application.memo) == ["lights"]
    lights.active = False
    lights.save()
    snapshot_after_edit(campaign_id=lights.pk)
    now[0] += MEMO_SECONDS
    to_django = fast_path_hits(monkeypatch)
    assert wsgi_get("/w/lights.json").status == 404
    assert (to_django, list(application.memo)) == (["/w/lights.json"], [])


def test_the_first_request_is_served_whatever_the_clock_reads(lights, monkeypatch):
    monkeypatch.setattr(application, "clock", lambda: 0.0)  # a monotonic clock's origin is arbitrary
    to_django = fast_path_hits(monkeypatch)
    assert wsgi_get("/w/lights.json").status == 200
    assert to_django == []


def test_a_new_fast_path_remembers_at_most_memo_size_widgets(lights, monkeypatch):
    from django.core.cache import cache

    from fundraising.widgets import fastpath, services

    monkeypatch.setattr(fastpath, "MEMO_SIZE", 2)
    fast = fastpath.WidgetFastPath(application.app)
    for slug in ("one", "two", "three"):
        cache.set(services.entry_key(slug), cache.get(services.entry_key("lights")), timeout=None)
        assert fast.entry_get(slug) is not None
    assert list(fast.memo) == ["two", "three"]


def test_a_new_fast_path_hands_what_it_does_not_serve_to_the_app_it_wraps():
    from fundraising.widgets.fastpath import WidgetFastPath

    seen = []

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return [b""]

    answered = []
    fast = WidgetFastPath(app)
    body = fast({"PATH_INFO": "/admin/", "REQUEST_METHOD": "GET"}, lambda status, headers: answered.append(status))
    assert (list(body), seen, answered) == ([b""], ["/admin/"], ["204 No Content"])
