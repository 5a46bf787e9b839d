"""Readers of Stripe's payload shapes, shared by the event handlers and by reconciliation so the two can
never read one payload differently. Each takes plain dicts (webhook JSON or an API object's to_dict())
and copes with the older shapes Stripe sent before the API version the app pins."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Unix seconds Stripe can send: from its founding to far in the future; anything else is not a time.
EARLIEST, LATEST = 946_684_800, 32_503_680_000  # 2000-01-01, 3000-01-01


# Stripe's largest amount in minor units: eight digits (99999999, $999,999.99); IDR allows twelve. Anything
# above is not a payment Stripe made, and refusing it keeps every month's total far inside a bigint.
AMOUNT_MAX = 99_999_999
AMOUNT_MAX_BY_CURRENCY = {"idr": 999_999_999_999}


def amount_max(currency):
    return AMOUNT_MAX_BY_CURRENCY.get(currency.lower() if isinstance(currency, str) else "", AMOUNT_MAX)


def amount_refusal(event):
    """Why a signed event is beyond Stripe's own bounds ("" when it is not): an amount the readers count
    (AMOUNT_FIELDS of the object, its currency conversion, subscription items and refunds) above the maximum
    for the currency it is in."""
    obj = (event.get("data") or {}).get("object")
    for part, currency in _counted_parts(obj):
        for key in AMOUNT_FIELDS.intersection(part):
            if _amount(part[key]) > amount_max(currency):
                return f"{key} {part[key]} is above Stripe's maximum of {amount_max(currency)}"
    return ""


def _counted_parts(obj):
    """(dict, its currency) for each part of an event's object that an amount is read from."""
    if not isinstance(obj, dict):
        return
    currency = obj.get("currency")
    yield obj, currency
    conversion = obj.get("currency_conversion")
    if isinstance(conversion, dict):
        yield conversion, conversion.get("source_currency")
    for listing in ("items", "refunds"):
        data = obj.get(listing).get("data") if isinstance(obj.get(listing), dict) else None
        for entry in data if isinstance(data, list) else []:
            if isinstance(entry, dict):
                yield entry, entry.get("currency") or currency
                for price in (entry.get("price"), entry.get("plan")):
                    if isinstance(price, dict):
                        yield price, price.get("currency") or currency


# The amount fields the readers below count from (Stripe's other figures, such as amount_overpaid, are not read).
AMOUNT_FIELDS = frozenset(
    ["amount", "amount_total", "amount_received", "amount_paid", "amount_captured", "amount_refunded", "unit_amount"]
)


def _is_amount_key(key):
    return key in AMOUNT_FIELDS


def timestamp_read(value):
    """A Stripe timestamp (unix seconds) as an aware datetime, or None when it is not a plausible one."""
    if isinstance(value, bool) or not isinstance(value, int) or not EARLIEST <= value <= LATEST:
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def object_id(value):
    """An id whether Stripe sent it as a string or as an expanded object (older shapes)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def metadata_of(obj):
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def metadata_campaign(metadata):
    """The campaign slug a payment names (`fundraising_campaign`), or ""."""
    slug = (metadata or {}).get("fundraising_campaign")
    return slug if isinstance(slug, str) else ""


def metadata_donation(metadata):
    """The app's own donation id (`fundraising_donation`) as a UUID, or None."""
    try:
        return uuid.UUID(str((metadata or {}).get("fundraising_donation")))
    except ValueError:
        return None


def session_amount(session):
    """(amount, currency) of a Checkout Session in the campaign's currency, also when Adaptive Pricing
    charged the donor another one (then `currency_conversion` holds the campaign's side)."""
    conversion = session.get("currency_conversion")
    if isinstance(conversion, dict) and isinstance(conversion.get("source_currency"), str):
        return _amount(conversion.get("amount_total")), conversion["source_currency"].lower()
    return _amount(session.get("amount_total")), _currency(session.get("currency"))


