"""A crossing is POSTed to the publisher's URL, HMAC-signed like Stripe, and retried until it gets a 2xx."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from fundraising.campaigns import services
from fundraising.campaigns.models import Campaign
from fundraising.ledger import services as ledger
from tests.factories import DonationFactory, MilestoneFactory


@pytest.fixture
def publisher(settings):
    """A real HTTP endpoint on a free port that fails the first `failures` posts, then answers 204.

    It listens on loopback, which production refuses, so these tests allow private addresses."""
    settings.OUTGOING_ALLOW_PRIVATE = True
    received = []
    state = {"failures": 0, "redirect": None}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.get("on_request", lambda seen: None)((self.headers["Host"], self.path))
            if self.path.endswith("-target"):
                state["followed"] = True
            received.append((self.headers["Fundraising-Signature"], body))
            if state["redirect"] and not self.path.endswith("-target"):
                self.send_response(303)  # urllib would follow this one with a GET
                self.send_header("Location", state["redirect"])
                self.end_headers()
                return
            status = 500 if state["failures"] > 0 else 204
            state["failures"] -= 1
            self.send_response(status)
            self.end_headers()

        def do_GET(self):
            state["followed"] = True
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, state
    server.shutdown()
    server.server_close()


@pytest.fixture
def eager_retries():
    """In-process tasks only re-run on retry when errors are not propagated to the caller."""
    from fundraising.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def verify(secret, header, body):
    parts = dict(p.split("=", 1) for p in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def give(campaign, amount):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)


def test_it_posts_a_signed_milestone_and_retries_on_errors(transactional_db, campaign, publisher, eager_retries):
    url, received, state = publisher
    campaign.milestone_webhook_url = url
    campaign.milestone_webhook_secret = "mwsec_publisher"
    campaign.save()
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    services.campaign_sync_open_period(campaign=campaign)
    state["failures"] = 2

    give(campaign, 300000)

    assert len(received) == 3  # two 500s, then delivered
    header, body = received[-1]
    assert verify("mwsec_publisher", header, body)
    assert not verify("mwsec_other", header, body)
    doc = json.loads(body)
    assert doc["type"] == "milestone.reached"
    assert doc["campaign"] == "lights"
    assert doc["milestone"] == {"amount": 250000, "label": "Halfway", "formatted": "2,500 $"}
    assert (doc["raised"], doc["target"], doc["is_target"]) == (300000, 500000, False)


def test_it_signs_with_a_generated_secret_when_none_is_set(transactional_db, campaign, publisher):
    url, received, _ = publisher
    campaign.milestone_webhook_url = url
    campaign.save()

    give(campaign, 500000)

    secret = Campaign.objects.get(pk=campaign.pk).milestone_webhook_secret
    assert secret.startswith("mwsec_")
    assert len(received) == 1 and verify(secret, *received[0])
    assert json.loads(received[0][1])["is_target"] is True


def test_it_refuses_to_post_to_a_private_address_in_production(transactional_db, campaign, publisher, settings):
    url, received, _ = publisher
    settings.OUTGOING_ALLOW_PRIVATE = False
    campaign.milestone_webhook_url = url
    campaign.save()

    give(campaign, 500000)

    assert received == []


def test_it_does_not_follow_a_redirect(transactional_db, campaign, publisher, eager_retries):
    url, received, state = publisher
    state["redirect"] = f"{url}-target"  # stands for an internal address the check would refuse
    campaign.milestone_webhook_url = url
    campaign.save()

    give(campaign, 500000)

    # Every try got the 303, counted as a failure and retried; none went where it pointed.
    assert len(received) >= 2 and "followed" not in state


def test_it_posts_a_crossing_once_however_often_the_period_refreshes(transactional_db, campaign, publisher):
    from django.core import mail

    url, received, _ = publisher
    campaign.milestone_webhook_url = url
    campaign.save()
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    services.campaign_sync_open_period(campaign=campaign)

    give(campaign, 300000)
    assert [json.loads(body)["milestone"]["label"] for _, body in received] == ["Halfway"]
    mails = len(mail.outbox)

    give(campaign, 1000)  # a later gift refreshes the period again; nothing new was crossed
    give(campaign, 1000)
    assert len(received) == 1
    assert len(mail.outbox) == mails
