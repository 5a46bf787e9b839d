"""Cover the fees: the organisation's card fee per currency and what a donor adds so the campaign receives the
whole gift (docs/owners.md#cover-the-fees).

The formula, in integer minor units: a charge C costs the organisation C * p + f (p the percentage, f the fixed
part), so it receives the gift G when C - C * p - f >= G, that is C = ceil((G + f) / (1 - p)); the cover is
C - G. With p in basis points: C = ceil((G + f) * 10000 / (10000 - p)), computed exactly with integers. Stripe
rounds its fee to the minor unit; since C * p <= C - G - f, an integer, its rounding never takes more than that,
so the organisation receives at least the gift."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_percent
from django.utils.html import format_html

from fundraising.core.money import currency_digits, money_plain

from .models import FeeRate

BASIS = 10_000  # basis points in 100 %

# Stripe's standard published pricing for domestic cards, by currency (percentage in basis points, fixed part in
# minor units), as of 2026: a default until the owner enters their own rate in the admin. Accounts on other
# pricing (non-profit discounts, international cards, IC+) should enter theirs.
DEFAULT_FEES = {
    "usd": (290, 30), "cad": (290, 30), "eur": (150, 25), "gbp": (150, 20), "chf": (290, 30),
    "aud": (170, 30), "nzd": (265, 30), "sek": (150, 180), "dkk": (150, 180), "nok": (240, 200),
    "pln": (150, 100), "czk": (150, 650), "huf": (150, 8500), "ron": (150, 100), "bgn": (150, 50),
    "jpy": (360, 0), "sgd": (340, 50), "hkd": (340, 235), "mxn": (360, 300), "brl": (399, 39),
    "myr": (300, 100), "thb": (365, 0), "inr": (200, 0), "aed": (290, 100),
}  # fmt: skip
# A currency Stripe's table above does not name: a percentage only, stated as a default all the same.
DEFAULT_OTHER = (290, 0)


@dataclass(frozen=True)
class Fee:
    """One currency's card fee: percentage in basis points, fixed part in minor units; `default` when no owner
    set it (the admin and the donation page say so)."""

    currency: str
    percent_bp: int
    fixed: int
    default: bool


def fee_default(currency):
    percent_bp, fixed = DEFAULT_FEES.get(currency, DEFAULT_OTHER)
    return Fee(currency=currency, percent_bp=percent_bp, fixed=fixed, default=True)


def fee_for(*, organization_id, currency):
    """The organisation's fee for the currency: its own row, else the default."""
    row = FeeRate.objects.filter(organization_id=organization_id, currency=currency).first()
    if row is None:
        return fee_default(currency)
    return Fee(currency=currency, percent_bp=row.percent_bp, fixed=row.fixed, default=False)


def fee_cover_compute(*, gift, percent_bp, fixed):
    """What to add to `gift` (minor units) so that after a fee of percent_bp basis points plus `fixed` the
    organisation receives the gift: ceil((gift + fixed) * 10000 / (10000 - percent_bp)) - gift."""
    if gift <= 0:
        raise ValueError("a gift is positive")
    if not 0 <= percent_bp < BASIS // 2 or fixed < 0:
        raise ValueError("a fee is below 50 % and its fixed part not negative")
    charged = -(-(gift + fixed) * BASIS // (BASIS - percent_bp))
    return charged - gift


def campaign_fee_cover(*, campaign, gift):
    """The cover the campaign's donation page offers for `gift`: 0 when it offers none."""
    if not campaign.fee_cover_offered:
        return 0
    fee = fee_for(organization_id=campaign.organization_id, currency=campaign.currency)
    return fee_cover_compute(gift=gift, percent_bp=fee.percent_bp, fixed=fee.fixed)


def fee_rate_text(*, fee, campaign):
    """The fee as people read it in the campaign's locale: "2.9 % + $0.30", "3.6 %"."""
    percent = format_percent(Decimal(fee.percent_bp) / BASIS, locale=campaign.locale, decimal_quantization=False)
    return f"{percent} + {campaign.format(fee.fixed)}" if fee.fixed else percent


def fee_cover_offer(*, campaign, gift):
    """What the donation page's box shows: the cover of `gift` (the chosen or first amount), each preset's
    cover (the script swaps them in as the amount changes) and the fee, for the hint. None when not offered."""
    if not campaign.fee_cover_offered:
        return None
    fee = fee_for(organization_id=campaign.organization_id, currency=campaign.currency)
    cover = fee_cover_compute(gift=gift, percent_bp=fee.percent_bp, fixed=fee.fixed)
    presets = {
        str(amount): campaign.format(fee_cover_compute(gift=amount, percent_bp=fee.percent_bp, fixed=fee.fixed))
        for amount in campaign.preset_amounts or []
    }
    cover_html = format_html('<strong id="fee-cover-amount">{}</strong>', campaign.format(cover))
    return {"fee": fee, "rate_text": fee_rate_text(fee=fee, campaign=campaign), "cover_html": cover_html,
            "presets": presets, "digits": currency_digits(campaign.currency)}  # fmt: skip


def percent_read(text):
    """A percentage as an owner types it ("2.9", "2,9", "3 %") into basis points, exactly; ValueError else."""
    cleaned = (text or "").replace("%", "").replace(",", ".").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Enter a percentage such as 2.9.") from None
    basis = value * 100
    if not value.is_finite() or basis != basis.to_integral_value():
        raise ValueError("Enter a percentage with at most two decimals, such as 2.9 or 1.45.")
    if not 0 <= basis < BASIS // 2:
        raise ValueError("Enter a percentage from 0 to below 50.")
    return int(basis)


def percent_typed(percent_bp):
    """Basis points as an owner types them back: 290 is "2.9", 300 is "3"."""
    if percent_bp % 100 == 0:
        return str(percent_bp // 100)
    return format(Decimal(percent_bp) / 100, "f").rstrip("0")


def fee_text(*, fee):
    """A fee for the admin, in English: "2.9 % + 0.30 USD (default)"."""
    text = f"{percent_typed(fee.percent_bp)} %"
    if fee.fixed:
        text += f" + {money_plain(fee.fixed, fee.currency)} {fee.currency.upper()}"
    return f"{text} (default)" if fee.default else text


def fee_defaults_text(*, organization):
    """The default fee of each currency the organisation's campaigns take that has no row of its own."""
    own = set(FeeRate.objects.filter(organization=organization).values_list("currency", flat=True))
    currencies = sorted(set(organization.campaigns.values_list("currency", flat=True)) - own)
    if not currencies:
        return "Every currency your campaigns take has its own fee below." if own else "No campaign yet."
    return "; ".join(f"{currency.upper()}: {fee_text(fee=fee_default(currency))}" for currency in currencies) + (
        ". Stripe's standard published pricing for domestic cards: add a row below to use your account's own."
    )
