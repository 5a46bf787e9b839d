"""What Stripe's description of a subscription changes for the supporter: the manage page and the receipts
follow its latest state, in both directions."""

import datetime
import time

from django.core import mail

from fundraising.payments import subscriptions
from fundraising.payments.models import SubscriptionState
from fundraising.supporters import links
from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift


def test_a_gift_resumed_after_asking_to_stop_at_period_end_is_active_again(client, campaign):
    sub = monthly_gift(client, campaign)
    token = links.manage_token(organization_id=campaign.organization_id, email="monthly@example.com")
    url = f"/c/{campaign.slug}/manage/{token}/"
    now = int(time.time())
    ending = events.subscription_live(subscription_id=sub, amount=1500, cancel_at_period_end=True)
    events.post_event(client, events.event("customer.subscription.updated", ending, created=now))
    assert "Stops on" in client.get(url).content.decode()

    resumed = events.subscription_live(subscription_id=sub, amount=1500, cancel_at_period_end=False)
    events.post_event(client, events.event("customer.subscription.updated", resumed, created=now + 60))
    html = client.get(url).content.decode()
    assert "Stops on" not in html and "Next payment on" in html

    mail.outbox.clear()
    renewal = events.invoice(amount=1500, subscription=sub, email="monthly@example.com")
    events.post_event(client, events.event("invoice.paid", renewal))
    (receipt,) = mail.outbox
    assert "Next payment" in receipt.body and "Next payment" in receipt.alternatives[0][0]


T0 = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


def described(sub, **kw):
    """What customer.subscription.* says of `sub`, stored as its event of `when` would store it."""
    when = kw.pop("when", T0)
    return subscriptions.subscription_state_record(subscription=events.subscription_live(subscription_id=sub, **kw),
                                                   when=when)  # fmt: skip


def stored(sub):
    return SubscriptionState.objects.get(subscription_id=sub)


def test_a_second_description_of_the_same_second_is_the_later_one(campaign):
    """Stripe stamps events by the second: a change sent in the same second as the last one still counts."""
    described("sub_same", amount=1500)
    described("sub_same", amount=2000, cancel_at_period_end=True)
    assert (stored("sub_same").amount, stored("sub_same").cancel_at_period_end) == (2000, True)
    described("sub_same", amount=2500, when=T0 - datetime.timedelta(seconds=1))  # older: ignored
    assert (stored("sub_same").amount, stored("sub_same").stripe_updated_at) == (2000, T0)


def test_a_description_without_items_keeps_what_it_does_not_say(campaign):
    described("sub_part", amount=1500, customer="cus_ada", period_end=int(T0.timestamp()) + 86400, product_id="prod_x",
              interval="year", currency="eur", item_id="si_gift", cancel_at_period_end=True)  # fmt: skip
    before = SubscriptionState.objects.filter(subscription_id="sub_part").values().get()
    later = T0 + datetime.timedelta(minutes=1)
    subscriptions.subscription_state_record(subscription={"id": "sub_part", "object": "subscription"}, when=later)
    after = SubscriptionState.objects.filter(subscription_id="sub_part").values().get()
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert changed.pop("updated_at")
    assert changed == {  # only what an absent flag or date means, and when Stripe said it
        "cancel_at_period_end": (True, False),
        "canceled_at": (before["canceled_at"], None),
        "stripe_updated_at": (T0, later),
    }
    assert (after["customer_id"], after["amount"], after["currency"], after["interval"]) == ("cus_ada", 1500, "eur",
                                                                                             "year")  # fmt: skip
    assert (after["item_id"], after["product_id"], after["campaign_id"]) == ("si_gift", "prod_x", campaign.pk)
    assert after["current_period_end"] == T0 + datetime.timedelta(days=1)


def test_it_keeps_only_subscriptions(campaign):
    assert subscriptions.subscription_state_record(subscription={"id": "in_1", "status": "active"}, when=T0) is None
    assert subscriptions.subscription_state_record(subscription={"status": "active"}, when=T0) is None
    assert not SubscriptionState.objects.exists()


