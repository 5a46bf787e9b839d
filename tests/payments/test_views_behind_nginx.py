"""The donation page behind the shipped nginx configurations, with DEBUG=0 under gunicorn: deploy/nginx.conf
terminating TLS (a self-signed certificate) and deploy/nginx-behind-lb.conf behind a TLS-terminating load
balancer. No redirect loop, HTTP goes to HTTPS, HSTS on the files nginx serves, and the donation rate limit
keys on the client's address (NUM_PROXIES 1 and 2), never on one a client forged."""

import http.client
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

from bench import servers
from tests.challenge_helpers import challenge_payload
from tests.conftest import need
from tests.nginx_helpers import blocks, tokens
from tests.worker import wait_for

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
TLS_CONF, LB_CONF = ROOT / "deploy" / "nginx.conf", ROOT / "deploy" / "nginx-behind-lb.conf"
SEED = """
from fundraising.widgets.services import snapshot_refresh
from tests.factories import SeedCampaignFactory
snapshot_refresh(campaign_id=SeedCampaignFactory(gifts=()).pk)
"""


def conf_for(conf, *, tmp, ports, app_port):
    text = conf.read_text()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
        ("/etc/ssl/fundraising/fullchain.pem", f"{tmp}/cert.pem"),
        ("/etc/ssl/fundraising/privkey.pem", f"{tmp}/key.pem"),
        ("/srv/fundraising/var/widgets", f"{tmp}/widgets"),
        ("/srv/fundraising/staticfiles/", f"{tmp}/static/"),
        ("/var/cache/nginx/fundraising", f"{tmp}/cache"),
    ):
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def site_env():
    """A seeded SQLite site (one campaign, its widget files) and the environment gunicorn runs it with."""
    need(Path(servers.NGINX).exists() and shutil.which("openssl") is not None, "nginx or openssl is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="fr-nginx-"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", tmp / "key.pem", "-out", tmp / "cert.pem"], check=True, capture_output=True)  # fmt: skip
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")},
        "FUNDRAISING_IGNORE_DOTENV": "1",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "1",  # the production default (the test settings turn it off)
        "SECRET_KEY": "nginx-test-" + secrets.token_urlsafe(48),  # production settings refuse weak keys
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://localhost",
        "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
        "WIDGET_ROOT": str(tmp / "widgets"),
        "STRIPE_SECRET_KEY": "sk_test_nginx_never_called",
        "STRIPE_WEBHOOK_SECRET": "whsec_nginx_local_only",
        "STRIPE_API_BASE": "http://127.0.0.1:9",  # nothing listens: an allowed donation answers 502, never leaves
        "DONATION_RATE_LIMIT": "1/3600",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*manage, "shell", "-c", SEED], env=env, cwd=ROOT, check=True, capture_output=True)
    yield tmp, env
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["tls", "lb"])
def site(request, site_env):
    """gunicorn -w 1 behind nginx with one of the two configurations, on 127.0.0.1."""
    tmp, env = site_env
    layout = request.param
    app_port, ports = servers.free_port(), {"http": servers.free_port(), "https": servers.free_port()}
    prefix = Path(tempfile.mkdtemp(prefix=f"fr-nginx-{layout}-"))
    (prefix / "logs").mkdir()
    log = prefix / "gunicorn.log"
    env = {**env, "NUM_PROXIES": "1" if layout == "tls" else "2"}
    conf = conf_for(TLS_CONF if layout == "tls" else LB_CONF, tmp=tmp, ports=ports, app_port=app_port)
    with log.open("ab") as out:
        app = servers.gunicorn(port=app_port, env=env, workers=1, error_log=str(log), stdout=out, stderr=out)
    web = servers.nginx(prefix=str(prefix), http=conf)
    started = [app, web]
    try:
        servers.wait_http(f"http://127.0.0.1:{app_port}/healthz", any_status=True)
        wait_for(lambda: answers(ports["http"]), 30, "nginx did not start")
        yield {"layout": layout, "ports": ports, "log": log}
    finally:
        servers.stop(started)
        shutil.rmtree(prefix, ignore_errors=True)


def answers(port):
    try:
        return request(port, "/healthz").status
    except OSError:
        return None


