"""The card fee table and the cover's formula (fundraising/campaigns/fees.py): exact integers, defaults stated."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundraising.campaigns import fees
from fundraising.campaigns.models import FeeRate


@pytest.mark.parametrize(
    ("gift", "percent_bp", "fixed", "cover"),
    [
        (2500, 290, 30, 106),  # 25 $ at 2.9 % + 0.30: 26.06 $ charged, 25.0043... after the fee
        (1000, 290, 30, 61),
        (5000, 150, 25, 102),  # EUR 50 at 1.5 % + 0.25
        (1000, 360, 0, 38),  # JPY-like: a percentage only
        (2500, 0, 0, 0),
        (9700, 300, 0, 300),  # exact division: 10000 * 0.97 = 9700, nothing rounded up
    ],
)
def test_it_computes_the_cover_exactly(gift, percent_bp, fixed, cover):
    assert fees.fee_cover_compute(gift=gift, percent_bp=percent_bp, fixed=fixed) == cover


@given(
    gift=st.integers(1, 99_999_999),
    percent_bp=st.integers(0, 4999),
    fixed=st.integers(0, 100_000),
)
def test_it_is_the_smallest_charge_that_leaves_the_whole_gift(gift, percent_bp, fixed):
    """Stripe's fee on the charge, rounded half up to the minor unit, leaves at least the gift; one minor unit
    less would not (so the donor never pays more than needed)."""
    charged = gift + fees.fee_cover_compute(gift=gift, percent_bp=percent_bp, fixed=fixed)

    def received(amount):
        return amount - (amount * percent_bp * 2 + fees.BASIS) // (2 * fees.BASIS) - fixed

    assert received(charged) >= gift
    assert (charged - 1) * (fees.BASIS - percent_bp) < (gift + fixed) * fees.BASIS


def test_it_refuses_a_fee_it_cannot_cover():
    with pytest.raises(ValueError):
        fees.fee_cover_compute(gift=1000, percent_bp=5000, fixed=0)
    with pytest.raises(ValueError):
        fees.fee_cover_compute(gift=0, percent_bp=290, fixed=30)


def test_it_uses_the_owners_rate_else_the_default(organization):
    assert fees.fee_for(organization_id=organization.pk, currency="usd") == fees.Fee("usd", 290, 30, True)
    assert fees.fee_for(organization_id=organization.pk, currency="xof").percent_bp == fees.DEFAULT_OTHER[0]
    FeeRate.objects.create(organization=organization, currency="usd", percent_bp=220, fixed=30)
    assert fees.fee_for(organization_id=organization.pk, currency="usd") == fees.Fee("usd", 220, 30, False)


@pytest.mark.parametrize(
    ("typed", "basis"), [("2.9", 290), ("2,9", 290), ("3 %", 300), ("1.45", 145), ("0", 0), ("49.99", 4999)]
)
def test_it_reads_a_typed_percentage_exactly(typed, basis):
    assert fees.percent_read(typed) == basis
    assert fees.percent_read(fees.percent_typed(basis)) == basis


@pytest.mark.parametrize("typed", ["", "abc", "2.915", "50", "-1", "NaN", "1e999"])
def test_it_refuses_a_percentage_with_no_one_reading(typed):
    with pytest.raises(ValueError):
        fees.percent_read(typed)


def test_it_states_the_defaults_as_defaults(organization, campaign):
    text = fees.fee_defaults_text(organization=organization)
    assert "USD: 2.9 % + 0.30 USD (default)" in text
    assert "Stripe's standard published pricing" in text