def test_it_finds_the_campaign_by_its_slug_else_by_the_gifts_of_the_subscription(campaign):
    from tests.factories import CampaignFactory, DonationFactory

    other = CampaignFactory(organization=campaign.organization, slug="roof")
    assert described("sub_slug", amount=1500, campaign="roof").campaign_id == other.pk
    DonationFactory(campaign=other, stripe_subscription_id="sub_gift")
    DonationFactory(campaign=campaign, stripe_subscription_id="sub_else")
    assert described("sub_gift", amount=1500, campaign="gone").campaign_id == other.pk
    assert described("sub_gift", amount=1500, campaign="lights").campaign_id == other.pk  # once known, kept
    assert described("sub_none", amount=1500, campaign=None).campaign is None


def test_a_cover_named_in_the_metadata_counts_only_while_its_own_item_bills_it(campaign):
    """Dropping a cover deletes its item and clears the metadata: a description between the two (the item gone,
    the metadata still naming the cover) leaves no cover, or the manage page would show one no longer billed."""
    with_cover = events.subscription_live(subscription_id="sub_cover", amount=2500)
    gift_item = with_cover["items"]["data"][0]
    cover_price = dict(gift_item["price"], unit_amount=106, unit_amount_decimal="106")
    with_cover["items"]["data"].append(dict(gift_item, id="si_cover", price=cover_price))
    with_cover["metadata"]["fundraising_fee_cover"] = "106"
    state = subscriptions.subscription_state_record(subscription=with_cover, when=T0)
    assert (state.amount, state.fee_cover, state.fee_cover_item_id) == (2500, 106, "si_cover")
    item_gone = events.subscription_live(subscription_id="sub_cover", amount=2500)
    item_gone["metadata"]["fundraising_fee_cover"] = "106"
    subscriptions.subscription_state_record(subscription=item_gone, when=T0 + datetime.timedelta(minutes=1))
    after = stored("sub_cover")
    assert (after.amount, after.fee_cover, after.fee_cover_item_id) == (2500, 0, "")


def failed(sub, *, when, attempt=1, **kw):
    invoice = events.invoice_failed(amount=1500, subscription=sub, attempt=attempt, **kw)
    return invoice, subscriptions.renewal_failure_record(invoice=invoice, when=when)


def test_a_declined_renewal_is_stamped_with_its_latest_attempt_and_journalled(campaign):
    from fundraising.journal.models import Entry

    later = T0 + datetime.timedelta(days=3)
    second, state = failed("sub_fail", when=later, attempt=2, email=" Ada@Example.org ")
    assert (state.payment_failed_at, state.customer_id, state.campaign_id) == (later, second["customer"], campaign.pk)
    first, state = failed("sub_fail", when=T0)  # the first attempt's event, delivered late
    assert stored("sub_fail").payment_failed_at == later == state.payment_failed_at
    assert stored("sub_fail").customer_id == second["customer"]  # the first customer named stays
    entries = {e.key: (e.kind, e.organization_id, e.campaign_id, e.data) for e in Entry.objects.all()}
    assert entries == {
        f"renewal.failed:{second['id']}:2": ("renewal.failed", campaign.organization_id, campaign.pk, {
            "invoice_id": second["id"], "attempt": 2, "subscription_id": "sub_fail", "email": "Ada@Example.org"}),
        f"renewal.failed:{first['id']}:1": ("renewal.failed", campaign.organization_id, campaign.pk, {
            "invoice_id": first["id"], "attempt": 1, "subscription_id": "sub_fail", "email": "monthly@example.com"}),
    }  # fmt: skip


def test_a_declined_renewal_finds_its_campaign_by_the_subscriptions_gifts_or_is_journalled_without_one(campaign):
    from fundraising.journal.models import Entry
    from tests.factories import DonationFactory

    DonationFactory(campaign=campaign, stripe_subscription_id="sub_known")
    assert failed("sub_known", when=T0, campaign=None)[1].campaign_id == campaign.pk
    assert failed("sub_lost", when=T0, campaign="gone")[1].campaign_id is None
    assert sorted(Entry.objects.values_list("data__subscription_id", "organization_id", "campaign_id")) == [
        ("sub_known", campaign.organization_id, campaign.pk),
        ("sub_lost", None, None),
    ]


def test_a_declined_invoice_without_its_subscription_or_id_records_nothing(campaign):
    invoice = events.invoice_failed(amount=1500, subscription=None)
    assert subscriptions.renewal_failure_record(invoice=invoice, when=T0) is None
    invoice = events.invoice_failed(amount=1500, subscription="sub_x")
    invoice.pop("id")
    assert subscriptions.renewal_failure_record(invoice=invoice, when=T0) is None
    assert not SubscriptionState.objects.exists()
