"""A refund or dispute amount in the currency the donor was charged, converted to the gift's currency only
when the payment's own conversion is known (Adaptive Pricing); otherwise it waits and says so in the log."""

import logging

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments.facts import in_gift_currency
from fundraising.payments.models import PaymentState


def state(**fields):
    return PaymentState(key="pi_wait", **fields)


GIFT = Donation(amount=500, currency="usd")


@pytest.mark.parametrize(
    ("fields", "amount", "expected"),
    [
        ({"currency": ""}, 700, 500),  # the charged currency not known: the gift's own, clamped to the gift
        ({"currency": "usd"}, 200, 200),
        ({"currency": "eur", "conversion_currency": "eur", "conversion_amount": 460}, 230, 250),
        ({"currency": "eur", "conversion_currency": "eur", "conversion_amount": 460}, 0, 0),
    ],
)
def test_it_converts_only_at_the_payments_own_ratio(fields, amount, expected):
    assert in_gift_currency(amount, state=state(**fields), donation=GIFT) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"currency": "eur"},  # no conversion recorded yet
        {"currency": "eur", "conversion_currency": "eur", "conversion_amount": 0},  # a conversion without its total
        {"currency": "eur", "conversion_currency": "gbp", "conversion_amount": 400},  # another currency's ratio
    ],
)
def test_it_waits_and_says_so_while_the_ratio_is_unknown(fields, caplog):
    with caplog.at_level(logging.WARNING, logger="fundraising.payments.facts"):
        assert in_gift_currency(230, state=state(**fields), donation=GIFT) is None
    assert [r.getMessage() for r in caplog.records] == ["payment pi_wait: 230 eur cannot be converted to usd yet"]
