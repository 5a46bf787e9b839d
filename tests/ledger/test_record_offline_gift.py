"""`manage.py record_offline_gift` validates like the admin form and answers every bad input in words."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from fundraising.ledger.models import Donation
from fundraising.ledger.rollover import campaign_rollover
from tests.factories import CampaignFactory

NOW = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def run(*args):
    out = io.StringIO()
    call_command("record_offline_gift", *args, stdout=out)
    return out.getvalue()


def test_it_records_a_gift_as_a_person_types_it(campaign):
    out = run("lights", "25.50", "--date", "2026-11-02", "--name", "Ada", "--email", "Ada@Example.org", "--note", "x")
    donation = Donation.objects.get()
    assert (donation.amount, donation.source, donation.method, donation.recorded_by) == (
        2550,
        "offline",
        "bank_transfer",
        None,
    )
    assert (donation.public_name, donation.anonymous, donation.donor_email, donation.note) == (
        "Ada",
        False,
        "ada@example.org",
        "x",
    )
    assert "Recorded 25.50 $" in out and "NOVEMBER 2026" in out


def test_it_defaults_to_today_in_the_campaigns_time_zone(db):
    # 11:00 UTC on the 20th is already 01:00 on the 21st in Kiritimati (UTC+14).
    CampaignFactory(slug="kiri", time_zone="Pacific/Kiritimati")
    with time_machine.travel(datetime.datetime(2026, 11, 20, 11, tzinfo=datetime.UTC), tick=False):
        run("kiri", "10")
    gift = Donation.objects.get()
    # Booked now (local noon is still ahead, and a gift is never dated in the future), on the 21st locally.
    assert gift.paid_at == datetime.datetime(2026, 11, 20, 11, tzinfo=datetime.UTC)
    assert gift.paid_at.astimezone(gift.campaign.tz).date() == datetime.date(2026, 11, 21)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "25"], "No campaign with the slug 'nope'"),
        (["lights", "-5"], "amount: Enter an amount greater than zero."),
        (["lights", "0"], "amount: Enter an amount greater than zero."),
        (["lights", "abc"], "amount: Enter the amount as a number"),
        (["lights", "25.5555"], "amount: USD amounts have at most 2 decimal places."),
        (["lights", "1e12"], "amount: "),
        (["lights", "25", "--date", "31/10/2026"], "date: '31/10/2026' is not a date: write it as YYYY-MM-DD"),
        (["lights", "25", "--date", "2026-02-30"], "is not a date"),
        (["lights", "25", "--date", "2026-11-21"], "date: 2026-11-21 is in the future (today is 2026-11-20 in UTC)"),
        (["lights", "25", "--date", "1999-12-31"], "too far in the past"),
        (["lights", "25", "--email", "not-an-address"], "email: 'not-an-address' is not an e-mail address."),
        (["lights", "25", "--method", "paypal"], "method: 'paypal' is not a method"),
        (["lights", "25", "--name", "x" * 101], "name: The name is longer than 100 characters."),
    ],
)
def test_it_explains_each_bad_input(campaign, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)
    assert not Donation.objects.exists()


def test_it_says_when_the_month_had_closed(campaign):
    campaign_rollover(campaign=campaign)
    run("lights", "5", "--date", "2026-11-01")
    with time_machine.travel(datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC), tick=False):
        campaign_rollover(campaign=campaign)
        out = run("lights", "5", "--date", "2026-11-30", "--method", "cash")
    assert "NOVEMBER 2026 had already closed: its figures are updated" in out


def test_it_asks_about_an_amount_with_two_readings(campaign):
    with pytest.raises(CommandError, match=r"amount: Did you mean 25\.50 \$\? Run it again with 25\.50\."):
        run("lights", "25,50")
    assert not Donation.objects.exists()
