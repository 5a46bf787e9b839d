"""An event changes a donation only when the campaign its metadata names is that donation's campaign."""

import pytest

from fundraising.ledger.models import Donation
from tests.factories import CampaignFactory, OrganizationFactory
from tests.stripe_standin import events


@pytest.fixture
def victim(db):
    """Another organisation's pending monthly gift, started by the app in its own campaign."""
    other = CampaignFactory(organization=OrganizationFactory(name="Mallory's victim"), slug="victim", currency="usd")
    return Donation.objects.create(campaign=other, amount=1000, currency="usd", kind=Donation.Kind.MONTHLY)


def unchanged(victim):
    donation = Donation.objects.get(pk=victim.pk)
    return (donation.amount, donation.status, donation.paid_at, donation.stripe_subscription_id) == (
        1000, Donation.Status.PENDING, None, ""
    )


def test_it_does_not_let_a_payment_for_one_campaign_rewrite_anothers_donation(client, campaign, victim):
    session = events.checkout_session(amount=99999, campaign="lights", donation=victim.pk)
    assert events.post_event(client, events.event("checkout.session.completed", session)).status_code == 200
    assert unchanged(victim)
    # The payment itself still counts, in the campaign it names.
    assert Donation.objects.get(campaign=campaign).amount == 99999


def test_it_does_not_let_a_payment_intent_name_anothers_donation(client, campaign, victim):
    intent = {"id": "pi_test_mallory", "object": "payment_intent", "amount_received": 5000, "currency": "usd",
              "metadata": {"fundraising_campaign": "lights", "fundraising_donation": str(victim.pk)}}  # fmt: skip
    events.post_event(client, events.event("payment_intent.succeeded", intent))
    assert unchanged(victim)


def test_it_does_not_let_an_invoice_name_anothers_donation(client, campaign, victim):
    invoice = events.invoice(amount=7000, donation=victim.pk, subscription="sub_mallory",
                             billing_reason="subscription_create")  # fmt: skip
    events.post_event(client, events.event("invoice.paid", invoice))
    assert unchanged(victim)


def test_it_does_not_let_a_subscription_session_link_anothers_donation(client, campaign, victim):
    session = events.checkout_session(amount=1000, donation=victim.pk, mode="subscription", subscription="sub_m")
    events.post_event(client, events.event("checkout.session.completed", session))
    assert unchanged(victim)


def test_it_still_applies_an_event_to_the_donation_of_its_own_campaign(client, victim):
    session = events.checkout_session(amount=1000, campaign="victim", donation=victim.pk, mode="subscription",
                                      subscription="sub_victim")  # fmt: skip
    events.post_event(client, events.event("checkout.session.completed", session))
    assert Donation.objects.get(pk=victim.pk).stripe_subscription_id == "sub_victim"


def test_a_payment_naming_a_donation_of_no_known_campaign_is_shown_unmatched(client, campaign, victim):
    """Metadata naming a gift but an unknown campaign claims nothing and fails nothing: the payment is kept
    as unmatched for an unknown campaign (post_event also checks that the event did not fail)."""
    from fundraising.payments.models import UnmatchedPayment

    intent = {"id": "pi_test_unknown", "object": "payment_intent", "amount_received": 5000, "currency": "usd",
              "metadata": {"fundraising_campaign": "no-such", "fundraising_donation": str(victim.pk)}}  # fmt: skip
    events.post_event(client, events.event("payment_intent.succeeded", intent))
    assert unchanged(victim)
    assert UnmatchedPayment.objects.values_list("stripe_id", "reason").get() == ("pi_test_unknown", "unknown_campaign")
