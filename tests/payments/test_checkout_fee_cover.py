"""Cover the fees end to end: the donation page's box, Checkout's second line, the webhooks' ledger figures
(one-time, first month, renewals), the goal with and without covers, refunds, the thanks page and the receipt."""

import re
import time

import pytest
from django.core import mail

from fundraising.campaigns.models import FeeRate, Period
from fundraising.ledger.models import Donation
from fundraising.ledger.services import period_breakdown_store
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post
from tests.stripe_standin import events, objects

COVER = 106  # 25 $ at Stripe's default 2.9 % + 0.30 $: 26.06 $ charged leaves 25 $


@pytest.fixture
def offering(campaign):
    campaign.fee_cover_offered = True
    campaign.save()
    return campaign


@pytest.fixture
def stripe_calls(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_fees"
    calls = []

    def create(*, params, idempotency_key):
        calls.append(params)
        return {"id": f"cs_test_fee{len(calls)}", "url": f"https://checkout.stripe.test/pay/{len(calls)}"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return calls


def test_it_offers_the_box_with_the_cover_of_the_chosen_amount(client, offering):
    offering.preset_amounts = [2500, 5000]
    offering.save()
    html = client.get("/c/lights/?amount=2500").content.decode()
    assert 'name="fee_cover"' in html
    assert 'Add <strong id="fee-cover-amount">1.06 $</strong> to cover the card fees' in html
    assert "about 2.9% + 0.30 $ (Stripe's standard pricing)" in html
    assert '"5000": "1.81 $"' in html  # the script's text for the other preset, the server's


def test_it_offers_nothing_unless_the_campaign_says_so(client, campaign, stripe_calls):
    assert 'name="fee_cover"' not in client.get("/c/lights/").content.decode()
    donate_post(client, "/c/lights/", {"preset": "2500", "kind": "one_time", "fee_cover": "on"})
    assert (Donation.objects.get().amount, Donation.objects.get().fee_cover) == (2500, 0)
    assert len(stripe_calls[0]["line_items"]) == 1


def test_it_charges_the_cover_as_a_second_line(client, offering, stripe_calls):
    response = donate_post(client, "/c/lights/", {"preset": "2500", "kind": "one_time", "fee_cover": "on"})
    assert response.status_code == 303
    donation = Donation.objects.get()
    assert (donation.amount, donation.fee_cover, donation.gift) == (2500 + COVER, COVER, 2500)
    gift, cover = stripe_calls[0]["line_items"]
    assert gift["price_data"]["unit_amount"] == 2500
    assert cover == {"price_data": {"currency": "usd", "unit_amount": COVER,
                                    "product_data": {"name": "Card fees covered"}}, "quantity": 1}  # fmt: skip


def test_it_computes_the_cover_from_the_owners_rate_and_a_typed_amount(client, offering, stripe_calls):
    FeeRate.objects.create(organization=offering.organization, currency="usd", percent_bp=220, fixed=30)
    donate_post(
        client, "/c/lights/", {"preset": "custom", "custom_amount": "40", "kind": "one_time", "fee_cover": "on"}
    )
    # ceil((4000 + 30) * 10000 / 9780) = 4121
    assert Donation.objects.get().fee_cover == 121
    assert stripe_calls[0]["line_items"][1]["price_data"]["unit_amount"] == 121


def test_it_bills_the_cover_every_month(client, offering, stripe_calls):
    donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "25", "kind": "monthly", "fee_cover": "on"})
    params = stripe_calls[0]
    gift, cover = params["line_items"]
    assert gift["price_data"]["recurring"] == cover["price_data"]["recurring"] == {"interval": "month"}
    assert params["subscription_data"]["metadata"]["fundraising_fee_cover"] == str(COVER)


def test_a_cancelled_checkout_keeps_the_box_ticked_and_the_gift(client, offering, stripe_calls):
    donate_post(
        client, "/c/lights/", {"preset": "custom", "custom_amount": "25", "kind": "one_time", "fee_cover": "on"}
    )
    donation = Donation.objects.get()
    html = client.get(f"/c/lights/?cancelled={donation.pk}").content.decode()
    assert re.search(r'value="2500" id="id_preset_\d" checked', html)  # the gift, not the gift and its cover
    assert 'id="id_fee_cover" checked' in html


