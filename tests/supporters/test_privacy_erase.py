"""Erasure, part by part: which stored Stripe events are the supporter's (by each of her gifts' Stripe ids, or
her exact address with a campaign of the organisation), what an erased event keeps, the payment facts and
e-mail rows it removes or blanks, and what it never touches: another supporter's rows, even one whose address
contains hers, and events that name none of her ids."""

import copy

import pytest
from django.utils import timezone

from fundraising.ledger.models import Donation
from fundraising.payments.models import PaymentState, StripeEvent, SubscriptionState
from fundraising.supporters import privacy
from fundraising.supporters.models import GiftChange, Notice
from fundraising.supporters.privacy import ErasureRefused, supporter_erase
from fundraising.supporters.views import manage_link_request
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory
from tests.stripe_standin import events

GRACE = "grace@example.com"


def stored(type_, obj, *, processed=True):
    """A Stripe event as the webhook stored it; applied already unless said otherwise."""
    evt = events.event(type_, obj)
    return StripeEvent.objects.create(stripe_id=evt["id"], type=type_, payload=evt,
                                      processed_at=timezone.now() if processed else None)  # fmt: skip


def loaded(event):
    return StripeEvent.objects.get(pk=event.pk)


def named_by(value, *, obj_type="charge", metadata=None):
    """An event object that names the supporter by one value only (no address)."""
    return {"id": events.sid("obj"), "object": obj_type, "metadata": metadata or {}, "note": value}


@pytest.fixture
def gift(campaign):
    """Grace's monthly gift at A: every Stripe id a gift can carry, and its subscription's customer."""
    donation = DonationFactory(
        campaign=campaign, donor_email=GRACE, kind="monthly", stripe_checkout_session_id="cs_grace",
        stripe_payment_intent_id="pi_grace", stripe_charge_id="ch_grace", stripe_invoice_id="in_grace",
        stripe_subscription_id="sub_grace",
    )  # fmt: skip
    SubscriptionState.objects.create(subscription_id="sub_grace", customer_id="cus_grace", campaign=campaign,
                                     status="active", amount=1000, currency="usd")  # fmt: skip
    return donation


def test_each_event_naming_one_of_her_ids_is_erased_and_keeps_its_id_and_type(campaign, gift):
    mine = {value: stored("charge.updated", named_by(value))
            for value in ("cs_grace", "pi_grace", "ch_grace", "in_grace", "sub_grace", "cus_grace")}  # fmt: skip
    before = {value: copy.deepcopy(event.payload) for value, event in mine.items()}

    result = supporter_erase(organization=campaign.organization, email=GRACE)

    assert result["stripe_events"] == 6
    for value, event in mine.items():
        event = loaded(event)
        expected = before[value] | {"data": {"object": {"id": before[value]["data"]["object"]["id"],
                                                        "object": "charge", "erased": True}}}  # fmt: skip
        assert (event.payload, event.error) == (expected, ""), value


def test_an_event_of_another_organisation_or_naming_none_of_her_ids_is_left_alone(campaign, gift):
    bees = CampaignFactory(organization=OrganizationFactory(), slug="bees")
    others = [
        stored("charge.updated", named_by("pi_grace", metadata={"fundraising_campaign": "bees"})),  # B's campaign
        stored("checkout.session.completed", events.checkout_session(amount=500, campaign=bees.slug, email=GRACE)),
        stored("charge.updated", named_by("pi_ada")),
        stored("customer.updated", {"id": "cus_ada", "object": "customer", "email": "ada@example.com", "name": ""}),
    ]
    before = [copy.deepcopy(event.payload) for event in others]
    supporter_erase(organization=campaign.organization, email=GRACE)
    assert [loaded(event).payload for event in others] == before


def test_ids_she_does_not_have_match_no_other_event(campaign):
    """Her one-off gift has no charge id nor subscription (""), her monthly one's subscription no customer yet,
    and an older gift's row holds "" where Stripe ids are: "" is no id, and is in every event."""
    DonationFactory(campaign=campaign, donor_email=GRACE)
    DonationFactory(campaign=campaign, donor_email=GRACE, stripe_checkout_session_id="", stripe_payment_intent_id="",
                    stripe_invoice_id="")  # fmt: skip
    DonationFactory(campaign=campaign, donor_email=GRACE, kind="monthly", stripe_subscription_id="sub_grace")
    SubscriptionState.objects.create(subscription_id="sub_grace", customer_id="", campaign=campaign)
    ada = stored("customer.updated", {"id": "cus_ada", "object": "customer", "email": "ada@example.com", "name": ""})
    before = copy.deepcopy(ada.payload)

    assert supporter_erase(organization=campaign.organization, email=GRACE)["stripe_events"] == 0
    assert loaded(ada).payload == before


