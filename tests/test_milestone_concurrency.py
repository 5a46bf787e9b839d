"""On PostgreSQL, many refreshes racing over one crossing record it and e-mail it exactly once."""

import threading

from django.db import connection

from fundraising.campaigns.models import MilestoneCrossing
from fundraising.pipeline import tasks
from tests.factories import DonationFactory, MilestoneFactory


def test_it_fires_a_milestone_exactly_once_under_concurrency(postgres, transactional_db, campaign, mailoutbox):
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    period = DonationFactory(campaign=campaign, amount=600000).period
    barrier = threading.Barrier(8)
    errors = []

    def refresh():
        try:
            barrier.wait()
            tasks.period_refresh_task(period.pk)
        except Exception as exc:  # surfaced below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert list(MilestoneCrossing.objects.values_list("amount", flat=True)) == [250000, 500000]
    assert sorted(m.subject.split(":")[1].split(" reached")[0].strip() for m in mailoutbox) == ["Halfway", "Target"]
