"""Every bad amount redisplays the form with a clear message; none creates a donation or a 500."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post
from tests.factories import CampaignFactory


@pytest.fixture
def no_stripe_calls(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_validation"

    def refuse(**kwargs):
        raise AssertionError("Stripe must not be called for an invalid form")

    monkeypatch.setattr(stripe_api, "checkout_session_create", refuse)


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ("abc", "Enter the amount as a number"),
        ("-5", "Enter"),
        ("0", "greater than zero"),
        ("12.3456", "at most 2 decimal places"),
        ("12.345", "Did you mean 12,345.00 $?"),  # a thousands mark where en_US has its decimal point
        ("0.20", "The smallest gift is 1 $"),
        ("20000", "The largest gift is 10,000 $"),
        ("9" * 40, "Ensure this value has at most 30 characters"),
        ("1e309", "Enter the amount as a number"),
        ("NaN", "Enter the amount as a number"),
        ("99999999999", "too large"),
    ],
)
def test_it_refuses_bad_amounts(client, campaign, no_stripe_calls, custom, message):
    campaign.min_amount, campaign.max_amount = 100, 1000000
    campaign.save()
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": custom, "kind": "one_time"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Donation.objects.exists()


def test_it_refuses_missing_fields_and_tampered_choices(client, campaign, no_stripe_calls):
    for data, message in [
        ({}, "Choose an amount or enter your own."),
        ({"kind": "one_time"}, "Choose an amount or enter your own."),
        ({"preset": "777", "kind": "one_time"}, "Choose one of the amounts shown"),
        ({"preset": "500", "kind": "yearly"}, "Choose one-time or monthly."),
        ({"preset": "500"}, "Choose one-time or monthly."),
    ]:
        response = donate_post(client, "/c/lights/", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not Donation.objects.exists()


def test_it_knows_zero_and_three_decimal_currencies(client, organization, no_stripe_calls):
    CampaignFactory(organization=organization, slug="yen", currency="jpy", preset_amounts=[1000])
    CampaignFactory(organization=organization, slug="dinar", currency="kwd", preset_amounts=[5000])
    yen = donate_post(client, "/c/yen/", {"preset": "custom", "custom_amount": "100.5", "kind": "one_time"})
    assert "JPY amounts have no decimal places." in yen.content.decode()
    yen_low = donate_post(client, "/c/yen/", {"preset": "custom", "custom_amount": "10", "kind": "one_time"})
    assert "The smallest gift is 50" in yen_low.content.decode()
    dinar = donate_post(client, "/c/dinar/", {"preset": "custom", "custom_amount": "1.2345", "kind": "one_time"})
    assert "KWD amounts have at most 3 decimal places." in dinar.content.decode()


def test_it_keeps_what_was_typed(client, campaign, no_stripe_calls):
    response = donate_post(
        client,
        "/c/lights/",
        {"preset": "custom", "custom_amount": "abc", "kind": "monthly", "public_name": "<b>Ada</b>", "message": "hi"},
    )
    html = response.content.decode()
    assert 'value="&lt;b&gt;Ada&lt;/b&gt;"' in html
    assert 'value="monthly" id="id_kind_1" checked' in html


@pytest.fixture
def stripe_accepts(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_validation"
    monkeypatch.setattr(
        stripe_api, "checkout_session_create", lambda **kw: {"id": "cs_test_min", "url": "https://checkout.stripe.test/"}
    )


def test_it_keeps_stripes_minimum_when_the_campaigns_is_lower(client, campaign, no_stripe_calls):
    campaign.min_amount = 10  # 0.10 $: Stripe would refuse such a charge
    campaign.save()
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "0.30", "kind": "one_time"})
    assert response.status_code == 400
    assert "The smallest gift is 0.50 $" in response.content.decode()
    assert not Donation.objects.exists()


@pytest.mark.parametrize(("minimum", "typed"), [(100, "1"), (None, "0.50"), (10, "0.50")])
def test_it_accepts_a_gift_of_exactly_the_minimum(client, campaign, stripe_accepts, minimum, typed):
    campaign.min_amount = minimum
    campaign.save()
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": typed, "kind": "one_time"})
    assert response.status_code == 303
    assert Donation.objects.get().amount == max(minimum or 0, 50)


@pytest.mark.parametrize(
    ("currency", "typed", "smallest"),
    [
        ("gbp", "0.25", 30),  # Stripe's table: 30 pence, less than half a pound
        ("czk", "14", 1500),  # Stripe's table: 15 koruna, more than half a unit
        ("kwd", "0.4", 500),  # not in the table: half a dinar, three decimals
        ("krw", "10", 50),  # not in the table, no decimals: 50 won
    ],
)
def test_it_asks_for_stripes_smallest_charge_in_each_currency(
    client, organization, no_stripe_calls, currency, typed, smallest
):
    far = CampaignFactory(organization=organization, slug="far", currency=currency, preset_amounts=[100000],
                          min_amount=None)  # fmt: skip
    response = donate_post(client, "/c/far/", {"preset": "custom", "custom_amount": typed, "kind": "one_time"})
    assert response.status_code == 400
    assert f"The smallest gift is {far.format(smallest)}." in response.content.decode()
    assert not Donation.objects.exists()


def test_it_reads_an_amount_as_written_in_the_campaigns_locale(client, organization, stripe_accepts):
    CampaignFactory(organization=organization, slug="paris", currency="eur", locale="fr_FR", preset_amounts=[500],
                    min_amount=None)  # fmt: skip
    response = donate_post(client, "/c/paris/", {"preset": "custom", "custom_amount": "12,50", "kind": "one_time"})
    assert response.status_code == 303
    assert Donation.objects.get().amount == 1250


@pytest.mark.parametrize(
    ("typed", "message"),
    [("0,20", "Die kleinste Spende beträgt"), ("20000", "Die größte Spende beträgt"),
     ("", "Wählen Sie einen Betrag oder geben Sie Ihren eigenen ein.")],
)  # fmt: skip
def test_it_says_the_limits_in_the_supporters_language(client, organization, no_stripe_calls, typed, message):
    CampaignFactory(organization=organization, slug="berlin", currency="eur", locale="de_DE", preset_amounts=[500],
                    min_amount=100, max_amount=1000000)  # fmt: skip
    data = {"preset": "custom" if typed else "", "custom_amount": typed, "kind": "one_time"}
    response = donate_post(client, "/c/berlin/", data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(("maximum", "typed"), [(1000000, "10000"), (None, "999999.99")])
def test_it_accepts_a_gift_of_exactly_the_maximum(client, campaign, stripe_accepts, maximum, typed):
    """The campaign's own largest gift, or without one Stripe's (eight digits of minor units)."""
    campaign.max_amount = maximum
    campaign.save()
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": typed, "kind": "one_time"})
    assert response.status_code == 303
    assert Donation.objects.get().amount == (maximum or 99_999_999)


def test_it_refuses_tampered_choices_in_the_supporters_language(client, organization, no_stripe_calls):
    CampaignFactory(organization=organization, slug="berlin", currency="eur", locale="de_DE", preset_amounts=[500])
    for data, message in [
        ({"preset": "777", "kind": "one_time"}, "Wählen Sie einen der angezeigten Beträge oder „Anderer“."),
        ({"preset": "500", "kind": "yearly"}, "Wählen Sie einmalig oder monatlich."),
        ({"preset": "500"}, "Wählen Sie einmalig oder monatlich."),
    ]:
        response = donate_post(client, "/c/berlin/", data, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
