"""The dedication notice: one e-mail to the address the donor named, once the gift counts, whatever is
delivered twice; in the campaign's language; the amount only when the donor allowed it; never for a gift
refunded before it was announced. The donor's receipt names the dedication."""

import time

from django.core import mail

from fundraising.ledger.models import Donation
from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from fundraising.supporters.notices import notice_create, notice_deliver, tribute_stands
from tests.factories import DonationFactory
from tests.stripe_standin import events

TRIBUTE = {"tribute_kind": "memory", "tribute_name": "Ada Lovelace", "tribute_notify_email": "grace@example.org"}


def dedicated(campaign, **fields):
    return Donation.objects.create(campaign=campaign, amount=2500, currency="usd", public_name="Hedy",
                                   **{**TRIBUTE, **fields})  # fmt: skip


def paid(client, donation, **session):
    completed = events.event("checkout.session.completed",
                             events.checkout_session(amount=2500, donation=donation.id, **session))  # fmt: skip
    events.post_event(client, completed)
    return completed


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_it_sends_one_notice_without_the_amount(client, campaign):
    donation = dedicated(campaign)
    completed = paid(client, donation)
    events.post_event(client, completed)  # delivered twice
    events.post_event(client, dict(completed, id=events.sid("evt")))  # and again under another event id
    [notice] = to("grace@example.org")
    assert notice.subject == "A gift to Keep the lights on: In memory of Ada Lovelace"
    assert "Hedy made a gift to Keep the lights on and dedicated it as above." in notice.body
    html = notice.alternatives[0][0]
    assert "<bdi>In memory of Ada Lovelace</bdi>" in html
    assert "25" not in notice.body and "25 $" not in html
    assert "You will not receive any other." in notice.body
    row = Notice.objects.get(kind="tribute")
    assert (row.key, row.status, row.amount, row.donation_id) == (f"tribute:{donation.pk}", "sent", 0, donation.pk)
    tasks.notice_send(str(row.pk))  # the send task redelivered
    assert len(to("grace@example.org")) == 1


def test_it_includes_the_amount_when_the_donor_allowed_it_and_hides_an_anonymous_donors_name(client, campaign):
    paid(client, dedicated(campaign, tribute_notify_amount=True, anonymous=True))
    [notice] = to("grace@example.org")
    assert "Someone made a gift of 25 $ to Keep the lights on and dedicated it as above." in notice.body
    assert "Hedy" not in notice.body and "Hedy" not in notice.alternatives[0][0]


def test_it_speaks_the_campaigns_language(client, campaign):
    campaign.locale = "de_DE"
    campaign.save()
    paid(client, dedicated(campaign, tribute_kind="honour"))
    [notice] = to("grace@example.org")
    assert notice.subject == "Eine Spende an Keep the lights on: Zu Ehren von Ada Lovelace"
    assert "Hedy hat an Keep the lights on gespendet und die Spende so gewidmet." in notice.body


def test_the_donors_receipt_names_the_dedication(client, campaign):
    paid(client, dedicated(campaign), email="hedy@example.org")
    [receipt] = to("hedy@example.org")
    assert "In memory of Ada Lovelace" in receipt.body
    assert '<td style="text-align:right;padding:6px 0" id="tribute"><bdi>In memory of Ada Lovelace</bdi></td>' in (
        receipt.alternatives[0][0]
    )


def test_no_notice_without_an_address_and_no_dedication_line_without_a_dedication(client, campaign):
    paid(client, dedicated(campaign, tribute_notify_email=""), email="hedy@example.org")
    assert not Notice.objects.filter(kind="tribute").exists()
    assert "In memory of Ada Lovelace" in to("hedy@example.org")[0].body
    plain = Donation.objects.create(campaign=campaign, amount=2500, currency="usd")
    paid(client, plain, email="plain@example.org")
    assert "memory" not in to("plain@example.org")[0].body and "Dedication" not in to("plain@example.org")[0].body


def test_a_gift_refunded_before_it_counted_is_never_announced(client, campaign):
    """The refund arrives first (events out of order): the gift counts already refunded, nobody is told."""
    donation = dedicated(campaign)
    session = events.checkout_session(amount=2500, donation=donation.id)
    refund = events.charge(amount=2500, payment_intent=session["payment_intent"], amount_refunded=2500)
    events.post_event(client, events.event("charge.refunded", refund))
    events.post_event(client, events.event("checkout.session.completed", session))
    assert Donation.objects.get(pk=donation.pk).status == "refunded"
    assert to("grace@example.org") == []
    assert not Notice.objects.filter(kind="tribute").exists()


def test_a_notice_whose_gift_was_refunded_before_it_went_is_not_sent(client, campaign, monkeypatch):
    """Queued, then the refund lands before the worker sends it: marked failed, with the reason, not sent."""
    monkeypatch.setattr(tasks.notice_send, "delay", lambda *args: None)  # the worker is behind
    monkeypatch.setattr(tasks.notices_send, "delay", lambda *args: None)  # (the receipt and the notice, together)
    donation = dedicated(campaign)
    completed = paid(client, donation)
    row = Notice.objects.get(kind="tribute")
    refund = events.charge(amount=2500, payment_intent=completed["data"]["object"]["payment_intent"],
                           amount_refunded=2500)  # fmt: skip
    events.post_event(client, events.event("charge.refunded", refund))
    assert notice_deliver(notice_id=row.pk) is None
    row.refresh_from_db()
    assert row.status == "failed" and "refunded" in row.last_error
    assert to("grace@example.org") == []


def test_a_reversed_gift_no_longer_stands(campaign):
    gift = DonationFactory(campaign=campaign, amount=2500, source="offline", method="cash", **TRIBUTE)
    assert tribute_stands(gift)
    DonationFactory(campaign=campaign, amount=2500, source="offline", method="cash", reverses=gift)
    assert not tribute_stands(gift)


def test_a_monthly_gifts_renewals_carry_no_dedication(client, campaign):
    donation = dedicated(campaign, kind="monthly")
    sub = events.sid("sub")
    session = events.checkout_session(amount=2500, donation=donation.id, mode="subscription", subscription=sub,
                                      email="hedy@example.org")  # fmt: skip
    first = events.invoice(amount=2500, donation=donation.id, subscription=sub, billing_reason="subscription_create",
                           paid_at=int(time.time()))  # fmt: skip
    events.post_event(client, events.event("checkout.session.completed", session))
    events.post_event(client, events.event("invoice.paid", first))
    renewal = events.invoice(amount=2500, subscription=sub, email="hedy@example.org")
    events.post_event(client, events.event("invoice.paid", renewal))
    assert Donation.objects.filter(stripe_subscription_id=sub).count() == 2
    renewed = Donation.objects.filter(stripe_subscription_id=sub).exclude(pk=donation.pk).get()
    assert (renewed.tribute_kind, renewed.tribute_name, renewed.tribute_notify_email) == ("", "", "")
    assert len(to("grace@example.org")) == 1
    receipts = to("hedy@example.org")
    assert len(receipts) == 2 and sum("In memory of Ada Lovelace" in m.body for m in receipts) == 1


def test_notice_create_is_once_per_key(campaign):
    donation = dedicated(campaign)
    first = notice_create(key=f"tribute:{donation.pk}", kind="tribute", campaign=campaign, email="g@example.org")
    second = notice_create(key=f"tribute:{donation.pk}", kind="tribute", campaign=campaign, email="g@example.org")
    assert first[1] is True and second[1] is False and first[0].pk == second[0].pk