def request(port, path, *, tls=False, method="GET", headers=None, body=None, source="127.0.0.1"):
    """One request from `source` (any 127.x address is this machine), as a browser would send it."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # self-signed
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=context, source_address=(source, 0))
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    conn.request(method, path, body=body, headers={"Host": "localhost", "Accept-Encoding": "gzip", **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def donate(site, *, source, forwarded_for=None):
    """GET the page (CSRF cookie and token), then POST a gift: 502 when the rate limit let it through (Stripe
    is unreachable here), 429 when it did not."""
    tls = site["layout"] == "tls"
    port = site["ports"]["https" if tls else "http"]
    extra = {} if tls else {"X-Forwarded-Proto": "https"}  # what the balancer says
    if forwarded_for:
        extra["X-Forwarded-For"] = forwarded_for
    page = request(port, "/c/lights/", tls=tls, headers={**extra, "Accept-Encoding": "identity"}, source=source)
    assert page.status == 200, page.status
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1).decode()
    challenge = request(port, "/c/lights/challenge/", tls=tls, headers={**extra, "Accept-Encoding": "identity"},
                        source=source)  # fmt: skip
    solution = challenge_payload(json.loads(challenge.body))  # the browser's widget solves it on submit
    body = f"csrfmiddlewaretoken={token}&preset=custom&custom_amount=25&kind=one_time&altcha={quote(solution)}"
    return request(port, "/c/lights/", tls=tls, method="POST", body=body, source=source, headers={
        **extra, "Cookie": f"csrftoken={cookie}", "Origin": "https://localhost", "Referer": "https://localhost/c/lights/",
        "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip


def limited_addresses(site):
    return re.findall(r"donation rate limit: (\S+) made too many", site["log"].read_text(errors="replace"))


def test_it_redirects_http_to_https_once_and_serves_https(site):
    ports = site["ports"]
    if site["layout"] == "tls":
        plain = request(ports["http"], "/c/lights/?a=1")
        assert plain.status == 301 and plain.getheader("Location") == "https://localhost/c/lights/?a=1"
        page = request(ports["https"], "/c/lights/", tls=True)
        forged = request(ports["https"], "/c/lights/", tls=True, headers={"X-Forwarded-Proto": "http"})
        assert forged.status == 200  # a client's header does not make nginx's TLS plain
    else:
        plain = request(ports["http"], "/c/lights/", headers={"X-Forwarded-Proto": "http"})
        assert plain.status == 301 and plain.getheader("Location") == "https://localhost/c/lights/"  # by the app
        page = request(ports["http"], "/c/lights/", headers={"X-Forwarded-Proto": "https"})
    assert page.status == 200, (page.status, page.getheader("Location"))  # no redirect to itself
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=")  # the app's


def test_it_sends_hsts_and_vary_on_the_files_nginx_serves(site):
    ports = site["ports"]
    if site["layout"] == "tls":
        widget = request(ports["https"], "/w/lights.svg", tls=True)
    else:
        widget = request(ports["http"], "/w/lights.svg", headers={"X-Forwarded-Proto": "https"})
        bare = request(ports["http"], "/w/lights.svg", headers={"X-Forwarded-Proto": "http"})
        assert bare.status == 200 and bare.getheader("Strict-Transport-Security") is None  # never over http
    assert widget.status == 200 and widget.getheader("X-Cache") is None  # the file, not the app
    assert widget.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert widget.getheader("Content-Encoding") == "gzip" and widget.getheader("Vary") == "Accept-Encoding"


def test_the_rate_limit_keys_on_the_client_address(site):
    if site["layout"] == "tls":  # clients connect to nginx themselves; what they put in X-Forwarded-For is theirs
        first, again, other = [dict(source="127.0.0.2", forwarded_for="198.51.100.1"),
                               dict(source="127.0.0.2", forwarded_for="198.51.100.2"),
                               dict(source="127.0.0.3")]  # fmt: skip
        expected = "127.0.0.2"
    else:  # the balancer appends the client's address to what the client sent
        first, again, other = [dict(source="127.0.0.1", forwarded_for="198.51.100.1, 203.0.113.7"),
                               dict(source="127.0.0.1", forwarded_for="198.51.100.2, 203.0.113.7"),
                               dict(source="127.0.0.1", forwarded_for="203.0.113.8")]  # fmt: skip
        expected = "203.0.113.7"
    assert donate(site, **first).status == 502  # let through (Stripe is unreachable here)
    assert donate(site, **again).status == 429  # the same client, whatever it forged
    assert donate(site, **other).status == 502  # another client has its own allowance
    assert limited_addresses(site) == [expected]


def test_both_files_share_their_locations():
    """deploy/nginx-behind-lb.conf differs from deploy/nginx.conf in its listeners, its trust and the names of its
    log format (both may sit in one nginx) only."""

    def locations(conf):
        parsed, _ = blocks(tokens(conf.read_text()))
        server = next(children for words, children in parsed if words == ["server"])
        differ = ("listen", "access_log")
        return [item for item in server if item[0][0] not in differ and not item[0][0].startswith("ssl_")]

    assert locations(TLS_CONF) == locations(LB_CONF)
