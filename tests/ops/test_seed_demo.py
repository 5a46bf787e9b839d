"""seed_demo builds the picture in README.md and changes nothing the second time."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fundraising.campaigns.models import Campaign, Milestone, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import period_recompute

# Each test seeds the whole demo (two years of gifts): not in `make test-fast`.
pytestmark = pytest.mark.slow


def snapshot():
    return (
        list(Campaign.objects.values()),
        list(Milestone.objects.values()),
        list(Donation.objects.order_by("id").values()),
        Period.objects.count(),
    )


def test_it_seeds_the_demo_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", force=True)
    first = snapshot()
    call_command("seed_demo", force=True)
    assert snapshot()[:-1] == first[:-1] and snapshot()[-1] == first[-1]
    campaign = Campaign.objects.get(slug="demo")
    period = period_recompute(period_id=period_for(campaign=campaign).pk)
    assert campaign.format(period.target) == "5,000 $"
    assert [campaign.format(m["amount"]) for m in period.milestones] == ["2,500 $", "5,000 $"]
    assert campaign.format(period.raised) == "100 $"


def test_it_prints_an_owner_login_only_in_debug(db, settings, capsys):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    call_command("seed_demo", force=True)
    assert "password" not in capsys.readouterr().out
    assert not get_user_model().objects.filter(username="owner").exists()


def test_it_seeds_two_years_of_history_for_the_dashboard(db, settings):
    from fundraising.campaigns.dashboard import campaign_dashboard

    call_command("seed_demo", force=True)
    campaign = Campaign.objects.get(slug="demo")
    closed = Period.objects.filter(campaign=campaign, closed_at__isnull=False)
    assert closed.count() == 24
    assert all(p.raised > 0 and p.monthly_supporters > 0 for p in closed)
    assert {p.target for p in closed} == {300000, 500000}  # the target was raised after the first year
    assert Donation.objects.filter(source="offline").exists()
    assert Donation.objects.filter(status__in=["refunded", "disputed"]).exists()
    board = campaign_dashboard(campaign=campaign, months=24)
    assert sum(m.met for m in board.months) not in (0, 24)  # some months made it, some did not
    assert len(board.crossings) > 10


def test_the_monthly_gifts_page_lists_the_seeded_subscriptions(client, db, settings):
    """The dashboard counts monthly supporters; the owners' Monthly gifts page must show the same gifts, with
    some stopped and a couple at risk, so its filters and the erase page's advice point at something."""
    from fundraising.payments.models import SubscriptionState

    settings.DEBUG = True
    call_command("seed_demo", force=True)
    subscriptions = set(Donation.objects.exclude(stripe_subscription_id="").values_list("stripe_subscription_id"))
    states = SubscriptionState.objects.all()
    assert states.count() == len(subscriptions) > 50
    assert states.filter(status="canceled").exists() and states.filter(status="active").exists()
    assert sum(state.at_risk for state in states) == 2
    call_command("seed_demo", force=True)
    assert SubscriptionState.objects.count() == len(subscriptions)  # once
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="owner"))
    page = client.get("/admin/supporters/monthlygift/").content.decode()
    assert f"{states.count()} monthly gifts" in page and "payment failed" in page


def test_it_refuses_production_settings_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Campaign.objects.exists()
    call_command("seed_demo", force=True)
    assert Campaign.objects.filter(slug="demo").exists()


def test_it_gives_the_demo_owner_an_address_for_milestones_and_summaries(db, settings):
    from django.contrib.auth import get_user_model

    from fundraising.campaigns.summaries import owner_emails

    settings.DEBUG = True
    call_command("seed_demo")
    organization = Campaign.objects.get(slug="demo").organization
    assert owner_emails(organization) == ["owner@example.com"]
    get_user_model().objects.filter(username="owner").update(email="")  # seeded before owners had one
    call_command("seed_demo")
    assert owner_emails(organization) == ["owner@example.com"]
