"""stripe_webhook_setup creates (or updates) the endpoint for SITE_URL with exactly the handled events, over
the real SDK against the stand-in, and prints the signing secret; a missing event is reported by the deploy
check, reconciliation and /healthz."""

import pytest
from django.core.management import call_command

from fundraising.payments import checks, handlers, stripe_api
from fundraising.payments.reconcile import stripe_reconcile
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn

URL = "https://give.example.org/stripe/webhook/"


@pytest.fixture
def standin(settings, db):
    with CheckoutStandIn(webhook_url="http://127.0.0.1:9/unused") as running:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = running.url
        settings.SITE_URL = "https://give.example.org"
        yield running


def test_it_lists_the_required_events_once():
    assert handlers.REQUIRED_EVENTS == tuple(sorted(handlers.EVENT_HANDLERS))
    assert {"invoice_payment.paid", "invoice.payment_succeeded", "refund.updated"} <= set(handlers.REQUIRED_EVENTS)


def test_it_creates_the_endpoint_and_prints_its_secret(standin, capsys):
    call_command("stripe_webhook_setup")
    out = capsys.readouterr().out
    (endpoint,) = standin.endpoints.values()
    assert endpoint["url"] == URL
    assert sorted(endpoint["enabled_events"]) == sorted(handlers.REQUIRED_EVENTS)
    assert endpoint["api_version"]  # pinned to the SDK's version, the shape the readers expect
    assert f"Signing secret (set STRIPE_WEBHOOK_SECRET to it): {endpoint['secret']}" in out


def test_it_updates_an_endpoint_missing_an_event(standin, capsys, client, settings):
    settings.HEALTHZ_TOKEN = "operator-token"  # /healthz details are for operators
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer operator-token"
    endpoint = standin.endpoint_save({"url": URL, "enabled_events": ["invoice.paid", "customer.created"]})
    other = standin.endpoint_save({"url": "https://elsewhere.example/hook", "enabled_events": ["*"]})

    (warning,) = checks.stripe_endpoint_events()
    assert warning.id == "fundraising.W100" and "invoice_payment.paid" in warning.msg
    health = client.get("/healthz").json()["stripe_endpoint"]
    assert "invoice_payment.paid" in health["missing_events"] and "warning" in health

    call_command("stripe_webhook_setup")
    out = capsys.readouterr().out
    assert f"Updated {endpoint['id']}" in out and "removed: customer.created" in out
    assert "whsec_" not in out
    assert sorted(standin.endpoints[endpoint["id"]]["enabled_events"]) == sorted(handlers.REQUIRED_EVENTS)
    assert standin.endpoints[other["id"]]["enabled_events"] == ["*"]  # another site's endpoint is left alone
    assert len(standin.endpoints) == 2
    assert checks.stripe_endpoint_events() == []
    assert client.get("/healthz").json()["stripe_endpoint"]["missing_events"] == []


def test_it_reports_a_missing_event_in_reconciliation(standin, monkeypatch):
    monkeypatch.setattr(stripe_api, "event_list", lambda **kwargs: {"data": [], "has_more": False})
    monkeypatch.setattr(stripe_api, "object_list", lambda **kwargs: {"data": [], "has_more": False})
    standin.endpoint_save({"url": URL, "enabled_events": [e for e in handlers.REQUIRED_EVENTS
                                                          if e != "invoice_payment.paid"]})  # fmt: skip
    report = stripe_reconcile()
    assert report.endpoint_missing == ["invoice_payment.paid"] and not report.clean
    assert any("invoice_payment.paid" in line for line in report.lines())


def test_it_fails_clearly_without_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="STRIPE_SECRET_KEY"):
        call_command("stripe_webhook_setup")


def test_it_documents_exactly_the_required_events():
    import pathlib
    import re

    text = (pathlib.Path(__file__).parents[2] / "docs" / "stripe.md").read_text()
    section = text.split("## The webhook endpoint", 1)[1].split("`python manage.py stripe_webhook_setup`", 1)[0]
    listed = re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", section.split("derived from `EVENT_HANDLERS`:", 1)[1])
    assert tuple(listed) == handlers.REQUIRED_EVENTS
