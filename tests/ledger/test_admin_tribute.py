"""Owners see a gift's dedication on its admin page and in the CSV export (a formula-looking name is
defused like every other text)."""

import csv
import io

from tests.factories import DonationFactory


def test_the_donation_page_and_the_export_show_the_dedication(client, alice, campaign):
    gift = DonationFactory(campaign=campaign, tribute_kind="memory", tribute_name="=Ada <b>", tribute_on_wall=True,
                           tribute_notify_email="grace@example.org")  # fmt: skip
    plain = DonationFactory(campaign=campaign)
    client.force_login(alice)
    page = client.get(f"/admin/ledger/donation/{gift.pk}/change/").content.decode()
    assert "Dedication:" in page and "In memory of" in page and "Dedicated to:" in page
    assert "=Ada &lt;b&gt;" in page and "grace@example.org" in page

    export = client.get("/admin/ledger/donation/export.csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))}
    row = rows[str(gift.pk)]
    assert (row["tribute_kind"], row["tribute_name"], row["tribute_on_wall"]) == ("memory", "'=Ada <b>", "True")
    assert (row["tribute_notify_email"], row["tribute_notify_amount"]) == ("grace@example.org", "False")
    assert rows[str(plain.pk)]["tribute_name"] == "" and rows[str(plain.pk)]["tribute_kind"] == ""
