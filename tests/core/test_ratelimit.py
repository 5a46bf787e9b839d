"""Fixed-window limits: RATE_LIMIT_MULTIPLIER (20 under DEBUG, so a person can explore the demo) scales each count."""

from fundraising.core.ratelimit import rate_take


def test_it_refuses_past_the_count(settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    assert [rate_take(key="t-plain", limit=(3, 60)) for _ in range(4)] == [True, True, True, False]


def test_it_multiplies_every_count_by_the_setting(settings):
    settings.RATE_LIMIT_MULTIPLIER = 20
    taken = [rate_take(key="t-explore", limit=(5, 60)) for _ in range(101)]
    assert taken.count(True) == 100
    assert taken[-1] is False
