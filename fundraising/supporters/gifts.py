"""A supporter's monthly gifts to one organisation, and the changes they ask Stripe for.

What the page shows comes from SubscriptionState, i.e. from Stripe's webhooks; a change the supporter
asked for stays "waiting for confirmation" until a customer.subscription.* event shows it."""

import dataclasses
import datetime
import uuid

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.forms import amount_check
from fundraising.payments.models import SubscriptionState
from fundraising.payments.subscriptions import subscription_state_record

from .models import GiftChange

# A supporter has a handful of monthly gifts; the page never loads more than this many.
GIFTS_SHOWN = 20
# A change Stripe has not confirmed after this long is shown as not confirmed rather than waiting forever.
WAIT_FOR = datetime.timedelta(hours=1)


class GiftNotFound(Exception):
    """Not a monthly gift of this address to this organisation."""


@dataclasses.dataclass
class MonthlyGift:
    subscription_id: str
    campaign: object
    state: SubscriptionState | None
    first_gift: Donation
    pending: GiftChange | None

    @property
    def amount(self):
        return self.state.amount if self.state and self.state.amount else self.first_gift.gift

    @property
    def fee_cover(self):
        """The card fees cover billed with the gift each month (0: none, or dropped), as Stripe last said."""
        return self.state.fee_cover if self.state else self.first_gift.fee_cover

    @property
    def active(self):
        if self.state is None:
            return self.first_gift.subscription_ended_at is None
        return self.state.status not in ("canceled", "incomplete_expired")

    @property
    def yearly(self):
        """A yearly gift (Donation.Kind.YEARLY): the page says "per year", a new amount keeps the yearly price."""
        return self.first_gift.kind == Donation.Kind.YEARLY or bool(self.state and self.state.interval == "year")

    @property
    def stopping(self):
        return bool(self.state and self.state.cancel_at_period_end and self.active)


def _subscription_ids(*, organization, email):
    rows = (
        Donation.objects.filter(campaign__organization=organization, donor_email__iexact=email)
        .exclude(stripe_subscription_id="")
        .values("stripe_subscription_id")
        .annotate(first=Min("created_at"))
        .order_by("-first")
    )
    return [row["stripe_subscription_id"] for row in rows[:GIFTS_SHOWN]]


def change_confirmed(change, state):
    """Whether Stripe's last word on the subscription already shows the change."""
    if state is None:
        return False
    if change.kind == GiftChange.Kind.AMOUNT:
        return state.amount == change.amount
    if change.kind == GiftChange.Kind.FEE_COVER_DROP:
        return state.fee_cover == 0
    if change.kind == GiftChange.Kind.CANCEL_AT_END:
        return state.cancel_at_period_end or state.status == "canceled"
    return state.status == "canceled"


def _pending(subscription_id, state):
    change = GiftChange.objects.filter(subscription_id=subscription_id).order_by("-requested_at").first()
    if change is None or change_confirmed(change, state) or change.requested_at < timezone.now() - WAIT_FOR:
        return None
    return change


def monthly_gifts(*, organization, email):
    """The address's monthly gifts to the organisation, newest first. A subscription Stripe has not described
    to us yet (no customer.subscription.* event) is read from Stripe once and stored."""
    ids = _subscription_ids(organization=organization, email=email)
    states = {s.subscription_id: s for s in SubscriptionState.objects.filter(subscription_id__in=ids)}
    gifts = []
    for subscription_id in ids:
        state = states.get(subscription_id) or _state_fetch(subscription_id)
        first = (
            Donation.objects.select_related("campaign")
            .filter(stripe_subscription_id=subscription_id)
            .order_by("created_at")
            .first()
        )
        gifts.append(MonthlyGift(subscription_id, first.campaign, state, first, _pending(subscription_id, state)))
    return sorted(gifts, key=lambda gift: (not gift.active, -gift.first_gift.created_at.timestamp()))


def _state_fetch(subscription_id):
    try:
        subscription = stripe_api.subscription_retrieve(subscription_id=subscription_id)
    except (stripe_api.StripeUnavailable, stripe_api.StripeNotConfigured):
        return None
    with transaction.atomic():
        return subscription_state_record(
            subscription=subscription, when=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
        )


def monthly_gift(*, organization, email, subscription_id):
    for gift in monthly_gifts(organization=organization, email=email):
        if gift.subscription_id == subscription_id:
            return gift
    raise GiftNotFound(subscription_id)


def gift_amount_change(*, gift, amount):
    """Ask Stripe to charge `amount` from the next renewal; the page shows it once the webhook confirms it.
    An amount outside the campaign's range is a MoneyError, before Stripe is asked anything."""
    amount_check(campaign=gift.campaign, amount=amount)
    state = gift.state
    if state is None or not state.item_id or not state.product_id:
        raise stripe_api.StripeUnavailable("the subscription's item is not known yet")
    stripe_api.subscription_amount_change(
        subscription_id=gift.subscription_id,
        item_id=state.item_id,
        product_id=state.product_id,
        currency=state.currency or gift.campaign.currency,
        amount=amount,
        idempotency_key=f"gift-amount-{gift.subscription_id}-{uuid.uuid4()}",
        interval="year" if gift.yearly else "month",
    )
    return GiftChange.objects.create(subscription_id=gift.subscription_id, kind=GiftChange.Kind.AMOUNT, amount=amount)


def gift_fee_cover_drop(*, gift):
    """Ask Stripe to stop billing the card fees cover from the next renewal (the gift itself goes on); recorded
    like a change of amount, and shown once the webhook confirms it."""
    state = gift.state
    if state is None or not state.fee_cover or not state.fee_cover_item_id:
        raise stripe_api.StripeUnavailable("the subscription's card fees cover is not known")
    stripe_api.subscription_fee_cover_drop(
        subscription_id=gift.subscription_id,
        item_id=state.fee_cover_item_id,
        idempotency_key=f"gift-fee-cover-drop-{gift.subscription_id}-{state.fee_cover_item_id}",
    )
    return GiftChange.objects.create(subscription_id=gift.subscription_id, kind=GiftChange.Kind.FEE_COVER_DROP)


def gift_cancel(*, gift, at_period_end):
    if at_period_end:
        stripe_api.subscription_cancel_at_period_end(subscription_id=gift.subscription_id)
        kind = GiftChange.Kind.CANCEL_AT_END
    else:
        stripe_api.subscription_cancel_now(subscription_id=gift.subscription_id)
        kind = GiftChange.Kind.CANCEL_NOW
    return GiftChange.objects.create(subscription_id=gift.subscription_id, kind=kind)


def gift_card_update_url(*, gift, return_url, locale):
    """The Customer Portal page where the supporter replaces the card (Stripe's own page)."""
    if gift.state is None or not gift.state.customer_id:
        raise stripe_api.StripeUnavailable("the subscription's customer is not known yet")
    session = stripe_api.billing_portal_card_update(customer_id=gift.state.customer_id, return_url=return_url,
                                                  locale=locale)  # fmt: skip
    return session["url"]
