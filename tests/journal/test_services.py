"""fundraising/journal/services.py: a supporter's erasure reaches the journal of the organisation that runs it, and
only that organisation's entries (journal_scrub is scoped like the erase that calls it)."""

import pytest

from fundraising.journal.models import Entry
from fundraising.journal.services import journal_scrub

pytestmark = pytest.mark.django_db

RENEWAL = {"invoice_id": "in_1", "attempt": 2, "subscription_id": "sub_1"}


def entry(key, organization_id, email):
    return Entry.objects.create(kind="renewal.failed", key=key, organization_id=organization_id,
                                data={**RENEWAL, "email": email})  # fmt: skip


def data_of(key):
    return Entry.objects.get(key=key).data


def test_it_scrubs_the_address_in_the_organisations_entries_only():
    entry("a-1", 1, "Ada@Example.com")
    entry("a-2", 1, "ada@example.com")
    entry("a-other", 1, "grace@example.com")
    entry("b-1", 2, "ada@example.com")  # the same supporter at another organisation
    entry("none-1", None, "ada@example.com")  # no organisation: no erase at one reaches it

    assert journal_scrub(organization_id=1, email="ada@example.com", stand_in="erased-1@invalid") == 2

    assert data_of("a-1") == data_of("a-2") == {**RENEWAL, "email": "erased-1@invalid"}  # the rest kept
    assert data_of("a-other") == {**RENEWAL, "email": "grace@example.com"}
    assert data_of("b-1") == data_of("none-1") == {**RENEWAL, "email": "ada@example.com"}


def test_it_counts_nothing_where_the_address_is_not_named():
    entry("b-1", 2, "ada@example.com")
    assert journal_scrub(organization_id=1, email="ada@example.com", stand_in="erased-1@invalid") == 0
    assert data_of("b-1")["email"] == "ada@example.com"
