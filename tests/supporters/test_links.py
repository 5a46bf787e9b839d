"""/c/<slug>/manage/: the same answer for any address, a link only to one that gave, rate-limited;
a tampered, foreign or expired link answers a clear page, never a 500."""

import time

import pytest
from django.core import mail

from fundraising.supporters import links
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory


@pytest.fixture
def gave(campaign):
    DonationFactory(campaign=campaign, donor_email="Gave@Example.com")
    return "gave@example.com"


def ask(client, email, ip="10.0.0.1"):
    from django.test import TestCase

    from fundraising.supporters.tasks import notices_sweep

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/c/lights/manage/", {"email": email}, REMOTE_ADDR=ip)
    notices_sweep()  # without a broker, beat's sweep sends the link (never the request: equal time)
    return response


def test_it_answers_the_same_whether_or_not_the_address_gave(client, gave):
    known = ask(client, "GAVE@example.com")
    unknown = ask(client, "never@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["gave@example.com"]
    link = next(word for word in mail.outbox[0].body.split() if "/manage/" in word)
    page = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert page.status_code == 200 and "gave@example.com" in page.content.decode()


def test_it_limits_links_per_address_silently(client, gave, settings):
    settings.MANAGE_LINK_RATE_LIMIT_ADDRESS = (2, 3600)
    answers = [ask(client, gave, ip=f"10.0.0.{n}").status_code for n in range(4)]
    assert answers == [200, 200, 200, 200]
    assert len(mail.outbox) == 2


def test_it_limits_requests_per_ip(client, gave, settings):
    settings.MANAGE_LINK_RATE_LIMIT_IP = (3, 3600)
    answers = [ask(client, f"a{n}@example.com").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert "wait an hour" in ask(client, "b@example.com").content.decode()


def test_it_refuses_a_bad_address_with_a_message(client, gave):
    response = ask(client, "not an address")
    assert response.status_code == 400 and "valid email" in response.content.decode()


@pytest.mark.parametrize("token", ["garbage", "%25%25", "a" * 300, "eyJvIjoxfQ:1abc:xyz"])
def test_it_explains_a_tampered_link(client, campaign, token):
    for path in (f"/c/lights/manage/{token}/", f"/c/lights/manage/{token}/statement/2025/"):
        response = client.get(path)
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert 'href="/c/lights/manage/"' in response.content.decode()
    assert client.post(f"/c/lights/manage/{token}/gift/sub_x/", {"action": "cancel_now"}).status_code == 400


def test_it_refuses_a_link_made_for_another_organisation(client, campaign):
    other = CampaignFactory(organization=OrganizationFactory(), slug="other")
    token = links.manage_token(organization_id=other.organization_id, email="x@example.com")
    assert client.get(f"/c/lights/manage/{token}/").status_code == 400
    assert client.get(f"/c/other/manage/{token}/").status_code == 200


def test_it_explains_an_expired_link(client, campaign, settings):
    token = links.manage_token(organization_id=campaign.organization_id, email="x@example.com")
    settings.MANAGE_LINK_MAX_AGE = 1
    time.sleep(2.1)
    response = client.get(f"/c/lights/manage/{token}/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_it_limits_each_ip_and_each_address_on_its_own(client, campaign, settings):
    DonationFactory(campaign=campaign, donor_email="one@example.com")
    DonationFactory(campaign=campaign, donor_email="two@example.com")
    settings.MANAGE_LINK_RATE_LIMIT_IP = (1, 3600)
    settings.MANAGE_LINK_RATE_LIMIT_ADDRESS = (1, 3600)
    assert ask(client, "one@example.com", ip="10.0.0.1").status_code == 200
    assert ask(client, "two@example.com", ip="10.0.0.2").status_code == 200  # another IP: its own limit
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.com", "two@example.com"]  # each address its own


def test_an_absent_address_stays_absent_when_normalised(db, campaign):
    """Addresses are compared and stored normalised (trimmed, lower case); none (empty or missing) stays none, so a
    notice for it holds no made-up address and finds no gift."""
    from fundraising.supporters.models import Notice
    from fundraising.supporters.notices import notice_create

    assert [links.email_normalise(email) for email in (" Ada@Example.COM ", "", None)] == ["ada@example.com", "", ""]
    notice, created = notice_create(key="no-address", kind=Notice.Kind.MANAGE_LINK, campaign=campaign, email=None)
    assert (created, notice.email) == (True, "")
