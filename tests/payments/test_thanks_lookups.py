"""Visitors cannot spend the Stripe account's API calls through the thanks page."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api, thanks
from tests.stripe_standin import events


@pytest.fixture
def stripe_calls(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_thanks"
    calls = []

    def retrieve(*, session_id):
        calls.append(session_id)
        donation = Donation.objects.filter(stripe_checkout_session_id=session_id).first()
        return events.checkout_session(amount=2500, donation=donation.id if donation else None, session_id=session_id)

    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", retrieve)
    return calls


def pending(campaign, session_id):
    return Donation.objects.create(
        campaign=campaign, amount=2500, currency="usd", stripe_checkout_session_id=session_id
    )


def test_it_asks_stripe_nothing_about_random_session_ids(client, campaign, stripe_calls):
    for n in range(100):
        assert client.get(f"/c/lights/thanks/?session_id=cs_live_{n:040d}").status_code == 200
    assert stripe_calls == []


def test_it_asks_about_a_session_of_its_own_once_then_remembers(client, campaign, stripe_calls):
    pending(campaign, "cs_test_ours")
    for _ in range(5):
        assert "Thank you" in client.get("/c/lights/thanks/?session_id=cs_test_ours").content.decode()
    assert stripe_calls == ["cs_test_ours"]
    assert Donation.objects.get().status == "succeeded"


def test_it_does_not_ask_about_another_campaigns_session(client, campaign, organization, stripe_calls):
    from tests.factories import CampaignFactory

    pending(CampaignFactory(organization=organization, slug="other"), "cs_test_other")
    client.get("/c/lights/thanks/?session_id=cs_test_other")
    assert stripe_calls == []


def test_it_limits_lookups_per_client_address(client, campaign, stripe_calls, monkeypatch):
    monkeypatch.setattr(thanks, "LOOKUP_RATE", (3, 60))
    monkeypatch.setattr(
        stripe_api,
        "checkout_session_retrieve",
        lambda *, session_id: (
            stripe_calls.append(session_id) or {"id": session_id, "payment_status": "unpaid", "metadata": {}}
        ),
    )
    for n in range(6):
        pending(campaign, f"cs_test_{n}")
        client.get(f"/c/lights/thanks/?session_id=cs_test_{n}")
    assert stripe_calls == ["cs_test_0", "cs_test_1", "cs_test_2"]
    client.get("/c/lights/thanks/?session_id=cs_test_5", REMOTE_ADDR="203.0.113.9")
    assert stripe_calls[-1] == "cs_test_5"


def unpaid(stripe_calls):
    def retrieve(*, session_id):
        stripe_calls.append(session_id)
        return {"id": session_id, "payment_status": "unpaid", "metadata": {}}

    return retrieve


def test_it_asks_nothing_about_an_unknown_session_when_the_campaign_has_pending_gifts(client, campaign, stripe_calls):
    pending(campaign, "cs_test_ours")
    client.get("/c/lights/thanks/?session_id=cs_test_not_ours")
    assert stripe_calls == []


def test_a_session_already_asked_about_spends_none_of_the_clients_lookups(client, campaign, stripe_calls, monkeypatch):
    monkeypatch.setattr(thanks, "LOOKUP_RATE", (2, 60))
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", unpaid(stripe_calls))
    pending(campaign, "cs_test_first")
    pending(campaign, "cs_test_second")
    for _ in range(3):
        client.get("/c/lights/thanks/?session_id=cs_test_first")
    client.get("/c/lights/thanks/?session_id=cs_test_second")
    assert stripe_calls == ["cs_test_first", "cs_test_second"]


def test_it_asks_again_about_an_unpaid_session_once_its_seconds_are_up(client, campaign, stripe_calls, monkeypatch,
                                                                       time_machine, settings):  # fmt: skip
    # The marker's expiry must follow the moved clock: a cache in this process (Redis's TTLs run on its own clock).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", unpaid(stripe_calls))
    time_machine.move_to("2026-06-01 12:00:00Z", tick=False)
    pending(campaign, "cs_test_ours")
    client.get("/c/lights/thanks/?session_id=cs_test_ours")
    time_machine.move_to("2026-06-01 12:00:09Z", tick=False)
    client.get("/c/lights/thanks/?session_id=cs_test_ours")
    assert stripe_calls == ["cs_test_ours"]
    time_machine.move_to("2026-06-01 12:00:11Z", tick=False)
    client.get("/c/lights/thanks/?session_id=cs_test_ours")
    assert stripe_calls == ["cs_test_ours", "cs_test_ours"]


def test_it_logs_which_session_it_could_not_read(client, campaign, stripe_calls, monkeypatch, caplog):
    def unavailable(*, session_id):
        raise stripe_api.StripeUnavailable("timed out")

    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", unavailable)
    pending(campaign, "cs_test_ours")
    assert client.get("/c/lights/thanks/?session_id=cs_test_ours").status_code == 200
    assert "thanks page could not read session cs_test_ours: timed out" in caplog.messages


def test_a_gift_whose_bank_debit_is_still_on_its_way_shows_as_on_its_way(client, campaign, stripe_calls, monkeypatch):
    """The session is ours and complete, its payment (a bank debit) not yet: nothing counts, the page answers."""

    def processing(*, session_id):
        stripe_calls.append(session_id)
        donation = Donation.objects.get(stripe_checkout_session_id=session_id)
        return events.checkout_session(
            amount=2500, donation=donation.pk, session_id=session_id, payment_status="unpaid"
        )

    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", processing)
    pending(campaign, "cs_test_debit")
    response = client.get("/c/lights/thanks/?session_id=cs_test_debit")
    assert response.status_code == 200
    assert "is on its way; it appears in the total as soon as the payment is confirmed" in response.content.decode()
    assert stripe_calls == ["cs_test_debit"]
    assert Donation.objects.get().paid_at is None
