"""Only members who may send e-mails (roles.NEEDS["email_send"]: editors and owners) trigger them from the
admin, in the organisations where they hold that role; and nobody floods a supporter with manage links from
the admin either (issue 25 point 5)."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import TestCase

from fundraising.campaigns.services import owner_add
from fundraising.payments.models import SubscriptionState
from fundraising.supporters.models import Notice
from tests.factories import CampaignFactory, OrganizationFactory, UserFactory
from tests.supporter_helpers import monthly_gift


@pytest.fixture
def bees(charlie, alice):
    """Charlie's organisation B, where Alice (owner of A) is only a viewer."""
    org = OrganizationFactory(name="Charlie's bees")
    owner_add(organization=org, user=charlie)
    owner_add(organization=org, user=alice, role="viewer")
    return CampaignFactory(organization=org, slug="bees", title="Save the bees")


@pytest.fixture
def gifts(client, campaign, bees):
    """Grace gives monthly to A and to B; each sent her a receipt."""
    subscriptions = {"a": monthly_gift(client, campaign, email="grace@example.com"),
                     "b": monthly_gift(client, bees, email="grace@example.com")}  # fmt: skip
    mail.outbox.clear()
    return subscriptions


def act(client, user, page, action, pk):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/admin/supporters/{page}/", {"action": action, "_selected_action": [pk]})
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_send_again_is_refused_where_the_user_only_views(client, campaign, bees, gifts, alice):
    theirs = Notice.objects.get(campaign=bees)
    response, _ = act(client, alice, "notice", "send_again", theirs.pk)
    assert response.status_code == 403 and mail.outbox == []
    response, said = act(client, alice, "notice", "send_again", Notice.objects.get(campaign=campaign).pk)
    assert response.status_code == 302 and "1 e-mail(s) queued again." in said
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["grace@example.com"]


def test_a_manage_link_is_refused_where_the_user_only_views(client, campaign, bees, gifts, alice):
    theirs = SubscriptionState.objects.get(subscription_id=gifts["b"]).pk
    response, _ = act(client, alice, "monthlygift", "send_manage_link", theirs)
    assert response.status_code == 403 and mail.outbox == []
    mine = SubscriptionState.objects.get(subscription_id=gifts["a"]).pk
    response, said = act(client, alice, "monthlygift", "send_manage_link", mine)
    assert "1 manage link(s) queued." in said and len(mail.outbox) == 1


@pytest.mark.parametrize(("page", "action"), [("notice", "send_again"), ("monthlygift", "send_manage_link")])
def test_a_viewer_is_not_offered_the_actions_that_send(client, campaign, gifts, organization, page, action):
    victor = UserFactory(username="victor")
    owner_add(organization=organization, user=victor, role="viewer")
    client.force_login(victor)
    assert f'value="{action}"' not in client.get(f"/admin/supporters/{page}/").content.decode()
    pk = (Notice.objects.filter(campaign=campaign) if page == "notice" else SubscriptionState.objects).first().pk
    act(client, victor, page, action, pk)
    assert mail.outbox == []


def test_manage_links_from_the_admin_are_rate_limited_per_address(client, campaign, gifts, alice, settings):
    settings.MANAGE_LINK_RATE_LIMIT_ADDRESS = (3, 3600)
    mine = SubscriptionState.objects.get(subscription_id=gifts["a"]).pk
    for _ in range(3):
        act(client, alice, "monthlygift", "send_manage_link", mine)
    _, said = act(client, alice, "monthlygift", "send_manage_link", mine)
    assert "0 manage link(s) queued." in said and any("most manage links allowed" in m for m in said)
    form = {"organization": campaign.organization_id, "email": "grace@example.com", "action": "link"}
    response = client.post("/admin/supporters/supportertools/", form)
    assert any("most manage links allowed" in str(m) for m in get_messages(response.wsgi_request))
    assert len(mail.outbox) == 3
