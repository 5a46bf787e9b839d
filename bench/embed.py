"""What the script widget costs the page that embeds it, measured in Chromium (prints figures; not a test).

A plain article page, with and without the widget, served from 127.0.0.1 by this script; the app runs
under gunicorn behind deploy/nginx.conf (as in production: static and snapshot files from nginx,
gzipped; --direct skips nginx) on a database of its own that the bench creates and drops. Prints,
next to the aims of issue 13:
  - cumulative layout shift with the widget (aim 0.00: the script reserves its height before data)
  - requests and bytes the widget adds (aim <= 2 requests and <= 5 KB transferred): requests to the app
    during the load; the admin's snippet loads /w/demo.js, the JSON baked into embed.js (one request)
  - main-thread work added (aim < 10 ms): the CPU time of every task on the page's main thread, from
    Chromium's trace (thread time, so a busy machine descheduling the renderer does not inflate it),
    with the widget minus without, medians and least of --runs loads. Also printed: script + style +
    layout wall time from Performance.getMetrics, which misses work such as Intl's data loading
  - the refresh: a new total appears without reload, and nothing is fetched while the tab is hidden
  - the same figures for the older snippet, "static embed.js + JSON" (/static/fundraising/embed.js with
    data-campaign, which fetches /w/demo.json at load). Loads alternate plain / snippet / older snippet,
    so a busy machine's drift falls on all three alike

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python bench/embed.py [--runs 15] [--refresh 2] [--breakdown]
"""

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers  # noqa: E402
from bench.widgets import bench_env, bench_seed, bench_stop, database_urls, deploy_conf, psql  # noqa: E402

