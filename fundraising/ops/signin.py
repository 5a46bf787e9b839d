"""The admin sign-in throttle's limit (django-axes' AXES_FAILURE_LIMIT callable): per address and per username.

Axes counts wrong passwords per (username, address) and per username across addresses, and locks when the
larger count reaches this limit. So the limit is AXES_PAIR_FAILURE_LIMIT once this pair has used it up (one
address guessing), else AXES_USERNAME_FAILURE_LIMIT (guessing spread over many addresses). An address the
user signed in from in the last KNOWN_ADDRESS_DAYS is held to the pair limit only: strangers' failures
elsewhere cannot lock the owner out of their usual place (`manage.py axes_reset_username` unlocks the rest)."""

import datetime

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

KNOWN_ADDRESS_DAYS = 30
NEVER = 10**9


def _pair_failures(username, address):
    from axes.models import AccessAttempt

    rows = AccessAttempt.objects.filter(username=username, ip_address=address)
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


def _known_address(username, address):
    from axes.models import AccessLog

    since = timezone.now() - datetime.timedelta(days=KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(username=username, ip_address=address, attempt_time__gte=since).exists()


def failure_limit(request, credentials):
    from axes.helpers import get_client_username

    username, address = get_client_username(request, credentials), request.axes_ip_address
    if _pair_failures(username, address) >= settings.AXES_PAIR_FAILURE_LIMIT:
        return settings.AXES_PAIR_FAILURE_LIMIT
    if _known_address(username, address):
        return NEVER
    return settings.AXES_USERNAME_FAILURE_LIMIT