def test_an_address_that_contains_hers_is_another_supporter(campaign):
    """mcgrace@example.com's rows match "grace@example.com" as a substring: none of them is erased."""
    DonationFactory(campaign=campaign, donor_email=GRACE)
    DonationFactory(campaign=campaign, donor_email="mcgrace@example.com", public_name="Mc")
    session = stored("checkout.session.completed",
                     events.checkout_session(amount=500, email="mcgrace@example.com"))  # fmt: skip
    before = copy.deepcopy(session.payload)
    manage_link_request(campaign=campaign, email="mcgrace@example.com")

    result = supporter_erase(organization=campaign.organization, email=GRACE)

    assert (result["donations"], result["emails_sent"], result["stripe_events"]) == (1, 0, 0)
    assert loaded(session).payload == before
    assert Notice.objects.get().email == "mcgrace@example.com"


def test_an_event_with_her_address_and_a_campaign_of_the_organisation_is_erased(campaign):
    DonationFactory(campaign=campaign, donor_email=GRACE)
    session = events.checkout_session(amount=500, email="Grace@Example.com", payment_status="unpaid")
    expired = stored("checkout.session.expired", session)
    without_campaign = stored("checkout.session.expired",
                              events.checkout_session(amount=500, email=GRACE, campaign=None))  # fmt: skip
    before = copy.deepcopy(without_campaign.payload)

    assert supporter_erase(organization=campaign.organization, email=GRACE)["stripe_events"] == 1
    assert loaded(expired).payload["data"]["object"]["erased"] is True
    assert loaded(without_campaign).payload == before  # no campaign: not known to be about this organisation


def nested(value, depth):
    """`value` at `depth` levels inside the event's object (1: the object's own field), in lists and objects."""
    for level in range(depth - 1):
        value = [value] if level % 2 else {"inner": value}
    return {"id": events.sid("obj"), "object": "charge", "metadata": {}, "inner": value}


def test_an_event_is_read_twenty_levels_deep(campaign, gift):
    deep = stored("charge.updated", nested("pi_grace", 20))
    deeper = stored("charge.updated", nested("pi_grace", 21))
    before = copy.deepcopy(deeper.payload)
    assert supporter_erase(organization=campaign.organization, email=GRACE)["stripe_events"] == 1
    assert loaded(deep).payload["data"]["object"]["erased"] is True
    assert loaded(deeper).payload == before


def test_lists_are_read_for_her_ids_and_for_campaigns(campaign, gift):
    """An invoice's lines: her id in one names her; another organisation's campaign in one rules it out."""
    in_a_line = stored(
        "invoice.updated",
        {"id": "in_x", "object": "invoice", "lines": {"data": [{"id": "il_1"}, {"id": "il_2", "invoice": "in_grace"}]}},
    )
    theirs = stored(
        "invoice.updated",
        {
            "id": "in_y",
            "object": "invoice",
            "subscription": "sub_grace",
            "lines": {"data": [{"id": "il_3", "metadata": {"fundraising_campaign": "bees"}}]},
        },
    )
    before = copy.deepcopy(theirs.payload)
    assert supporter_erase(organization=campaign.organization, email=GRACE)["stripe_events"] == 1
    assert loaded(in_a_line).payload["data"]["object"]["erased"] is True
    assert loaded(theirs).payload == before


def test_an_incomplete_address_is_refused_with_what_to_type(campaign, gift):
    with pytest.raises(ErasureRefused) as refused:
        supporter_erase(organization=campaign.organization, email="grace")
    assert str(refused.value) == "Enter one complete e-mail address, like name@example.org."


def test_her_payment_facts_go_however_they_are_keyed_and_others_stay(campaign, gift):
    """PaymentState rows are keyed by payment intent, else charge; some know the charge or invoice only."""
    PaymentState.objects.create(key="pi_grace")
    PaymentState.objects.create(key="ch_grace")
    PaymentState.objects.create(key="pi_unknown_1", charge_id="ch_grace")
    PaymentState.objects.create(key="pi_unknown_2", invoice_id="in_grace")
    GiftChange.objects.create(subscription_id="sub_grace", kind=GiftChange.Kind.AMOUNT, amount=2000)
    kept = [
        PaymentState.objects.create(key="pi_ada", charge_id="ch_ada", invoice_id="in_ada"),
        PaymentState.objects.create(key="pi_ada_2", charge_id="", invoice_id=""),
    ]
    GiftChange.objects.create(subscription_id="sub_ada", kind=GiftChange.Kind.CANCEL_NOW)

    supporter_erase(organization=campaign.organization, email=GRACE)

    assert sorted(PaymentState.objects.values_list("key", flat=True)) == sorted(state.key for state in kept)
    assert list(GiftChange.objects.values_list("subscription_id", flat=True)) == ["sub_ada"]
    assert not SubscriptionState.objects.exists()


