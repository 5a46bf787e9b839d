"""Export and erasure of one address at one organisation when the same address gave to another one too:
the other organisation's gifts, e-mails, subscriptions and stored Stripe events stay out of the export and
untouched by the erasure, and no stored event is scrubbed before it was applied (issue 25 point 1, issue 29
point 2)."""

import json

import pytest
from django.contrib.messages import get_messages
from django.test import TestCase

from fundraising.campaigns.services import owner_add
from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent, SubscriptionState
from fundraising.payments.stripe_events import stripe_event_process, stripe_event_record
from fundraising.supporters.models import Notice
from tests.factories import CampaignFactory, OrganizationFactory
from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift

GRACE = "grace@example.com"
TOOLS = "/admin/supporters/supportertools/"


@pytest.fixture
def bees(charlie):
    """Charlie's organisation B and its euro campaign."""
    org = OrganizationFactory(name="Charlie's bees")
    owner_add(organization=org, user=charlie)
    return CampaignFactory(organization=org, slug="bees", title="Save the bees", currency="eur")


@pytest.fixture
def grace(client, campaign, bees, widget_root):
    """Grace gave monthly to A (Alice's "lights") and to B ("bees"), through Stripe's events; B also has a
    paid Checkout Session of hers stored but not applied yet (the worker is behind)."""
    monthly_gift(client, campaign, email=GRACE, amount=1500)
    monthly_gift(client, bees, email="Grace@Example.com", amount=2000)
    session = events.checkout_session(amount=4200, currency="eur", campaign="bees", email=GRACE)
    pending, _ = stripe_event_record(event=events.event("checkout.session.completed", session))
    return pending


def is_bs(event):
    return "bees" in json.dumps(event.payload)


def b_picture(bees):
    """Everything stored about Grace at B."""
    subscriptions = SubscriptionState.objects.filter(campaign=bees)
    return {
        "gifts": sorted(Donation.objects.filter(campaign=bees).values_list("donor_email", "amount", "status")),
        "notices": sorted(Notice.objects.filter(campaign=bees).values_list("email", "kind")),
        "subscriptions": sorted(subscriptions.values_list("subscription_id", "customer_id", "amount")),
        "events": {e.stripe_id: (e.payload, e.processed_at) for e in StripeEvent.objects.all() if is_bs(e)},
    }  # fmt: skip


def erase_at(client, user, organization, email, confirm=None):
    client.force_login(user)
    form = {"organization": organization.pk, "email": email, "action": "erase", "confirm": confirm or email}
    response = client.post(TOOLS, form)
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def test_erasing_at_a_leaves_b_and_its_pending_event_alone(client, campaign, bees, grace, alice):
    before = b_picture(bees)
    assert any(email == "Grace@Example.com" for email, *_ in before["gifts"])
    assert any(GRACE in json.dumps(payload).lower() for payload, _ in before["events"].values())

    with TestCase.captureOnCommitCallbacks(execute=True):
        response, said = erase_at(client, alice, campaign.organization, GRACE)
    assert response.status_code == 302 and said and said[0].startswith("Erased: 1 gift(s)"), said

    assert not Donation.objects.filter(campaign=campaign, donor_email__iexact=GRACE).exists()  # A's is erased
    assert b_picture(bees) == before  # B's gifts, e-mails, subscription and events: byte for byte
    pending = StripeEvent.objects.get(pk=grace.pk)
    assert pending.processed_at is None and pending.payload["data"]["object"]["customer_details"]["email"] == GRACE

    with TestCase.captureOnCommitCallbacks(execute=True):
        stripe_event_process(event_pk=grace.pk)  # the worker catches up: B's 42 € gift is recorded
    gift = Donation.objects.get(campaign=bees, amount=4200)
    assert (gift.donor_email, gift.status) == (GRACE, Donation.Status.SUCCEEDED)


@pytest.mark.parametrize("typed", ["@", "example.com", "grace@", "grace@example.com,ada@example.com", "grace"])
def test_it_refuses_anything_but_one_complete_address(client, campaign, bees, grace, alice, typed):
    before = {e.pk: e.payload for e in StripeEvent.objects.all()}
    gifts = sorted(Donation.objects.values_list("pk", "donor_email"))
    response, said = erase_at(client, alice, campaign.organization, typed)
    assert response.status_code == 302 and "one complete e-mail address" in said[0]
    assert {e.pk: e.payload for e in StripeEvent.objects.all()} == before
    assert sorted(Donation.objects.values_list("pk", "donor_email")) == gifts


def test_it_applies_the_supporters_own_waiting_event_before_erasing(client, campaign, bees, grace, alice):
    """A's stored, unapplied gift of Grace is recorded first (it counts), then erased; never dropped."""
    session = events.checkout_session(amount=3300, campaign="lights", email=GRACE)
    waiting, _ = stripe_event_record(event=events.event("checkout.session.completed", session))
    with TestCase.captureOnCommitCallbacks(execute=True):
        _, said = erase_at(client, alice, campaign.organization, GRACE)
    assert said[0].startswith("Erased: 2 gift(s)"), said
    gift = Donation.objects.get(campaign=campaign, amount=3300)
    assert gift.status == Donation.Status.SUCCEEDED and gift.donor_email.endswith("@erased.invalid")
    event = StripeEvent.objects.get(pk=waiting.pk)
    assert event.processed_at is not None and event.payload["data"]["object"]["erased"] is True
    assert StripeEvent.objects.get(pk=grace.pk).processed_at is None  # B's still waits for B's worker


def test_export_at_a_holds_nothing_of_b(client, campaign, bees, grace, alice):
    with TestCase.captureOnCommitCallbacks(execute=True):
        stripe_event_process(event_pk=grace.pk)
    client.force_login(alice)
    form = {"organization": campaign.organization_id, "email": GRACE.upper(), "action": "export"}
    response = client.post(TOOLS, form)
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [(d["campaign"], d["amount"]) for d in data["donations"]] == [("lights", 1500)]
    assert [g["amount"] for g in data["monthly_gifts"]] == [1500]
    assert data["emails_sent"] and all(n["amount"] == 1500 for n in data["emails_sent"])
    assert "bees" not in response.content.decode() and "2000" not in response.content.decode()


def test_it_erases_nothing_when_a_waiting_event_fails_to_apply(client, campaign, bees, grace, monkeypatch):
    from fundraising.supporters import privacy

    session = events.checkout_session(amount=3300, campaign="lights", email=GRACE)
    stripe_event_record(event=events.event("checkout.session.completed", session))

    def fails(*, event_pk):
        raise RuntimeError("the handler failed")

    monkeypatch.setattr(privacy, "stripe_event_process", fails)  # as an event whose handler raises
    with pytest.raises(privacy.ErasureRefused) as refused:
        privacy.supporter_erase(organization=campaign.organization, email=GRACE)
    assert str(refused.value) == (
        "Nothing was erased: 1 Stripe event(s) about this supporter are not applied to the ledger yet "
        "(the worker is behind, or the event fails: see Stripe events). Try again once they are applied."
    )
    assert Donation.objects.filter(campaign=campaign, donor_email=GRACE).exists()
