"""A donor address from event data is one address or none: `a@x,b@y` (or any list, display name or header
trick) is never stored, so no receipt or notice is mailed to two people."""

import pytest
from django.core import mail

from fundraising.ledger.models import Donation
from fundraising.payments import readers
from tests.stripe_standin import events

REFUSED = [
    "a@example.org,b@example.org",
    "a@example.org, b@example.org",
    "a@example.org;b@example.org",
    "Ada <a@example.org>",
    "a@example.org\nBcc: b@example.org",
    "a@example.org b@example.org",
    "<a@example.org>,b@example.org",
    '"a@example.org,b"@example.org',
    "not an address",
    "@example.org",
    "a" * 250 + "@example.org",
    12,
    ["a@example.org"],
]


@pytest.mark.parametrize("value", REFUSED)
def test_it_reads_anything_but_one_address_as_none(value):
    assert readers.email_read(value) == ""


@pytest.mark.parametrize("value", ["ada@example.org", " Ada.Lovelace+gift@example.co.uk "])
def test_it_reads_one_address(value):
    assert readers.email_read(value) == value.strip()


def test_a_gift_from_a_listed_address_counts_and_mails_no_one(client, campaign):
    session = events.checkout_session(amount=2500, email="a@example.org,b@example.org")
    assert events.post_event(client, events.event("checkout.session.completed", session)).status_code == 200
    donation = Donation.objects.get()
    assert (donation.amount, donation.status, donation.donor_email) == (2500, "succeeded", "")
    assert not [m for m in mail.outbox if any("b@example.org" in to or "a@example.org" in to for to in m.to)]


def test_an_invoice_from_a_listed_address_stores_none(client, campaign):
    invoice = events.invoice(amount=1500, subscription="sub_1", email="a@example.org,b@example.org")
    assert events.post_event(client, events.event("invoice.paid", invoice)).status_code == 200
    assert Donation.objects.get().donor_email == ""
