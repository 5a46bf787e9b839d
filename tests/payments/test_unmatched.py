"""A payment naming a campaign it cannot count for (another currency, unknown or inactive campaign) is
recorded as unmatched with the reason, shown to the campaign's members in the admin and to superusers,
reported by reconcile_stripe, and forgotten once it counts after all."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.models import UnmatchedPayment
from tests.factories import CampaignFactory, UserFactory
from tests.stripe_standin import events, objects


def link_payment(*, amount=900, currency="usd", campaign="lights"):
    return objects.at(objects.BASIL, "checkout.session.completed",
                      objects.session(amount=amount, currency=currency, campaign=campaign))  # fmt: skip


SUB = "sub_test_unmatched_gbp"


@pytest.mark.parametrize(
    ("evt", "expected"),
    [
        (lambda: link_payment(currency="eur"), ("currency", "lights", 900, "eur", "")),
        (lambda: link_payment(campaign="no-such-campaign"), ("unknown_campaign", "no-such-campaign", 900, "usd", "")),
        (lambda: objects.at(objects.BASIL, "invoice.paid", objects.invoice(
            amount=700, currency="gbp", invoice_metadata={"fundraising_campaign": "lights"})),
         ("currency", "lights", 700, "gbp", "")),
        (lambda: objects.at(objects.BASIL, "invoice.paid", objects.invoice(
            amount=800, currency="gbp", subscription=SUB, metadata={"fundraising_campaign": "lights"})),
         ("currency", "lights", 800, "gbp", SUB)),
        (lambda: objects.at(objects.PRE_INTENT, "charge.succeeded", objects.charge(
            amount=300, currency="eur", metadata={"fundraising_campaign": "lights"})),
         ("currency", "lights", 300, "eur", "")),
        (lambda: objects.at(objects.BASIL, "payment_intent.succeeded", objects.stripe_object(
            "payment_intent", id=events.sid("pi"), amount_received=460, currency="eur",
            metadata={"fundraising_campaign": "lights"})), ("currency", "lights", 460, "eur", "")),
    ],
)  # fmt: skip
def test_it_records_why_a_payment_does_not_count(client, campaign, evt, expected):
    """Everything the admin's list shows, so the owner can find the payment in Stripe and see why."""
    sent = evt()
    for _ in range(2):
        assert events.post_event(client, sent).status_code == 200
    row = UnmatchedPayment.objects.get()
    assert (row.reason, row.campaign_slug, row.amount, row.currency, row.subscription_id) == expected
    paid = sent["data"]["object"]
    assert row.stripe_id == (paid.get("payment_intent") or paid["id"])  # a session's payment is its intent
    assert row.campaign == (campaign if row.campaign_slug == "lights" else None)
    assert abs(row.paid_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert row.payload["id"] == sent["data"]["object"]["id"]  # the Stripe object, to count it once it can
    assert not Donation.objects.exists()


def test_it_records_a_first_invoice_in_another_currency_than_its_donation(client, campaign):
    """The app's own monthly checkout names its pending gift in dollars; an invoice in pounds cannot count."""
    pending = Donation.objects.create(campaign=campaign, amount=1500, currency="usd", kind="monthly")
    metadata = {"fundraising_campaign": "lights", "fundraising_donation": str(pending.pk)}
    invoice = objects.invoice(amount=1300, currency="gbp", subscription=SUB, metadata=metadata,
                              billing_reason="subscription_create")  # fmt: skip
    events.post_event(client, objects.at(objects.BASIL, "invoice.paid", invoice))
    row = UnmatchedPayment.objects.get()
    assert (row.stripe_id, row.payload["id"], row.reason) == (invoice["id"], invoice["id"], "currency")
    assert (row.campaign, row.campaign_slug, row.amount, row.currency) == (campaign, "lights", 1300, "gbp")
    assert abs(row.paid_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert Donation.objects.get().paid_at is None


def test_it_records_a_payment_to_an_inactive_campaign(client, campaign):
    campaign.active = False
    campaign.save()
    events.post_event(client, link_payment())
    row = UnmatchedPayment.objects.get()
    assert (row.reason, row.campaign, row.amount, row.currency) == ("inactive_campaign", campaign, 900, "usd")


def test_it_forgets_the_adaptive_pricing_intent_once_its_session_counts(client, campaign):
    pi = events.sid("pi")
    intent = objects.stripe_object("payment_intent", id=pi, amount_received=460, currency="eur",
                                   metadata={"fundraising_campaign": "lights"})  # fmt: skip
    events.post_event(client, objects.at(objects.BASIL, "payment_intent.succeeded", intent))
    assert UnmatchedPayment.objects.get().reason == "currency"
    session = objects.session(amount=460, currency="eur", conversion=(500, "usd"), payment_intent=pi)
    events.post_event(client, objects.at(objects.BASIL, "checkout.session.completed", session))
    assert not UnmatchedPayment.objects.exists()
    assert Donation.objects.get().amount == 500


def test_it_lists_unmatched_payments_for_the_campaigns_members_only(client, alice, bob, charlie, campaign):
    events.post_event(client, link_payment(currency="eur"))
    events.post_event(client, link_payment(campaign="no-such-campaign", amount=111))
    other = CampaignFactory(slug="elsewhere")
    events.post_event(client, link_payment(campaign=other.slug, currency="jpy", amount=222))
    listing = "/admin/payments/unmatchedpayment/"
    for member in (alice, bob):
        client.force_login(member)
        html = client.get(listing).content.decode()
        assert "lights" in html and "elsewhere" not in html and "no-such-campaign" not in html
    mine = UnmatchedPayment.objects.get(campaign=campaign)
    assert client.get(f"{listing}{mine.pk}/change/").status_code == 200
    theirs = UnmatchedPayment.objects.get(campaign=other)
    assert client.get(f"{listing}{theirs.pk}/change/").status_code == 404
    charlie.is_staff = True
    charlie.save()
    client.force_login(charlie)
    assert client.get(listing).status_code == 403
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    html = client.get(listing).content.decode()
    assert "no-such-campaign" in html and "elsewhere" in html and "lights" in html


def test_it_reports_unmatched_payments_in_reconcile(client, campaign, monkeypatch, capsys):
    monkeypatch.setattr(stripe_api, "event_list", lambda **kwargs: {"data": [], "has_more": False})
    monkeypatch.setattr(stripe_api, "object_list", lambda **kwargs: {"data": [], "has_more": False})
    events.post_event(client, link_payment(currency="eur", amount=460))
    with pytest.raises(Exception, match="differ"):
        call_command("reconcile_stripe")
    out = capsys.readouterr().out
    assert "unmatched" in out and "460 eur for lights" in out


def test_it_forgets_invoices_of_subscriptions_nobody_linked(client, campaign, monkeypatch, capsys):
    import datetime

    from django.utils import timezone

    monkeypatch.setattr(stripe_api, "event_list", lambda **kwargs: {"data": [], "has_more": False})
    monkeypatch.setattr(stripe_api, "object_list", lambda **kwargs: {"data": [], "has_more": False})
    other_product = objects.invoice(amount=990, subscription=events.sid("sub"))  # names no campaign
    events.post_event(client, objects.at(objects.BASIL, "invoice.paid", other_product))
    assert UnmatchedPayment.objects.get().reason == "subscription_unlinked"
    call_command("reconcile_stripe")  # not a failure: it names no campaign
    assert "unmatched" not in capsys.readouterr().out
    UnmatchedPayment.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    call_command("reconcile_stripe")
    assert not UnmatchedPayment.objects.exists()


def test_it_records_a_payment_in_another_currency_than_the_gift_it_names(client, campaign):
    """The app's own checkout names its pending gift in dollars; an intent in euros (not Adaptive Pricing,
    whose session counts in dollars) cannot count for it, and is shown with everything the admin lists."""
    pending = Donation.objects.create(campaign=campaign, amount=1500, currency="usd")
    pi = events.sid("pi")
    metadata = {"fundraising_campaign": "lights", "fundraising_donation": str(pending.pk)}
    intent = objects.stripe_object("payment_intent", id=pi, amount_received=1400, currency="eur", metadata=metadata)
    events.post_event(client, objects.at(objects.BASIL, "payment_intent.succeeded", intent))
    row = UnmatchedPayment.objects.get()
    assert (row.stripe_id, row.payload["id"], row.reason) == (pi, pi, "currency")
    assert (row.campaign, row.campaign_slug, row.amount, row.currency) == (campaign, "lights", 1400, "eur")
    assert abs(row.paid_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert Donation.objects.get().paid_at is None


def test_it_forgets_a_charge_once_it_counts_after_all(client, campaign):
    """A charge made without an intent for a paused campaign is shown unmatched; once the owner resumes
    the campaign and Stripe sends the charge again, it counts and leaves the unmatched list."""
    campaign.active = False
    campaign.save()
    paid = objects.charge(amount=300, metadata={"fundraising_campaign": "lights"})
    events.post_event(client, objects.at(objects.PRE_INTENT, "charge.succeeded", paid))
    assert (UnmatchedPayment.objects.get().stripe_id, UnmatchedPayment.objects.get().reason) == (
        paid["id"], "inactive_campaign")  # fmt: skip
    campaign.active = True
    campaign.save()
    events.post_event(client, objects.at(objects.PRE_INTENT, "charge.succeeded", paid))
    assert Donation.objects.get().stripe_charge_id == paid["id"]
    assert not UnmatchedPayment.objects.exists()


def test_reconciliation_prunes_only_waiting_invoices_past_their_waiting_period(client, campaign, monkeypatch):
    from fundraising.payments.unmatched import WAITING_DAYS

    monkeypatch.setattr(stripe_api, "event_list", lambda **kwargs: {"data": [], "has_more": False})
    monkeypatch.setattr(stripe_api, "object_list", lambda **kwargs: {"data": [], "has_more": False})
    fresh, stale = events.sid("sub"), events.sid("sub")
    for sub in (fresh, stale):
        invoice = objects.invoice(amount=1500, subscription=sub)
        events.post_event(client, objects.at(objects.BASIL, "invoice.paid", invoice))
    events.post_event(client, link_payment(currency="eur", amount=460))  # another reason: reported, never pruned
    now = timezone.now()
    UnmatchedPayment.objects.filter(subscription_id=fresh).update(
        created_at=now - datetime.timedelta(days=WAITING_DAYS) + datetime.timedelta(hours=1)
    )
    UnmatchedPayment.objects.exclude(subscription_id=fresh).update(
        created_at=now - datetime.timedelta(days=WAITING_DAYS, hours=1)
    )
    with pytest.raises(Exception, match="differ"):
        call_command("reconcile_stripe")
    assert sorted(UnmatchedPayment.objects.values_list("reason", "amount")) == [
        ("currency", 460),
        ("subscription_unlinked", 1500),
    ]
    assert UnmatchedPayment.objects.get(reason="subscription_unlinked").subscription_id == fresh

    # Its session comes late, within the waiting period: the invoice it waited for counts.
    session = objects.session(amount=1500, mode="subscription", subscription=fresh)
    events.post_event(client, objects.at(objects.BASIL, "checkout.session.completed", session))
    gift = Donation.objects.get(stripe_subscription_id=fresh)
    assert (gift.amount, gift.status, gift.period.raised) == (1500, "succeeded", 1500)
    assert not UnmatchedPayment.objects.filter(reason="subscription_unlinked").exists()


def test_reconciliation_lists_unmatched_payments_oldest_first_with_a_mark_for_what_is_missing(db):
    from fundraising.payments.unmatched import unmatched_lines

    then = timezone.now() - datetime.timedelta(hours=1)
    for stripe_id, minutes in (("pi_later", 10), ("pi_first", 0), ("pi_same_time", 0)):
        row = UnmatchedPayment.objects.create(stripe_id=stripe_id, reason="unknown_campaign", amount=900)
        UnmatchedPayment.objects.filter(pk=row.pk).update(created_at=then + datetime.timedelta(minutes=minutes))
    # The tie is broken by id, not by where the table keeps the rows: PostgreSQL writes an updated row anew at
    # the end of its table, so without the id pi_first would follow pi_same_time there.
    UnmatchedPayment.objects.filter(stripe_id="pi_first").update(created_at=then)
    assert list(unmatched_lines()) == [
        "unmatched pi_first: 900 ? for ?: Unknown campaign",
        "unmatched pi_same_time: 900 ? for ?: Unknown campaign",
        "unmatched pi_later: 900 ? for ?: Unknown campaign",
    ]


def test_it_logs_each_payment_that_does_not_count_with_its_reason_and_amount(db, caplog):
    """The operator's log names the payment, the reason, the amount and the campaign it named, in one line."""
    from fundraising.payments.unmatched import unmatched_record

    with caplog.at_level("WARNING", logger="fundraising.payments.unmatched"):
        unmatched_record(stripe_id="pi_logged", reason="currency", slug="lights", amount=460, currency="eur")
    assert [r.getMessage() for r in caplog.records] == [
        "payment pi_logged does not count: currency (460 eur for 'lights')"
    ]


def test_a_campaign_name_and_currency_too_long_for_their_columns_are_cut_to_fit(db):
    """Metadata is whatever the payment carried: what is stored fits the columns (255 and 3), on every database."""
    from fundraising.payments.unmatched import unmatched_record

    unmatched_record(stripe_id="pi_long", reason="unknown_campaign", slug="x" * 300, amount=100, currency="usdx")
    row = UnmatchedPayment.objects.get()
    assert (len(row.campaign_slug), row.currency) == (255, "usd")


def test_a_session_counts_the_invoices_that_waited_for_it_and_reads_no_other(client, campaign, caplog):
    """Its subscription's waiting invoices count; another subscription's waiting invoice, and an invoice of its own
    subscription refused for another reason, are not read again (each session would re-read every invoice that
    waits in the account, another product's included, and log each one again)."""
    from fundraising.payments.unmatched import unmatched_record

    mine, theirs = events.sid("sub"), events.sid("sub")
    for sub, amount in ((mine, 1500), (theirs, 990)):
        invoice = objects.invoice(amount=amount, subscription=sub)
        events.post_event(client, objects.at(objects.BASIL, "invoice.paid", invoice))
    refused = objects.invoice(amount=700, subscription=mine, currency="eur")
    unmatched_record(stripe_id=refused["id"], reason="currency", campaign=campaign, slug="lights", amount=700,
                     currency="eur", subscription_id=mine, payload=refused)  # fmt: skip
    caplog.clear()
    with caplog.at_level("WARNING", logger="fundraising.payments.unmatched"):
        session = objects.session(amount=1500, mode="subscription", subscription=mine)
        events.post_event(client, objects.at(objects.BASIL, "checkout.session.completed", session))
    assert Donation.objects.get().amount == 1500
    assert caplog.records == []
    assert sorted(UnmatchedPayment.objects.values_list("subscription_id", "reason")) == sorted(
        [(theirs, "subscription_unlinked"), (mine, "currency")]
    )
