"""In Chromium, the admin's script snippet (/w/<slug>.js, the JSON baked into embed.js) draws the right figures
from one request with no fetch and no layout shift, then polls /w/<slug>.json for new gifts; a hostile title
cannot run anything; the old snippet (/static/fundraising/embed.js + data-campaign) works beside it."""

import pytest

from fundraising.widgets.admin import embed_snippets
from fundraising.widgets.options import WidgetOptions
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.factories import SeedCampaignFactory, gift_add

pytestmark = pytest.mark.browser

OBSERVE = """window.__cls = 0;
new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) window.__cls += e.value; }))
  .observe({type: 'layout-shift', buffered: true});"""
DRAWN = "() => document.querySelector('span')?.shadowRoot?.querySelector('.c')"
READ = """() => { const r = document.querySelector('span').shadowRoot;
  return {title: r.querySelector('.t').textContent, raised: r.querySelector('.r').textContent,
          donate: r.querySelector('a').textContent, href: r.querySelector('a').href,
          markers: [...r.querySelectorAll('.k span')].map(s => s.textContent)}; }"""
HOSTILE = "</script><script>window.__pwned=1</script>\u2028\u2029\"'\\\\'; window.__pwned=2; //<!--"


@pytest.fixture
def lights(live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    return SeedCampaignFactory()


@pytest.fixture
def browser(chromium, lights):
    with chromium_browser(chromium) as browser:
        yield browser


def article(snippet):
    return (
        "<!doctype html><title>Post</title><body style='max-width:640px;font:18px serif'>"
        f"<h1>Our costs</h1><p>Before.</p>{snippet}<p id=after>After.</p></body>"
    )


def test_the_snippet_draws_from_one_request_without_moving_the_page(live_server, lights, publisher, browser):
    pages, origin = publisher
    snippet = embed_snippets(campaign=lights, options=WidgetOptions())["script"]
    assert f'src="{live_server.url}/w/lights.js"' in snippet
    pages["/post.html"] = article(snippet)
    context = browser.new_context(viewport={"width": 700, "height": 900})
    context.add_init_script(OBSERVE)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append((r.url, r.resource_type)) if r.url.startswith(live_server.url) else 0)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{origin}/post.html", wait_until="load")
    page.wait_for_function(DRAWN, timeout=10000)
    page.wait_for_timeout(500)  # anything the script would fetch after drawing
    page.screenshot(path=ARTIFACTS / "embed_baked.png")
    assert requests == [(f"{live_server.url}/w/lights.js", "script")]  # the one request: no JSON fetch
    widget = page.evaluate(READ)
    assert widget["title"] == "Keep the lights on"
    assert widget["raised"] == "100 $ of 5,000 $ · 3 supporters"
    assert widget["markers"] == ["0 $", "2,500 $", "5,000 $"]
    assert widget["href"] == f"{live_server.url}/c/lights/"
    assert page.evaluate("() => window.__cls") == 0
    assert not errors
    context.close()


def test_with_the_wall_nothing_moves_when_it_arrives(live_server, lights, publisher, browser):
    """The wall's JSON is still fetched: the card waits for it and draws once, so its foot does not move."""
    in_thread(lambda: type(lights).objects.filter(pk=lights.pk).update(supporters_wall=True))
    in_thread(lambda: gift_add(campaign=lights, gifts=[1000]))  # refreshes the snapshot, wall included
    pages, origin = publisher
    pages["/post.html"] = article(embed_snippets(campaign=lights, options=WidgetOptions(supporters=True))["script"])
    context = browser.new_context(viewport={"width": 700, "height": 900})
    context.add_init_script(OBSERVE)
    page = context.new_page()
    page.goto(f"{origin}/post.html", wait_until="load")
    page.wait_for_function("() => document.querySelector('span')?.shadowRoot?.querySelector('.w li')", timeout=10000)
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / "embed_baked_supporters.png")
    assert page.evaluate("() => window.__cls") == 0
    context.close()


def test_the_next_poll_shows_a_new_gift(live_server, lights, publisher, browser):
    pages, origin = publisher
    snippet = embed_snippets(campaign=lights, options=WidgetOptions(locale="fr_FR"))["script"]
    pages["/post.html"] = article(snippet.replace("></script>", ' data-refresh="1"></script>'))
    page = browser.new_page()
    polls = []
    page.on("request", lambda r: polls.append(r.url) if ".json" in r.url else None)
    page.goto(f"{origin}/post.html")
    page.wait_for_function(DRAWN, timeout=10000)
    assert page.evaluate(READ)["donate"] == "Faire un don"  # the locale chose the baked JSON
    before = page.evaluate(READ)["raised"]
    page.wait_for_timeout(1300)  # one unchanged poll: no redraw
    assert page.evaluate(READ)["raised"] == before
    in_thread(lambda: gift_add(campaign=lights, gifts=[4200]))
    page.wait_for_function(f"() => ({READ})().raised !== {before!r}", timeout=10000)
    assert page.evaluate(READ)["raised"].startswith("142 $")
    assert polls and set(polls) == {f"{live_server.url}/w/lights.json?locale=fr_FR"}


def test_the_old_snippet_and_the_element_still_work_beside_it(live_server, lights, publisher, browser):
    pages, origin = publisher
    old = f'<script async src="{live_server.url}/static/fundraising/embed.js" data-campaign="lights"></script>'
    new = embed_snippets(campaign=lights, options=WidgetOptions(theme="dark"))["script"]
    pages["/post.html"] = article(old + new + '<fundraising-progress campaign="lights"></fundraising-progress>')
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{origin}/post.html")
    drawn = """() => [...document.querySelectorAll('span, fundraising-progress')]
      .filter(h => h.shadowRoot && h.shadowRoot.querySelector('.c'))
      .map(h => h.shadowRoot.querySelector('.r').textContent)"""
    page.wait_for_function(f"() => ({drawn})().length === 3", timeout=10000)
    assert page.evaluate(drawn) == ["100 $ of 5,000 $ · 3 supporters"] * 3
    assert not errors


def test_a_hostile_title_cannot_run_script(live_server, settings, widget_root, publisher, chromium):
    SeedCampaignFactory(slug="breaker", title=HOSTILE)
    pages, origin = publisher
    script = f"{live_server.url}/w/breaker.js"
    pages["/post.html"] = article(f'<script async src="{script}"></script>')
    with chromium_browser(chromium) as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{origin}/post.html")
        page.wait_for_function(DRAWN, timeout=10000)
        assert page.evaluate(READ)["title"] == HOSTILE
        assert page.evaluate("() => window.__pwned") is None
        # The same bytes pasted inline in an HTML <script>: the data statement cannot close the element.
        body = page.evaluate(f"() => fetch({script!r}).then(r => r.text())")
        pages["/inline.html"] = f"<!doctype html><title>x</title><script>{body}</script><p>After</p>"
        page.goto(f"{origin}/inline.html")
        assert page.evaluate("() => JSON.parse(document.scripts[0].__frData.text).title") == HOSTILE
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => document.scripts.length") == 1
        assert not errors
