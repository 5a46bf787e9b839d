"""Offline gifts: money received outside Stripe (bank transfer, cheque, cash) typed in by a member.

An offline gift is a ledger row like any other: it counts in the month of its date, in the campaign's
time zone, in every total, widget and milestone. The rows are append-only: a mistake is corrected by a
reversing entry (same amount, counted negative, in the same month), and each row keeps who typed it in
and when. The admin form and the `record_offline_gift` command share `offline_gift_clean`, so a bad
input gets the same clear message in both."""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.campaigns.roles import NEEDS, role_at_least
from fundraising.campaigns.services import period_for
from fundraising.core import money

from .models import Donation
from .services import donation_reversed_mark, donation_settle

# A gift is booked at local noon of its day: never ambiguous, even where DST moves midnight.
BOOKING_TIME = datetime.time(12, 0)
EARLIEST_DATE = datetime.date(2000, 1, 1)
METHODS = [value for value, _ in Donation.Method.choices if value]


class OfflineGiftError(ValueError):
    """An offline entry that cannot be recorded; the message is for the member who typed it."""


@dataclasses.dataclass(frozen=True)
class OfflineEntry:
    donation: Donation
    period: Period

    @property
    def closed_month(self):
        """The entry changed a month that had already closed (its history now says something new)."""
        return self.period.closed_at is not None


def member_can_record(*, user, campaign):
    if user is None or not user.is_active:
        return False
    return role_at_least(user=user, organization_id=campaign.organization_id, role=NEEDS["gift_record"])


def campaign_today(campaign, now=None):
    return timezone.localtime(now or timezone.now(), campaign.tz).date()


def amount_question(*, campaign, text):
    """The MoneyError typed money raises ("Did you mean 25.50 $?", with its suggestion), or None: what the
    admin's one-click button and the command's "Run it again with" answer."""
    try:
        campaign.parse(str(text))
    except money.MoneyError as exc:
        return exc
    return None


def offline_gift_clean(*, campaign, amount, date="", method="", name="", email="", note="", now=None):
    """Turn what a member typed into the arguments of offline_gift_record; ValidationError per field.

    `amount` is text as a person types it in the campaign's locale ("25", "25.50", "1,234"); `date` is
    YYYY-MM-DD (or a date), empty for today in the campaign's time zone."""
    errors, cleaned = {}, {}
    try:
        cleaned["amount"] = campaign.parse(str(amount))
    except money.MoneyError as exc:
        errors["amount"] = str(exc)
    today = campaign_today(campaign, now)
    if isinstance(date, datetime.date):
        day = date
    elif not str(date or "").strip():
        day = today
    else:
        try:
            day = datetime.date.fromisoformat(str(date).strip())
        except ValueError:
            day = None
            errors["date"] = f"{date!r} is not a date: write it as YYYY-MM-DD, e.g. {today.isoformat()}."
    if day is not None and "date" not in errors:
        if day > today:
            errors["date"] = f"{day.isoformat()} is in the future (today is {today} in {campaign.time_zone})."
        elif day < EARLIEST_DATE:
            errors["date"] = f"{day.isoformat()} is too far in the past (the earliest is {EARLIEST_DATE.isoformat()})."
        cleaned["received_on"] = day
    method = (method or Donation.Method.BANK_TRANSFER).strip()
    if method not in METHODS:
        errors["method"] = f"{method!r} is not a method; choose one of {', '.join(METHODS)}."
    cleaned["method"] = method
    cleaned["name"] = (name or "").strip()
    if len(cleaned["name"]) > Donation._meta.get_field("public_name").max_length:
        errors["name"] = "The name is longer than 100 characters."
    cleaned["email"] = (email or "").strip().lower()
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = f"{email!r} is not an e-mail address."
    cleaned["note"] = (note or "").strip()
    if len(cleaned["note"]) > 1000:
        errors["note"] = "The note is longer than 1000 characters."
    if errors:
        raise ValidationError(errors)
    return cleaned


def booked_at(campaign, day, now=None):
    """The moment an offline gift of `day` is booked: noon that day in the campaign's time zone, or now when
    that noon is still ahead (a gift typed in this morning is never dated in the future)."""
    noon = datetime.datetime.combine(day, BOOKING_TIME, tzinfo=campaign.tz)
    return min(noon, now or timezone.now())


def offline_gift_record(
    *,
    campaign,
    amount,
    received_on,
    method,
    recorded_by,
    name="",
    email="",
    anonymous=False,
    note="",
    kind=Donation.Kind.ONE_TIME,
):
    """Append an offline gift of `amount` minor units to the ledger, counted in the month of `received_on`.

    `recorded_by` is the member typing it in (None for the operators' command). Returns an OfflineEntry
    whose `closed_month` says the gift changed a month that had already closed."""
    if recorded_by is not None and not member_can_record(user=recorded_by, campaign=campaign):
        raise OfflineGiftError("Only the organisation's owners and editors can record gifts.")
    if not isinstance(amount, int) or amount <= 0:
        raise OfflineGiftError("The amount must be a positive number of minor units.")
    if method not in METHODS:
        raise OfflineGiftError(f"{method!r} is not a method; choose one of {', '.join(METHODS)}.")
    when = booked_at(campaign, received_on)
    with transaction.atomic():
        period = period_for(campaign=campaign, when=when)
        donation = Donation(
            campaign=campaign,
            period=period,
            amount=amount,
            currency=campaign.currency,
            kind=kind,
            source=Donation.Source.OFFLINE,
            method=method,
            public_name=name,
            anonymous=anonymous or not name,
            donor_email=email,
            note=note,
            recorded_by=recorded_by,
            paid_at=when,
        )
        donation_settle(donation=donation)
    return OfflineEntry(donation=donation, period=period)


def offline_gift_reverse(*, donation, recorded_by, note=""):
    """Append the entry that cancels an offline gift, in the gift's own month; of the gift row only its stored
    `reversed` state changes (what it records, and its updated_at, stay as they were).

    A gift is reversed at most once (the database's unique `reverses` guards two members at once)."""
    if recorded_by is not None and not member_can_record(user=recorded_by, campaign=donation.campaign):
        raise OfflineGiftError("Only the organisation's owners and editors can reverse gifts.")
    with transaction.atomic():
        gift = Donation.objects.select_for_update(of=("self",)).select_related("period", "campaign").get(pk=donation.pk)
        if gift.source != Donation.Source.OFFLINE:
            raise OfflineGiftError("Only offline gifts are reversed here; a Stripe gift is refunded in Stripe.")
        if gift.reverses_id is not None:
            raise OfflineGiftError("This entry is itself a reversal; record the gift again instead.")
        if Donation.objects.filter(reverses=gift).exists():
            raise OfflineGiftError("This gift has already been reversed.")
        reversal = Donation(
            campaign=gift.campaign,
            period=gift.period,
            amount=gift.amount,
            currency=gift.currency,
            kind=gift.kind,
            source=Donation.Source.OFFLINE,
            method=gift.method,
            public_name=gift.public_name,
            anonymous=gift.anonymous,
            donor_email=gift.donor_email,  # so the donor's net in the month goes back with the money
            note=(note or "").strip()[:1000],
            recorded_by=recorded_by,
            reverses=gift,
            paid_at=gift.paid_at,
        )
        try:
            with transaction.atomic():
                donation_settle(donation=reversal)
        except IntegrityError:
            raise OfflineGiftError("This gift has already been reversed.") from None
        # The gift's stored state follows in the same transaction (the wall and the monthly figures read it).
        donation_reversed_mark(donation=gift)
    return OfflineEntry(donation=reversal, period=gift.period)
