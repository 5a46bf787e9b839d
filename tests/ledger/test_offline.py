"""Offline gifts count in the month of their date (campaign time zone) like Stripe gifts; a reversal
takes one back in the same month, and the ledger is never edited."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import offline
from fundraising.ledger.models import Donation
from fundraising.ledger.rollover import campaign_rollover
from fundraising.ledger.services import donation_net, ledger_totals, period_recompute
from tests.factories import CampaignFactory, DonationFactory

NOW = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def auckland(organization):
    # UTC+13 in November: local noon of the 1st is 23:00 UTC on the 31st of October.
    return CampaignFactory(organization=organization, slug="akl", time_zone="Pacific/Auckland", currency="nzd")


def record(campaign, amount, day, user, **kwargs):
    kwargs.setdefault("method", "bank_transfer")
    return offline.offline_gift_record(campaign=campaign, amount=amount, received_on=day, recorded_by=user, **kwargs)


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def month(campaign, year, month_):
    return Period.objects.get(campaign=campaign, start=datetime.date(year, month_, 1))


def test_it_counts_an_offline_gift_in_the_local_month_of_its_date(auckland, alice):
    entry = record(auckland, 2500, datetime.date(2026, 11, 1), alice)
    assert entry.donation.paid_at == utc(2026, 10, 31, 23)
    assert entry.period.start == datetime.date(2026, 11, 1)
    assert period_recompute(period_id=entry.period.pk).raised == 2500


def test_it_sums_offline_gifts_reversals_and_stripe_gifts_across_month_ends(auckland, alice, bob):
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    # Stripe gifts on either side of Auckland's midnight (11:00 UTC on the 31st).
    DonationFactory(campaign=auckland, amount=1000, paid_at=utc(2026, 10, 31, 10, 59), donor_email="a@x.org")
    DonationFactory(campaign=auckland, amount=2000, paid_at=utc(2026, 10, 31, 11, 1), donor_email="b@x.org")
    DonationFactory(
        campaign=auckland,
        amount=3000,
        amount_refunded=1200,
        status="partially_refunded",
        paid_at=utc(2026, 11, 5),
        donor_email="c@x.org",
    )
    DonationFactory(
        campaign=auckland,
        amount=4000,
        amount_disputed=4000,
        dispute_status="lost",
        status="disputed",
        paid_at=utc(2026, 11, 6),
        donor_email="d@x.org",
    )
    DonationFactory(
        campaign=auckland,
        amount=500,
        amount_disputed=500,
        dispute_status="won",
        paid_at=utc(2026, 11, 7),
        donor_email="e@x.org",
    )
    kept = record(auckland, 7000, datetime.date(2026, 10, 31), alice, name="Cheque club")
    wrong = record(auckland, 9900, datetime.date(2026, 11, 1), bob, email="f@x.org")
    record(auckland, 1500, datetime.date(2026, 11, 19), alice, email="b@x.org")
    reversal = offline.offline_gift_reverse(donation=wrong.donation, recorded_by=alice, note="typo")
    assert reversal.period.start == november and reversal.donation.status == "reversal"
    assert (kept.period.start, wrong.period.start) == (october, november)

    expected = {
        october: (1000 + 7000, 2),  # a@x.org, the anonymous cheque
        november: (2000 + 1800 + 0 + 500 + 9900 - 9900 + 1500, 3),  # b (Stripe + offline), c, e; f reversed
    }
    for start, totals in expected.items():
        period = Period.objects.get(campaign=auckland, start=start)
        assert ledger_totals(period_id=period.pk) == totals
        rows = Donation.objects.filter(period=period)
        assert sum(donation_net(d) for d in rows) == totals[0]


def test_it_never_edits_the_gift_it_reverses(campaign, alice, bob):
    gift = record(campaign, 4200, datetime.date(2026, 11, 3), bob).donation
    before = Donation.objects.filter(pk=gift.pk).values().get()
    reversal = offline.offline_gift_reverse(donation=gift, recorded_by=alice, note="bounced").donation
    after = Donation.objects.filter(pk=gift.pk).values().get()
    assert (before["reversed"], after.pop("reversed")) == (False, True)  # the stored state the wall reads
    assert after == {key: value for key, value in before.items() if key != "reversed"}
    assert (reversal.reverses_id, reversal.recorded_by, reversal.note) == (gift.pk, alice, "bounced")
    assert (gift.recorded_by, reversal.amount, donation_net(reversal)) == (bob, 4200, -4200)
    assert period_recompute(period_id=gift.period_id).raised == 0


def test_it_reverses_a_gift_once_and_never_a_reversal_or_a_stripe_gift(campaign, alice):
    gift = record(campaign, 1000, datetime.date(2026, 11, 3), alice).donation
    reversal = offline.offline_gift_reverse(donation=gift, recorded_by=alice).donation
    with pytest.raises(offline.OfflineGiftError, match="already been reversed"):
        offline.offline_gift_reverse(donation=gift, recorded_by=alice)
    with pytest.raises(offline.OfflineGiftError, match="itself a reversal"):
        offline.offline_gift_reverse(donation=reversal, recorded_by=alice)
    with pytest.raises(offline.OfflineGiftError, match="refunded in Stripe"):
        offline.offline_gift_reverse(donation=DonationFactory(campaign=campaign), recorded_by=alice)
    assert Donation.objects.filter(reverses=gift).count() == 1


def test_it_lets_only_owners_and_editors_record(campaign, alice, bob, charlie):
    from fundraising.campaigns.services import owner_add

    assert record(campaign, 100, datetime.date(2026, 11, 3), bob).donation.recorded_by == bob
    with pytest.raises(offline.OfflineGiftError, match="owners and editors"):
        record(campaign, 100, datetime.date(2026, 11, 3), charlie)
    owner_add(organization=campaign.organization, user=charlie, role="viewer")
    with pytest.raises(offline.OfflineGiftError, match="owners and editors"):
        record(campaign, 100, datetime.date(2026, 11, 3), charlie)


def test_it_says_when_a_gift_lands_in_a_closed_month(campaign, alice):
    DonationFactory(campaign=campaign, amount=1000, paid_at=utc(2026, 10, 10))
    campaign_rollover(campaign=campaign)
    october = month(campaign, 2026, 10)
    assert (october.closed_at is not None, october.raised) == (True, 1000)
    entry = record(campaign, 2500, datetime.date(2026, 10, 30), alice)
    assert entry.closed_month and entry.period.pk == october.pk
    assert not record(campaign, 2500, datetime.date(2026, 11, 2), alice).closed_month
    assert period_recompute(period_id=october.pk).raised == 3500


def test_it_refreshes_the_month_after_commit(campaign, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = record(campaign, 3300, datetime.date(2026, 11, 2), alice)
    assert Period.objects.get(pk=entry.period.pk).raised == 3300
    with django_capture_on_commit_callbacks(execute=True):
        offline.offline_gift_reverse(donation=entry.donation, recorded_by=alice)
    assert Period.objects.get(pk=entry.period.pk).raised == 0


def test_it_lets_the_database_refuse_a_malformed_offline_row(campaign):
    period = period_for(campaign=campaign)
    base = {"campaign": campaign, "period": period, "amount": 100, "currency": "usd", "paid_at": NOW}
    bad_rows = [
        {"source": "offline", "method": ""},  # no method
        {"source": "offline", "method": "cash", "stripe_payment_intent_id": "pi_1"},
        {"source": "offline", "method": "cash", "amount_refunded": 50},
        {"source": "stripe", "method": "cash"},
        {"source": "paypal"},
        {"source": "offline", "method": "cash", "paid_at": None, "period": None},
    ]
    for extra in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            Donation.objects.create(**{**base, **extra})


def test_reversing_a_gift_without_an_email_takes_its_supporter_away(campaign, alice):
    """A cheque with no e-mail is a supporter of its own; its reversal takes that supporter away again, in
    the running figures as in the full sum."""
    from fundraising.ledger import verify

    gift = record(campaign, 4200, datetime.date(2026, 11, 3), alice, name="Cheque club").donation
    record(campaign, 800, datetime.date(2026, 11, 4), alice)
    assert period_recompute(period_id=gift.period_id).donors == 2
    offline.offline_gift_reverse(donation=gift, recorded_by=alice, note="bounced")
    period = period_recompute(period_id=gift.period_id)
    assert (period.raised, period.donors) == (800, 1) == ledger_totals(period_id=gift.period_id)
    assert verify.periods_verify() == 0


def test_a_gift_typed_in_this_morning_is_not_dated_in_the_future(campaign, alice):
    """Gifts are booked at local noon of their day, but never later than the moment they are typed in."""
    morning = datetime.datetime(2026, 11, 20, 8, 30, tzinfo=datetime.UTC)
    with time_machine.travel(morning, tick=False):
        entry = offline.offline_gift_record(
            campaign=campaign, amount=1000, received_on=morning.date(), method="cash", recorded_by=alice
        )
    assert entry.donation.paid_at == morning
    yesterday = offline.booked_at(campaign, datetime.date(2026, 11, 19), now=morning)
    assert yesterday == datetime.datetime(2026, 11, 19, 12, tzinfo=campaign.tz)
    # The moment given, not the clock's (09:00 here): what the gift of a morning was typed in at.
    assert offline.booked_at(campaign, morning.date(), now=morning) == morning


def test_it_refuses_at_the_service_what_the_form_would_have_caught(campaign, alice):
    """Callers other than the admin form and the command (a shell, a future import) get the same guards."""
    for amount in (0, -100, "2500", 25.0):
        with pytest.raises(offline.OfflineGiftError, match="^The amount must be a positive number of minor units.$"):
            record(campaign, amount, datetime.date(2026, 11, 3), alice)
    with pytest.raises(offline.OfflineGiftError) as caught:
        record(campaign, 100, datetime.date(2026, 11, 3), alice, method="paypal")
    assert str(caught.value) == "'paypal' is not a method; choose one of bank_transfer, cheque, cash, other."
    assert record(campaign, 1, datetime.date(2026, 11, 3), alice).donation.amount == 1
    assert Donation.objects.count() == 1


def test_it_records_what_it_was_given_in_the_campaigns_currency(auckland, alice):
    gift = record(auckland, 2500, datetime.date(2026, 11, 3), alice, method="cheque", note="no. 42").donation
    gift.refresh_from_db()  # as stored
    assert (gift.currency, gift.kind, gift.source, gift.method, gift.note) == ("nzd", "one_time", "offline", "cheque",
                                                                               "no. 42")  # fmt: skip
    assert (gift.public_name, gift.anonymous) == ("", True)  # no name: anonymous on every public list
    named = record(auckland, 2500, datetime.date(2026, 11, 3), alice, name="Ada", kind="monthly").donation
    assert (named.public_name, named.anonymous, named.kind) == ("Ada", False, "monthly")
    hidden = record(auckland, 2500, datetime.date(2026, 11, 3), alice, name="Bea", anonymous=True).donation
    assert (hidden.public_name, hidden.anonymous) == ("Bea", True)


def test_its_reversal_is_the_gifts_mirror_with_its_own_note(auckland, alice):
    gift = record(auckland, 4200, datetime.date(2026, 11, 3), alice, method="cash", kind="monthly", name="Ada",
                  anonymous=True, email="ada@example.org", note="in the box").donation  # fmt: skip
    reversal = offline.offline_gift_reverse(donation=gift, recorded_by=alice, note="  counted twice \n").donation
    reversal.refresh_from_db()  # as stored
    mirrored = ("campaign_id", "period_id", "amount", "currency", "kind", "source", "method", "public_name",
                "anonymous", "donor_email", "paid_at")  # fmt: skip
    assert {f: getattr(reversal, f) for f in mirrored} == {f: getattr(gift, f) for f in mirrored}
    assert (reversal.note, reversal.status) == ("counted twice", "reversal")
    long_note = offline.offline_gift_reverse(
        donation=record(auckland, 100, datetime.date(2026, 11, 3), alice).donation, recorded_by=None, note="z" * 1200
    ).donation
    assert (long_note.note, long_note.recorded_by) == ("z" * 1000, None)  # the operators' shell


def test_it_lets_only_active_owners_and_editors_reverse(campaign, alice, bob, charlie):
    from fundraising.campaigns.services import owner_add

    owner_add(organization=campaign.organization, user=charlie, role="viewer")
    gift = record(campaign, 100, datetime.date(2026, 11, 3), alice).donation
    with pytest.raises(
        offline.OfflineGiftError, match="^Only the organisation's owners and editors can reverse gifts.$"
    ):
        offline.offline_gift_reverse(donation=gift, recorded_by=charlie)
    alice.is_active = False  # an owner whose account was closed
    with pytest.raises(offline.OfflineGiftError, match="reverse gifts"):
        offline.offline_gift_reverse(donation=gift, recorded_by=alice)
    with pytest.raises(
        offline.OfflineGiftError, match="^Only the organisation's owners and editors can record gifts.$"
    ):
        record(campaign, 100, datetime.date(2026, 11, 3), alice)
    assert not Donation.objects.filter(reverses=gift).exists()
    reversal = offline.offline_gift_reverse(donation=gift, recorded_by=bob).donation
    assert (reversal.recorded_by, reversal.note) == (bob, "")


def test_it_tells_the_member_why_a_gift_cannot_be_reversed(campaign, alice):
    """The admin's reversal page shows these words as they are."""

    def refusal(donation):
        with pytest.raises(offline.OfflineGiftError) as caught:
            offline.offline_gift_reverse(donation=donation, recorded_by=alice)
        return str(caught.value)

    gift = record(campaign, 1000, datetime.date(2026, 11, 3), alice).donation
    reversal = offline.offline_gift_reverse(donation=gift, recorded_by=alice).donation
    assert refusal(gift) == "This gift has already been reversed."
    assert refusal(reversal) == "This entry is itself a reversal; record the gift again instead."
    assert refusal(DonationFactory(campaign=campaign)) == (
        "Only offline gifts are reversed here; a Stripe gift is refunded in Stripe."
    )
