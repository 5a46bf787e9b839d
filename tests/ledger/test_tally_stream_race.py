"""PostgreSQL, two transactions at once: the first monthly gifts of one subscription, written in two months by two
writers whose transactions overlap, count it as a new monthly supporter in its first month only.

Each writer reads the stream's first month before and after its own write (tally._stream_move). Without the
advisory lock per stream (tally.stream_lock), the later month's writer would read while the earlier month's
write is uncommitted, see no earlier month, and count the supporter as new in both months."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, transaction

from fundraising.campaigns.services import period_for
from tests.factories import DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger, running_breakdown

pytestmark = pytest.mark.postgres

APRIL = datetime.datetime(2026, 4, 10, 12, tzinfo=datetime.UTC)
MAY = datetime.datetime(2026, 5, 3, 12, tzinfo=datetime.UTC)
# How long the earlier writer holds its transaction open once the later one has started: long enough for the later
# one to read the stream's first month (without the lock it reads at once; with it, it queues until the commit).
OVERLAP = 2.0


@pytest.mark.django_db(transaction=True)
def test_a_stream_written_in_two_months_at_once_is_new_in_its_first_month_only(postgres, campaign):
    with time_machine.travel(datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC), tick=True):
        april, may = period_for(campaign=campaign, when=APRIL), period_for(campaign=campaign, when=MAY)
        april_written, release, may_done, errors = threading.Event(), threading.Event(), threading.Event(), []

        def gift(when, period):
            DonationFactory(campaign=campaign, period=period, paid_at=when, amount=1000, kind="monthly",
                            stripe_subscription_id="sub_race", donor_email="ada@example.com")  # fmt: skip

        def earlier_writer():
            try:
                with transaction.atomic():
                    gift(APRIL, april)
                    april_written.set()
                    assert release.wait(30), "the test never released the earlier writer"
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                april_written.set()
                connection.close()

        def later_writer():
            try:
                with transaction.atomic():
                    gift(MAY, may)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                may_done.set()
                connection.close()

        earlier = threading.Thread(target=earlier_writer)
        earlier.start()
        assert april_written.wait(30)
        later = threading.Thread(target=later_writer)
        later.start()
        may_done.wait(OVERLAP)
        release.set()
        earlier.join(30)
        later.join(30)
        assert not earlier.is_alive() and not later.is_alive() and errors == [], errors

    april_figures, may_figures = running_breakdown(april.pk), running_breakdown(may.pk)
    assert (april_figures["new_monthly"], may_figures["new_monthly"]) == (1, 0)
    assert (april_figures["monthly_supporters"], may_figures["monthly_supporters"]) == (1, 1)
    assert_breakdown_matches_the_ledger()