def test_her_e_mail_rows_lose_the_address_in_their_key_too(campaign, gift):
    """A manage link's or a statement's key names the address; an erased row's key names only the row."""
    bees = CampaignFactory(organization=OrganizationFactory(), slug="bees")
    DonationFactory(campaign=bees, donor_email=GRACE)
    for _ in range(2):
        manage_link_request(campaign=campaign, email=GRACE)
    theirs = manage_link_request(campaign=bees, email=GRACE)

    result = supporter_erase(organization=campaign.organization, email=GRACE)

    assert result["emails_sent"] == 2
    erased = Notice.objects.filter(campaign=campaign)
    assert sorted(n.key for n in erased) == sorted(f"erased:{n.pk}" for n in erased)
    assert all(n.email.endswith("@erased.invalid") for n in erased) and len({n.email for n in erased}) == 1
    theirs.refresh_from_db()
    assert (theirs.email, theirs.key.split(":")[2]) == (GRACE, GRACE)


def test_it_erases_nothing_when_an_event_of_hers_arrives_after_the_waiting_ones_were_applied(campaign, gift,
                                                                                              monkeypatch):  # fmt: skip
    """The webhook stores one between the applying and the erasing: no worker has applied it yet, and
    scrubbing it would drop a payment nobody recorded."""
    apply_waiting = privacy._events_pending_apply
    arrived = []

    def then_one_arrives(**kwargs):
        apply_waiting(**kwargs)
        arrived.append(stored("charge.updated", named_by("pi_grace"), processed=False))

    monkeypatch.setattr(privacy, "_events_pending_apply", then_one_arrives)
    with pytest.raises(ErasureRefused) as refused:
        supporter_erase(organization=campaign.organization, email=GRACE)
    assert str(refused.value) == (
        "Nothing was erased: 1 Stripe event(s) about this supporter are not applied to the ledger yet "
        "(the worker is behind, or the event fails: see Stripe events). Try again once they are applied."
    )
    gift.refresh_from_db()
    assert gift.donor_email == GRACE and loaded(arrived[0]).payload["data"]["object"]["note"] == "pi_grace"


def test_every_waiting_event_that_fails_is_counted(campaign, gift, monkeypatch):
    for value in ("pi_grace", "in_grace"):
        stored("charge.updated", named_by(value), processed=False)

    def fails(*, event_pk):
        raise RuntimeError("the handler failed")

    monkeypatch.setattr(privacy, "stripe_event_process", fails)
    with pytest.raises(ErasureRefused, match=r"^Nothing was erased: 2 Stripe event\(s\)"):
        supporter_erase(organization=campaign.organization, email=GRACE)


def test_a_waiting_event_naming_only_her_ids_is_applied_first(campaign, gift, monkeypatch):
    """Found by her gift's ids (no address in it): applied, then erased."""
    waiting = stored("charge.updated", named_by("ch_grace"), processed=False)
    applied = []

    def process(*, event_pk):
        applied.append(event_pk)
        StripeEvent.objects.filter(pk=event_pk).update(processed_at=timezone.now())

    monkeypatch.setattr(privacy, "stripe_event_process", process)
    assert supporter_erase(organization=campaign.organization, email=GRACE)["stripe_events"] == 1
    assert applied == [waiting.pk] and loaded(waiting).payload["data"]["object"]["erased"] is True


def test_erasure_keeps_each_subscription_a_supporter_and_its_cancellation(campaign):
    """Two monthly gifts from one address, one of them cancelled this month. Erased, each subscription keeps a
    stand-in of its own: the month still counts two monthly supporters, one cancellation and the same run-rate
    (with the subscription ids blanked, both became one stream under the stand-in address, and the cancellation
    was no one's)."""
    from fundraising.ledger import verify
    from fundraising.ledger.breakdown import period_breakdown
    from fundraising.ledger.services import donation_net_expression
    from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger

    kept = DonationFactory(campaign=campaign, donor_email=GRACE, kind="monthly", stripe_subscription_id="sub_kept",
                           amount=1000)  # fmt: skip
    DonationFactory(campaign=campaign, donor_email=GRACE, kind="monthly", stripe_subscription_id="sub_ended",
                    amount=500, subscription_ended_at=timezone.now())  # fmt: skip
    once = DonationFactory(campaign=campaign, donor_email=GRACE, amount=300)  # a one-time gift has no subscription
    figures = period_breakdown(period_id=kept.period_id, net=donation_net_expression())
    assert (figures["monthly_supporters"], figures["cancelled_monthly"], figures["recurring"]) == (2, 1, 1000)

    supporter_erase(organization=campaign.organization, email=GRACE)

    assert period_breakdown(period_id=kept.period_id, net=donation_net_expression()) == figures
    assert_breakdown_matches_the_ledger()
    assert verify.periods_verify_batch(period_ids=[kept.period_id]) == {}
    subscriptions = set(Donation.objects.exclude(pk=once.pk).values_list("stripe_subscription_id", flat=True))
    assert len(subscriptions) == 2 and not subscriptions & {"sub_kept", "sub_ended", ""}, subscriptions
    assert Donation.objects.get(pk=once.pk).stripe_subscription_id == ""
