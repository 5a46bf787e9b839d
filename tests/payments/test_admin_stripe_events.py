"""Stored Stripe events are visible to superusers in the admin, and to no organisation owner."""

from fundraising.payments.models import StripeEvent
from tests.factories import UserFactory


def test_it_lists_events_for_superusers_only(client, alice, organization):
    StripeEvent.objects.create(stripe_id="evt_admin_1", type="charge.refunded", payload={}, error="KeyError: x")
    client.force_login(alice)  # an owner: staff, not superuser
    assert client.get("/admin/payments/stripeevent/").status_code == 403
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    html = client.get("/admin/payments/stripeevent/").content.decode()
    assert "evt_admin_1" in html and "KeyError: x" in html
