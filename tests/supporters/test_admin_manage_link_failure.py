"""A manage link an owner sends from the supporter tools whose e-mail cannot leave: the owner is told, and given
the link to pass on (the embedded default tries the send once in the request, then leaves it to the sweep; no 500)."""

import socket

import pytest

from fundraising.ledger.models import Donation
from fundraising.supporters.models import Notice


@pytest.fixture
def mail_server_down(settings, monkeypatch):
    from fundraising.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)  # as in production
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.SITE_URL = "http://testserver"


@pytest.mark.django_db(transaction=True)
def test_it_says_the_mail_failed_and_offers_the_link(client, alice, campaign, mail_server_down):
    Donation.objects.create(campaign=campaign, amount=500, currency="usd", donor_email="gift@example.org")
    client.force_login(alice)
    form = {"organization": campaign.organization_id, "email": "gift@example.org", "action": "link"}
    response = client.post("/admin/supporters/supportertools/", form, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be e-mailed" in page and "ConnectionRefusedError" in page
    link = page.split("<code>http://testserver", 1)[1].split("</code>", 1)[0]
    assert link.startswith("/c/lights/manage/")
    assert (Notice.objects.get().status, Notice.objects.get().attempts) == ("retrying", 1)  # one try; the sweep retries
    client.logout()
    assert "gift@example.org" in client.get(link).content.decode()
