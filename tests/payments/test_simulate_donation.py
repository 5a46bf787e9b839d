"""simulate_donation posts a signed event to the running app; the gift reaches the ledger."""

import pytest
from django.core.management import CommandError, call_command

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent, SubscriptionState
from tests.loopback import free_port


@pytest.mark.django_db(transaction=True)
def test_it_posts_one_time_and_monthly_gifts(live_server, campaign, settings, capsys):
    settings.SITE_URL = live_server.url
    call_command("simulate_donation", "lights", "12.50")
    call_command("simulate_donation", "lights", "5", "--monthly")
    call_command("simulate_donation", "lights", "120", "--yearly")
    out = capsys.readouterr().out
    assert "checkout.session.completed" in out and "12.50 $ to lights -> HTTP 200" in out
    assert "invoice.paid" in out and "5 $ to lights -> HTTP 200" in out and "120 $ to lights -> HTTP 200" in out
    kinds = sorted(Donation.objects.values_list("kind", "amount", "status"))
    assert kinds == [("monthly", 500, "succeeded"), ("one_time", 1250, "succeeded"), ("yearly", 12000, "succeeded")]
    assert Period.objects.get().raised == 13750
    # --monthly and --yearly also send customer.subscription.created, as Stripe does (the manage page reads it)
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 5
    assert sorted(SubscriptionState.objects.values_list("interval", "amount")) == [("month", 500), ("year", 12000)]


@pytest.mark.django_db(transaction=True)
def test_it_fails_clearly(live_server, campaign, settings):
    settings.SITE_URL = live_server.url
    with pytest.raises(CommandError, match="No campaign 'nope'"):
        call_command("simulate_donation", "nope", "5")
    with pytest.raises(CommandError, match="at most 2 decimal places"):
        call_command("simulate_donation", "lights", "5.0001")
    with pytest.raises(CommandError, match=r"Did you mean 25\.50 \$\? Run it again with 25\.50\.$"):
        call_command("simulate_donation", "lights", "25,50")
    with pytest.raises(CommandError, match="Is the app running"):
        call_command("simulate_donation", "lights", "5", url=f"http://127.0.0.1:{free_port()}/stripe/webhook/")
    settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="STRIPE_WEBHOOK_SECRET is not set"):
        call_command("simulate_donation", "lights", "5")
    assert not Donation.objects.exists()