def session_conversion(session):
    """(presentment currency, presentment total, total in the campaign's currency) of an Adaptive Pricing
    session: the ratio Stripe charged at, to convert its refunds and disputes. None without a conversion."""
    conversion = session.get("currency_conversion")
    if not isinstance(conversion, dict):
        return None
    source, presented = _amount(conversion.get("amount_total")), _amount(session.get("amount_total"))
    currency = _currency(session.get("currency"))
    if not source or not presented or not currency or currency == _currency(conversion.get("source_currency")):
        return None
    return currency, presented, source


def session_email(session):
    details = session.get("customer_details") or {}
    return email_read(details.get("email")) or email_read(session.get("customer_email"))


# Separators and header syntax: an address with any of these is a list, a display name or an injected header.
EMAIL_FORBIDDEN = frozenset(',;<>"()[]\\ \t\r\n')


def email_read(value):
    """One plain address, or "" for anything else (a list like "a@x,b@y", a display name, header syntax):
    receipts and notices are mailed to what this returns, so a payload never gets two people mailed."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if not value or len(value) > 254 or EMAIL_FORBIDDEN.intersection(value):
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def intent_amount(intent):
    """(amount received, currency) of a PaymentIntent."""
    return _amount(intent.get("amount_received")), _currency(intent.get("currency"))


def invoice_amount(invoice):
    """(amount paid, currency) of an invoice."""
    return _amount(invoice.get("amount_paid")), _currency(invoice.get("currency"))


def invoice_metadata(invoice):
    """The campaign metadata of an invoice: a subscription's details (parent on current API versions,
    top-level on older ones) when they name a campaign, else the invoice's own (one-off invoices)."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or invoice.get("subscription_details") or {}
    metadata = details.get("metadata") if isinstance(details.get("metadata"), dict) else {}
    return metadata if metadata_campaign(metadata) else metadata_of(invoice) or metadata


def invoice_subscription(invoice):
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return object_id(details.get("subscription")) or object_id(invoice.get("subscription"))


def invoice_payment_intent(invoice):
    """Older API versions put it on the invoice; newer ones under payments when expanded."""
    found = object_id(invoice.get("payment_intent"))
    for payment in (invoice.get("payments") or {}).get("data") or []:
        found = found or object_id((payment.get("payment") or {}).get("payment_intent"))
    return found


# An invoice line covering this long or more bills a yearly price (a year is 365 or 366 days; a month at most 31).
YEARLY_LINE_SECONDS = 360 * 86400


def invoice_yearly(invoice):
    """Whether a subscription's invoice bills a yearly price. The pinned API version names the price on each
    line only by id (pricing.price_details.price); every version gives the line's billed `period`, and older
    ones its price or plan with `recurring.interval` / `interval`. False when the invoice embeds no lines."""
    for line in (invoice.get("lines") or {}).get("data") or []:
        if not isinstance(line, dict):
            continue
        for price in (line.get("price"), line.get("plan")):
            if isinstance(price, dict):
                interval = (price.get("recurring") or {}).get("interval") or price.get("interval")
                if interval in ("year", "month", "week", "day"):
                    return interval == "year"
        period = line.get("period") or {}
        start, end = period.get("start"), period.get("end")
        if isinstance(start, int) and isinstance(end, int) and end - start >= YEARLY_LINE_SECONDS:
            return True
    return False


def invoice_paid_at(invoice):
    return timestamp_read((invoice.get("status_transitions") or {}).get("paid_at"))


def charge_amount(charge):
    """(amount, currency) of a paid charge; 0 when it was not paid or only authorised."""
    if charge.get("paid") is False or charge.get("captured") is False or charge.get("status") == "failed":
        return 0, _currency(charge.get("currency"))
    captured = charge.get("amount_captured")
    amount = captured if isinstance(captured, int) and captured > 0 else charge.get("amount")
    return _amount(amount), _currency(charge.get("currency"))


def charge_refund_list(charge):
    """The refunds a charge embeds: `refunds.data` (API versions before 2022-11-15 always sent it), or a
    bare list (before 2014-05-19). Newer charges embed none; refund.* events describe them."""
    refunds = charge.get("refunds")
    if isinstance(refunds, dict):
        refunds = refunds.get("data")
    return [refund for refund in refunds or [] if isinstance(refund, dict)]