def _one_time_paid(client, campaign, *, cover=COVER):
    pending = Donation.objects.create(campaign=campaign, amount=2500 + cover, fee_cover=cover, currency="usd")
    session = events.checkout_session(amount=2500 + cover, donation=pending.id)
    events.post_event(client, events.event("checkout.session.completed", session))
    return Donation.objects.get(pk=pending.pk), session


def test_the_goal_leaves_the_cover_out_by_default(client, offering):
    donation, _ = _one_time_paid(client, offering)
    assert (donation.status, donation.amount, donation.fee_cover, donation.fee_cover_counted) == (
        "succeeded", 2606, COVER, False,
    )  # fmt: skip
    period = Period.objects.get()
    assert period.raised == 2500
    period_breakdown_store(period_id=period.pk)
    period.refresh_from_db()
    assert (period.fee_covers, period.fee_covers_counted, period.one_time_raised) == (COVER, 0, 2500)


def test_the_goal_counts_the_cover_when_the_owner_says_so(client, offering):
    offering.fee_cover_counts = True
    offering.save()
    donation, _ = _one_time_paid(client, offering)
    assert donation.fee_cover_counted is True
    period = Period.objects.get()
    assert period.raised == 2606
    period_breakdown_store(period_id=period.pk)
    period.refresh_from_db()
    assert (period.fee_covers, period.fee_covers_counted) == (COVER, COVER)


@pytest.mark.parametrize(
    ("refunded", "raised", "held"),
    [(1000, 1500, COVER), (2500, 0, COVER), (2550, 0, 56), (2606, 0, 0)],
    ids=["part of the gift", "the whole gift", "into the cover", "everything"],
)
def test_a_refund_takes_the_gift_first_and_the_cover_last(client, offering, refunded, raised, held):
    donation, session = _one_time_paid(client, offering)
    charge = events.charge(amount=2606, payment_intent=session["payment_intent"], amount_refunded=refunded)
    events.post_event(client, events.event("charge.refunded", charge))
    period = Period.objects.get()
    assert period.raised == raised
    period_breakdown_store(period_id=period.pk)
    period.refresh_from_db()
    assert period.fee_covers == held


