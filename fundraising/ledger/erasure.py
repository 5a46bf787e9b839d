"""A donor's right to erasure: their personal data leaves the ledger, their gifts keep counting."""

import uuid

from django.db import transaction

from .models import Donation
from .services import donation_settle


def donor_erase(*, email):
    """Blank the name, message and e-mail of every gift from `email` (any case); returns how many.

    The gifts share one meaningless address instead, so the month still counts them as one supporter."""
    if not email:
        return 0
    stand_in = f"erased-{uuid.uuid4().hex}@erased.invalid"
    with transaction.atomic():
        gifts = list(Donation.objects.select_for_update().filter(donor_email__iexact=email).order_by("pk"))
        for donation in gifts:
            donation.donor_email = stand_in
            donation.public_name = ""
            donation.message = ""
            donation.anonymous = True
            donation_settle(donation=donation, old_period_id=donation.period_id)
    return len(gifts)
