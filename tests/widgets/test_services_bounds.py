"""The edges of a stored widget: the longest slug a campaign may have is served, a longer one never reaches a cache
key; a snapshot's month is over at its closing second exactly."""

import pytest

from fundraising.widgets import services
from tests.factories import SeedCampaignFactory
from tests.wsgi_call import wsgi_get


def test_the_longest_slug_a_campaign_may_have_is_served(transactional_db, widget_root, monkeypatch):
    from fundraising.wsgi import application

    monkeypatch.setattr(application, "memo", {})
    longest = "a" * services.SLUG_MAX_LENGTH
    SeedCampaignFactory(slug=longest)
    assert services.slug_is_plausible(longest) and not services.slug_is_plausible(longest + "a")
    assert not services.slug_is_plausible("")
    assert wsgi_get(f"/w/{longest}.json").status == 200
    assert services.snapshot_entry_get(slug=longest)["snapshot"]["campaign"] == longest
    assert services.snapshot_entry_get(slug=longest + "a") is None


@pytest.mark.parametrize("now, ended", [(1799.5, False), (1800.0, True), (1800.5, True)])
def test_a_month_is_over_at_its_closing_second(now, ended):
    assert services.period_ended({"ends_at": 1800.0}, now=now) is ended
    assert services.period_ended({"ends_at": None}, now=now) is False


def test_a_month_is_over_by_the_clock_when_no_moment_is_given():
    assert services.period_ended({"ends_at": 0.0}) is True
    assert services.period_ended({"ends_at": 4102444800.0}) is False  # 2100


def test_a_one_letter_slug_is_served(transactional_db, widget_root):
    SeedCampaignFactory(slug="a")
    assert services.slug_is_plausible("a")
    assert services.snapshot_entry_get(slug="a")["snapshot"]["campaign"] == "a"