def test_the_thanks_page_shows_the_cover(client, offering, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_fees"
    pending = Donation.objects.create(campaign=offering, amount=2606, fee_cover=COVER, currency="usd",
                                      stripe_checkout_session_id="cs_test_feethanks")  # fmt: skip
    session = events.checkout_session(amount=2606, donation=pending.id, session_id="cs_test_feethanks")
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", lambda *, session_id: session)
    html = client.get("/c/lights/thanks/?session_id=cs_test_feethanks").content.decode()
    assert "Your gift of <strong>25 $</strong>" in html
    assert "You also covered the card fees: <strong>1.06 $</strong>, <strong>26.06 $</strong> in all." in html


def test_the_receipt_shows_the_gift_and_the_cover(client, offering):
    mail.outbox.clear()
    _one_time_paid(client, offering)
    [message] = mail.outbox
    assert "26.06 $" in message.subject
    assert "Of which your gift: 25 $" in message.body
    assert "Of which card fees covered: 1.06 $" in message.body
    assert '<td style="text-align:right;padding:6px 0" id="fee-cover">1.06 $</td>' in message.alternatives[0][0]


def _monthly_invoice(*, subscription, donation=None, amounts=(2500, COVER), reason="subscription_cycle"):
    invoice = events.invoice(amount=sum(amounts), donation=donation, subscription=subscription,
                             billing_reason=reason, paid_at=int(time.time()))  # fmt: skip
    invoice["parent"]["subscription_details"]["metadata"]["fundraising_fee_cover"] = str(COVER)
    return objects.invoice_with_lines(invoice, amounts=amounts, subscription=subscription)


def test_every_renewal_keeps_its_cover_until_it_is_dropped(client, offering):
    pending = Donation.objects.create(campaign=offering, amount=2606, fee_cover=COVER, currency="usd", kind="monthly")
    sub = events.sid("sub")
    first = _monthly_invoice(subscription=sub, donation=pending.id, reason="subscription_create")
    session = events.checkout_session(amount=2606, donation=pending.id, mode="subscription", subscription=sub)
    events.post_event(client, events.event("invoice.paid", first))
    events.post_event(client, events.event("checkout.session.completed", session))
    renewal = _monthly_invoice(subscription=sub)
    events.post_event(client, events.event("invoice.paid", renewal))
    events.post_event(client, events.event("invoice.paid", renewal))  # delivered twice: counted once
    dropped = _monthly_invoice(subscription=sub, amounts=(2500,))  # the cover's item deleted: metadata left behind
    events.post_event(client, events.event("invoice.paid", dropped))
    figures = sorted(Donation.objects.values_list("stripe_invoice_id", "amount", "fee_cover"))
    assert figures == sorted([(first["id"], 2606, COVER), (renewal["id"], 2606, COVER), (dropped["id"], 2500, 0)])
    assert Period.objects.get().raised == 3 * 2500


@pytest.mark.parametrize(
    ("locale", "label", "hint"),
    [
        ("fr_FR", "Ajouter <strong", "tarif standard de Stripe"),
        ("de_DE", "hinzufügen, um die Kartengebühren zu übernehmen", "Standardpreis von Stripe"),
        ("es_ES", "Añadir <strong", "tarifa estándar de Stripe"),
    ],
)
def test_the_box_speaks_the_campaigns_language(client, offering, locale, label, hint):
    offering.locale = locale
    offering.save()
    html = client.get("/c/lights/").content.decode()
    assert label in html and hint in html


def test_the_yearly_statement_counts_the_cover_the_supporter_paid(client, offering):
    from fundraising.supporters.statements import statement_build

    donation, session = _one_time_paid(client, offering)
    charge = events.charge(amount=2606, payment_intent=session["payment_intent"], amount_refunded=1000)
    events.post_event(client, events.event("charge.refunded", charge))
    statement = statement_build(
        organization=offering.organization, email="donor@example.com", year=donation.paid_at.year
    )
    [line] = statement["lines"]
    assert (line["amount"], line["refunded"], line["net"]) == ("26.06 $", "10 $", "16.06 $")


def test_the_dashboard_shows_raised_without_and_with_the_covers(client, alice, offering):
    _one_time_paid(client, offering)
    period = Period.objects.get()
    period_breakdown_store(period_id=period.pk)
    client.force_login(alice)
    html = client.get(f"/admin/campaigns/campaign/{offering.pk}/dashboard/").content.decode()
    card = html[html.index('id="fee-covers"') :][:600]
    assert "1.06 $" in card
    assert "Raised 25 $ without them, 26.06 $ with them" in card
    assert "not counted toward the goal" in card


def test_a_yearly_gift_bills_its_cover_every_year(client, offering, stripe_calls):
    offering.yearly_gifts = True
    offering.save()
    donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "25", "kind": "yearly", "fee_cover": "on"})
    gift, cover = stripe_calls[0]["line_items"]
    assert gift["price_data"]["recurring"] == cover["price_data"]["recurring"] == {"interval": "year"}
    assert (Donation.objects.get().kind, Donation.objects.get().fee_cover) == ("yearly", COVER)


def test_the_thanks_page_says_a_yearly_cover_is_yearly(client, offering, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_fees"
    pending = Donation.objects.create(campaign=offering, amount=2606, fee_cover=COVER, currency="usd", kind="yearly",
                                      stripe_checkout_session_id="cs_test_feeyear")  # fmt: skip
    session = events.checkout_session(amount=2606, donation=pending.id, session_id="cs_test_feeyear")
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", lambda *, session_id: session)
    html = client.get("/c/lights/thanks/?session_id=cs_test_feeyear").content.decode()
    assert "<strong>1.06 $</strong> a year, <strong>26.06 $</strong> in all each year." in html
