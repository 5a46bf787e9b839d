"""seed_demo builds the picture in README.md and changes nothing the second time."""
from django.core.management import call_command

from fundraising.campaigns.models import Campaign, Milestone, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import period_recompute


def snapshot():
    return (
        list(Campaign.objects.values()),
        list(Milestone.objects.values()),
        list(Donation.objects.order_by("id").values()),
        Period.objects.count(),
    )


def test_it_seeds_the_demo_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot()[:-1] == first[:-1] and snapshot()[-1] == first[-1]
    campaign = Campaign.objects.get(slug="demo")
    period = period_recompute(period_id=period_for(campaign=campaign).pk)
    assert campaign.format(period.target) == "5,000 $"
    assert [campaign.format(m["amount"]) for m in period.milestones] == ["2,500 $", "5,000 $"]
    assert campaign.format(period.raised) == "100 $"


def test_it_prints_an_owner_login_only_in_debug(db, settings, capsys):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    call_command("seed_demo")
    assert "password" not in capsys.readouterr().out
    assert not get_user_model().objects.filter(username="owner").exists()
