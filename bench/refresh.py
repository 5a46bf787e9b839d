"""Refresh benchmark (prints figures; not a test): one campaign with the supporters wall on and N gifts in its
current month (half of them monthly), on PostgreSQL; the median time of one refresh (totals, widget, wall,
milestones) for each goal kind, now and as the previous release did it, alternating in the same run:
the wall filtered on its reversal (`reversed_by IS NULL`, an anti-join) and a supporters goal summing the
month's breakdown on every refresh (a supporters or recurring goal); then the month's breakdown stored, summed
from the month's gifts (the previous release) and from the running figures (now), alternating too.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/refresh.py [--gifts 100000]

Creates its own database (fr_refresh_<random>, on DATABASE_URL's server) and drops it at the end.
"""

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import pipeline, scale  # noqa: E402

BULK = """
INSERT INTO campaigns_donation (id, campaign_id, period_id, amount, currency, kind, status, amount_refunded,
    amount_disputed, dispute_status, public_name, anonymous, message, donor_email, stripe_charge_id,
    stripe_subscription_id, paid_at, created_at, updated_at, source, method, note, message_hidden, reversed)
SELECT gen_random_uuid(), %s, %s, 1000 + n %% 500, 'usd', CASE WHEN n %% 2 = 0 THEN 'monthly' ELSE 'one_time' END,
    'succeeded', 0, 0, '', 'Ada', false, '', 'd' || n || '@x.org', '',
    CASE WHEN n %% 2 = 0 THEN 'sub_' || n ELSE '' END,
    now() - interval '1 second' * (n %% 86400), now(), now(), 'stripe', '', '', false, false
FROM generate_series(1, %s) AS n
"""


@contextlib.contextmanager
def previous_release():
    """The previous release's refresh: the wall's anti-join, and a supporters goal summing the breakdown."""
    from django.db.models import Q

    from fundraising.campaigns.models import GoalKind, Period
    from fundraising.ledger import services
    from fundraising.pipeline import refresh
    from fundraising.widgets import wall

    def recompute(*, period_id):  # the previous release's period_recompute, as it was
        from django.db import transaction
        from django.utils import timezone

        with transaction.atomic():
            locked = Period.objects.select_for_update(no_key=True).filter(pk=period_id).only("goal_kind").first()
            raised, donors, _ = services.tally.period_tally_fold(period_id=period_id)
            Period.objects.filter(pk=period_id).update(raised=raised, donors=donors, recomputed_at=timezone.now())
            if locked is not None and locked.goal_kind != GoalKind.AMOUNT:
                services.period_breakdown_store(period_id=period_id)
        return Period.objects.select_related("campaign").get(pk=period_id)

    standing, recompute_now = wall.WALL_STANDING, refresh.period_recompute
    wall.WALL_STANDING = Q(paid_at__isnull=False, status__in=wall.WALL_STATUSES, reversed_by__isnull=True)
    refresh.period_recompute = recompute
    try:
        yield
    finally:
        wall.WALL_STANDING, refresh.period_recompute = standing, recompute_now


def load(gifts):
    from django.db import connection

    from fundraising.campaigns.models import Campaign, Organization
    from fundraising.campaigns.services import period_for
    from fundraising.ledger.verify import tallies_rebuild

    org = Organization.objects.create(name="Bench")
    campaign = Campaign.objects.create(organization=org, slug="bench", title="Bench", monthly_target=10**12,
                                       supporters_wall=True)  # fmt: skip
    period = period_for(campaign=campaign)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BULK, [campaign.pk, period.pk, gifts])
        cursor.execute("ANALYZE campaigns_donation")
    tallies_rebuild(period_ids=[period.pk])
    print(f"loaded {gifts:,} gifts in {time.perf_counter() - start:.1f} s")
    return period


def figures(period, kind, runs):
    from fundraising.campaigns.models import Campaign, Period
    from fundraising.pipeline import refresh

    Campaign.objects.filter(pk=period.campaign_id).update(goal_kind=kind)
    Period.objects.filter(pk=period.pk).update(goal_kind=kind)
    before, after = [], []
    for mode, times in ((previous_release, before), (contextlib.nullcontext, after)) * runs:
        with mode():
            scale.gift_add(period.pk)
            times.append(scale.timed(refresh.period_refresh, period_id=period.pk)[0])
    return statistics.median(before), statistics.median(after)


def breakdown_store_summed(*, period_id):
    """The previous release's breakdown store: every column summed from the month's gifts."""
    from django.utils import timezone

    from fundraising.campaigns.models import Period
    from fundraising.core.bulk import rows_update
    from fundraising.ledger.breakdown import periods_breakdown
    from fundraising.ledger.services import donation_net_expression

    started = timezone.now()
    breakdowns = periods_breakdown(period_ids=[period_id], net=donation_net_expression())
    rows_update(Period, breakdowns, same={"breakdown_at": started})


def breakdown_figures(period, runs):
    """Median time of storing the month's breakdown after one more gift: summed (the previous release) and now."""
    from fundraising.ledger.services import period_breakdown_store

    before, after = [], []
    for store, times in ((breakdown_store_summed, before), (period_breakdown_store, after)) * runs:
        scale.gift_add(period.pk)
        times.append(scale.timed(store, period_id=period.pk)[0])
    return statistics.median(before), statistics.median(after)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gifts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL (PostgreSQL)")
    name, url, admin = scale.database_create(os.environ["DATABASE_URL"], prefix="fr_refresh")
    os.environ.update(pipeline.service_env(Path(tempfile.mkdtemp(prefix="bench-widgets-"))), DATABASE_URL=url)
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        period = load(args.gifts)
        print(f"load average before: {os.getloadavg()}")
        print(f"{'goal kind (wall on)':<22}{'previous release':>18}{'now':>12}")
        for kind in ("amount", "supporters", "recurring"):
            from fundraising.pipeline import refresh

            refresh.period_refresh(period_id=period.pk)  # warm: milestones, caches
            before, after = figures(period, kind, args.runs)
            print(f"{kind:<22}{before * 1000:>15.1f} ms{after * 1000:>9.1f} ms")
        before, after = breakdown_figures(period, args.runs)
        print(f"{'breakdown store':<22}{before * 1000:>15.1f} ms{after * 1000:>9.1f} ms")
        print(f"load average after: {os.getloadavg()}")
    finally:
        from django.db import connections

        connections.close_all()
        scale.database_drop(admin, name)


if __name__ == "__main__":
    main()
