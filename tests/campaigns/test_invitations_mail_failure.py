"""An invitation whose e-mail cannot leave is kept, and the owner is told and given the link to pass on."""

import socket

import pytest

from fundraising.campaigns.models import Invitation


@pytest.fixture
def mail_server_down(settings):
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2


@pytest.mark.django_db(transaction=True)  # the mail goes on the real commit, before the page is answered
def test_it_saves_the_invitation_and_offers_its_link(client, alice, organization, settings, mail_server_down):
    settings.SITE_URL = "http://testserver"
    client.force_login(alice)
    data = {"organization": organization.pk, "email": "dora@example.org", "role": "editor"}
    response = client.post("/admin/campaigns/invitation/add/", data, follow=True)
    assert response.status_code == 200
    assert Invitation.objects.filter(email="dora@example.org").exists()
    page = response.content.decode()
    assert "could not be sent" in page and "ConnectionRefusedError" in page
    link = page.split("<code>http://testserver", 1)[1].split("</code>", 1)[0]
    assert link.startswith("/invitations/")
    client.logout()
    assert client.get(link).status_code == 200  # the copied link works
