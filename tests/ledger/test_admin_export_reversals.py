"""The donation list and its CSV tell a reversal and the gift it reversed apart: the reversal's amount is
negative (the column sums to what counts), the reversed gift names its reversal and says "reversed"."""

import csv
import io

from fundraising.ledger import offline


def test_a_reversal_sums_to_nothing_in_the_csv_and_the_list_says_reversed(client, campaign, alice):
    import datetime

    gift = offline.offline_gift_record(
        campaign=campaign, amount=4000, received_on=datetime.date.today(), method="cheque", recorded_by=alice
    ).donation
    reversal = offline.offline_gift_reverse(donation=gift, recorded_by=alice).donation
    client.force_login(alice)
    body = b"".join(client.get("/admin/ledger/donation/export.csv").streaming_content).decode()
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows[str(gift.pk)]["amount"] == "4000" and rows[str(reversal.pk)]["amount"] == "-4000"
    assert sum(int(row["amount"]) for row in rows.values()) == 0
    assert rows[str(gift.pk)]["reversed_by"] == str(reversal.pk) and rows[str(reversal.pk)]["reversed_by"] == ""
    page = client.get("/admin/ledger/donation/").content.decode()
    assert "Succeeded, reversed" in page


def test_the_date_drill_down_follows_when_a_gift_was_paid(client, campaign, alice):
    """History loaded today (created_at today) spreads over the years it was paid in."""
    import datetime

    from tests.factories import DonationFactory

    for year in (2024, 2025):
        DonationFactory(campaign=campaign, paid_at=datetime.datetime(year, 3, 1, 12, tzinfo=datetime.UTC))
    client.force_login(alice)
    page = client.get("/admin/ledger/donation/").content.decode()
    assert "?paid_at__year=2024" in page and "?paid_at__year=2025" in page