def refund_read(refund):
    """(id, amount, currency, status) of a refund. Refunds before 2017 had no status: they succeeded."""
    status = refund.get("status") if isinstance(refund.get("status"), str) else "succeeded"
    return object_id(refund.get("id")), _amount(refund.get("amount")), _currency(refund.get("currency")), status


def dispute_amount(dispute):
    """(amount, currency) of a dispute, in the charge's currency."""
    return _amount(dispute.get("amount")), _currency(dispute.get("currency"))


def charge_refunded(charge):
    """The running total refunded on a charge (Stripe sends the sum of all its refunds)."""
    return _amount(charge.get("amount_refunded"))


def _amount(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _currency(value):
    return value.lower() if isinstance(value, str) else ""


# --- subscriptions (customer.subscription.*) ------------------------------------------------------


# A monthly gift's subscription metadata key naming its card fees cover (payments/checkout.py FEE_COVER_KEY).
FEE_COVER_KEY = "fundraising_fee_cover"


def fee_cover_named(metadata):
    """The cover (minor units) a subscription's metadata names, 0 when none."""
    raw = metadata.get(FEE_COVER_KEY) if isinstance(metadata, dict) else None
    return int(raw) if isinstance(raw, str) and raw.isdigit() and 0 < len(raw) <= 12 else 0


def _items(subscription):
    data = (subscription.get("items") or {}).get("data") or []
    return [item for item in data if isinstance(item, dict)]


def _item_amount(item):
    price = item.get("price") or item.get("plan") or {}
    quantity = item.get("quantity") if isinstance(item.get("quantity"), int) else 1
    return _amount(price.get("unit_amount") or price.get("amount")) * quantity


def subscription_fee_cover_item(subscription):
    """The item billing a monthly gift's card fees cover: of two or more items, the last one billing the amount
    the metadata names (a cover is its own line, after the gift's); {} when there is none."""
    cover, items = fee_cover_named(metadata_of(subscription)), _items(subscription)
    if not cover or len(items) < 2:
        return {}
    matching = [item for item in items if _item_amount(item) == cover]
    return matching[-1] if matching else {}


def subscription_item(subscription):
    """The gift's item of a subscription (its first item that does not bill the card fees cover), or {}."""
    cover = subscription_fee_cover_item(subscription)
    items = [item for item in _items(subscription) if item is not cover]
    return items[0] if items else {}


def subscription_amount(subscription):
    """(the gift per period, currency) from its item's price times its quantity (a fees cover left out)."""
    item = subscription_item(subscription)
    price = item.get("price") or item.get("plan") or {}
    return _item_amount(item), _currency(price.get("currency") or subscription.get("currency"))


def invoice_fee_cover(invoice):
    """The card fees cover in a monthly gift's invoice: what its subscription's metadata names, when a line of
    the invoice bills exactly that (the cover's own item); 0 when none is named or no line bills it (the cover
    was dropped, or the line changed outside this app)."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or invoice.get("subscription_details") or {}
    cover = fee_cover_named(details.get("metadata"))
    lines = [line for line in (invoice.get("lines") or {}).get("data") or [] if isinstance(line, dict)]
    if not cover or not any(line.get("amount") == cover for line in lines):
        return 0
    return cover


def subscription_interval(subscription):
    """The item's price interval ("month", "year", ...), or "" when the object does not say."""
    item = subscription_item(subscription)
    price = item.get("price") or item.get("plan") or {}
    interval = (price.get("recurring") or {}).get("interval") or price.get("interval")
    return interval if interval in ("day", "week", "month", "year") else ""


def subscription_period_end(subscription):
    """When the paid month ends: on the item on current API versions, on the subscription before basil."""
    return timestamp_read(subscription_item(subscription).get("current_period_end")) or timestamp_read(
        subscription.get("current_period_end")
    )


def invoice_attempt(invoice):
    value = invoice.get("attempt_count")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1
