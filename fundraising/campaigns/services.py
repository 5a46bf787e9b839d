"""Writes to campaigns, periods and the ledger. Totals are only ever recomputed from the ledger."""

import calendar
import contextlib
import functools
import logging

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf
from django.utils import timezone

from .models import Campaign, Donation, Period

logger = logging.getLogger(__name__)

# A donation counts once it is paid; what it counts for is its amount less what was taken back.
COUNTED = Q(paid_at__isnull=False)


def period_bounds(*, campaign, when):
    """First and last day of the calendar month containing `when`, in the campaign's time zone."""
    local = timezone.localtime(when, campaign.tz).date()
    last_day = calendar.monthrange(local.year, local.month)[1]
    return local.replace(day=1), local.replace(day=last_day)


def milestones_of(campaign):
    return [{"amount": m.amount, "label": m.label} for m in campaign.milestones.all()]


def period_for(*, campaign, when=None):
    """The campaign's period containing `when` (default: now), created on first use."""
    start, end = period_bounds(campaign=campaign, when=when or timezone.now())
    period = Period.objects.filter(campaign=campaign, start=start).first()
    if period is not None:  # the usual case: one query, no savepoint, milestones not read
        return period
    defaults = {"end": end, "target": campaign.monthly_target, "milestones": milestones_of(campaign)}
    try:
        with transaction.atomic():
            period, _ = Period.objects.get_or_create(campaign=campaign, start=start, defaults=defaults)
    except IntegrityError:  # another process created it between our get and create
        period = Period.objects.get(campaign=campaign, start=start)
    return period


def campaign_sync_open_period(*, campaign):
    """After an owner edits the target or milestones, the current month follows; history does not."""
    period = period_for(campaign=campaign)
    Period.objects.filter(pk=period.pk, closed_at__isnull=True).update(
        target=campaign.monthly_target, milestones=milestones_of(campaign)
    )


def donation_net_expression():
    """What a donation contributes: amount less refunds and (open or lost) disputes, never below 0."""
    disputed = Case(
        When(dispute_status__in=[Donation.Dispute.OPEN, Donation.Dispute.LOST], then=F("amount_disputed")),
        default=Value(0),
    )
    return Greatest(F("amount") - F("amount_refunded") - disputed, Value(0))


def donation_net(donation):
    """The same rule as donation_net_expression, for one row in Python."""
    if donation.paid_at is None:
        return 0
    disputed = donation.amount_disputed if donation.dispute_status in ("open", "lost") else 0
    return max(donation.amount - donation.amount_refunded - disputed, 0)


def donation_status_derive(donation):
    """The status the stored facts imply (payment, refunds, dispute); callers store it."""
    if donation.paid_at is None:
        return donation.status if donation.status in ("failed", "expired") else Donation.Status.PENDING
    if donation.dispute_status in (Donation.Dispute.OPEN, Donation.Dispute.LOST):
        return Donation.Status.DISPUTED
    if donation.amount_refunded >= donation.amount:
        return Donation.Status.REFUNDED
    if donation.amount_refunded > 0:
        return Donation.Status.PARTIALLY_REFUNDED
    return Donation.Status.SUCCEEDED


def ledger_totals(*, period_id):
    """Sum the ledger for one period: (raised, donors). A donor is an e-mail, or a gift without one."""
    rows = Donation.objects.filter(COUNTED, period_id=period_id).annotate(net=donation_net_expression())
    donor_key = Coalesce(NullIf(F("donor_email"), Value("")), Cast("id", CharField()))
    totals = rows.aggregate(
        raised=Coalesce(Sum("net"), Value(0)),
        donors=Count(donor_key, distinct=True, filter=Q(net__gt=0)),
    )
    return totals["raised"], totals["donors"]


def period_recompute(*, period_id):
    """Store the period's totals as the ledger sums them now. Safe to run any number of times."""
    with transaction.atomic():
        # Two recomputes of one period run one after the other, so an older sum never overwrites a newer one.
        Period.objects.select_for_update(no_key=True).filter(pk=period_id).first()
        raised, donors = ledger_totals(period_id=period_id)
        Period.objects.filter(pk=period_id).update(raised=raised, donors=donors, recomputed_at=timezone.now())
    return Period.objects.select_related("campaign").get(pk=period_id)


# How long "a refresh of this period is queued" holds; only matters if that task is lost.
REFRESH_QUEUED_SECONDS = 120
# A refresh starts this long after the first change of a burst, so one render covers the burst.
REFRESH_DEBOUNCE_SECONDS = 0.3


def period_refresh_key(period_id):
    return f"period-refresh-queued:{period_id}"


def period_refresh_enqueue(*, period_id):
    """Queue one refresh of the period unless one is already waiting to start, so bursts coalesce.

    The task clears the mark before it reads the ledger: a change committed after that queues
    another run, one committed before it is in the sum."""
    from kombu.exceptions import OperationalError

    from .tasks import period_refresh

    key = period_refresh_key(period_id)
    if not cache.add(key, 1, REFRESH_QUEUED_SECONDS):
        return False
    try:
        period_refresh.apply_async((period_id,), countdown=REFRESH_DEBOUNCE_SECONDS)
    except OperationalError:
        # Broker down: the ledger is committed; the stale-period sweep refreshes it once the broker is back.
        cache.delete(key)
        logger.warning("broker unavailable, refresh of period %s deferred to the sweep", period_id)
        return False
    return True


def period_refresh_started(*, period_id):
    cache.delete(period_refresh_key(period_id))


@contextlib.contextmanager
def campaign_refresh_lock(*, period_id):
    """One refresh per campaign at a time: the refresh that sums the ledger last also writes the widget last.

    NO KEY UPDATE does not block donations being inserted (they only take KEY SHARE on the campaign)."""
    with transaction.atomic():
        campaign_id = Period.objects.values_list("campaign_id", flat=True).get(pk=period_id)
        Campaign.objects.select_for_update(no_key=True).filter(pk=campaign_id).first()
        yield campaign_id


def periods_stale():
    """Ids of periods whose stored totals differ from the ledger (a refresh lost while the broker was down).

    Checks the open months and any period with a ledger row saved after its last recompute."""
    touched = Q(closed_at__isnull=True) | Q(recomputed_at__isnull=True, donations__isnull=False)
    touched |= Q(donations__updated_at__gt=F("recomputed_at"))
    stale = []
    for period_id, raised, donors in Period.objects.filter(touched).values_list("pk", "raised", "donors").distinct():
        if ledger_totals(period_id=period_id) != (raised, donors):
            stale.append(period_id)
    return stale


def ledger_changed(*, period_id):
    """Call inside the transaction that changed the ledger: totals and widgets refresh after commit."""
    transaction.on_commit(functools.partial(period_refresh_enqueue, period_id=period_id))


OWNER_PERMISSIONS = {
    "organization": ["view", "change"],
    "membership": ["view", "add", "change", "delete"],
    "campaign": ["view", "add", "change"],
    "milestone": ["view", "add", "change", "delete"],
    "period": ["view"],
    "donation": ["view"],
}


def owners_group_ensure():
    """The auth group that lets organisation members use the admin (rows are scoped separately)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Owners")
    codenames = [f"{action}_{model}" for model, actions in OWNER_PERMISSIONS.items() for action in actions]
    group.permissions.set(Permission.objects.filter(content_type__app_label="campaigns", codename__in=codenames))
    return group


def owner_add(*, organization, user, role="owner"):
    """Make `user` a member of `organization` who can sign in to the admin."""
    from .models import Membership

    Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": role})
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(owners_group_ensure())