ROOT = servers.ROOT
CHROMIUM = "/usr/bin/chromium"
PARAGRAPH = (
    "<p>Running the project costs about five thousand dollars a month: servers, bandwidth, domains, "
    "and the time of the people who answer your questions. Every gift counts toward this month.</p>"
)
ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An article</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ font: 18px/1.6 Georgia, serif; max-width: 640px; margin: 2rem auto; padding: 0 1rem; }}</style>
</head><body><main><h1>Our monthly costs</h1>{before}{widget}{after}</main></body></html>"""
OBSERVE = """window.__cls = 0;
new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) window.__cls += e.value; }))
  .observe({type: 'layout-shift', buffered: true});"""
DRAWN = "() => document.querySelector('span')?.shadowRoot?.querySelector('.c')"
RAISED = "() => document.querySelector('span').shadowRoot.querySelector('.r b').textContent"


def article(widget=""):
    return ARTICLE.format(before=PARAGRAPH * 2, widget=widget, after=PARAGRAPH * 6)


def serve(pages):
    """The publisher: another origin (127.0.0.1 on a free port), plain HTML pages."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def gift_add(amount):
    """A paid gift in the demo's current month, through the ledger path (snapshot refreshed on commit).
    In a thread of its own: Playwright's sync API runs an event loop here, where Django refuses queries."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            gift_write(amount)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result(timeout=30)


def gift_write(amount):
    from django.db import transaction
    from django.utils import timezone

    from fundraising.campaigns.models import Campaign
    from fundraising.campaigns.services import period_for
    from fundraising.ledger.models import Donation
    from fundraising.ledger.services import donation_store, ledger_changed

    campaign = Campaign.objects.get(slug="demo")
    period = period_for(campaign=campaign)
    with transaction.atomic():  # through the ledger's write, so the period's running figures move
        donation_store(
            donation=Donation(
                campaign=campaign,
                period=period,
                amount=amount,
                currency=campaign.currency,
                kind="one_time",
                status=Donation.Status.SUCCEEDED,
                paid_at=timezone.now(),
                donor_email="bench@example.org",
            )
        )
        ledger_changed(period_id=period.pk)


def main_thread_cpu_ms(events):
    """CPU ms of the renderer main thread's top-level tasks in a trace: thread time ("tdur"), not wall
    time. The main thread is the one that parsed HTML and ran layout."""
    threads = Counter((e["pid"], e["tid"]) for e in events if e.get("name") in ("ParseHTML", "Layout"))
    if not threads:
        return 0.0
    main = threads.most_common(1)[0][0]
    spans = sorted(
        (e["ts"], e["dur"], e["tdur"])
        for e in events
        if (e["pid"], e["tid"]) == main and e.get("ph") == "X" and "tdur" in e and "dur" in e
    )
    total, end = 0, -1
    for ts, dur, tdur in spans:  # outermost events only: nested ones are part of their task
        if ts >= end:
            total, end = total + tdur, ts + dur
    return total / 1000


def main_thread_by_name(events):
    """CPU ms of the renderer main thread per trace event name (nested events counted in each of their
    names, so the rows overlap): where the main-thread work goes, for --breakdown."""
    threads = Counter((e["pid"], e["tid"]) for e in events if e.get("name") in ("ParseHTML", "Layout"))
    by_name = Counter()
    if threads:
        main = threads.most_common(1)[0][0]
        for e in events:
            if (e["pid"], e["tid"]) == main and e.get("ph") == "X" and "tdur" in e:
                by_name[e["name"]] += e["tdur"] / 1000
    return by_name


def page_load(browser, url, app):
    """(layout shift, app requests [(url, bytes, body bytes)], script+style+layout ms, drawn height,
    main-thread CPU ms, main-thread CPU ms per trace event name) of one load."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.add_init_script(OBSERVE)
    requests = []
    page.on("requestfinished", lambda r: requests.append(r) if r.url.startswith(app) else None)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    events, traced = [], threading.Event()
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.on("Tracing.tracingComplete", lambda e: traced.set())
    cdp.send("Tracing.start", {"categories": "toplevel,devtools.timeline", "transferMode": "ReportEvents"})
    page.goto(url, wait_until="load")
    page.wait_for_timeout(1500)  # no wait_for_function: its polling would run on the page's main thread
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.send("Tracing.end")
    for _ in range(100):
        if traced.is_set():
            break
        page.wait_for_timeout(50)
    # Script, style and layout wall time: what the first version of this bench measured. It misses work
    # outside those phases (Intl.RelativeTimeFormat's 13-26 ms never showed in it).
    work_ms = (metrics["ScriptDuration"] + metrics["RecalcStyleDuration"] + metrics["LayoutDuration"]) * 1000
    cpu_ms = main_thread_cpu_ms(events)
    if os.environ.get("BENCH_METRICS"):
        print({k: round(v * 1000, 1) for k, v in metrics.items() if k.endswith("Duration")})
    drawn = page.evaluate(
        "() => { const c = document.querySelector('span')?.shadowRoot?.querySelector('.c');"
        " return c ? c.getBoundingClientRect().height : 0; }"
    )
    sizes = [
        (r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"], r.sizes()["responseBodySize"])
        for r in requests
    ]
    cls = page.evaluate("() => window.__cls")
    if os.environ.get("BENCH_HEADERS"):
        for r in requests:
            print(r.url, r.response().headers_array())
    context.close()
    return cls, sizes, work_ms, drawn, cpu_ms, main_thread_by_name(events)


def refresh_check(browser, url, app, refresh):
    """A new total appears without reload; nothing is fetched while the tab is hidden; on return, one fetch."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    fetched = []
    page.on(
        "request", lambda r: fetched.append(time.monotonic()) if r.url.startswith(app) and ".json" in r.url else None
    )
    page.goto(url)
    page.wait_for_function(DRAWN, timeout=10000)
    before = page.evaluate(RAISED)
    gift_add(4200)
    started = time.monotonic()
    page.wait_for_function(f"() => ({RAISED})() !== {before!r}", timeout=(refresh + 10) * 1000)
    appeared = time.monotonic() - started
    after = page.evaluate(RAISED)

    other = context.new_page()  # a second tab in front hides the first one
    other.bring_to_front()
    hidden_by = "a second tab in front"
    if page.evaluate("() => document.visibilityState") != "hidden":
        # Headless Chromium may keep background tabs "visible": say hidden the way the browser would.
        page.evaluate(
            "() => { Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
        hidden_by = "document.visibilityState overridden to 'hidden' and visibilitychange dispatched"
    hidden_at = time.monotonic()
    gift_add(1300)
    page.wait_for_timeout(refresh * 3000 + 500)
    while_hidden = sum(1 for t in fetched if t > hidden_at)
    shown_at = time.monotonic()
    if "overridden" in hidden_by:
        page.evaluate(
            "() => { delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange')); }"
        )
    else:
        page.bring_to_front()
    page.wait_for_function(f"() => ({RAISED})() !== {after!r}", timeout=10000)
    back = time.monotonic() - shown_at
    context.close()
    return {
        "before": before,
        "after": after,
        "appeared_s": appeared,
        "hidden_fetches": while_hidden,
        "hidden_by": hidden_by,
        "hidden_s": refresh * 3 + 0.5,
        "back_s": back,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="page loads per variant; medians are shown")
    parser.add_argument("--refresh", type=int, default=2, help="data-refresh seconds for the refresh check")
    parser.add_argument(
        "--breakdown", action="store_true", help="also print the main-thread CPU added per trace event name"
    )
    parser.add_argument("--direct", action="store_true", help="talk to gunicorn, without deploy/nginx.conf")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is not installed")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        sys.exit("REDIS_URL must be set: the bench and the app server share the widget cache there")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (the bench creates and drops its own database there)")
    admin_url, db_url, db_name = database_urls(base)
    tmp = Path(tempfile.mkdtemp(prefix="fr-bench-embed-"))
    tmp.chmod(0o755)  # nginx workers read the snapshot files
    app_port, nginx_port = servers.free_port(), servers.free_port()
    public_port = app_port if args.direct else nginx_port
    env = bench_env(db_url=db_url, widget_root=tmp / "widgets", SITE_URL=f"http://127.0.0.1:{public_port}")
    processes, server = [], None
    psql(admin_url, f'CREATE DATABASE "{db_name}"')
    try:
        bench_seed()  # tasks in-process: the bench's own writes refresh the snapshot
        from django.conf import settings
        from django.core.cache import cache
        from django.core.management import call_command

        from fundraising.campaigns.models import Campaign

        # The demo's wall opted in (with its seeded public names), for the data-supporters="1" variant.
        Campaign.objects.filter(slug="demo").update(supporters_wall=True)
        cache.clear()
        call_command("widgets_refresh", verbosity=0)  # written again after the clear
        call_command("collectstatic", "--noinput", verbosity=0)  # compressed copies, as in production
        from fundraising.widgets.admin import SCRIPT_HEIGHTS, embed_snippets
        from fundraising.widgets.options import WidgetOptions

        processes.append(servers.gunicorn(port=app_port, env=env, workers=1, threads=4, error_log=tmp / "gunicorn.log",
                                          stdout=subprocess.DEVNULL))  # fmt: skip
        servers.wait_http(f"http://127.0.0.1:{app_port}/w/demo.json")
        if not args.direct:
            site = deploy_conf(
                port=nginx_port,
                app_port=app_port,
                widget_root=tmp / "widgets",
                static_root=ROOT / "staticfiles",
                cache_dir=tmp / "proxy-cache",
            )
            processes.append(servers.nginx(prefix=tmp, http=site))
        app = f"http://127.0.0.1:{public_port}"
        servers.wait_http(f"{app}/w/demo.json")
        campaign = Campaign.objects.get(slug="demo")

        def snippet(**options):
            """What the admin's Embed page gives publishers, with `options` and the refresh for the bench."""
            refresh = options.pop("refresh", None)
            text = embed_snippets(campaign=campaign, options=WidgetOptions(**options))["script"]
            return text.replace("></script>", f' data-refresh="{refresh}"></script>') if refresh else text

        def static_snippet():
            """The older snippet: one embed.js for every campaign, which fetches /w/demo.json at load."""
            baked = f'src="{settings.SITE_URL}/w/demo.js"'
            text = snippet()
            assert baked in text, text
            return text.replace(baked, f'src="{settings.SITE_URL}/static/fundraising/embed.js" data-campaign="demo"')

        pages = {
            "/plain.html": article(),
            "/widget.html": article(snippet()),
            "/widget-compact.html": article(snippet(layout="compact")),
            "/widget-amounts.html": article(snippet(amounts=True)),
            "/widget-supporters.html": article(snippet(supporters=True)),
            "/widget-refresh.html": article(snippet(refresh=args.refresh)),
            "/widget-static.html": article(static_snippet()),
        }
        server, origin = serve(pages)

        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page_load(browser, f"{origin}/widget.html", app)  # warm up gunicorn and the snapshot cache
            page_load(browser, f"{origin}/widget-static.html", app)
            plain, widget, static = [], [], []
            for _ in range(args.runs):  # alternating, so the machine's drift falls on each alike
                plain.append(page_load(browser, f"{origin}/plain.html", app))
                widget.append(page_load(browser, f"{origin}/widget.html", app))
                static.append(page_load(browser, f"{origin}/widget-static.html", app))
            variants = {
                name: page_load(browser, f"{origin}/widget-{name}.html", app)
                for name in ("compact", "amounts", "supporters")
            }
            refreshed = refresh_check(browser, f"{origin}/widget-refresh.html", app, args.refresh)
            browser.close()

        cls = max(run[0] for run in widget)
        requests = widget[0][1]
        transferred = sum(size for _, size, _ in requests)
        bodies = sum(body for _, _, body in requests)
        via = "gunicorn directly" if args.direct else "deploy/nginx.conf in front of gunicorn"
        print(f"Chromium {CHROMIUM}, {args.runs} loads per variant, article page on {origin}, app on {app} ({via})")
        print(
            f"  layout shift with the widget (worst of {args.runs}): {cls:.2f}   (aim 0.00)   "
            f"card {widget[0][3]:.0f} px high in a {SCRIPT_HEIGHTS['full']} px slot; "
            + ", ".join(
                f"{name}: shift {run[0]:.2f}, card {run[3]:.0f} px in {slot}"
                for name, run in variants.items()
                for slot in [SCRIPT_HEIGHTS[name] + (SCRIPT_HEIGHTS["full"] if name == "supporters" else 0)]
            )
        )
        print(
            f"  requests added: {len(requests)}   (aim <= 2)   "
            + ", ".join(f"{url.removeprefix(app)} {size} B ({body} body)" for url, size, body in requests)
        )
        print(
            f"  bytes transferred: {transferred / 1000:.2f} KB with headers, {bodies / 1000:.2f} KB of bodies"
            f"   (aim <= 5 KB)"
        )
        wall = variants["supporters"][1]
        print(
            f'  with data-supporters="1": {len(wall)} requests, {sum(size for _, size, _ in wall) / 1000:.2f} KB '
            f"with headers (the wall's JSON is the third; not part of the aim): "
            + ", ".join(f"{url.removeprefix(app)} {size} B" for url, size, _ in wall)
        )
        med = statistics.median
        cpu_with, cpu_without = [r[4] for r in widget], [r[4] for r in plain]
        print(
            f"  main-thread work added (CPU of the page's main thread, traced): "
            f"{med(cpu_with) - med(cpu_without):.1f} ms"
            f"   (aim < 10 ms)   medians {med(cpu_with):.1f} ms with, {med(cpu_without):.1f} ms without; least of "
            f"{args.runs} each: {min(cpu_with) - min(cpu_without):.1f} ms; load average {os.getloadavg()[0]:.2f}"
        )
        if args.breakdown:
            names = set().union(*(r[5] for r in widget + plain))

            def added(name):
                return med([r[5].get(name, 0) for r in widget]) - med([r[5].get(name, 0) for r in plain])

            print("    added per trace event (medians; nested events also count in their parents' rows):")
            for name in sorted(names, key=lambda n: -abs(added(n)))[:12]:
                print(f"      {added(name):+6.2f} ms  {name}")
        wall_with, wall_without = [r[2] for r in widget], [r[2] for r in plain]
        print(
            f"  script + style + layout wall time added (Performance.getMetrics): "
            f"{med(wall_with) - med(wall_without):.1f} ms median, {min(wall_with) - min(wall_without):.1f} ms least"
        )
        cpu_static = [r[4] for r in static]
        old = static[0][1]
        print(
            "  static embed.js + JSON (the older snippet, data-campaign): "
            f"layout shift {max(run[0] for run in static):.2f}; {len(old)} requests, "
            f"{sum(size for _, size, _ in old) / 1000:.2f} KB with headers: "
            + ", ".join(f"{url.removeprefix(app)} {size} B ({body} body)" for url, size, body in old)
        )
        print(
            f"    main-thread work added: {med(cpu_static) - med(cpu_without):.1f} ms median "
            f"({med(cpu_static):.1f} with), least {min(cpu_static) - min(cpu_without):.1f} ms; "
            f"the baked snippet minus this one: {med(cpu_with) - med(cpu_static):+.1f} ms median"
        )
        print(
            f"  refresh every {args.refresh} s: {refreshed['before']} -> {refreshed['after']} without reload, "
            f"{refreshed['appeared_s']:.1f} s after the gift"
        )
        print(
            f"  hidden {refreshed['hidden_s']:.1f} s ({refreshed['hidden_by']}): "
            f"{refreshed['hidden_fetches']} fetches   (aim 0); "
            f"visible again: new total after {refreshed['back_s']:.1f} s"
        )
    finally:
        if server:
            server.shutdown()
            server.server_close()
        bench_stop(processes=processes, admin_url=admin_url, db_name=db_name, tmp=tmp)


if __name__ == "__main__":
    main()
