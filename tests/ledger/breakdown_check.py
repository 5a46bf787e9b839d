"""One check shared by the ledger's property tests: the breakdown kept as running figures (fundraising/ledger/tally.py)
equals its definition, the full sums of fundraising/ledger/breakdown.py."""

from fundraising.campaigns.models import Period
from fundraising.ledger import tally
from fundraising.ledger.breakdown import period_money, period_streams
from fundraising.ledger.models import PeriodStreamNet
from fundraising.ledger.services import donation_net_expression
from fundraising.ledger.verify import stream_nets_ledger


def running_breakdown(period_id):
    """The period's breakdown columns as the running figures have them (without folding)."""
    figures = tally.period_figures_sum(period_id=period_id)
    return {
        **{column: figures[column] for column in tally.MONEY},
        "monthly_supporters": figures["streams"],
        "new_monthly": figures["new_streams"],
    }


def summed_breakdown(period):
    net = donation_net_expression()
    streams = period_streams(period, net)
    del streams["cancelled_monthly"]  # no running figure: a bounded read of the month's ends
    return {**period_money(period, net), **streams}


def assert_breakdown_matches_the_ledger():
    for period in Period.objects.select_related("campaign"):
        assert running_breakdown(period.pk) == summed_breakdown(period), period
        stored = set(PeriodStreamNet.objects.filter(period_id=period.pk).values_list("key", "net", "gifts"))
        assert stored == {row[1:] for row in stream_nets_ledger(period_ids=[period.pk])}
