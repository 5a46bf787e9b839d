"""offline_gift_clean: what a member types for an offline gift, read at its edges (the admin form and the
`record_offline_gift` command both show these messages as they are)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fundraising.ledger import offline

NOW = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def clean(campaign, **typed):
    typed.setdefault("amount", "25")
    return offline.offline_gift_clean(campaign=campaign, **typed)


def errors(campaign, **typed):
    with pytest.raises(ValidationError) as caught:
        clean(campaign, **typed)
    return {field: " ".join(messages) for field, messages in caught.value.message_dict.items()}


def test_it_reads_what_a_member_typed_into_the_records_arguments(campaign):
    typed = {"date": " 2026-11-02 ", "method": " cash ", "name": " Ada ", "email": " Ada@Example.org ", "note": " x "}
    assert clean(campaign, amount="1,234.50", **typed) == {
        "amount": 123450,
        "received_on": datetime.date(2026, 11, 2),
        "method": "cash",
        "name": "Ada",
        "email": "ada@example.org",
        "note": "x",
    }


def test_it_fills_in_a_bank_transfer_today_for_what_was_left_empty(campaign):
    assert clean(campaign) == {
        "amount": 2500,
        "received_on": datetime.date(2026, 11, 20),
        "method": "bank_transfer",
        "name": "",
        "email": "",
        "note": "",
    }
    assert clean(campaign, date=None, method=None, name=None, email=None, note=None) == clean(campaign)
    assert clean(campaign, date="  ")["received_on"] == datetime.date(2026, 11, 20)


def test_it_takes_a_date_as_a_date(campaign):
    assert clean(campaign, date=datetime.date(2026, 10, 31))["received_on"] == datetime.date(2026, 10, 31)


def test_it_takes_today_and_the_earliest_day_but_not_a_day_beyond(campaign):
    """Today (in the campaign's time zone) and 1 January 2000 are the last days a gift can be dated."""
    assert clean(campaign, date="2026-11-20")["received_on"] == datetime.date(2026, 11, 20)
    assert clean(campaign, date="2000-01-01")["received_on"] == datetime.date(2000, 1, 1)
    assert errors(campaign, date="2026-11-21") == {"date": "2026-11-21 is in the future (today is 2026-11-20 in UTC)."}
    assert errors(campaign, date="1999-12-31") == {
        "date": "1999-12-31 is too far in the past (the earliest is 2000-01-01)."
    }


def test_it_measures_today_in_the_campaigns_time_zone_at_the_moment_given(campaign):
    campaign.time_zone = "Pacific/Kiritimati"  # UTC+14: 11:00 UTC on the 20th is the 21st there
    at = datetime.datetime(2026, 11, 20, 11, tzinfo=datetime.UTC)
    assert clean(campaign, date="2026-11-21", now=at)["received_on"] == datetime.date(2026, 11, 21)
    assert clean(campaign, now=at)["received_on"] == datetime.date(2026, 11, 21)
    assert offline.campaign_today(campaign, at) == datetime.date(2026, 11, 21)
    assert offline.campaign_today(campaign) == datetime.date(2026, 11, 20)  # 09:00 UTC: 23:00 on the 20th


def test_it_explains_every_bad_field_at_once(campaign):
    assert errors(
        campaign, amount="abc", date="31/10/2026", method="wire", name="x" * 101, email="a@", note="y" * 1001
    ) == {
        "amount": errors(campaign, amount="abc")["amount"],
        "date": "'31/10/2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20.",
        "method": "'wire' is not a method; choose one of bank_transfer, cheque, cash, other.",
        "name": "The name is longer than 100 characters.",
        "email": "'a@' is not an e-mail address.",
        "note": "The note is longer than 1000 characters.",
    }
    assert errors(campaign, amount="abc")["amount"].startswith("Enter the amount as a number")


def test_it_takes_a_name_and_a_note_of_the_longest_length(campaign):
    cleaned = clean(campaign, name="n" * 100, note="y" * 1000)
    assert (len(cleaned["name"]), len(cleaned["note"])) == (100, 1000)


def test_it_answers_the_question_of_an_amount_with_two_readings(campaign):
    question = offline.amount_question(campaign=campaign, text="25,50")
    assert "Did you mean 25.50 $?" in str(question)
    assert offline.amount_question(campaign=campaign, text="25.50") is None
